"""Security, counted: N hostile attempts per kind, and none accepted.

Each test makes its attempts through the app as a client would and counts
the answers that let the attempt through; a single acceptance fails it. The
counts are printed (``pytest -s tests/auth/test_security.py``) for the record.
"""

from __future__ import annotations

import json
import logging
import random
import time
import uuid
from urllib.parse import quote

import pytest

from chalicelib import config, observability
from chalicelib.auth import bearer, sessions
from chalicelib.store import balrog_tokens, projects
from chalicelib.store.clients import client
from tests.support.datazilla_data import DEV_KEY, DEV_SECRET, HOST, signed_upload
from tests.support.oauth_signing import form_body, sign_form

N = 20


def _report(kind: str, attempts: int, accepted: int) -> None:
    print(f"security: {kind}: {attempts} attempts, {accepted} accepted")


def _stored_rows() -> int:
    """Blobs stored for talos: an accepted upload's last write is its blob (the worker makes its row later)."""
    listed = client("s3").list_objects_v2(Bucket=config.bucket_name(), Prefix="objectstore/talos/")
    return listed.get("KeyCount", 0)


def test_forged_oauth_signatures_are_all_refused(app_client, talos, talos_blob):
    # given N forgeries of different kinds: guessed secrets, tampered bodies, a signature from another URL
    rng = random.Random(7)
    text = json.dumps(talos_blob)
    outcomes = []
    for i in range(N):
        kind = i % 3
        if kind == 0:
            response = signed_upload(app_client, text, secret=DEV_SECRET + rng.choice("abcxyz") * (i + 1))
        else:
            path = "/talos/api/load_test" if kind == 1 else "/talos/load_test"
            signed_path = path if kind == 1 else "/talos/api/load_test"
            fields = sign_form(f"http://{HOST}{signed_path}", {"data": quote(text), "user": "talos"}, DEV_KEY,
                               DEV_SECRET)
            if kind == 1:
                fields["data"] = quote(text.replace("8a3d4b6e7c21", f"{i:012d}"))  # tampered after signing
            response = app_client.http.post(path, headers={"Content-Type": "application/x-www-form-urlencoded",
                                                           "Host": HOST}, body=form_body(fields))
        outcomes.append(response.status_code)
    # then
    accepted = sum(1 for status in outcomes if status < 400)
    _report("forged OAuth signatures", N, accepted)
    assert accepted == 0 and set(outcomes) == {403}
    assert _stored_rows() == 0


def test_replayed_nonces_are_all_refused(app_client, talos, talos_blob):
    # given one correctly signed request
    fields = sign_form(f"http://{HOST}/talos/api/load_test", {"data": quote(json.dumps(talos_blob)), "user": "talos"},
                       DEV_KEY, DEV_SECRET)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Host": HOST}
    first = app_client.http.post("/talos/api/load_test", headers=headers, body=form_body(fields))
    # when it is replayed N times
    replays = [app_client.http.post("/talos/api/load_test", headers=headers, body=form_body(fields)).status_code
               for _ in range(N)]
    # then only the original is stored
    accepted = sum(1 for status in replays if status < 400)
    _report("replayed OAuth nonces", N, accepted)
    assert first.status_code == 200 and accepted == 0
    assert _stored_rows() == 1


def test_stale_and_future_timestamps_are_all_refused(app_client, talos, talos_blob):
    window = config.oauth_timestamp_window()
    now = int(time.time())
    # beyond the window by at least 10 s, so the seconds the test itself takes cannot matter
    offsets = [-(window + 10 + 97 * i) for i in range(N // 2)] + [window + 10 + 97 * i for i in range(N - N // 2)]
    outcomes = [signed_upload(app_client, json.dumps(talos_blob), timestamp=now + offset).status_code
                for offset in offsets]
    accepted = sum(1 for status in outcomes if status < 400)
    _report("stale or future OAuth timestamps", N, accepted)
    assert accepted == 0 and _stored_rows() == 0


def test_another_projects_credentials_are_refused_on_this_project(app_client, talos, talos_blob):
    # given a second project with its own consumer
    projects.create("perf", "perf-key", "perf-secret")
    # when its key signs uploads to talos
    outcomes = [signed_upload(app_client, json.dumps(talos_blob), project="talos", key="perf-key",
                              secret="perf-secret", nonce=uuid.uuid4().hex).status_code for _ in range(N)]
    accepted = sum(1 for status in outcomes if status < 400)
    _report("OAuth credentials of another project", N, accepted)
    assert accepted == 0 and _stored_rows() == 0


def test_balrog_tokens_of_the_wrong_scope_are_all_refused(app_client, balrog_admin):
    # given tokens that belong to admin but are not bearer tokens of the admin API
    session_token, _ = sessions.create("admin")
    expired = bearer.issue_access_token("admin", lifetime_seconds=-1)
    wrong = [session_token, expired, *(uuid.uuid4().hex for _ in range(N - 2))]
    rule = json.dumps({"priority": 1, "backgroundRate": 100, "update_type": "minor", "product": "Firefox"})
    # when each is used as a bearer token for a write
    outcomes = [app_client.http.post("/balrog/api/rules", headers={"Authorization": f"Bearer {token}",
                                                                   "Content-Type": "application/json"},
                                     body=rule).status_code for token in wrong]
    accepted = sum(1 for status in outcomes if status < 400)
    _report("Balrog tokens of the wrong scope (session, expired access, unknown)", N, accepted)
    assert accepted == 0 and set(outcomes) == {401}


def test_balrog_writes_without_the_permission_are_all_refused(app_client, balrog_user, balrog_admin):
    # given objects to attack, and users whose permissions do not cover the attempts
    app_client.http.post("/balrog/api/releases", headers=balrog_admin, body=json.dumps(
        {"name": "Tb-1", "product": "Thunderbird",
         "blob": json.dumps({"name": "Tb-1", "schema_version": 1, "hashFunction": "sha512"})}))
    rule_id = app_client.http.post("/balrog/api/rules", headers=balrog_admin, body=json.dumps(
        {"priority": 1, "backgroundRate": 100, "update_type": "minor", "product": "Thunderbird",
         "mapping": "Tb-1"})).body.decode()
    firefox_rules = balrog_user("ff-rules", rule={"products": ["Firefox"]})
    modify_only = balrog_user("ff-modify", rule={"actions": ["modify"], "products": ["Thunderbird"]})
    nobody = balrog_user("nobody")
    locale_only = balrog_user("locales", release_locale={"products": ["Thunderbird"]})
    attempts = [
        (firefox_rules, "POST", "/balrog/api/rules",
         {"priority": 1, "backgroundRate": 100, "update_type": "minor", "product": "Thunderbird", "mapping": "Tb-1"}),
        (firefox_rules, "POST", f"/balrog/api/rules/{rule_id}", {"data_version": 1, "priority": 5}),
        (modify_only, "DELETE", f"/balrog/api/rules/{rule_id}?data_version=1", None),
        (nobody, "PUT", "/balrog/api/users/nobody/permissions/admin", {}),
        (nobody, "POST", "/balrog/api/releases",
         {"name": "Ff-1", "product": "Firefox",
          "blob": json.dumps({"name": "Ff-1", "schema_version": 1, "hashFunction": "sha512"})}),
        (locale_only, "PUT", "/balrog/api/releases/Tb-1",
         {"name": "Tb-1", "product": "Thunderbird", "data_version": 1,
          "blob": json.dumps({"name": "Tb-1", "schema_version": 2, "hashFunction": "sha512"})}),
        (locale_only, "PUT", "/balrog/api/releases/Tb-1/read_only", {"read_only": True, "data_version": 1}),
        (locale_only, "DELETE", "/balrog/api/releases/Tb-1?data_version=1", None),
    ]
    outcomes = []
    for i in range(N):
        headers, method, path, body = attempts[i % len(attempts)]
        outcomes.append(app_client.http.request(method, path, headers=headers,
                                                body=json.dumps(body) if body is not None else b"").status_code)
    accepted = sum(1 for status in outcomes if status < 400)
    _report("Balrog writes without the permission", N, accepted)
    assert accepted == 0 and set(outcomes) == {403}
    release = app_client.http.get("/balrog/api/releases/Tb-1", headers=balrog_admin)
    assert release.headers["X-Data-Version"] == "1"


def test_cookie_session_writes_without_a_valid_csrf_token_are_all_refused(app_client, balrog_admin):
    # given a signed-in browser session
    token, _ = sessions.create("admin")
    headers = {"Cookie": f"{sessions.COOKIE}={token}", "Content-Type": "application/json"}
    other_session, _ = sessions.create("admin")
    forgeries = [None, "", sessions.csrf_token(other_session), "0" * 64, *(uuid.uuid4().hex * 2 for _ in range(N - 4))]
    rule = {"priority": 1, "backgroundRate": 100, "update_type": "minor", "product": "Firefox"}
    # when
    outcomes = []
    for forged in forgeries:
        sent = dict(headers)
        if forged is not None:
            sent["X-CSRF-Token"] = forged
        outcomes.append(app_client.http.post("/balrog/api/rules", headers=sent, body=json.dumps(rule)).status_code)
    # then
    accepted = sum(1 for status in outcomes if status < 400)
    _report("cookie-session writes without a valid CSRF token", N, accepted)
    assert accepted == 0 and set(outcomes) == {400}
    assert json.loads(app_client.http.get("/balrog/api/rules", headers=balrog_admin).body)["count"] == 0


def test_a_full_ingest_and_balrog_session_log_no_secret_or_token(upload, pump, talos_blob, caplog, app_client,
                                                                  balrog_admin):
    # given every logger at DEBUG
    caplog.set_level(logging.DEBUG)
    observability.configure()
    token = balrog_admin["Authorization"].split(" ", 1)[1]
    # when a blob is uploaded (and a forged one refused), loaded, and Balrog is used with a token and a session
    upload(json.dumps(talos_blob))
    upload(json.dumps(talos_blob), secret="talos-dev-secret-guess")
    pump.drain(config.queue_name(config.PROCESSING_QUEUE))
    signed_in = app_client.http.post("/balrog/api/session", headers={"Authorization": f"Bearer {token}"})
    cookie = signed_in.headers["Set-Cookie"].split(";", 1)[0]
    app_client.http.get("/balrog/api/rules", headers={"Cookie": cookie})
    # then no secret appears in what was logged
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert logged
    for secret in (DEV_SECRET, token, cookie.split("=", 1)[1]):
        assert secret not in logged


@pytest.mark.parametrize("table", ["balrog-tokens"])
def test_tokens_are_stored_only_as_hashes(app_client, balrog_admin, table):
    # given a bearer token, an access token and a session
    token = balrog_admin["Authorization"].split(" ", 1)[1]
    access = bearer.issue_access_token("admin", 60)
    session, _ = sessions.create("admin")
    # then the table holds their SHA-256 and never the tokens
    stored = json.dumps(client("dynamodb").scan(TableName=config.table_name(table))["Items"])
    for secret in (token, access, session):
        assert secret not in stored and bearer.token_hash(secret) in stored
    assert balrog_tokens.username_for(bearer.token_hash(token)) == "admin"


# --- Treeherder (Hawk) and KernelCI (tokens) ---------------------------------------------------

JOBS_PATH = "/api/project/mozilla-inbound/jobs/"


@pytest.fixture
def hawk_world(inbound, hawk_credential, treeherder_url):
    import requests

    from tests.support.treeherder_data import seed_pushes, tip

    [push] = seed_pushes("Mozilla-Inbound", 1)
    with requests.Session() as session:
        session.headers["User-Agent"] = "shipyard-tests/1.0"
        yield session, treeherder_url, tip(push)


def _jobs_stored() -> int:
    from chalicelib.store import jobs as job_store

    return sum(1 for _ in job_store.in_repository("Mozilla-Inbound"))


def test_forged_hawk_signatures_are_all_refused(hawk_world):
    import mohawk

    from tests.support.treeherder_data import HAWK_ID, hawk_post, job_message

    session, url, revision = hawk_world
    outcomes = []
    for i in range(N):
        message = job_message(revision, guid=f"forged-{i}/0")
        if i % 3 == 0:  # a guessed secret
            response = hawk_post(session, url, JOBS_PATH, message, secret=f"guess-{i}")
        elif i % 3 == 1:  # an unknown client
            response = hawk_post(session, url, JOBS_PATH, message, client_id=f"intruder-{i}")
        else:  # a genuine signature over another body
            signed = json.dumps(job_message(revision, guid="genuine/0")).encode()
            sender = mohawk.Sender({"id": HAWK_ID, "key": "treeherder-dev-secret", "algorithm": "sha256"},
                                   url + JOBS_PATH, "POST", content=signed, content_type="application/json")
            response = session.post(url + JOBS_PATH, data=json.dumps(message).encode(),
                                    headers={"Authorization": sender.request_header,
                                             "Content-Type": "application/json"})
        outcomes.append(response.status_code)
    accepted = sum(1 for status in outcomes if status < 400)
    _report("forged Hawk signatures", N, accepted)
    assert accepted == 0 and set(outcomes) == {403}
    assert _jobs_stored() == 0


def test_replayed_hawk_nonces_are_all_refused(hawk_world):
    from tests.support.treeherder_data import hawk_post, job_message

    session, url, revision = hawk_world
    nonce, now = uuid.uuid4().hex[:8], int(time.time())
    first = hawk_post(session, url, JOBS_PATH, job_message(revision), nonce=nonce, timestamp=now)
    replays = [hawk_post(session, url, JOBS_PATH, job_message(revision), nonce=nonce, timestamp=now).status_code
               for _ in range(N)]
    accepted = sum(1 for status in replays if status < 400)
    _report("replayed Hawk nonces", N, accepted)
    assert first.status_code == 200 and accepted == 0


def test_kernelci_tokens_of_the_wrong_scope_are_all_refused(kernelci, kernelci_token):
    # given tokens that exist but do not allow a build POST from here
    build = {"job": "mainline", "kernel": "v6.1", "git_branch": "master", "arch": "x86_64", "defconfig": "defconfig",
             "build_environment": "gcc-12", "file_server_resource": "mainline/v6.1"}
    wrong = [kernelci_token(get=True), kernelci_token(get=True, expired=True),
             kernelci_token(post=True, ip_restricted=True, ip_address=["192.0.2.7"]),
             kernelci_token(delete=True)]
    tokens = [wrong[i % len(wrong)] if i % 5 else f"unknown-{uuid.uuid4().hex}" for i in range(N)]
    # when each posts a build
    outcomes = [kernelci("POST", "/build", build, token=token)[0] for token in tokens]
    # then
    accepted = sum(1 for status in outcomes if status < 400)
    _report("KernelCI tokens of the wrong scope (read-only, expired, other IP, delete-only, unknown)", N, accepted)
    assert accepted == 0 and set(outcomes) == {403}
    assert kernelci("GET", "/count/build")[1]["result"][0]["count"] == 0


def test_kernelci_token_management_needs_an_admin_token(kernelci, kernelci_token):
    non_admin = [kernelci_token(get=True, post=True, delete=True), kernelci_token(superuser=True)]
    outcomes = [kernelci("POST", "/token", {"email": f"x{i}@example.com", "get": 1},
                         token=non_admin[i % 2])[0] for i in range(N)]
    accepted = sum(1 for status in outcomes if status < 400)
    _report("KernelCI token creation without admin", N, accepted)
    assert accepted == 0


def test_a_hawk_job_post_a_kernelci_token_and_a_basic_password_log_no_secret(app_client, inbound, hawk_credential,
                                                                               kernelci, kernelci_token, caplog):
    """The other families' credentials, each used right and wrong, as the Datazilla/Balrog test above does."""
    import base64

    import mohawk

    from chalicelib.auth import passwords
    from tests.support.selfserve_data import BRANCH
    from tests.support.treeherder_data import HAWK_ID, HAWK_SECRET, job_message, seed_pushes, tip

    # given every logger at DEBUG, a push to post a job on, a KernelCI token and a self-serve password
    caplog.set_level(logging.DEBUG)
    observability.configure()
    [push] = seed_pushes("Mozilla-Inbound", 1)
    token = kernelci_token(post=True, get=True)
    password = "correct horse battery staple"
    passwords.set_password("carol", password)
    url = "http://treeherder.test/treeherder/api/project/mozilla-inbound/jobs/"
    # when a job is posted signed with Hawk, then with a guessed secret
    statuses = []
    for secret in (HAWK_SECRET, HAWK_SECRET + "-guess"):
        content = json.dumps(job_message(tip(push))).encode()
        sender = mohawk.Sender({"id": HAWK_ID, "key": secret, "algorithm": "sha256"}, url, "POST",
                               content=content, content_type="application/json")
        statuses.append(app_client.http.post(url.removeprefix("http://treeherder.test"), body=content, headers={
            "Host": "treeherder.test", "Authorization": sender.request_header, "Content-Type": "application/json",
            "User-Agent": "shipyard-tests/1.0"}).status_code)
    # and a KernelCI build is posted with the token, then with a guess
    build = {"job": "mainline", "kernel": "v6.1", "git_branch": "master", "arch": "x86_64", "defconfig": "defconfig",
             "build_environment": "gcc-12", "file_server_resource": "mainline/v6.1"}
    statuses += [kernelci("POST", "/build", build, token=value)[0] for value in (token, token[:-1] + "0")]
    # and a self-serve request is made with the password, then with a guess
    for sent in (password, password + "!"):
        basic = base64.b64encode(f"carol:{sent}".encode()).decode()
        statuses.append(app_client.http.post(f"/self-serve/{BRANCH}/rev/{tip(push)}?format=json",
                                             headers={"Authorization": f"Basic {basic}"}, body=b"").status_code)
    # then each right credential was taken, each wrong one refused, and no secret appears in what was logged
    assert [status < 400 for status in statuses] == [True, False] * 3, statuses
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert logged
    for secret in (HAWK_SECRET, token, password, base64.b64encode(f"carol:{password}".encode()).decode()):
        assert secret not in logged


@pytest.mark.parametrize("method", ["PLAINTEXT", "RSA-SHA1", "HMAC-SHA256"])
def test_an_upload_signed_with_another_oauth_method_is_403_and_stores_nothing(app_client, talos, talos_blob, method):
    """Datazilla's server took HMAC-SHA1 alone (views.py ``oauth_required``); RSA-SHA1 was a 500 here, and
    PLAINTEXT, the secret sent as the signature, was accepted."""
    # given a correctly signed upload whose method is then another (PLAINTEXT's signature: the secret itself)
    fields = sign_form(f"http://{HOST}/talos/api/load_test", {"data": quote(json.dumps(talos_blob)), "user": "talos"},
                       DEV_KEY, DEV_SECRET)
    fields["oauth_signature_method"] = method
    if method == "PLAINTEXT":
        fields["oauth_signature"] = f"{DEV_SECRET}&"
    # when it is posted
    response = app_client.http.post("/talos/api/load_test", body=form_body(fields), headers={
        "Content-Type": "application/x-www-form-urlencoded", "Host": HOST})
    # then Datazilla's verification error, and nothing stored
    assert response.status_code == 403 and json.loads(response.body) == {"status": "Oauth verification error."}
    assert _stored_rows() == 0

"""Hostile input, every family: a clear 4xx in the family's own format, never a 5xx, nothing half stored.

Each defect the hardening review found has its regression test here; then a
property-based test per family posts bodies hypothesis builds from hostile
parts (deep nesting, numbers past 38 digits or DynamoDB's range, NaN and
Infinity, lone surrogates, control characters and NULs, duplicate keys) to the
family's write endpoints. ``make test`` runs a bounded number of examples per
family; ``SHIPYARD_FUZZ=long`` (``make fuzz``) runs many more.
"""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib import safe_json
from chalicelib.store import objectstore
from tests.balrog.test_rules_api import API, RULE
from tests.support.datazilla_data import signed_upload

LONG = os.environ.get("SHIPYARD_FUZZ") == "long"
EXAMPLES = 300 if LONG else 15
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not LONG,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

DEEP = "[" * 100_000 + "]" * 100_000


def _json(response) -> dict:
    return json.loads(response.body)


# --- the shared boundary, on its own ---------------------------------------------------------------


@pytest.mark.parametrize("text, reason", [
    (DEEP, "nested"),
    ("[" * 65 + "]" * 65, "nested"),
    ('{"n": ' + "9" * 39 + "}", "38 digits"),
    ('{"n": ' + "9" * 5000 + "}", "38 digits"),
    ('{"n": 1e400}', "too large"),
    ('{"n": -1e400}', "too large"),
    ('{"n": 1e200}', "range"),
    ('{"n": 1e-200}', "range"),
    ('{"n": NaN}', "NaN"),
    ('{"n": Infinity}', "Infinity"),
    ('{"s": "x\\udc80"}', "surrogate"),
    ('{"x\\ud800": 1}', "surrogate"),
], ids=lambda v: v[:24] if isinstance(v, str) else v)
def test_the_boundary_refuses_what_cannot_be_kept_and_says_why(text, reason):
    with pytest.raises(safe_json.UnsafeJson, match=reason) as refused:
        safe_json.loads(text)

    assert "set_int_max_str_digits" not in str(refused.value)


def test_the_boundary_keeps_what_can_be_kept():
    text = '{"a": [1, -2.5, 1e125, 1e-129, 12345678901234567890123456789012345678], "b": "\\ud83d\\ude00\\u0000"}'

    assert safe_json.loads(text) == json.loads(text)
    assert safe_json.loads("[" * 64 + "]" * 64) is not None


@pytest.mark.parametrize("bad, reason", [
    (float("inf"), "too large"), (float("nan"), "NaN"), (-1e200, "range"), (1e-200, "range"),
    (10**38, "38 digits"), (-(10**38), "38 digits"), ("x\udc80", "surrogate"),
])
@pytest.mark.parametrize("where", [0, 1234, 2499])
def test_one_bad_value_anywhere_in_a_long_list_of_replicates_is_refused(bad, reason, where):
    """Given a parsed blob as big as a tp5 run (100 pages x 25 replicates, the checker's fast path),
    when one value anywhere in it cannot be kept, then it is refused; unchanged, it is kept."""
    replicates = [[200.0 + 0.01 * (25 * p + r) for r in range(25)] for p in range(100)]
    blob = {"results": {f"{p}.example.com": row for p, row in enumerate(replicates)}, "ok": [True, None, 0, -0.0]}
    safe_json.check(blob)
    replicates[where // 25][where % 25] = bad

    with pytest.raises(safe_json.UnsafeJson, match=reason):
        safe_json.check(blob)


def test_subclasses_of_plain_values_are_checked_as_their_values():
    """Given values whose types subclass float, int and str (never from ``json``, possible in a value built
    in code), then they are checked as the plain values are."""

    class Number(float):
        pass

    class Whole(int):
        pass

    class Text(str):
        pass

    safe_json.check([Number(1.5), Whole(3), Text("x")])
    for bad, reason in ((Number("inf"), "too large"), (Whole(10**40), "38 digits"), (Text("\udc80"), "surrogate")):
        with pytest.raises(safe_json.UnsafeJson, match=reason):
            safe_json.check({"a": [bad]})


def test_text_that_is_not_json_is_told_apart_from_values_that_cannot_be_kept():
    with pytest.raises(safe_json.UnsafeJson) as not_json:
        safe_json.loads(b"{nope")
    with pytest.raises(safe_json.UnsafeJson) as unkept:
        safe_json.loads(b"[1e999]")

    assert not_json.value.not_json and not unkept.value.not_json


# --- the defects, each with its regression test ------------------------------------------------------


def test_deep_json_to_the_unauthenticated_token_endpoint_is_400_not_500(app_client):
    response = app_client.http.post("/balrog/oauth/token", headers={"Content-Type": "application/json"}, body=DEEP)

    assert response.status_code == 400


@pytest.mark.parametrize("body", [DEEP, json.dumps({**RULE, "priority": 10**40}), '{"priority": 1e400}',
                                  json.dumps({**RULE, "comment": "x\udc80"})],
                         ids=["deep", "40-digit priority", "1e400", "lone surrogate"])
def test_hostile_rule_bodies_are_balrogs_400_problem(app_client, balrog_admin, body):
    response = app_client.http.post(f"{API}/rules", headers=balrog_admin, body=body)

    assert response.status_code == 400
    assert _json(response)["status"] == 400 and _json(response)["detail"]


def test_a_rule_id_past_38_digits_is_no_rule_not_500(app_client, balrog_admin):
    """No stored rule can have such an id: Balrog's 404 for a rule that does not exist."""
    response = app_client.http.get(f"{API}/rules/" + "9" * 42, headers=balrog_admin)

    assert response.status_code == 404 and _json(response)["status"] == 404


def test_a_change_id_past_38_digits_is_4xx_not_500(app_client, balrog_admin):
    response = app_client.http.get(f"{API}/rules/1/revisions?change_id=" + "9" * 40, headers=balrog_admin)

    assert 400 <= response.status_code < 500


def test_a_kernelci_test_group_with_a_lone_surrogate_is_refused_in_kernelcis_envelope(kernelci):
    status, body = kernelci("POST", "/test/group", raw=b'{"name": "x\\udc80", "lab_name": "lab"}',
                            headers={"Content-Type": "application/json"})

    assert status == 422 and body["code"] == 422 and body["errors"]


def test_a_token_with_a_lone_surrogate_is_never_created_so_the_listing_stays_whole(kernelci):
    status, _ = kernelci("POST", "/token", raw=b'{"email": "x\\udc80@y", "get": true}',
                         headers={"Content-Type": "application/json"})
    listed, body = kernelci("GET", "/token")

    assert status == 422
    assert listed == 200 and body["code"] == 200


def test_a_datazilla_blob_with_a_million_digit_number_is_stored_with_its_error(app_client, talos):
    response = signed_upload(app_client, '{"n": ' + "1" * 1_000_000 + "}")

    assert response.status_code == 400
    assert _json(response)["status"] == "Malformed JSON" and "38 digits" in _json(response)["message"]
    row = objectstore.get("talos", int(_json(response)["url"].rsplit("/", 1)[1]))
    assert row is not None and "38 digits" in row.error_msg


def test_a_measurement_of_1e400_is_never_served_as_infinity(app_client, talos, talos_blob):
    talos_blob["results"][next(iter(talos_blob["results"]))][0] = "__INF__"
    text = json.dumps(talos_blob).replace('"__INF__"', "1e400")

    response = signed_upload(app_client, text)
    blob = app_client.http.get(_json(response)["url"].replace("http://127.0.0.1:8000", ""))

    assert response.status_code == 400 and "too large" in _json(response)["message"]
    served = safe_json.loads(blob.body)  # strict JSON: Infinity or NaN would be refused here
    assert served["json_blob"] == text and served["error_flag"] == "Y"


def test_a_form_upload_with_invalid_utf8_is_kept_as_sent_and_stored_with_its_error(app_client, talos):
    """The ``data`` field percent-encodes the bytes FF FE { }: not UTF-8, so the blob is stored with that error
    (it used to be decoded with U+FFFD replacements, silently)."""
    from tests.support.datazilla_data import DEV_KEY, DEV_SECRET, HOST
    from tests.support.oauth_signing import form_body, sign_form

    path = "/talos/api/load_test"
    fields = sign_form(f"http://{HOST}{path}", {"data": "%FF%FE%7B%7D", "user": "talos"}, DEV_KEY, DEV_SECRET)
    response = app_client.http.post(path, headers={"Content-Type": "application/x-www-form-urlencoded",
                                                   "Host": HOST}, body=form_body(fields))

    assert response.status_code == 400 and _json(response)["status"] == "Malformed JSON"
    row_id = int(_json(response)["url"].rsplit("/", 1)[1])
    assert objectstore.get("talos", row_id).error_msg.endswith("not UTF-8")


def test_an_alerts_query_with_a_huge_integer_names_the_parameter_without_pythons_hint(app_client, talos):
    response = app_client.http.get("/talos/alerts?since=" + "9" * 5000)

    assert response.status_code == 400
    assert "since" in _json(response)["message"] and "set_int_max_str_digits" not in response.body.decode()


def test_selfserve_refuses_a_build_at_a_revision_no_stored_push_has(app_client, balrog_user):
    import time

    from tests.support.selfserve_data import BRANCH, call, queued, seed

    seed(int(time.time()))
    status, body = call(app_client, "POST", f"/self-serve/{BRANCH}/rev/{'abcdef' * 2}", {},
                        balrog_user("alice"))

    assert status == 404 and body["msg"].startswith("Revision abcdefabcdef not found")
    assert queued() == []


@pytest.mark.parametrize("path", ["/self-serve", "/talos/graphs"])
def test_every_html_answer_carries_the_security_headers(app_client, talos, path):
    response = app_client.http.get(path, headers={"Accept": "text/html"})

    assert response.headers["Content-Type"].startswith("text/html")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_json_answers_are_left_alone(app_client):
    response = app_client.http.get("/version")

    assert "Content-Security-Policy" not in response.headers


# --- property-based: hostile bodies on every family's writes -----------------------------------------

SCALARS = st.one_of(
    st.integers(min_value=-(10**60), max_value=10**60).map(str),
    st.sampled_from(["1e400", "-1e400", "1e-400", "1e200", "NaN", "Infinity", "-Infinity", "9" * 5000, "0.1e-130"]),
    st.sampled_from(['"\\udc80"', '"\\ud800x"', '"\\u0000"', '"\\u001f\\u000b"', '"a\\u0001b"', '""', "null",
                     "true"]),
    st.text(max_size=20).map(json.dumps),
)


def _object(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    keys = st.sampled_from(['"name"', '"priority"', '"email"', '"job"', '"x\\udc80"', '"\\u0000"', '"data"'])
    pairs = st.lists(st.tuples(keys, children), max_size=4)  # repeated keys included
    return pairs.map(lambda kv: "{" + ",".join(f"{k}: {v}" for k, v in kv) + "}")


VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4).map(lambda items: "[" + ",".join(items) + "]"), _object(inner)), max_leaves=12)
BODIES = st.one_of(
    VALUES,
    st.tuples(st.integers(min_value=60, max_value=3000), VALUES).map(lambda dv: "[" * dv[0] + dv[1] + "]" * dv[0]),
    st.tuples(VALUES, st.sampled_from(["", "x", "}", "\x00"])).map(lambda vt: vt[0] + vt[1]),
)


def _fine(status: int) -> bool:
    return 200 <= status < 500


@FUZZ
@given(body=BODIES)
def test_balrog_writes_answer_hostile_bodies_below_500(app_client, balrog_admin, body):
    for method, path in (("POST", f"{API}/rules"), ("PUT", f"{API}/releases/Hostile"), ("POST", "/balrog/oauth/token"),
                         ("PUT", f"{API}/rules/1")):
        response = app_client.http.request(method, path, headers=balrog_admin, body=body.encode("utf-8"))
        assert _fine(response.status_code), (method, path, response.status_code, response.body[:200])


@FUZZ
@given(body=BODIES)
def test_kernelci_writes_answer_hostile_bodies_below_500(kernelci, body):
    for path in ("/job", "/test/group", "/test/case", "/token", "/build"):
        status, answer = kernelci("POST", path, raw=body.encode("utf-8"), headers={"Content-Type": "application/json"})
        assert _fine(status) and answer["code"] == status, (path, status, answer)


@FUZZ
@given(body=BODIES)
def test_selfserve_writes_answer_hostile_bodies_below_500(app_client, balrog_admin, body):
    headers = {**balrog_admin, "Content-Type": "application/json"}
    for path in ("/self-serve/Unknown/build", "/self-serve/Unknown/request"):
        response = app_client.http.post(path + "?format=json", headers=headers, body=body.encode("utf-8"))
        assert _fine(response.status_code) and _json(response)["status"] == "FAILED"


@FUZZ
@given(body=BODIES)
def test_datazilla_writes_answer_hostile_bodies_below_500(app_client, talos, balrog_admin, body):
    response = signed_upload(app_client, body)
    assert _fine(response.status_code) and "status" in _json(response)
    triage = app_client.http.put("/talos/alerts/none", headers=balrog_admin, body=body.encode("utf-8"))
    assert _fine(triage.status_code) and "status" in _json(triage)


@pytest.fixture
def hawk_session(hawk_credential):
    import requests

    with requests.Session() as session:
        session.headers["User-Agent"] = "shipyard-tests/1.0"
        yield session


@FUZZ
@given(body=BODIES)
def test_treeherder_job_posts_answer_hostile_bodies_below_500(inbound, hawk_session, treeherder_url, body):
    from tests.support.treeherder_data import hawk_post

    response = hawk_post(hawk_session, treeherder_url, "/api/project/mozilla-inbound/jobs/", None,
                         raw=body.encode("utf-8"))
    assert _fine(response.status_code) and "detail" in response.json()


def test_a_10_mb_body_is_a_4xx_everywhere(app_client, balrog_admin, kernelci):
    big = json.dumps({"name": "x" * (10 * 1024 * 1024)})

    balrog = app_client.http.post(f"{API}/rules", headers=balrog_admin, body=big)
    status, _ = kernelci("POST", "/job", raw=big.encode(), headers={"Content-Type": "application/json"})

    assert 400 <= balrog.status_code < 500 and 400 <= status < 500


def test_a_gzip_bomb_sent_as_a_kernelci_body_is_never_inflated(kernelci, monkeypatch):
    """KernelCI's gzip is its answers' (``Accept-Encoding``); kernelci-backend's server never set Tornado's
    ``decompress_request`` (app/server.py), so a ``Content-Encoding: gzip`` body is taken as sent: here not
    JSON, 4xx in the envelope, and nothing inflates the 100 MB it would expand to."""
    import gzip as gzip_module
    import zlib

    # given 100 MB of JSON-looking text gzipped to about 100 KB, and a spy on every way to inflate it
    bomb = gzip_module.compress(b'{"job": "' + b"x" * (100 * 1024 * 1024) + b'"}', compresslevel=9)
    inflated: list[int] = []
    for module, name in ((gzip_module, "decompress"), (zlib, "decompress"), (zlib, "decompressobj")):
        real = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, _real=real, **k: inflated.append(1) or _real(*a, **k))
    # when it is posted as a build and as a job
    answers = [kernelci("POST", path, raw=bomb, headers={"Content-Type": "application/json",
                                                         "Content-Encoding": "gzip"}) for path in ("/build", "/job")]
    # then each is refused as a body that is not JSON, and nothing was inflated
    assert [status for status, _ in answers] == [422, 422], answers
    assert inflated == []


# --- Content-Type: a body's is the family's to refuse, a GET's is nobody's ------------------------------


@pytest.mark.parametrize(("method", "path", "family_body"), [
    ("PUT", f"{API}/releases/Hostile",
     lambda body: body["status"] == 415 and body["title"] == "Unsupported Media Type"),
    ("POST", f"{API}/rules", lambda body: body["status"] == 415 and "text/plain" in body["detail"]),
    ("PUT", "/talos/alerts/1", lambda body: set(body) == {"status"} and "text/plain" in body["status"]),
], ids=["balrog release", "balrog rule", "datazilla alert"])
def test_a_body_of_a_type_the_operation_does_not_take_is_415_in_the_familys_own_body(
        app_client, talos, balrog_admin, method, path, family_body):
    """Given a body sent as text/plain, then 415 in the family's error body (Balrog's problem, as connexion
    refuses a JSON operation's other body; Datazilla's ``{"status"}``), never Chalice's ``{"Code", "Message"}``
    that the long fuzz run found."""
    headers = {**balrog_admin, "Content-Type": "text/plain"}

    response = app_client.http.request(method, path, headers=headers, body=b"{}")

    assert response.status_code == 415 and family_body(_json(response)), response.body
    assert "Code" not in _json(response)


@pytest.mark.parametrize("path", ["/treeherder/api/repository/", f"{API}/rules", "/talos/alerts",
                                  "/openapi/balrog.json"])
def test_a_get_with_a_form_content_type_is_served(app_client, talos, balrog_admin, path):
    """Given a GET that names a Content-Type (some HTTP libraries send one on every request), then it is served:
    the originals read no GET body (Django REST framework parses only when a view reads ``request.data``)."""
    headers = {**balrog_admin, "Content-Type": "application/x-www-form-urlencoded",
               "User-Agent": "treeherder-pyclient/5.0.0"}

    response = app_client.http.get(path, headers=headers)

    assert response.status_code == 200, response.body


def test_an_upload_whose_content_type_is_not_latin_1_is_a_400_not_500(kernelci):
    """The multipart parser is handed the request's Content-Type as a MIME header, which is Latin-1: a
    boundary outside it (``€``) raised UnicodeEncodeError, a 500 to an upload token."""
    # given a multipart body whose boundary is not Latin-1
    body = "--€\r\nContent-Disposition: form-data; name=\"file0\"; filename=\"a\"\r\n\r\nx\r\n--€--\r\n".encode()
    # when it is uploaded
    status, answer = kernelci("POST", "/upload", raw=body, headers={"Content-Type": "multipart/form-data; boundary=€"})
    # then KernelCI's 400 in its envelope
    assert status == 400 and "multipart" in answer["reason"]

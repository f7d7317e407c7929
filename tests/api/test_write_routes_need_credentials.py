"""Every write route of every family, walked from the app's own route table, refuses a request without
credentials in the family's words, and stores nothing.

The table is ``app.routes`` itself (catch-all views aside: they answer only a
404), so a write route added later is covered without a line here; a path
parameter this file has no sample for fails the test and asks for one. A route
answers one of the family's unauthenticated statuses unless it is in
``PUBLIC`` (public by the original's design) or ``REFUSED_BEFORE_ASKING``
(the original refuses the verb before it reads any credential), each with its
reason and source. Whatever the answer, no table, bucket or queue may change.
"""

from __future__ import annotations

import re
import time

from chalicelib.api.unknown_paths import MARK, family_of
from chalicelib.store.clients import client
from tests.support.selfserve_data import BRANCH, seed

READS = {"GET", "HEAD", "OPTIONS"}

# The answer to a write without credentials, per family (what the original answers it).
UNAUTHENTICATED = {
    "balrog": {401},  # Balrog's problem JSON "Unauthenticated" (its AuthError)
    "treeherder": {403},  # DRF's "Authentication credentials were not provided." under hawkrest
    "kernelci": {403},  # kernelci-backend's validate_req_token: 403 "Operation not permitted"
    "self-serve": {403},  # Shipyard's answer for BuildAPI's LDAP gate (docs/selfserve.md)
    "datazilla": {401, 403},  # load_test: Datazilla's 403 "No OAuth credentials"; alert triage: 401
}

# Public by the original's design: (METHOD, route) → (statuses, why).
PUBLIC = {
    ("POST", "/balrog/oauth/token"): (
        {400}, "the client-credentials grant (RFC 6749 4.4) balrogclient asks Auth0's /oauth/token for: its "
               "credentials are the form's client_id/client_secret, so without them 400 invalid_request"),
}

# Verbs the original refuses before it reads a token: (family, status) → (route pattern, why).
REFUSED_BEFORE_ASKING = {
    ("kernelci", 501): (re.compile(r"^/(count|counts|version|versions)(/|$)|/distinct/"),
                        "kernelci-backend's CountHandler, VersionHandler and DistinctHandler answer execute_post/"
                        "put/delete with 501 before validate_req_token"),
    ("kernelci", 405): (re.compile(r"."), "PATCH is no verb of kernelci-backend's handlers (Tornado's 405)"),
}

SAMPLES = {
    "project": "talos", "alert_id": "1", "summary_id": "1",
    "name": "Firefox-1", "platform": "WINNT", "locale": "de", "kind": "product", "sc_id": "1", "base": "rules",
    "id_or_alias": "1", "product": "Firefox", "channel": "release", "username": "bob", "permission": "admin",
    "role": "releng",
    "doc_id": "0123456789abcdef01234567", "field": "job", "path+": "lab/boot.log",
    "branch": BRANCH, "build_id": "1", "request_id": "1", "builder": "Linux x86-64 build",
}


def _write_routes(app) -> list[tuple[str, str]]:
    return sorted((method, path) for path, methods in app.routes.items() for method, entry in methods.items()
                  if method not in READS and not getattr(entry, MARK, False))


def _stored() -> dict[str, int]:
    """What every table, bucket and queue holds (a test's view; no request path scans)."""
    counts: dict[str, int] = {}
    dynamodb, s3, sqs = client("dynamodb"), client("s3"), client("sqs")
    for table in dynamodb.list_tables()["TableNames"]:
        counts[table] = dynamodb.scan(TableName=table, Select="COUNT")["Count"]
    for bucket in s3.list_buckets()["Buckets"]:
        counts[bucket["Name"]] = s3.list_objects_v2(Bucket=bucket["Name"]).get("KeyCount", 0)
    for url in sqs.list_queues().get("QueueUrls", []):
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages",
                                                                            "ApproximateNumberOfMessagesNotVisible"])
        counts[url] = sum(int(v) for v in attributes["Attributes"].values())
    return counts


def _request(method: str, path: str, revision: str) -> tuple[str, str, dict[str, str], bytes]:
    url = re.sub(r"\{([^}]+)\}", lambda m: revision if m.group(1) == "revision" else SAMPLES[m.group(1)], path)
    if family_of(path) == "self-serve":
        # A form POST with _method reaches the route's PUT/DELETE handler, as BuildAPI's clients send it.
        stands_for_delete = method == "POST" and re.search(r"/(build|request)/\{", path)
        body = b"_method=DELETE" if stands_for_delete else b"x=1"
        return method, url + "?format=json", {"Content-Type": "application/x-www-form-urlencoded"}, body
    return method, url, {"Content-Type": "application/json", "User-Agent": "shipyard-tests/1.0"}, b'{"a": 1}'


def test_every_write_route_refuses_a_request_without_credentials_and_stores_nothing(app_client, talos, inbound):
    """Upstream: Balrog's tests/admin/views/test_*.py ``test_*_without_permission``/``_no_auth`` (401),
    kernelci-backend's app/handlers/tests/test_*_handler.py ``test_post_no_token`` (403), Treeherder's
    tests/webapp/api/test_jobs_api.py unauthenticated job posts (403), Datazilla's
    datazilla/webapp/apps/datazilla/views.py oauth_required (403 "No OAuth credentials provided.")."""
    from app import app

    # given the app's write routes, a branch with pushes (so self-serve reaches its gate), and what is stored
    world = seed(int(time.time()))
    routes = _write_routes(app)
    before = _stored()
    # when each is sent a write that carries no credentials
    wrong = []
    for method, path in routes:
        family = family_of(path)
        sent_method, url, headers, body = _request(method, path, world.revision)
        status = app_client.http.request(sent_method, url, headers=headers, body=body).status_code
        expected = set(UNAUTHENTICATED[family])
        if (method, path) in PUBLIC:
            expected = PUBLIC[(method, path)][0]
        for (refusing_family, refused_status), (pattern, _why) in REFUSED_BEFORE_ASKING.items():
            if refusing_family == family and pattern.search(path) and (refused_status != 405 or method == "PATCH"):
                expected.add(refused_status)
        if status not in expected:
            wrong.append(f"{method} {path}: {status}, expected one of {sorted(expected)}")
    # then each is refused as its family refuses, and nothing anywhere was written
    assert wrong == []
    assert _stored() == before
    assert {family_of(path) for _, path in routes} == set(UNAUTHENTICATED)
    assert len(routes) > 250, "the walk found fewer write routes than the app has: is the route table read?"

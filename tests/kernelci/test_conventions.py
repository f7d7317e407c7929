"""The seed's conventions on every KernelCI route: versions, envelope, status table, dates, gzip, tokens."""

from __future__ import annotations

import gzip
import json

from chalicelib.kernelci.documents import now_ms
from chalicelib.store import kernelci as store
from chalicelib.store.clients import client

GROUP = {"name": "baseline", "lab_name": "lab-collabora", "arch": "arm64", "defconfig": "defconfig",
         "build_environment": "gcc-8", "device_type": "rk3399-gru-kevin", "git_branch": "master",
         "git_commit": "a" * 40, "job": "mainline", "kernel": "v5.8"}

# Every route of the family, as GET sees it (a path id where the route takes one).
GET_ROUTES = ["/job", "/jobs/", "/build", "/builds", "/test/group", "/tests/groups/", "/test/case", "/test/cases",
              "/test/regression", "/tests/regressions", "/count", "/counts/build", "/token", "/tokens/"]


def _job(job: str, kernel: str, branch: str = "master", created_on: int | None = None, **fields) -> dict:
    from chalicelib.kernelci.documents import job_id

    doc = {"_id": job_id(job, branch, kernel), "job": job, "kernel": kernel, "git_branch": branch,
           "status": "PASS", "created_on": created_on if created_on is not None else now_ms(), **fields}
    store.insert([("job", doc)])
    return doc


def test_every_get_route_answers_the_envelope_with_a_result_list(kernelci):
    for path in GET_ROUTES:
        status, body = kernelci("GET", path)
        assert status == 200 and body["code"] == 200 and isinstance(body["result"], list), path


def test_every_route_refuses_a_request_without_a_token(kernelci):
    for path in GET_ROUTES:
        status, body = kernelci("GET", path, token=None)
        assert (status, body) == (403, {"code": 403,
                                        "reason": "Operation not permitted: provided token is not authorized"}), path


def test_every_route_refuses_another_api_version_with_406(kernelci):
    for path in [*GET_ROUTES, "/version", "/upload"]:
        status, body = kernelci("GET", path, headers={"Accept": "application/v2"})
        assert status == 406 and body["code"] == 406 and "v1" in body["reason"], path


def test_accept_application_v1_selects_v1(kernelci):
    assert kernelci("GET", "/job", headers={"Accept": "application/v1"})[0] == 200
    assert kernelci("GET", "/job", headers={"Accept": "application/v2, application/v1"})[0] == 200


def test_responses_are_json_in_utf8(app_client, kernelci_admin):
    response = app_client.http.get("/version")
    assert response.headers["Content-Type"] == "application/json; charset=UTF-8"


def test_version_needs_no_token(kernelci):
    status, body = kernelci("GET", "/version", token=None)
    assert status == 200 and set(body["result"][0]) == {"version", "full_version"}


NOT_IMPLEMENTED = [("PUT", "/job"), ("DELETE", "/test/regression/" + "a" * 24), ("POST", "/count"),
                   ("POST", "/version"), ("GET", "/upload"), ("PUT", "/test/group"), ("POST", "/test/regression")]


def test_a_verb_a_resource_does_not_implement_is_501(kernelci):
    for method, path in NOT_IMPLEMENTED:
        assert kernelci(method, path) == (501, {"code": 501, "reason": "Method not implemented"}), (method, path)


# Refused before the token: CountHandler.post/delete and VersionHandler.execute_post/execute_delete write
# 501 themselves, DistinctHandler.execute_post/put/delete likewise.
REFUSED_WITHOUT_TOKEN = [("POST", "/count"), ("DELETE", "/count"), ("POST", "/version"), ("DELETE", "/version"),
                         ("POST", "/job/distinct/foo"), ("PUT", "/job/distinct/foo"), ("DELETE", "/job/distinct/foo")]


def test_without_a_token_an_unimplemented_verb_is_403_not_501(kernelci):
    """kernelci-backend handlers/base.py: execute_put/_post/_delete validate the token before calling the
    placeholder _put/_post/_delete that answers 501 (test_upload_handler.py test_get_no_token,
    test_delete_no_token: 403; test_get, test_delete with a token: 501). Only the handlers that override
    the verb outright (count, version, distinct) answer 501 without a token."""
    for method, path in NOT_IMPLEMENTED:
        if (method, path) in REFUSED_WITHOUT_TOKEN:
            continue
        assert kernelci(method, path, token=None)[0] == 403, (method, path)
        assert kernelci(method, path, token="not-a-token")[0] == 403, (method, path)
    for method, path in REFUSED_WITHOUT_TOKEN:
        assert kernelci(method, path, token=None) == (501, {"code": 501, "reason": "Method not implemented"}), (
            method, path)
    assert kernelci("PUT", "/version", token=None)[0] == 403  # base execute_put: the token first


def test_version_is_the_packages_own(kernelci):
    """/version reports the installed package's version (pyproject.toml), not a literal in the code
    (test_version_handler.py: GET answers version and full_version)."""
    from importlib import metadata

    status, body = kernelci("GET", "/version", token=None)
    assert status == 200
    assert body["result"][0]["version"] == metadata.version("shipyard")
    assert body["result"][0]["full_version"].startswith(metadata.version("shipyard"))


def test_a_verb_outside_the_api_is_405(app_client, kernelci_admin):
    for method in ("PATCH", "HEAD"):
        response = app_client.http.request(method, "/job", headers={"Authorization": kernelci_admin})
        assert response.status_code == 405, method


def test_a_post_with_another_content_type_is_415(kernelci):
    status, body = kernelci("POST", "/build", raw=b"job=x", headers={"Content-Type": "text/plain"})
    assert status == 415 and body["reason"].startswith("Wrong content type defined")


def test_a_post_whose_body_is_not_json_is_422(kernelci):
    status, body = kernelci("POST", "/test/group", raw=b"{not json", headers={"Content-Type": "application/json"})
    assert status == 422 and body["reason"] == "No JSON data found in the POST request"


def test_a_json_body_that_is_not_an_object_is_400(kernelci):
    status, _ = kernelci("POST", "/build", raw=b"[1, 2]", headers={"Content-Type": "application/json"})
    assert status == 400


def test_an_unknown_id_is_404_and_a_malformed_one_400(kernelci):
    assert kernelci("GET", "/job/" + "0" * 24) == (404, {"code": 404, "reason": f"Resource '{'0' * 24}' not found"})
    assert kernelci("GET", "/job/not-an-id")[0] == 400
    # 24 characters but not hex: bson's InvalidId, "Wrong ID value provided" (handlers/base.py _get_one)
    assert kernelci("GET", "/job/abcdefghilmnopqrstuvwxyz") == (400, {"code": 400,
                                                                      "reason": "Wrong ID value provided"})


def test_a_document_reads_back_with_oid_and_date(kernelci):
    job = _job("mainline", "v5.8", created_on=1_600_000_000_000)
    status, body = kernelci("GET", f"/job/{job['_id']}")
    assert status == 200
    assert body["result"] == [{"_id": {"$oid": job["_id"]}, "created_on": {"$date": 1_600_000_000_000},
                               "job": "mainline", "kernel": "v5.8", "git_branch": "master", "status": "PASS"}]


def test_a_gzip_client_gets_a_compressed_body(app_client, kernelci_admin):
    response = app_client.http.get("/job", headers={"Authorization": kernelci_admin, "Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(response.body))["code"] == 200


def test_behind_a_compressing_gateway_the_app_leaves_gzip_to_it(app_client, kernelci_admin, monkeypatch):
    # given the stage config that has API Gateway compress (minimum_compression_size)
    monkeypatch.setenv("SHIPYARD_GATEWAY_COMPRESSION", "true")
    # when a gzip client asks
    response = app_client.http.get("/job", headers={"Authorization": kernelci_admin, "Accept-Encoding": "gzip"})
    # then the app answers plain JSON (the gateway compresses it)
    assert "Content-Encoding" not in response.headers and json.loads(response.body)["code"] == 200


def test_the_deployed_stage_has_the_gateway_compress():
    from pathlib import Path

    stage = json.loads((Path(__file__).parents[2] / ".chalice" / "config.json").read_text())["stages"]["dev"]
    assert stage["minimum_compression_size"] >= 0
    assert stage["environment_variables"]["SHIPYARD_GATEWAY_COMPRESSION"] == "true"


def test_without_accept_encoding_the_body_is_plain(app_client, kernelci_admin):
    response = app_client.http.get("/job", headers={"Authorization": kernelci_admin})
    assert "Content-Encoding" not in response.headers and json.loads(response.body)["code"] == 200


def test_an_unreadable_stored_document_is_506(kernelci):
    from chalicelib import config

    client("dynamodb").put_item(TableName=config.table_name("kernelci"),
                                Item={"pk": {"S": "job#" + "b" * 24}, "doc": {"S": "[not a document"}})
    status, body = kernelci("GET", "/job/" + "b" * 24)
    assert (status, body) == (506, {"code": 506, "reason": "Wrong response type from database"})


def test_storage_throttling_is_503_and_nothing_else_breaks(kernelci, monkeypatch):
    from botocore.exceptions import ClientError

    def throttled(**kwargs):
        raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"},
                           "ResponseMetadata": {"HTTPStatusCode": 400}}, "Query")

    client("dynamodb").meta.events.register("before-call.dynamodb.Query", throttled)
    try:
        status, body = kernelci("GET", "/build?job=mainline&kernel=v1&status=PASS")
    finally:
        client("dynamodb").meta.events.unregister("before-call.dynamodb.Query", throttled)
    assert (status, body["code"]) == (503, 503)
    assert kernelci("GET", "/build?job=mainline&kernel=v1&status=PASS")[0] == 200


def test_a_store_that_refuses_the_request_is_500(kernelci):
    from chalicelib import config

    client("dynamodb").delete_table(TableName=config.table_name("kernelci"))
    status, body = kernelci("GET", "/job/" + "c" * 24, token=None, headers={"Authorization": "x"})
    assert (status, body) == (500, {"code": 500, "reason": "Internal database error"})


def test_date_range_keeps_today_and_the_days_before(kernelci):
    day = 86_400_000
    _job("mainline", "today")
    _job("mainline", "three-days-ago", created_on=now_ms() - 3 * day)
    _job("mainline", "old", created_on=now_ms() - 30 * day)
    _, body = kernelci("GET", "/job?date_range=5")
    assert sorted(j["kernel"] for j in body["result"]) == ["three-days-ago", "today"]
    _, one = kernelci("GET", "/job?date_range=0")
    assert [j["kernel"] for j in one["result"]] == ["today"]


def test_created_on_is_one_day_and_date_range_counts_back_from_it(kernelci):
    import datetime as dt

    base = int(dt.datetime(2020, 8, 10, 12, tzinfo=dt.UTC).timestamp() * 1000)
    for i, kernel in enumerate(("d10", "d9", "d8")):
        _job("mainline", kernel, created_on=base - i * 86_400_000)
    assert [j["kernel"] for j in kernelci("GET", "/job?created_on=2020-08-09")[1]["result"]] == ["d9"]
    assert [j["kernel"] for j in kernelci("GET", "/job?created_on=2020-08-10&date_range=1")[1]["result"]] == [
        "d10", "d9"]


def test_repeated_filter_means_any_of_and_unknown_keys_are_ignored(kernelci):
    for kernel, status in (("v1", "PASS"), ("v2", "FAIL"), ("v3", "BUILD")):
        _job("mainline", kernel, status=status)
    _, body = kernelci("GET", "/job?status=PASS&status=FAIL&colour=blue")
    assert sorted(j["kernel"] for j in body["result"]) == ["v1", "v2"] and body["count"] == 2


def test_limit_skip_sort_and_sort_order(kernelci):
    for i, kernel in enumerate(("b", "c", "a")):
        _job("mainline", kernel, created_on=1_000 + i)
    _, newest = kernelci("GET", "/job?limit=2")
    assert [j["kernel"] for j in newest["result"]] == ["a", "c"]
    assert (newest["count"], newest["limit"], newest["skip"]) == (3, 2, 0)
    _, by_kernel = kernelci("GET", "/job?sort=kernel&sort_order=1&skip=1")
    assert [j["kernel"] for j in by_kernel["result"]] == ["b", "c"] and by_kernel["count"] == 3


def test_field_and_nfield_choose_the_fields(kernelci):
    _job("mainline", "v1")
    _, only = kernelci("GET", "/job?field=kernel")
    assert set(only["result"][0]) == {"_id", "kernel"}
    _, without = kernelci("GET", "/job?nfield=_id&nfield=status")
    assert "_id" not in without["result"][0] and "status" not in without["result"][0]


def test_a_bad_limit_is_400(kernelci):
    assert kernelci("GET", "/job?limit=ten")[0] == 400


def test_no_match_is_200_with_an_empty_result(kernelci):
    assert kernelci("GET", "/build?job=nothing") == (200, {"code": 200, "count": 0, "limit": 0, "skip": 0,
                                                           "result": []})


def test_count_lists_every_collection(kernelci):
    _job("mainline", "v1")
    _job("next", "v2")
    status, body = kernelci("GET", "/count")
    assert status == 200
    assert body["result"] == [{"collection": "build", "count": 0}, {"collection": "job", "count": 2},
                              {"collection": "test_case", "count": 0}, {"collection": "test_group", "count": 0},
                              {"collection": "test_regression", "count": 0}]
    assert kernelci("GET", "/count/job?job=next")[1]["result"] == [{"collection": "job", "count": 1}]
    assert kernelci("GET", "/count/nothing")[0] == 404


def test_a_trailing_slash_and_the_plural_reach_the_same_resource(kernelci):
    job = _job("mainline", "v1")
    assert kernelci("GET", f"/jobs/{job['_id']}/")[1]["result"][0]["kernel"] == "v1"
    assert kernelci("GET", "/counts/")[0] == 200

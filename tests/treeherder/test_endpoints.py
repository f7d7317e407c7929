"""Treeherder's read endpoints: parameters, defaults, limits, ordering, envelopes and error bodies."""

from __future__ import annotations

import pytest

from tests.support.treeherder_data import BASE_DATE, tip
from tests.support.treeherder_world import PROJECT, build

PUSHES = 30
API = "/treeherder/api"
UA = {"User-Agent": "treeherder-pyclient/5.0.0", "Accept": "application/json; version=1.0"}


@pytest.fixture(scope="module")
def world():
    with build(PUSHES, runs=1) as built:
        yield built


def get(world, path: str, headers: dict | None = None):
    response = world.client.http.get(API + path, headers={**UA, **(headers or {})})
    assert response.headers["Content-Type"] == "application/json"
    return response


def pushes_of(world, query: str = "") -> list[int]:
    response = get(world, f"/project/{PROJECT}/push/{query}")
    assert response.status_code == 200, response.body
    return [p["id"] for p in response.json_body["results"]]


def ids(world, *indexes: int) -> list[int]:
    return [int(world.pushes[i].pushlog_id) for i in indexes]


# --- conventions ---------------------------------------------------------------------------------


def test_an_unknown_project_is_404_in_treeherders_words(world):
    response = get(world, "/project/mozilla-central/push/")
    assert (response.status_code, response.json_body) == (404, {"detail": "No project with name mozilla-central"})


@pytest.mark.parametrize("agent", ["python-requests/2.34.2", "libcurl/7.0", "Go-http-client/1.1"])
def test_a_generic_library_user_agent_is_forbidden(world, agent):
    response = get(world, "/repository/", {"User-Agent": agent})
    assert (response.status_code, response.json_body) == (403, {"detail": "Forbidden user agent"})


def test_an_unsupported_api_version_is_406(world):
    response = get(world, f"/project/{PROJECT}/jobs/", {"Accept": "application/json; version=2.0"})
    assert (response.status_code, response.json_body) == (406, {"detail": 'Invalid version in "Accept" header.'})


def test_no_user_agent_and_no_version_are_served(world):
    response = world.client.http.get(API + "/failureclassification/")
    assert response.status_code == 200


def test_the_branch_name_names_the_repository_too(world):
    response = get(world, "/project/Mozilla-Inbound/push/?count=1")
    assert response.json_body["results"][0]["id"] == ids(world, -1)[0]


# --- pushes --------------------------------------------------------------------------------------


def test_the_push_list_envelope(world):
    body = get(world, f"/project/{PROJECT}/push/?count=2&author=dev@example.com").json_body
    assert body["meta"] == {"count": 2, "repository": PROJECT,
                            "filter_params": {"count": "2", "author": "dev@example.com"}}
    assert set(body["results"][0]) == {"id", "revision", "author", "revisions", "revision_count", "push_timestamp",
                                       "repository_id"}
    assert set(body["results"][0]["revisions"][0]) == {"result_set_id", "repository_id", "revision", "author",
                                                       "comments"}


def test_pushes_newest_first_ten_by_default(world):
    assert pushes_of(world) == ids(world, *range(-1, -11, -1))


def test_a_count_above_1000_is_refused(world):
    response = get(world, f"/project/{PROJECT}/push/?count=1001")
    assert (response.status_code, response.json_body) == (400, {"detail": "Specified count exceeds api limit: 1000"})


def test_push_id_ranges(world):
    first, fifth = ids(world, 0, 4)
    assert pushes_of(world, f"?id__gte={first}&id__lt={fifth}") == ids(world, 3, 2, 1, 0)
    assert pushes_of(world, f"?id={fifth}") == [fifth]
    assert pushes_of(world, f"?id__in={first},{fifth},999999") == [fifth, first]


def test_push_time_ranges(world):
    # pushes are a minute apart from BASE_DATE
    assert pushes_of(world, f"?push_timestamp__gte={BASE_DATE + 60}&push_timestamp__lte={BASE_DATE + 180}") == \
        ids(world, 3, 2, 1)
    assert pushes_of(world, "?startdate=2017-07-14&enddate=2017-07-14&count=100") == ids(world, *range(29, -1, -1))
    assert pushes_of(world, "?startdate=2017-07-15") == []


def test_fromchange_and_tochange_are_inclusive(world):
    query = f"?fromchange={tip(world.pushes[2])[:12]}&tochange={tip(world.pushes[4])}"
    assert pushes_of(world, query) == ids(world, 4, 3, 2)


def test_an_unknown_fromchange_is_refused(world):
    response = get(world, f"/project/{PROJECT}/push/?fromchange=abcdef123456")
    assert response.status_code == 400
    assert response.json_body == {"detail": "No push with revision abcdef123456 for fromchange"}


def test_revision_is_the_tip_and_commit_revision_any_commit(world):
    push = world.pushes[-1]
    assert pushes_of(world, f"?revision={tip(push)}") == ids(world, -1)
    assert pushes_of(world, f"?revision={push.changesets[0].node}") == []
    assert pushes_of(world, f"?commit_revision={push.changesets[0].node}") == ids(world, -1)


def test_author_and_its_exclusion(world):
    assert len(pushes_of(world, "?author=dev@example.com&count=100")) == PUSHES
    assert pushes_of(world, "?author=-dev@example.com") == []
    assert pushes_of(world, "?author=someone@example.com") == []


def test_the_meta_echoes_what_was_asked(world):
    meta = get(world, f"/project/{PROJECT}/push/?revision={tip(world.pushes[0])}").json_body["meta"]
    assert meta["revision"] == tip(world.pushes[0])
    assert meta["filter_params"] == {"revisions_long_revision": tip(world.pushes[0])}


def test_one_push(world):
    push = world.pushes[7]
    body = get(world, f"/project/{PROJECT}/push/{push.pushlog_id}/").json_body
    assert (body["id"], body["revision"]) == (int(push.pushlog_id), tip(push))


def test_an_unknown_push_is_404(world):
    response = get(world, f"/project/{PROJECT}/push/999999/")
    assert (response.status_code, response.json_body) == (404, {"detail": "No push with id: 999999"})


# --- jobs ----------------------------------------------------------------------------------------


def jobs_body(world, query: str) -> dict:
    response = get(world, f"/project/{PROJECT}/jobs/{query}")
    assert response.status_code == 200, response.body
    return response.json_body


def test_the_job_list_envelope(world):
    body = jobs_body(world, f"?push_id={world.job_push.pushlog_id}")
    assert body["meta"] == {"repository": PROJECT, "offset": 0, "count": 10}
    assert [j["job_guid"] for j in body["results"]] == ["job-0/0", "job-1/0", "job-2/0"]
    assert set(body["results"][0]) == {
        "build_architecture", "build_os", "build_platform", "build_platform_id", "build_system_type",
        "end_timestamp", "failure_classification_id", "id", "job_group_description", "job_group_id",
        "job_group_name", "job_group_symbol", "job_guid", "job_type_description", "job_type_id", "job_type_name",
        "job_type_symbol", "last_modified", "machine_name", "machine_platform_architecture",
        "machine_platform_os", "option_collection_hash", "platform", "push_id", "reason", "ref_data_name",
        "result", "result_set_id", "signature", "start_timestamp", "state", "submit_timestamp", "tier", "who",
        "platform_option"}


def test_jobs_as_lists_name_their_properties(world):
    body = jobs_body(world, f"?push_id={world.job_push.pushlog_id}&return_type=list&count=1")
    names = body["job_property_names"]
    [row] = body["results"]
    assert dict(zip(names, row, strict=True))["job_guid"] == "job-0/0"


def test_jobs_offset_count_and_filters(world):
    push = world.job_push.pushlog_id
    assert [j["job_guid"] for j in jobs_body(world, f"?push_id={push}&offset=1&count=1")["results"]] == ["job-1/0"]
    assert [j["job_guid"] for j in jobs_body(world, f"?push_id={push}&result=success")["results"]] == [
        "job-1/0", "job-2/0"]
    assert [j["job_guid"] for j in jobs_body(world, "?job_type_symbol=bc2")["results"]] == ["job-2/0"]
    assert jobs_body(world, f"?push_id={world.pushes[0].pushlog_id}")["results"] == []


@pytest.mark.parametrize("query", ["?offset=38212615227782668288", "?job_guid=job-1/0&offset=" + "9" * 30])
def test_an_offset_past_any_list_is_an_empty_page_not_500(world, query):
    """Given an offset larger than any list (fuzzing found it a 500), then an empty page, as an offset past the
    end is in Treeherder (tests/webapp/api/test_jobs_api.py test_job_list: offset and count slice the list)."""
    body = jobs_body(world, query)

    assert body["results"] == [] and body["meta"]["offset"] == int(query.rsplit("=", 1)[1])


def test_the_repository_job_list_is_newest_first(world):
    assert [j["job_guid"] for j in jobs_body(world, "")["results"]] == ["job-2/0", "job-1/0", "job-0/0"]


def test_a_job_count_above_2000_is_refused(world):
    response = get(world, f"/project/{PROJECT}/jobs/?count=2001")
    assert response.status_code == 400
    assert response.json_body == {"detail": "Specified count exceeds API MAX_JOBS_COUNT value: 2000"}


def test_one_job_with_its_logs(world):
    [job] = jobs_body(world, "?job_guid=job-1/0")["results"]
    body = get(world, f"/project/{PROJECT}/jobs/{job['id']}/").json_body
    assert body["job_guid"] == "job-1/0"
    assert body["logs"] == [{"name": "buildbot_text", "url": "https://logs.example.com/bc1.txt.gz"}]


def test_an_unknown_job_is_404(world):
    response = get(world, f"/project/{PROJECT}/jobs/424242/")
    # test_jobs_api.py test_job_detail_not_found; JobsViewSet.retrieve answers Response("No job with id: ..."):
    # a JSON string, not a {"detail"} object
    assert (response.status_code, response.json_body) == (404, "No job with id: 424242")


def test_job_details_need_a_filter(world):
    response = get(world, "/jobdetail/")
    assert response.status_code == 400
    assert response.json_body == {"detail": "Must filter on one of: job_guid, job__guid, job_id, job_id__in, push_id"}


def test_job_details_page_with_limit_and_offset(world):
    body = get(world, f"/jobdetail/?push_id={world.job_push.pushlog_id}&limit=4").json_body
    assert len(body["results"]) == 4 and body["previous"] is None
    assert "offset=4" in body["next"]
    rest = get(world, f"/jobdetail/?push_id={world.job_push.pushlog_id}&limit=4&offset=4").json_body
    assert len(rest["results"]) == 2 and rest["next"] is None


@pytest.mark.parametrize("query, message", [
    ("job_guid=job-1/0&push_id=x", "Invalid push_id: must be an integer"),
    ("job_guid=job-1/0&job_id__in=x", "Invalid job_id: must be an integer"),
    ("push_id=1&limit=4&count=x", "Invalid count: must be an integer"),
    ("push_id=1&limit=4&count=-1", "limit and count must be at least 0"),
])
def test_job_details_refuse_a_wrong_value_even_when_another_filter_answers(world, query, message):
    response = get(world, f"/jobdetail/?{query}")
    assert (response.status_code, response.json_body) == (400, {"detail": message})


def test_job_log_urls_need_integer_job_ids(world):
    missing = get(world, f"/project/{PROJECT}/job-log-url/")
    wrong = get(world, f"/project/{PROJECT}/job-log-url/?job_id=abc")
    assert (missing.status_code, missing.json_body) == (400, {"detail": "job_id is required"})
    assert (wrong.status_code, wrong.json_body) == (400, {"detail": "job_id must be an integer"})


# --- Perfherder ----------------------------------------------------------------------------------


def test_performance_data_needs_a_signature(world):
    """performance_data.py PerformanceDatumViewSet.list: a ValidationError, whose body is a list."""
    response = get(world, f"/project/{PROJECT}/performance/data/")
    assert response.status_code == 400
    assert response.json_body == ["Need to specify either signature_id, signatures, push_id, or job_id"]


def test_performance_data_by_signature_id_and_interval(world):
    signatures = get(world, f"/project/{PROJECT}/performance/signatures/").json_body
    sig_hash, sig = next(iter(signatures.items()))
    by_id = get(world, f"/project/{PROJECT}/performance/data/?signature_id={sig['id']}").json_body
    assert list(by_id) == [sig_hash] and len(by_id[sig_hash]) == 1
    assert by_id[sig_hash][0]["signature_id"] == sig["id"]
    # the pushes are from 2017: none is within the last day
    recent = get(world, f"/project/{PROJECT}/performance/data/?signatures={sig_hash}&interval=86400").json_body
    assert recent == {}  # Treeherder groups the points it found: a series without any is absent


def test_signatures_filtered_by_interval_and_platform(world):
    base = f"/project/{PROJECT}/performance/signatures/"
    assert get(world, base + "?interval=86400").json_body == {}
    assert get(world, base + "?platform=windows").json_body == {}
    assert len(get(world, base + "?platform=linux-Fedora 12-x86_64").json_body) == 2

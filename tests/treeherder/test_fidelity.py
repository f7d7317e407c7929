"""Treeherder behaviours held to mozilla/treeherder's own API tests (issue 21 items 12-15).

Upstream is the tree at the treeherder-client 5.0.0 commit (2019-02):
``tests/webapp/api/test_jobs_api.py``, ``test_performance_data_api.py`` and
``treeherder/webapp/api/jobs.py`` (JobFilter, JobDetailFilter), each test
naming the one it mirrors.
"""

from __future__ import annotations

import datetime as dt

import pytest

from chalicelib.services.treeherder import job_ingest
from tests.support.treeherder_data import BASE_DATE, job_message, tip
from tests.support.treeherder_world import PROJECT, build

API = "/treeherder/api"
UA = {"User-Agent": "treeherder-pyclient/5.0.0", "Accept": "application/json; version=1.0"}
MAC = {"os_name": "mac", "platform": "osx-10-7", "architecture": "x86"}


@pytest.fixture(scope="module")
def world():
    """The shared world plus jobs unlike each other: one on a Mac of tier 2, four of one type."""
    with build(8, jobs=3, runs=1) as built:
        push = tip(built.job_push)
        job_ingest.ingest(job_message(push, guid="mac-job/0", build_platform=MAC, machine_platform=MAC, tier=2,
                                      submit_timestamp=BASE_DATE + 5000, start_timestamp=BASE_DATE + 5100,
                                      end_timestamp=BASE_DATE + 5500, job_symbol="mac"))
        for i in range(4):
            job_ingest.ingest(job_message(push, guid=f"similar-{i}/0", job_symbol="sim",
                                          start_timestamp=BASE_DATE + 300 + i))
        yield built


def get(world, path: str):
    return world.client.http.get(API + path, headers=UA)


def jobs(world, query: str) -> list[dict]:
    response = get(world, f"/project/{PROJECT}/jobs/?count=100&{query}")
    assert response.status_code == 200, response.body
    return response.json_body["results"]


def guids(world, query: str) -> set[str]:
    return {j["job_guid"] for j in jobs(world, query)}


ALL = 3 + 1 + 4


@pytest.mark.parametrize("query", [
    "build_os=mac", "machine_platform_os=mac", "build_architecture=x86", "machine_platform_architecture=x86",
    "build_platform=osx-10-7", "platform=osx-10-7", f"submit_timestamp={BASE_DATE + 5000}",
    f"start_timestamp={BASE_DATE + 5100}", f"end_timestamp={BASE_DATE + 5500}", "tier__gt=1", "tier__gte=2",
    "tier=2", "tier__in=2,3", "job_guid__in=mac-job/0,nothing",
    "submit_time__gt=" + dt.datetime.fromtimestamp(BASE_DATE + 4000, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S"),
    "end_time__gte=" + dt.datetime.fromtimestamp(BASE_DATE + 5500, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S"),
])
def test_a_filter_treeherder_knows_is_applied(world, query):
    """test_jobs_api.py test_job_list_filter_fields and test_job_list_in_filter: the one job that matches."""
    assert guids(world, query) == {"mac-job/0"}


@pytest.mark.parametrize("query", ["submit_timestamp__gt=1", "colour=blue", "build_os__in=mac"])
def test_a_filter_treeherder_does_not_know_is_ignored(world, query):
    """JobFilter: legacy ``*_timestamp`` names are converted only exact; unknown names are ignored."""
    assert len(jobs(world, query)) == ALL


def test_id_and_push_ranges(world):
    ordered = sorted(j["id"] for j in jobs(world, ""))
    assert sorted(j["id"] for j in jobs(world, f"id__gt={ordered[2]}")) == ordered[3:]
    assert sorted(j["id"] for j in jobs(world, f"id__lte={ordered[2]}")) == ordered[:3]
    push = int(world.job_push.pushlog_id)
    assert len(jobs(world, f"push_id__gte={push}")) == ALL
    assert jobs(world, f"push_id__lt={push}") == []
    assert len(jobs(world, f"result_set_id__in={push}")) == ALL


def test_last_modified_lt_and_gt(world):
    """test_jobs_api.py test_last_modified: ``last_modified__lt`` and ``__gt`` split the jobs; a bad date is 400."""
    stamps = sorted(j["last_modified"] for j in jobs(world, ""))
    middle = stamps[len(stamps) // 2]
    earlier, later = jobs(world, f"last_modified__lt={middle}"), jobs(world, f"last_modified__gt={middle}")
    assert earlier and later and len(earlier) + len(later) <= ALL
    assert all(j["last_modified"] < middle for j in earlier)
    assert get(world, f"/project/{PROJECT}/jobs/?last_modified__lt=whatever").status_code == 400


# --- 13. job details ------------------------------------------------------------------------------


def test_job_details_by_repository_title_and_value(world):
    """JobDetailFilter: ``repository`` (the repository's name), ``title``, ``value`` beside the job filters."""
    job_id = jobs(world, "job_guid=job-1/0")[0]["id"]
    base = f"/jobdetail/?job_id__in={job_id}"
    assert len(get(world, f"{base}&repository={PROJECT}").json_body["results"]) == 2
    assert get(world, f"{base}&repository=elsewhere").json_body["results"] == []
    titled = get(world, f"{base}&title=CPU%20usage").json_body["results"]
    assert [(d["title"], d["value"]) for d in titled] == [("CPU usage", "87%")]
    assert [d["title"] for d in get(world, f"{base}&value=bc1.log").json_body["results"]] == ["artifact uploaded"]
    assert get(world, f"{base}&title=nothing").json_body["results"] == []


# --- 15. similar jobs and the job's own fields ---------------------------------------------------------


@pytest.mark.parametrize("offset,count,expected", [(None, None, 3), (None, 2, 2), (1, None, 2), (0, 1, 1),
                                                   (2, 10, 1)])
def test_list_similar_jobs(world, offset, count, expected):
    """test_jobs_api.py test_list_similar_jobs: same type, the job itself left out, offset and count."""
    job_id = jobs(world, "job_guid=similar-0/0")[0]["id"]
    query = "&".join(f"{k}={v}" for k, v in (("offset", offset), ("count", count)) if v is not None)
    response = get(world, f"/project/{PROJECT}/jobs/{job_id}/similar_jobs/?{query}")
    assert response.status_code == 200
    results = response.json_body["results"]
    assert len(results) == expected
    assert all(j["job_guid"].startswith("similar-") and j["id"] != job_id for j in results)
    everything = get(world, f"/project/{PROJECT}/jobs/{job_id}/similar_jobs/").json_body["results"]
    assert [j["start_timestamp"] for j in everything] == sorted((j["start_timestamp"] for j in everything),
                                                                reverse=True)


def test_similar_jobs_of_an_unknown_job_is_404(world):
    """jobs.py similar_jobs: ``Response("No job with id: {0}")``, a JSON string; an unknown project's
    ``{"detail": "No project with name ..."}``."""
    unknown = get(world, f"/project/{PROJECT}/jobs/999999/similar_jobs/")
    assert (unknown.status_code, unknown.json_body) == (404, "No job with id: 999999")
    assert get(world, "/project/nowhere/jobs/1/similar_jobs/").status_code == 404


def test_job_detail_has_resource_uri_and_autoclassify_status(world):
    """jobs.py JobsViewSet.retrieve: ``resource_uri`` (the job's own URL) and ``autoclassify_status``."""
    job_id = jobs(world, "job_guid=job-1/0")[0]["id"]
    body = get(world, f"/project/{PROJECT}/jobs/{job_id}/").json_body
    assert body["resource_uri"] == f"/treeherder/api/project/{PROJECT}/jobs/{job_id}/"
    assert body["autoclassify_status"] == "pending"
    assert world.client.http.get(body["resource_uri"], headers=UA).json_body["id"] == job_id


# --- 14. performance data ------------------------------------------------------------------------------


def _signature(world) -> tuple[str, dict]:
    return next(iter(get(world, f"/project/{PROJECT}/performance/signatures/").json_body.items()))


def test_performance_data_refusals(world):
    """performance_data.py PerformanceDatumViewSet.list; test_performance_data_api.py test_job_ids_validity."""
    sig_hash, sig = _signature(world)
    both = get(world, f"/project/{PROJECT}/performance/data/?signature_id={sig['id']}&signatures={sig_hash}")
    assert (both.status_code, both.json_body) == (400, ["Can't specify both signature_id and signatures in same "
                                                        "query"])
    mixed = get(world, f"/project/{PROJECT}/performance/data/?signature_id={sig['id']}&interval=86400"
                       "&start_date=2017-01-01T00:00:00")
    assert (mixed.status_code, mixed.json_body) == (400, {"message": "Provide either interval only -or- start "
                                                                     "(and end) date"})
    assert get(world, f"/project/{PROJECT}/performance/data/?job_id=foo").status_code == 400
    by_job = get(world, f"/project/{PROJECT}/performance/data/?job_id=1")
    assert (by_job.status_code, by_job.json_body) == (200, {})


def test_performance_data_by_push_and_by_date_range(world):
    """test_filter_data_by_signature (either parameter), test_filter_data_by_range (start_date, end_date), and
    ``push_id`` alone across the repository's series."""
    sig_hash, sig = _signature(world)
    [point] = get(world, f"/project/{PROJECT}/performance/data/?signature_id={sig['id']}").json_body[sig_hash]
    by_push = get(world, f"/project/{PROJECT}/performance/data/?push_id={point['push_id']}").json_body
    assert sig_hash in by_push and by_push[sig_hash] == [point]
    assert get(world, f"/project/{PROJECT}/performance/data/?push_id=999999").json_body == {}
    moment = dt.datetime.fromtimestamp(point["push_timestamp"], dt.UTC)
    before = (moment - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S")
    after = (moment + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S")
    ranged = get(world, f"/project/{PROJECT}/performance/data/?signatures={sig_hash}&start_date={before}"
                        f"&end_date={after}").json_body
    assert ranged == {sig_hash: [point]}
    assert get(world, f"/project/{PROJECT}/performance/data/?signatures={sig_hash}&start_date={after}").json_body == {}


def test_signatures_by_date_range(world):
    """test_performance_data_api.py test_filter_signatures_by_range: ``last_updated`` within the dates."""
    base = f"/project/{PROJECT}/performance/signatures/"
    assert get(world, base + "?start_date=2000-01-01T00:00:00").json_body != {}
    assert get(world, base + "?start_date=2999-01-01T00:00:00").json_body == {}


def test_a_filtered_listing_reads_a_bounded_number_of_jobs(world, monkeypatch):
    """The documented bound: a filter outside the indexes looks at the newest MAX_SCANNED jobs only."""
    from chalicelib.services.treeherder import job_listing

    assert guids(world, "build_os=mac") == {"mac-job/0"}
    monkeypatch.setattr(job_listing, "MAX_SCANNED", 4)  # the four similar jobs are newer than the Mac one
    assert guids(world, "build_os=mac") == set()
    assert len(jobs(world, "")) == ALL  # an unfiltered page is not bounded by it

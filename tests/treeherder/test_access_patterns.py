"""Every Treeherder read is Queries and GetItems on keys made for it: no Scan, and the
same number of DynamoDB calls whatever the size of the tables."""

from __future__ import annotations

import botocore.client
import pytest

from chalicelib.perf.series import SeriesGroup
from chalicelib.services.treeherder import job_ingest
from chalicelib.store import perf_signatures
from tests.support.plugins.aws import moto_fast_paths
from tests.support.table_growth import grow
from tests.support.treeherder_data import BASE_DATE, job_message, seed_pushes, tip
from tests.support.treeherder_world import BRANCH, PROJECT, build

API = "/treeherder/api"
HEADERS = {"User-Agent": "treeherder-pyclient/5.0.0"}

READS = {
    "repositories": "/repository/",
    "push list": "/project/{p}/push/",
    "push page": "/project/{p}/push/?count=5&offset=5",
    "push by id": "/project/{p}/push/{push}/",
    "push range": "/project/{p}/push/?fromchange={from_rev}&tochange={to_rev}",
    "push by revision": "/project/{p}/push/?revision={to_rev}",
    "push by author": "/project/{p}/push/?author=dev@example.com&count=3",
    "push by time": "/project/{p}/push/?push_timestamp__gte={since}&count=3",
    "jobs of a push": "/project/{p}/jobs/?push_id={job_push}",
    "jobs of the repository": "/project/{p}/jobs/?count=2",
    "job by guid": "/project/{p}/jobs/?job_guid=job-1/0",
    "one job": "/project/{p}/jobs/{job_id}/",
    "job details by guid": "/jobdetail/?job_guid=job-1/0",
    "job details by id": "/jobdetail/?job_id={job_id}",
    "job details of a push": "/jobdetail/?push_id={job_push}",
    "job log urls": "/project/{p}/job-log-url/?job_id={job_id}",
    "signatures": "/project/{p}/performance/signatures/",
    "performance data": "/project/{p}/performance/data/?signatures={signature}",
    "performance data of a push": "/project/{p}/performance/data/?signatures={signature}&push_id={run_push}",
    "similar jobs": "/project/{p}/jobs/{job_id}/similar_jobs/?count=2",
    "jobs filtered by platform": "/project/{p}/jobs/?build_os=linux&count=2",
    "jobs of a push by tier": "/project/{p}/jobs/?push_id={job_push}&tier__gte=1",
    "job details by title": "/jobdetail/?job_id={job_id}&title=CPU%20usage&repository={p}",
    "performance data of a push, every series": "/project/{p}/performance/data/?push_id={run_push}",
    "performance data by dates": "/project/{p}/performance/data/?signatures={signature}"
                                 "&start_date=2017-07-14T00:00:00&end_date=2017-07-15T00:00:00",
    "option collections": "/optioncollectionhash/",
    "failure classifications": "/failureclassification/",
}


def _measure(client, values: dict) -> dict[str, list[str]]:
    calls: list[tuple[str, str]] = []
    original = botocore.client.BaseClient._make_api_call

    def counting(self, operation_name, api_params):
        calls.append((self.meta.service_model.service_name, operation_name))
        return original(self, operation_name, api_params)

    measured = {}
    botocore.client.BaseClient._make_api_call = counting
    try:
        for name, template in READS.items():
            calls.clear()
            response = client.http.get(API + template.format(**values), headers=HEADERS)
            assert response.status_code == 200, (name, response.body)
            measured[name] = [op for service, op in calls if service == "dynamodb"]
    finally:
        botocore.client.BaseClient._make_api_call = original
    return measured


def _grow(world) -> None:
    """Ten times the pushes, jobs on other pushes, another repository's pushes and series."""
    newest = world.pushes[-1]
    more = seed_pushes(BRANCH, 300, first=int(newest.push_id) + 1, date=BASE_DATE + 10_000, revisions=1)
    for i, push in enumerate(more[:20]):
        job_ingest.ingest(job_message(tip(push), guid=f"other-{i}/0"))
    seed_pushes("Firefox", 100)
    group = SeriesGroup("talos", "Firefox", "Firefox", "linux", "Fedora 12", "x86_64", "opt", "Talos tp5n")
    perf_signatures.register(group, [f"page{i}.com" for i in range(30)], BASE_DATE)


@pytest.fixture(scope="module")
def measured():
    with moto_fast_paths(), build(30, runs=2, other_branch_pushes=5) as world:
        client = world.client
        signatures = client.http.get(f"{API}/project/{PROJECT}/performance/signatures/", headers=HEADERS).json_body
        job = client.http.get(f"{API}/project/{PROJECT}/jobs/?job_guid=job-1/0", headers=HEADERS).json_body
        values = {
            "p": PROJECT, "push": int(world.pushes[10].pushlog_id), "from_rev": tip(world.pushes[3]),
            "to_rev": tip(world.pushes[6]), "since": BASE_DATE + 600, "job_push": int(world.job_push.pushlog_id),
            "job_id": job["results"][0]["id"], "signature": next(iter(signatures)),
            "run_push": int(world.run_pushes[0].pushlog_id),
        }
        small = _measure(client, values)
        _grow(world)
        large = _measure(client, values)
        grow(["treeherder", "pushes", "changesets"], 50_000)  # issue 22: tens of thousands of items
        huge = _measure(client, values)
        yield small, large, huge


@pytest.mark.parametrize("name", list(READS))
def test_a_read_makes_the_same_calls_at_two_table_sizes(measured, name):
    small, large, _ = measured
    assert small[name] == large[name]


@pytest.mark.parametrize("name", list(READS))
def test_a_read_makes_the_same_calls_at_50k_items(measured, name):
    """Given the tables grown to 50,000 items each (copies in other partitions), the read's calls are the
    same as on the small tables, and none is a Scan."""
    small, _, huge = measured
    assert "Scan" not in huge[name]
    assert small[name] == huge[name]


@pytest.mark.parametrize("name", list(READS))
def test_a_read_never_scans(measured, name):
    small, large, _ = measured
    assert "Scan" not in small[name] + large[name]
    assert len(large[name]) <= 8, large[name]

"""The real treeherder-client 5.0.0 (``thclient``), unmodified, against Shipyard over HTTP.

Every method it has: pushes (paging past 2000 with its own count/offset
pages), jobs, job details, log URLs, repositories, option collections,
failure classifications, and Perfherder signatures and data — the series a
Datazilla upload stored.
"""

from __future__ import annotations

import numpy as np
import pytest
from thclient import PerfherderClient, TreeherderClient

from tests.support.plugins.aws import serve
from tests.support.treeherder_data import tip
from tests.support.treeherder_world import PAGE_MEANS, PROJECT, build

PUSHES = 2003


@pytest.fixture(scope="module")
def world():
    with build(PUSHES) as built, serve() as url:
        built.url = url + "/treeherder"
        yield built


@pytest.fixture
def th(world) -> TreeherderClient:
    return TreeherderClient(server_url=world.url)


@pytest.fixture
def perf(world) -> PerfherderClient:
    return PerfherderClient(server_url=world.url)


def test_repositories_are_the_pushlog_branches(th):
    [repository] = th.get_repositories()
    assert (repository["name"], repository["dvcs_type"]) == ("mozilla-inbound", "hg")
    assert repository["url"] == "https://hg.mozilla.org/integration/mozilla-inbound"
    assert isinstance(repository["id"], int)


def test_pushes_are_the_newest_ten_by_default(th, world):
    found = th.get_pushes(PROJECT)
    assert [p["id"] for p in found] == [int(p.pushlog_id) for p in reversed(world.pushes[-10:])]
    newest = found[0]
    assert newest["revision"] == tip(world.pushes[-1])
    assert [c["revision"] for c in newest["revisions"]] == [c.node for c in reversed(world.pushes[-1].changesets)]
    assert newest["revision_count"] == 2 and newest["push_timestamp"] == int(world.pushes[-1].date)


def test_pushes_page_past_2000(th, world):
    # count=None: the client asks for pages of 2000 (count, offset) until one is short
    found = th.get_pushes(PROJECT, count=None)
    ids = [p["id"] for p in found]
    assert ids == [int(p.pushlog_id) for p in reversed(world.pushes)]
    assert len(set(ids)) == PUSHES


def test_pushes_by_revision_and_range(th, world):
    [found] = th.get_pushes(PROJECT, revision=tip(world.pushes[5])[:12])
    assert found["id"] == int(world.pushes[5].pushlog_id)
    ranged = th.get_pushes(PROJECT, fromchange=tip(world.pushes[3]), tochange=tip(world.pushes[6]))
    assert [p["id"] for p in ranged] == [int(p.pushlog_id) for p in reversed(world.pushes[3:7])]


def test_jobs_of_a_push(th, world):
    found = th.get_jobs(PROJECT, push_id=int(world.job_push.pushlog_id))
    assert [j["job_guid"] for j in found] == ["job-0/0", "job-1/0", "job-2/0"]
    assert {j["push_id"] for j in found} == {int(world.job_push.pushlog_id)}
    assert found[0]["result"] == "testfailed" and found[0]["platform_option"] == "opt"


def test_jobs_filtered_and_paged_by_the_client(th, world):
    failed = th.get_jobs(PROJECT, push_id=int(world.job_push.pushlog_id), result="testfailed", count=None)
    assert [j["job_guid"] for j in failed] == ["job-0/0"]


def test_job_details_by_guid_and_by_id(th, world):
    [job] = th.get_jobs(PROJECT, job_guid="job-1/0")
    by_guid = th.get_job_details(job_guid="job-1/0")
    assert [d["title"] for d in by_guid] == ["artifact uploaded", "CPU usage"]
    assert th.get_job_details(job_id=job["id"]) == by_guid
    assert {d["job_id"] for d in th.get_job_details(push_id=int(world.job_push.pushlog_id))} == {
        j["id"] for j in th.get_jobs(PROJECT, push_id=int(world.job_push.pushlog_id))}


def test_job_log_urls(th):
    [job] = th.get_jobs(PROJECT, job_guid="job-2/0")
    [log] = th.get_job_log_url(PROJECT, job_id=job["id"])
    assert (log["job_id"], log["name"], log["parse_status"]) == (job["id"], "buildbot_text", "pending")


def test_option_collections_and_failure_classifications(th):
    assert th.get_option_collection_hash()["102210fe594ee9b33d82058545b1ed14f4c8206e"] == [{"name": "opt"}]
    assert {c["id"]: c["name"] for c in th.get_failure_classifications()}[4] == "intermittent"


def test_perfherder_signatures_are_the_uploaded_series(perf):
    signatures = perf.get_performance_signatures(PROJECT)
    tp5 = signatures.filter(("suite", "Talos tp5n"))
    assert tp5.get_property_values("test") == set(PAGE_MEANS)
    assert tp5.get_property_values("machine_platform") == {"linux-Fedora 12-x86_64"}
    assert len(set(s["id"] for s in tp5.values())) == len(PAGE_MEANS)


def test_perfherder_data_is_the_page_mean_of_each_run(perf, world):
    signatures = perf.get_performance_signatures(PROJECT).filter(("test", "cnn.com"))
    [signature] = signatures.get_signature_hashes()
    series = perf.get_performance_data(PROJECT, signatures=signature)[signature]
    assert series["push_id"] == [int(p.pushlog_id) for p in world.run_pushes]
    assert series["revision"] == [tip(p) for p in world.run_pushes]
    # tp5n drops its first replicate, as Datazilla computes the page mean; Perfherder rounds to 2 decimals
    # (performance_data.py PerformanceDatumViewSet.list: 'value': round(value, 2))
    expected = [round(float(np.mean(run["results"]["cnn.com"][1:])), 2) for run in world.runs]
    assert series["value"] == expected


def test_perfherder_data_narrowed_to_one_push(perf, world):
    [signature] = perf.get_performance_signatures(PROJECT).filter(("test", "bbc.co.uk")).get_signature_hashes()
    pushed = int(world.run_pushes[1].pushlog_id)
    series = perf.get_performance_data(PROJECT, signatures=signature, push_id=pushed)[signature]
    assert series["push_id"] == [pushed]

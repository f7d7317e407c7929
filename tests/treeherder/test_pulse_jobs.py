"""Treeherder's published Pulse job messages (``schemas/pulse-job.yml``) on the job queue and the Hawk POST.

Issue 19 item 13. The mapping is Treeherder's ``treeherder/etl/job_loader.py``
(``JobLoader.transform``), and the messages are shaped as its tests'
``tests/sample_data/pulse_consumer/job_data.json`` jobs are (``tests/etl/test_job_loader.py``:
``test_job_transformation``, ``test_ingest_pulse_jobs``, ``test_skip_unscheduled``).
"""

from __future__ import annotations

import copy

import pytest
import requests

from chalicelib import config
from chalicelib.services.treeherder import job_ingest
from chalicelib.store import jobs as job_store
from chalicelib.store import queues
from chalicelib.treeherder import pulse_job
from chalicelib.treeherder.job_schema import InvalidJobMessage
from tests.support.treeherder_data import hawk_post, seed_pushes, tip

PULSE = {
    "taskId": "5e4d1b9c-0d0b-4b4e-8d62-cbde3e5d1b7f/0",
    "retryId": 0,
    "isRetried": False,
    "buildSystem": "taskcluster",
    "origin": {"kind": "hg.mozilla.org", "project": "mozilla-inbound", "revision": None},
    "display": {"jobSymbol": "bc", "chunkId": 3, "chunkCount": 10, "groupSymbol": "M",
                "jobName": "test-linux64/opt-mochitest-browser-chrome-3", "groupName": "Mochitests"},
    "state": "completed",
    "result": "fail",
    "jobKind": "test",
    "tier": 2,
    "timeScheduled": "2014-12-19T16:39:57-08:00",
    "timeStarted": "2014-12-19T17:39:57-08:00",
    "timeCompleted": "2014-12-19T18:39:57-08:00",
    "labels": ["debug"],
    "owner": "ci-bot@example.com",
    "reason": "scheduled",
    "productName": "firefox",
    "buildMachine": {"name": "bld-linux64-ec2-104", "platform": "linux64", "os": "linux", "architecture": "x86_64"},
    "runMachine": {"name": "tst-linux64-ec2-099", "platform": "linux64", "os": "linux", "architecture": "x86_64"},
    "jobInfo": {"links": [{"url": "https://example.com/live_backing.log", "linkText": "live_backing.log",
                           "label": "artifact uploaded"},
                          {"url": "https://example.com/bc_errorsummary.log", "linkText": "bc_errorsummary.log",
                           "label": "artifact uploaded"}]},
    "logs": [{"url": "https://example.com/live_backing.log", "name": "builds-4h"}],
    "version": 1,
}
PATH = "/api/project/mozilla-inbound/jobs/"


def pulse(revision: str, **changes) -> dict:
    message = copy.deepcopy(PULSE)
    message["origin"]["revision"] = revision
    message.update(changes)
    return message


@pytest.fixture
def pushed(inbound):
    return seed_pushes("Mozilla-Inbound", 2)


def test_a_pulse_job_becomes_the_job_treeherder_made_of_it(pushed):
    """JobLoader.transform: guid, name, symbol with chunk, group, result through the test map, times, labels,
    owner, machines, logs and jobInfo links."""
    outcome = job_ingest.ingest(pulse(tip(pushed[0])))
    assert outcome.status == "created"
    job = job_store.by_guid(PULSE["taskId"])
    fields = job.fields
    assert (fields["job_type_name"], fields["job_type_symbol"], fields["job_group_name"],
            fields["job_group_symbol"]) == ("test-linux64/opt-mochitest-browser-chrome-3", "bc3", "Mochitests", "M")
    assert (fields["state"], fields["result"], fields["tier"], fields["who"], fields["reason"]) == (
        "completed", "testfailed", 2, "ci-bot@example.com", "scheduled")
    assert (fields["submit_timestamp"], fields["start_timestamp"], fields["end_timestamp"]) == (
        1419035997, 1419039597, 1419043197)
    assert (fields["build_system_type"], fields["machine_name"], fields["platform_option"]) == (
        "taskcluster", "bld-linux64-ec2-104", "debug")
    logs = job_store.logs_of_job(job.id)
    assert [(log["name"], log["parse_status"]) for log in logs] == [("builds-4h", "pending"),
                                                                  ("errorsummary_json", "pending")]
    details = job_store.details_of_job(job.id)
    assert [d["value"] for d in details] == ["live_backing.log", "bc_errorsummary.log"]


@pytest.mark.parametrize("kind,result,isretried,expected", [
    ("test", "fail", False, "testfailed"), ("build", "fail", False, "busted"), ("other", "fail", False, "busted"),
    ("test", "canceled", False, "usercancel"), ("test", "success", True, "retry"),
    ("build", "superseded", False, "superseded"),
])
def test_results_map_as_treeherder_maps_them(kind, result, isretried, expected):
    """JobLoader._get_result: TEST_RESULT_MAP for tests, BUILD_RESULT_MAP otherwise, retried jobs are retry."""
    message = pulse("a" * 40, jobKind=kind, result=result, isRetried=isretried)
    assert pulse_job.to_job_message(message)["job"]["result"] == expected


def test_a_job_not_completed_has_no_result_yet():
    message = pulse("a" * 40, state="running", result="fail")
    assert pulse_job.to_job_message(message)["job"]["result"] == "unknown"


def test_one_machine_stands_for_both_platforms():
    message = pulse("a" * 40)
    del message["runMachine"]
    job = pulse_job.to_job_message(message)["job"]
    assert job["build_platform"] == job["machine_platform"] == {"platform": "linux64", "os_name": "linux",
                                                                "architecture": "x86_64"}


def test_an_unscheduled_job_is_skipped(pushed):
    """JobLoader.process_job stores nothing for ``state: unscheduled``."""
    outcome = job_ingest.ingest(pulse(tip(pushed[0]), state="unscheduled"))
    assert outcome.status == "skipped" and job_store.by_guid(PULSE["taskId"]) is None


@pytest.mark.parametrize("change", [{"version": 2}, {"jobKind": "lint"}, {"state": "done"}, {"extra_key": 1}])
def test_a_message_outside_the_pulse_schema_is_refused_naming_the_field(change):
    with pytest.raises(InvalidJobMessage, match=r"\$"):
        pulse_job.to_job_message(pulse("a" * 40, **change))
    message = pulse("a" * 40)
    del message["version"]
    with pytest.raises(InvalidJobMessage, match="required"):
        pulse_job.to_job_message(message)


def test_a_pulse_job_on_the_queue_lands(pushed, pump):
    queues.send(config.TREEHERDER_JOBS_QUEUE, pulse(tip(pushed[1])))
    pump.drain(config.queue_name(config.TREEHERDER_JOBS_QUEUE))
    job = job_store.by_guid(PULSE["taskId"])
    assert job is not None and job.push_id == pushed[1].pushlog_id


def test_a_pulse_job_over_the_hawk_post_lands(pushed, hawk_credential, treeherder_url):
    with requests.Session() as session:
        session.headers["User-Agent"] = "shipyard-tests/1.0"
        response = hawk_post(session, treeherder_url, PATH, [pulse(tip(pushed[0]))])
        assert response.status_code == 200, response.text
        assert response.json()["jobs"][0]["status"] == "created"
        other = pulse(tip(pushed[0]))
        other["origin"]["project"] = "mozilla-central"
        refused = hawk_post(session, treeherder_url, PATH, other)
        assert refused.status_code == 400 and "$.origin.project" in refused.json()["detail"]

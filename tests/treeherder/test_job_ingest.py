"""The job queue: messages validated, upserted by guid, parked until their push, refused to the DLQ."""

from __future__ import annotations

import json

import pytest

from chalicelib import config
from chalicelib.services.pushlog import sync
from chalicelib.services.treeherder import job_ingest
from chalicelib.store import branches, queues
from chalicelib.store import jobs as job_store
from chalicelib.store.clients import client
from chalicelib.treeherder.job_schema import InvalidJobMessage
from tests.support import jsonpushes_server
from tests.support.treeherder_data import job_message, seed_pushes, tip

JOBS = config.queue_name(config.TREEHERDER_JOBS_QUEUE)
GUID = "f3e3a9e6526881c39a3b2b6ff98510f213b3d4ed/0"


@pytest.fixture
def pushed(inbound):
    """Mozilla-Inbound (repository mozilla-inbound) with three synced pushes."""
    return seed_pushes("Mozilla-Inbound", 3)


def send(message) -> None:
    queues.send(config.TREEHERDER_JOBS_QUEUE, message)


def dead_letters() -> list[dict]:
    sqs = client("sqs")
    url = sqs.get_queue_url(QueueName=config.dead_letter_queue_name(config.TREEHERDER_JOBS_QUEUE))["QueueUrl"]
    return sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]).get("Messages", [])


def test_a_queued_job_lands_on_its_push_with_details_and_logs(pushed, pump):
    # given a completed job message for the newest push
    send(job_message(tip(pushed[-1])))

    # when the job queue is delivered
    pump.drain(JOBS)

    # then the job is stored on that push, with its details and log references
    job = job_store.by_guid(GUID)
    assert (job.push_id, job.repository, job.state) == (pushed[-1].pushlog_id, "Mozilla-Inbound", "completed")
    assert [d["title"] for d in job_store.details_of_job(job.id)] == ["artifact uploaded", "CPU usage"]
    [log] = job_store.logs_of_job(job.id)
    assert (log["name"], log["url"], log["parse_status"]) == ("buildbot_text", "https://logs.example.com/bc1.txt.gz",
                                                              "pending")


def test_a_job_is_found_by_guid_by_id_and_by_push(pushed):
    outcome = job_ingest.ingest(job_message(tip(pushed[0])))
    assert job_store.by_id(outcome.job_id).job_guid == GUID
    assert [j.job_guid for j in job_store.for_push("Mozilla-Inbound", pushed[0].pushlog_id)] == [GUID]
    assert list(job_store.for_push("Mozilla-Inbound", pushed[1].pushlog_id)) == []


def test_later_messages_move_the_job_forward_keeping_its_id(pushed):
    revision = tip(pushed[0])
    first = job_ingest.ingest(job_message(revision, state="pending"))
    running = job_ingest.ingest(job_message(revision, state="running"))
    done = job_ingest.ingest(job_message(revision, result="testfailed"))
    assert (first.status, running.status, done.status) == ("created", "updated", "updated")
    assert first.job_id == running.job_id == done.job_id
    job = job_store.by_guid(GUID)
    assert (job.state, job.fields["result"]) == ("completed", "testfailed")


def test_an_earlier_state_arriving_late_changes_nothing(pushed):
    revision = tip(pushed[0])
    job_ingest.ingest(job_message(revision, result="success"))
    late = job_ingest.ingest(job_message(revision, state="running"))
    assert late.status == "stale"
    job = job_store.by_guid(GUID)
    assert (job.state, job.fields["result"]) == ("completed", "success")
    assert len(job_store.details_of_job(job.id)) == 2


def test_a_message_delivered_twice_leaves_one_job(pushed, pump):
    send(job_message(tip(pushed[0])))
    send(job_message(tip(pushed[0])))
    pump.drain(JOBS)
    jobs = list(job_store.for_push("Mozilla-Inbound", pushed[0].pushlog_id))
    assert len(jobs) == 1
    assert len(job_store.details_of_job(jobs[0].id)) == 2


def test_a_later_message_replaces_the_details_it_carries(pushed):
    revision = tip(pushed[0])
    job_ingest.ingest(job_message(revision))
    job_ingest.ingest(job_message(revision, job_details=[{"title": "only", "value": "one"}], log_references=[]))
    job = job_store.by_guid(GUID)
    assert [d["title"] for d in job_store.details_of_job(job.id)] == ["only"]
    assert job_store.logs_of_job(job.id) == []


def test_an_invalid_message_goes_to_the_dead_letter_queue_with_its_reason(pushed, pump):
    # given a message without a state, and a body that is not JSON
    bad = job_message(tip(pushed[0]))
    del bad["job"]["state"]
    send(bad)
    queues.client("sqs").send_message(QueueUrl=queues.queue_url(config.TREEHERDER_JOBS_QUEUE), MessageBody="{nope")

    # when the queue is delivered (once: no retry can fix them)
    result = pump.drain(JOBS)

    # then both are on the DLQ as received, each with why, and no job was stored
    assert result.failed_batches == 0
    letters = {m["Body"]: m["MessageAttributes"]["reason"]["StringValue"] for m in dead_letters()}
    assert letters[json.dumps(bad)] == "$.job: missing state"
    assert letters["{nope"].startswith("$: not JSON")
    assert job_store.by_guid(GUID) is None


def test_a_message_for_an_unknown_repository_is_refused(pushed):
    with pytest.raises(InvalidJobMessage, match="no repository named 'mozilla-central'"):
        job_ingest.ingest(job_message(tip(pushed[0]), project="mozilla-central"))


def test_a_revision_that_is_not_a_push_tip_is_refused(pushed):
    not_tip = pushed[0].changesets[0].node
    with pytest.raises(InvalidJobMessage, match="not its tip"):
        job_ingest.ingest(job_message(not_tip))


def test_a_short_tip_revision_finds_its_push(pushed):
    outcome = job_ingest.ingest(job_message(tip(pushed[1])[:12]))
    assert outcome.push_id == pushed[1].pushlog_id


REPO = "integration/fixture-inbound"


def test_a_job_for_a_push_not_yet_synced_lands_when_the_sync_brings_it(aws, hg_server, pump):
    # given a branch whose host has a push Shipyard has not synced yet
    branches.put("Fixture", hg_server.url(REPO))
    [push_id] = hg_server.add_pushes(REPO, 1)
    revision = jsonpushes_server.node(REPO, push_id, push_id % 3)

    # when its job's pending and completed messages arrive first
    send(job_message(revision, project="fixture-inbound", state="pending"))
    send(job_message(revision, project="fixture-inbound"))
    pump.drain(JOBS)

    # then nothing is stored yet, and nothing was refused
    assert job_store.by_guid(GUID) is None
    assert dead_letters() == []

    # and when the pushlog sync stores the push, the job lands, completed
    sync.sync_all(["Fixture"])
    job = job_store.by_guid(GUID)
    assert (job.repository, job.state) == ("Fixture", "completed")
    assert job_store.waiting_for("Fixture", revision) == []


def test_a_job_parked_while_its_push_was_being_stored_lands_at_once(pushed, monkeypatch):
    # given the push appears between the first lookup and the parking (the sync's race)
    calls = {"n": 0}
    real = job_ingest.push_of

    def racing(branch, revision):
        calls["n"] += 1
        return None if calls["n"] == 1 else real(branch, revision)

    monkeypatch.setattr(job_ingest, "push_of", racing)
    outcome = job_ingest.ingest(job_message(tip(pushed[0])))
    assert outcome.status == "created"
    assert job_store.waiting_for("Mozilla-Inbound", tip(pushed[0])) == []


def test_job_messages_redelivered_after_a_crash_leave_the_same_job(pushed, monkeypatch):
    from app import app
    from chalicelib.local.pump import Pump
    from chalicelib.store import counters
    from tests.support.delivery import CrashBeforeDelete, drain_until_quiet

    # given each message's first delivery dies between its writes and SQS's delete
    crash = CrashBeforeDelete().install(monkeypatch)
    revision = tip(pushed[0])
    for state in ("pending", "running", "completed"):
        send(job_message(revision, state=state))

    # when the queue is delivered until quiet
    drain_until_quiet(Pump(app, schedules=False), (config.TREEHERDER_JOBS_QUEUE,))

    # then every message came twice, and there is one job, completed, with one id ever taken
    assert len(crash.redelivered) == 3
    [job] = job_store.for_push("Mozilla-Inbound", pushed[0].pushlog_id)
    assert (job.state, job.id) == ("completed", 1)
    assert counters.current_value(job_store.JOB_ID_COUNTER) == 1
    assert len(job_store.details_of_job(job.id)) == 2

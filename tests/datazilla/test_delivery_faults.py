"""Delivery faults on moto: redelivery, poison messages, a handler killed before its delete.

SQS delivers at least once. Every worker must leave the same state whether a
message came once or twice, a message no retry can fix must end in the DLQ
with its reason on the row it concerns, and a worker that dies after its
writes but before SQS's delete must have its redelivery finish the job once.
"""

from __future__ import annotations

import json
import time

import pytest

from chalicelib import config
from chalicelib.store import objectstore, projects, pushes, queues, test_runs
from chalicelib.store.clients import client
from tests.support.datazilla_data import DEV_KEY, DEV_SECRET, talos_run
from tests.support.delivery import CrashBeforeDelete, drain_until_quiet, snapshot
from tests.support.plugins.aws import embedded_aws
from tests.support.pushlog_data import make_push

PIPELINE = (config.INGEST_QUEUE, config.PROCESSING_QUEUE, config.METRICS_QUEUE)
PAGES = {"a.com": 100.0, "b.com": 200.0}


def _run_pipeline(talos_blob: dict) -> dict:
    """Four Talos runs on four pushes, sent over the ingest queue and pumped through every worker."""
    from app import app
    from chalicelib.local.pump import Pump
    from chalicelib.store import branches

    projects.create("talos", DEV_KEY, DEV_SECRET)
    branches.put("Mozilla-Inbound", "integration/mozilla-inbound", [])
    for push_id in range(1, 5):
        push = make_push(push_id, 1343674800 + push_id * 600)
        pushes.store("Mozilla-Inbound", push_id, push["date"], push["user"], push["changesets"])
        means = {page: mean * (1.3 if push_id >= 3 else 1.0) for page, mean in PAGES.items()}
        queues.send(config.INGEST_QUEUE, {"project": "talos", "blob": talos_run(
            talos_blob, push["changesets"][-1]["node"], means, seed=push_id)})
    drain_until_quiet(Pump(app, schedules=False), PIPELINE)
    state = snapshot()
    # Exactly-once bookkeeping is keyed by SQS message ids, which differ from world to world.
    state["nonces"] = len(state["nonces"])
    return state


def test_given_every_message_delivered_twice_then_the_state_is_that_of_single_delivery(talos_blob, monkeypatch):
    # given: the state after each message of ingest, processing and metrics came once
    with embedded_aws():
        once = _run_pipeline(talos_blob)
    # when: every one of them is delivered a second time (its first delivery is never deleted)
    crash = CrashBeforeDelete().install(monkeypatch)
    with embedded_aws():
        twice = _run_pipeline(talos_blob)
    # then
    assert crash.redelivered == crash.first_deliveries and len(crash.redelivered) >= 12
    assert twice == once


def test_given_a_handler_killed_between_its_write_and_its_delete_then_the_redelivery_finishes_once(
        aws, talos, talos_blob, monkeypatch):
    from app import app
    from chalicelib.local.pump import Pump

    # given
    crash = CrashBeforeDelete().install(monkeypatch)
    queues.send(config.INGEST_QUEUE, {"project": "talos", "blob": talos_blob})
    # when
    drain_until_quiet(Pump(app, schedules=False), PIPELINE)
    # then: one row, one run, and both deliveries of each message happened
    assert len(crash.redelivered) == 2  # the ingest message and the processing message
    assert objectstore.get("talos", 1).processed_flag == "complete"
    assert objectstore.get("talos", 2) is None
    assert len(list(test_runs.TestRunRecord.query("talos"))) == 1


@pytest.fixture
def poisoned_loader(monkeypatch):
    """A loader bug that fails every delivery of one blob (the reference-data write raises)."""
    from chalicelib.services.datazilla import loading

    def broken(project, names):
        raise RuntimeError("reference data writer crashed on this blob")

    monkeypatch.setattr(loading.refdata, "register", broken)


def _rows_announced(body: str) -> list[tuple[str, int]]:
    from chalicelib.store import blobs
    from chalicelib.store.blob_events import stored_objects

    return [blobs.row_of_key(o.key) for o in stored_objects(json.loads(body))]


def _dead_letters(logical: str) -> list[dict]:
    url = client("sqs").get_queue_url(QueueName=config.dead_letter_queue_name(logical))["QueueUrl"]
    return client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])


def test_given_a_poison_processing_message_then_it_lands_in_the_dlq_and_the_row_says_why(
        aws, talos, upload, pump, talos_blob, poisoned_loader, app_client):
    # given
    assert upload(json.dumps(talos_blob)).status_code == 200
    # when: delivered until SQS gives up (3 receives in the test world)
    deadline, dead = time.monotonic() + 20, []
    while time.monotonic() < deadline and not dead:
        pump.drain(config.queue_name(config.PROCESSING_QUEUE))
        dead = _dead_letters(config.PROCESSING_QUEUE)
        time.sleep(0.3)
    # then: in the DLQ (the bucket's notification of blob 1), the row is an error that names the failure,
    # the blob is still there
    assert [_rows_announced(m["Body"]) for m in dead] == [[("talos", 1)]]
    row = objectstore.get("talos", 1)
    assert row.error_flag == "Y"
    assert "not loaded after 3 deliveries" in row.error_msg
    assert "RuntimeError: reference data writer crashed on this blob" in row.error_msg
    assert int(row.failed_deliveries) == 2 and "crashed" in row.last_error
    blob = app_client.http.get("/talos/refdata/objectstore/json_blob/1")
    assert blob.status_code == 200 and blob.json_body["json_blob"] == talos_blob
    errors = app_client.http.get("/talos/refdata/objectstore/error_list?days_ago=1").json_body
    assert [e["id"] for e in errors] == [1]


def test_given_a_failure_that_clears_before_the_last_delivery_then_the_row_loads(
        aws, talos, upload, pump, talos_blob, monkeypatch):
    from chalicelib.services.datazilla import loading

    # given: the first delivery fails
    real, calls = loading.refdata.register, []

    def flaky(project, names):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("transient")
        return real(project, names)

    monkeypatch.setattr(loading.refdata, "register", flaky)
    assert upload(json.dumps(talos_blob)).status_code == 200
    # when
    from app import app
    from chalicelib.local.pump import Pump

    drain_until_quiet(Pump(app, schedules=False), (config.PROCESSING_QUEUE,))
    # then
    row = objectstore.get("talos", 1)
    assert row.processed_flag == "complete" and row.error_flag == "N"
    assert int(row.failed_deliveries) == 1 and _dead_letters(config.PROCESSING_QUEUE) == []


# --- storage failing in the middle of an ingest -------------------------------------------------

RAW = "/talos/testdata/raw/Mozilla-Inbound/8a3d4b6e7c21/"


def _visible_runs(app_client) -> list:
    return app_client.http.get(RAW).json_body


def test_given_s3_failing_when_a_blob_is_uploaded_then_503_and_no_row_then_a_retry_completes(
        aws, upload, pump, talos_blob, app_client):
    from tests.support.delivery import Fault

    # given / when
    with Fault("s3", "PutObject") as fault:
        refused = upload(json.dumps(talos_blob))
    # then: a retryable answer in Datazilla's shape, and nothing half written
    assert refused.status_code == 503 and fault.hits == 1
    assert refused.json_body["status"] == "Service unavailable"
    assert objectstore.get("talos", 1) is None and _visible_runs(app_client) == []
    # and after the fault clears, the client's retry completes the job
    assert upload(json.dumps(talos_blob)).status_code == 200
    pump.drain(config.queue_name(config.PROCESSING_QUEUE))
    assert _visible_runs(app_client) == [talos_blob]


def test_given_dynamodb_failing_after_the_blob_is_in_s3_then_503_and_a_retry_completes(
        aws, upload, pump, talos_blob, app_client):
    from tests.support.delivery import Fault

    with Fault("dynamodb", "PutItem") as fault:
        refused = upload(json.dumps(talos_blob))
    assert refused.status_code == 503 and fault.hits >= 1
    assert _visible_runs(app_client) == []
    assert upload(json.dumps(talos_blob)).status_code == 200
    pump.drain(config.queue_name(config.PROCESSING_QUEUE))
    assert _visible_runs(app_client) == [talos_blob]


def test_given_dynamodb_failing_when_the_buckets_notification_arrives_then_its_redelivery_makes_the_row(
        aws, upload, pump, talos_blob, app_client):
    """The upload's last write is the blob: an acknowledged blob waits in S3 and its event in SQS."""
    from app import app
    from chalicelib.local.pump import Pump
    from tests.support.delivery import Fault

    # given: an acknowledged upload, and the objectstore table refusing writes when its event arrives
    assert upload(json.dumps(talos_blob)).status_code == 200
    with Fault("dynamodb", "PutItem", when=lambda p: p.get("TableName", "").endswith("-objectstore")) as fault:
        failed = pump.drain(config.queue_name(config.PROCESSING_QUEUE))
    # then: no row yet, and the blob is readable as a ready one
    assert fault.hits >= 1 and failed.failed_messages >= 1
    assert objectstore.get("talos", 1) is None
    pending = app_client.http.get("/talos/refdata/objectstore/json_blob/1").json_body
    assert pending["processed_flag"] == "ready" and pending["json_blob"] == talos_blob
    # when the event is delivered again after the fault cleared
    drain_until_quiet(Pump(app, schedules=False), (config.PROCESSING_QUEUE,))
    # then
    assert _visible_runs(app_client) == [talos_blob]
    assert objectstore.get("talos", 1).processed_flag == "complete"


def _is_test_run_put(params: dict) -> bool:
    return params.get("TableName", "").endswith("-test-runs")


def _is_completion(params: dict) -> bool:
    """The UpdateItem that marks an objectstore row complete (the claim sets "loading")."""
    return params.get("TableName", "").endswith("-objectstore") \
        and "complete" in json.dumps(params.get("ExpressionAttributeValues", {}))


@pytest.mark.parametrize("step, fault", [
    ("the run's write", ("PutItem", _is_test_run_put)),
    ("the row's completion", ("UpdateItem", _is_completion)),
])
def test_given_dynamodb_failing_while_a_run_loads_then_nothing_is_visible_until_the_redelivery_completes_it(
        aws, upload, pump, talos_blob, app_client, step, fault):
    from app import app
    from chalicelib.local.pump import Pump
    from tests.support.delivery import Fault

    # given: a stored blob whose load fails at one step
    assert upload(json.dumps(talos_blob)).status_code == 200
    operation, when = fault
    with Fault("dynamodb", operation, when=when) as injected:
        pump.drain(config.queue_name(config.PROCESSING_QUEUE))
        # then: nothing of the run is visible, the row is not complete
        assert injected.hits >= 1, step  # more than once if a slow machine redelivers meanwhile
        assert _visible_runs(app_client) == []
        assert objectstore.get("talos", 1).processed_flag != "complete"
    # when the redelivery comes after the fault cleared
    drain_until_quiet(Pump(app, schedules=False), (config.PROCESSING_QUEUE,))
    # then: one complete run
    assert _visible_runs(app_client) == [talos_blob]
    assert len(list(test_runs.TestRunRecord.query("talos"))) == 1

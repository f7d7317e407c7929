"""The sweeper re-queues rows whose processing message was lost."""

from __future__ import annotations

import json
import time

from chalicelib import config
from chalicelib.services.datazilla import pending_sweep
from chalicelib.store import objectstore
from chalicelib.store.clients import client
from chalicelib.store.queues import queue_url

PROCESSING = config.queue_name(config.PROCESSING_QUEUE)


def _lose_processing_messages() -> None:
    url = queue_url(config.PROCESSING_QUEUE)
    sqs = client("sqs")
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        for message in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def _age_rows(seconds: int) -> None:
    for row in objectstore.ObjectstoreRow.query("talos"):
        row.update(actions=[objectstore.ObjectstoreRow.date_loaded.set(int(time.time()) - seconds)])


def test_a_stale_pending_row_is_requeued_and_loaded(upload, pump, talos_blob):
    # given a stored blob whose processing message was lost
    upload(json.dumps(talos_blob))
    _lose_processing_messages()
    _age_rows(pending_sweep.STALE_AFTER_SECONDS + 60)
    # when the sweeper runs
    assert pump.tick("sweep_pending")
    pump.drain(PROCESSING)
    # then the row is loaded
    assert objectstore.get("talos", 1).processed_flag == "complete"


def test_a_fresh_pending_row_is_left_alone(upload, pump, talos_blob):
    upload(json.dumps(talos_blob))
    _lose_processing_messages()
    pump.tick("sweep_pending")
    assert pump.drain(PROCESSING).messages == 0


def test_a_row_requeued_too_often_is_marked_with_why(upload, pump, talos_blob):
    upload(json.dumps(talos_blob))
    _lose_processing_messages()
    _age_rows(pending_sweep.STALE_AFTER_SECONDS + 60)
    for _ in range(pending_sweep.MAX_REQUEUES + 1):
        pump.tick("sweep_pending")
        _lose_processing_messages()
    row = objectstore.get("talos", 1)
    assert row.error_flag == "Y"
    assert "re-queues" in row.error_msg
    # and the blob is still there
    assert pump.drain(PROCESSING).messages == 0


def test_an_abandoned_row_counts_its_blob_in_the_projects_size(upload, pump, talos_blob):
    """Blob bytes are counted when a row finishes (store.project_sizes); giving up on one finishes it."""
    from chalicelib.store import project_sizes

    # given a stored blob that was never loaded: nothing counted yet
    text = json.dumps(talos_blob)
    upload(text)
    _lose_processing_messages()
    assert project_sizes.stored("talos") == (0, 0)
    # when the sweeper gives up on it
    _age_rows(pending_sweep.STALE_AFTER_SECONDS + 60)
    for _ in range(pending_sweep.MAX_REQUEUES + 1):
        pump.tick("sweep_pending")
        _lose_processing_messages()
    # then its bytes count in the objectstore, once, and none in the perftest
    assert objectstore.get("talos", 1).error_flag == "Y"
    pump.tick("sweep_pending")
    assert project_sizes.stored("talos") == (len(text.encode()), 0)

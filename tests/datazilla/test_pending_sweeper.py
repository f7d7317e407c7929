"""The sweeper re-queues rows whose processing message was lost.

A row is made by the processing worker when the bucket's notification of its
blob arrives; a row left pending is one whose worker made it and then lost its
message (a crash past the message's retention, a dead-letter move whose
bookkeeping failed).
"""

from __future__ import annotations

import json
import time

from chalicelib import config
from chalicelib.services.datazilla import pending_sweep
from chalicelib.store import objectstore
from chalicelib.store.clients import client
from chalicelib.store.queues import queue_url

PROCESSING = config.queue_name(config.PROCESSING_QUEUE)


def _row_made_then_message_lost() -> None:
    """The worker took the bucket's notification, made the row (claimed by it), and died; the message is gone."""
    from chalicelib.services.datazilla.ingest import blob_announced
    from chalicelib.store import blobs

    key = blobs.objectstore_key("talos", 1)
    project, row_id, created = blob_announced(key, len(blobs.get(key)), int(time.time()), "dead-worker")
    assert (project, row_id, created.processed_flag, created.worker_id) == ("talos", 1, "loading", "dead-worker")
    _lose_processing_messages()


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
    _row_made_then_message_lost()
    _age_rows(pending_sweep.STALE_AFTER_SECONDS + 60)
    # when the sweeper runs
    assert pump.tick("sweep_pending")
    pump.drain(PROCESSING)
    # then the row is loaded
    assert objectstore.get("talos", 1).processed_flag == "complete"


def test_a_fresh_pending_row_is_left_alone(upload, pump, talos_blob):
    upload(json.dumps(talos_blob))
    _row_made_then_message_lost()
    pump.tick("sweep_pending")
    assert pump.drain(PROCESSING).messages == 0


def test_a_row_requeued_too_often_is_marked_with_why(upload, pump, talos_blob):
    upload(json.dumps(talos_blob))
    _row_made_then_message_lost()
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
    _row_made_then_message_lost()
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


def _dead_letter_the_notification() -> None:
    """Every delivery of the blob's notification failed before its row was made: SQS moved it to the DLQ."""
    sqs = client("sqs")
    dlq = sqs.get_queue_url(QueueName=config.dead_letter_queue_name(config.PROCESSING_QUEUE))["QueueUrl"]
    (message,) = sqs.receive_message(QueueUrl=queue_url(config.PROCESSING_QUEUE), MaxNumberOfMessages=10)["Messages"]
    sqs.send_message(QueueUrl=dlq, MessageBody=message["Body"])
    sqs.delete_message(QueueUrl=queue_url(config.PROCESSING_QUEUE), ReceiptHandle=message["ReceiptHandle"])


def _dead_letter_count() -> int:
    sqs = client("sqs")
    dlq = sqs.get_queue_url(QueueName=config.dead_letter_queue_name(config.PROCESSING_QUEUE))["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages",
                                                                         "ApproximateNumberOfMessagesNotVisible"])
    return sum(int(v) for v in attributes["Attributes"].values())


def test_a_notification_dead_lettered_before_its_row_was_made_is_sent_back_and_loaded(upload, pump, talos_blob):
    # given an acknowledged upload whose notification reached the DLQ with no row made
    assert upload(json.dumps(talos_blob)).status_code == 200
    _dead_letter_the_notification()
    assert objectstore.get("talos", 1) is None
    # when the sweeper runs
    assert pump.tick("sweep_pending")
    pump.drain(PROCESSING)
    # then the blob is loaded, and the DLQ is empty
    assert objectstore.get("talos", 1).processed_flag == "complete"
    assert _dead_letter_count() == 0


def test_a_dead_lettered_notification_whose_row_exists_stays_for_inspection(upload, pump, talos_blob):
    # given a notification in the DLQ whose row was made (and then abandoned as an error)
    assert upload(json.dumps(talos_blob)).status_code == 200
    _dead_letter_the_notification()
    _row_made_then_message_lost()
    # when the sweeper runs, then it is left where it is
    assert pump.tick("sweep_pending")
    assert pump.drain(PROCESSING).messages == 0
    assert _dead_letter_count() == 1

"""The processing worker loads stored blobs into perftest records."""

from __future__ import annotations

import json

from chalicelib import config
from chalicelib.store import objectstore, queues, replicates, test_runs

PROCESSING = config.queue_name(config.PROCESSING_QUEUE)


def test_a_stored_blob_is_loaded_and_its_row_completed(loaded):
    row = objectstore.get("talos", 1)
    assert row.processed_flag == "complete"
    assert row.error_flag == "N"
    assert row.test_run_id == 1
    run = test_runs.get("talos", 1)
    assert run.test_name == "Talos tp5n"
    assert run.branch == "Mozilla-Inbound" and run.revision == "8a3d4b6e7c21"
    lengths, matrix = replicates.get("talos", 1)  # packed in S3, not on the DynamoDB item
    page = list(run.page_names).index("cnn.com")
    assert matrix[page, : lengths[page]].tolist() == loaded["results"]["cnn.com"]
    assert not run.pages.as_dict()
    assert run.options["tpcycles"] == 10
    assert not run.aux_data.as_dict()  # aux data stays in the blob (S3), which the raw endpoint serves


def test_the_same_message_delivered_twice_leaves_one_test_run(loaded, pump):
    # given a loaded row, when its message arrives again
    queues.send(config.PROCESSING_QUEUE, {"project": "talos", "id": 1})
    result = pump.drain(PROCESSING)
    # then it is acknowledged and nothing new is written
    assert result.deleted == 1
    assert len(list(test_runs.TestRunRecord.query("talos"))) == 1
    assert objectstore.get("talos", 1).processed_flag == "complete"


def test_a_blob_missing_a_key_is_marked_with_the_path(upload, pump, talos_blob):
    del talos_blob["testrun"]["suite"]
    upload(json.dumps(talos_blob))
    pump.drain(PROCESSING)
    row = objectstore.get("talos", 1)
    assert row.error_flag == "Y"
    assert row.error_msg == "Missing data: ['testrun']['suite']."
    assert test_runs.get("talos", 1) is None


def test_an_errored_row_is_never_claimed_again(upload, pump, talos_blob):
    del talos_blob["results"]
    upload(json.dumps(talos_blob))
    pump.drain(PROCESSING)
    queues.send(config.PROCESSING_QUEUE, {"project": "talos", "id": 1})
    pump.drain(PROCESSING)
    row = objectstore.get("talos", 1)
    assert row.error_msg == "Missing data: ['results']."
    assert row.processed_flag == "complete"


def test_the_buckets_notification_makes_the_row_and_loads_it(upload, pump, talos_blob):
    # given an upload: its blob in S3 and no row yet
    upload(json.dumps(talos_blob))
    assert objectstore.get("talos", 1) is None
    # when the bucket's notification reaches the worker
    result = pump.drain(PROCESSING)
    # then the row is made from the event (key, size) and loaded
    assert (result.messages, result.deleted) == (1, 1)
    row = objectstore.get("talos", 1)
    assert (row.s3_key, int(row.size)) == ("objectstore/talos/000000000001.json", len(json.dumps(talos_blob)))
    assert row.processed_flag == "complete"


def test_the_test_event_s3_sends_when_the_notification_is_configured_is_acknowledged(talos, pump):
    from chalicelib.store.clients import client

    # given the test event S3 sends to the queue when the bucket's notification is (re)configured
    s3 = client("s3")
    current = s3.get_bucket_notification_configuration(Bucket=config.bucket_name())
    s3.put_bucket_notification_configuration(
        Bucket=config.bucket_name(), NotificationConfiguration={"QueueConfigurations": current["QueueConfigurations"]})
    # when it is delivered, then it is deleted and changes nothing
    result = pump.drain(PROCESSING)
    assert (result.messages, result.deleted, result.failed_messages) == (1, 1, 0)
    assert list(objectstore.ObjectstoreRow.query("talos")) == []


def test_a_notification_reaching_the_worker_before_a_malformed_blobs_row_leaves_one_error_counted_once(
        talos, pump):
    """The upload's row write and the worker's race; whichever comes second finds the row and changes nothing."""
    from chalicelib.services.datazilla.ingest import store_blob
    from chalicelib.store import blobs, project_sizes

    # given the notification of a malformed blob handled before the upload writes its row
    raw = b'{"nope'
    blobs.put(blobs.objectstore_key("talos", 1), raw)
    pump.drain(PROCESSING)
    # when the upload, which took id 1 and put the blob, writes its row
    stored = store_blob("talos", raw)
    # then one errored row, its bytes counted once
    assert stored.malformed and stored.row_id == 1
    row = objectstore.get("talos", 1)
    assert row.error_flag == "Y" and row.error_msg.startswith("Malformed JSON")
    assert project_sizes.stored("talos") == (len(raw), 0)


def test_a_message_for_a_row_that_does_not_exist_changes_nothing(talos, pump):
    queues.send(config.PROCESSING_QUEUE, {"project": "talos", "id": 99})
    result = pump.drain(PROCESSING)
    assert result.deleted == 1
    assert objectstore.get("talos", 99) is None


def test_a_message_that_is_not_json_is_left_for_the_dead_letter_queue(talos, pump):
    from chalicelib.store.clients import client

    client("sqs").send_message(QueueUrl=queues.queue_url(config.PROCESSING_QUEUE), MessageBody="not json")
    result = pump.drain(PROCESSING)
    assert result.failed_batches == 1 and result.deleted == 0

"""Ingest over SQS: a ``{project, blob}`` message takes the same path as an upload."""

from __future__ import annotations

import json

from chalicelib import config
from chalicelib.store import blobs, objectstore, queues, test_runs
from chalicelib.store.clients import client

INGEST = config.queue_name(config.INGEST_QUEUE)
PROCESSING = config.queue_name(config.PROCESSING_QUEUE)


def test_a_queued_blob_is_stored_and_loaded(talos, pump, app_client, talos_blob):
    queues.send(config.INGEST_QUEUE, {"project": "talos", "blob": talos_blob})
    pump.drain(INGEST)
    pump.drain(PROCESSING)
    assert objectstore.get("talos", 1).processed_flag == "complete"
    assert app_client.http.get("/talos/testdata/raw/Mozilla-Inbound/8a3d4b6e7c21/").json_body == [talos_blob]


def test_a_blob_sent_as_text_is_stored_byte_for_byte(talos, pump, app_client, talos_blob):
    text = json.dumps(talos_blob, indent=2)
    queues.send(config.INGEST_QUEUE, {"project": "talos", "blob": text})
    pump.drain(INGEST)
    assert blobs.get(blobs.objectstore_key("talos", 1)).decode() == text
    assert app_client.http.get("/talos/refdata/objectstore/json_blob/1").json_body["json_blob"] == talos_blob


def test_malformed_text_is_stored_with_its_error(talos, pump):
    queues.send(config.INGEST_QUEUE, {"project": "talos", "blob": "{nope"})
    pump.drain(INGEST)
    row = objectstore.get("talos", 1)
    assert row.error_flag == "Y" and row.error_msg.startswith("Malformed JSON")


def test_a_redelivered_message_stores_one_row(talos, pump, talos_blob):
    # given a message delivered once and handled
    from app import app
    from chalicelib.local.lambda_events import LambdaContext, sqs_event

    message = {"MessageId": "m-1", "ReceiptHandle": "r-1", "Body": json.dumps({"project": "talos", "blob": talos_blob}),
               "Attributes": {}, "MD5OfBody": ""}
    handler = app.handler_map["ingest"]
    handler(sqs_event([message], "arn:aws:sqs:us-east-1:123456789012:" + INGEST), LambdaContext("ingest"))
    # when SQS delivers it again
    handler(sqs_event([message], "arn:aws:sqs:us-east-1:123456789012:" + INGEST), LambdaContext("ingest"))
    # then, once the bucket's notifications are processed, there is one row and one run
    pump.drain(PROCESSING)
    assert objectstore.get("talos", 1) is not None
    assert objectstore.get("talos", 2) is None
    assert len(list(test_runs.TestRunRecord.query("talos"))) == 1


def test_a_message_for_an_unknown_project_ends_in_the_dead_letter_queue(talos, pump):
    queues.send(config.INGEST_QUEUE, {"project": "nosuch", "blob": {}})
    # the fixture's queues hide a failed message for 1 s and give up after 3 receives
    import time

    deadline = time.monotonic() + 15
    dlq = queues.queue_url(config.INGEST_QUEUE + "-dlq")
    moved = []
    while time.monotonic() < deadline and not moved:
        pump.drain(INGEST)
        moved = client("sqs").receive_message(QueueUrl=dlq).get("Messages", [])
        time.sleep(0.5)
    assert moved and json.loads(moved[0]["Body"])["project"] == "nosuch"

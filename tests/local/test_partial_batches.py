"""Partial batch responses: one poison message never takes its batch-mates to the dead-letter queue.

The contract is Lambda's for SQS event source mappings with
``FunctionResponseTypes: [ReportBatchItemFailures]`` (AWS Lambda developer
guide, "Handling errors for an SQS event source in Lambda" / "Implementing
partial batch responses"): a handler returns
``{"batchItemFailures": [{"itemIdentifier": messageId}]}``; only those
messages come back; a malformed response fails the whole batch.
"""

from __future__ import annotations

import json
import time

import pytest
from chalice import Chalice

from chalicelib import config
from chalicelib.local.lambda_events import batch_item_failures
from chalicelib.local.pump import Pump
from chalicelib.store import blobs, queues
from chalicelib.store.clients import client

# The conftest's ``aws`` fixture deploys with visibility_timeout=1, max_receive_count=3.
VISIBILITY = 1
MAX_RECEIVES = 3
INGEST = config.queue_name(config.INGEST_QUEUE)


def _url(name: str) -> str:
    return client("sqs").get_queue_url(QueueName=name)["QueueUrl"]


def _counts(queue: str) -> tuple[int, int]:
    attrs = client("sqs").get_queue_attributes(
        QueueUrl=_url(queue), AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attrs["ApproximateNumberOfMessages"]), int(attrs["ApproximateNumberOfMessagesNotVisible"])


def _dead_letters(queue: str) -> list[str]:
    sqs = client("sqs")
    found = sqs.receive_message(QueueUrl=_url(queue), MaxNumberOfMessages=10).get("Messages", [])
    return [m["Body"] for m in found]


def _app_failing(bodies_to_fail: set[str], seen: list[str], response=None) -> Chalice:
    app = Chalice(app_name="t")

    @app.on_sqs_message(queue=INGEST, batch_size=10)
    def consume(event):
        seen.extend(r.body for r in event)
        if response is not None:
            return response
        return {"batchItemFailures": [{"itemIdentifier": r.to_dict()["messageId"]}
                                      for r in event if r.body in bodies_to_fail]}

    return app


@pytest.mark.parametrize(("response", "expected"), [
    (None, set()),
    ({}, set()),
    ({"batchItemFailures": None}, set()),
    ({"batchItemFailures": []}, set()),
    ({"batchItemFailures": [{"itemIdentifier": "b"}]}, {"b"}),
    ({"batchItemFailures": [{"itemIdentifier": "a"}, {"itemIdentifier": "c"}]}, {"a", "c"}),
    ({"batchItemFailures": [{"itemIdentifier": ""}]}, None),
    ({"batchItemFailures": [{"itemIdentifier": None}]}, None),
    ({"batchItemFailures": [{"id": "a"}]}, None),
    ({"batchItemFailures": [{"itemIdentifier": "not-in-the-batch"}]}, None),
    ({"batchItemFailures": "a"}, None),
    ("done", None),
])
def test_lambdas_rules_for_a_partial_batch_response(response, expected):
    """Success and failure conditions as the Lambda guide lists them for SQS."""
    assert batch_item_failures(response, ["a", "b", "c"]) == expected


def test_only_the_messages_a_handler_names_are_left_for_redelivery(aws):
    # given three messages and a handler that reports one of them failed
    seen: list[str] = []
    for body in ("one", "two", "three"):
        client("sqs").send_message(QueueUrl=_url(INGEST), MessageBody=body)
    pump = Pump(_app_failing({"two"}, seen), schedules=False)
    # when the pump delivers the batch
    result = pump.drain(INGEST)
    # then the other two are deleted and the named one is only hidden
    assert result.messages == 3 and result.deleted == 2 and result.failed_messages == 1
    assert _counts(INGEST) == (0, 1)
    # and after the visibility timeout it alone comes back
    time.sleep(VISIBILITY + 0.2)
    seen.clear()
    pump.drain(INGEST, max_batches=1)
    assert seen == ["two"]


def test_a_malformed_response_fails_the_whole_batch(aws):
    # given a handler that names a message id that is not in its batch
    for body in ("one", "two"):
        client("sqs").send_message(QueueUrl=_url(INGEST), MessageBody=body)
    bogus = {"batchItemFailures": [{"itemIdentifier": "no-such-message"}]}
    pump = Pump(_app_failing(set(), [], response=bogus), schedules=False)
    # when the pump delivers the batch
    result = pump.drain(INGEST)
    # then nothing is deleted, as Lambda would delete nothing
    assert result.deleted == 0 and result.failed_messages == 2
    assert _counts(INGEST) == (0, 2)


def test_a_poison_message_in_a_batch_of_ten_sends_only_itself_to_the_dead_letter_queue(talos, pump, talos_blob):
    # given nine good ingest messages and one for a project that does not exist, all in one batch
    for i in range(9):
        queues.send(config.INGEST_QUEUE, {"project": "talos", "blob": {**talos_blob, "n": i}})
    queues.send(config.INGEST_QUEUE, {"project": "nosuch", "blob": {}})
    # when the real ingest worker gets the batch of ten
    first = pump.poll_once(next(s for s in pump.sqs_sources if s.name == "ingest"))
    assert first.messages == 10 and first.deleted == 9 and first.failed_messages == 1
    # and the poison message is redelivered until SQS gives up on it
    deadline = time.monotonic() + 6 * (VISIBILITY + 1)
    dead: list[str] = []
    while time.monotonic() < deadline and not dead:
        time.sleep(VISIBILITY + 0.2)
        pump.drain(INGEST)
        dead = _dead_letters(config.dead_letter_queue_name(config.INGEST_QUEUE))
    # then the dead-letter queue holds the poison message alone
    assert [json.loads(body)["project"] for body in dead] == ["nosuch"]
    # and its nine batch-mates were stored, once each, and the ingest queue is empty
    stored = [blobs.get_if_stored(blobs.objectstore_key("talos", row_id)) for row_id in range(1, 11)]
    assert [blob is not None for blob in stored] == [True] * 9 + [False]
    assert _counts(INGEST) == (0, 0)

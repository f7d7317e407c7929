"""Sending messages to Shipyard's SQS queues."""

from __future__ import annotations

import functools
import json
from typing import Any

from chalicelib import config
from chalicelib.store.clients import client


@functools.cache
def queue_url(logical: str) -> str:
    return client("sqs").get_queue_url(QueueName=config.queue_name(logical))["QueueUrl"]


@functools.cache
def max_receive_count(logical: str) -> int | None:
    """Deliveries before SQS moves a message of this queue to its DLQ (its redrive policy), if it has one.

    A worker reads it once per process, to know a delivery is the last one.
    """
    attributes = client("sqs").get_queue_attributes(QueueUrl=queue_url(logical),
                                                    AttributeNames=["RedrivePolicy"])["Attributes"]
    policy = attributes.get("RedrivePolicy")
    return int(json.loads(policy)["maxReceiveCount"]) if policy else None


def send(logical: str, message: dict[str, Any], delay_seconds: int = 0) -> str:
    """Send a JSON message (delivered after ``delay_seconds``, at most 900); returns its SQS message id."""
    extra = {"DelaySeconds": delay_seconds} if delay_seconds else {}
    response = client("sqs").send_message(QueueUrl=queue_url(logical), MessageBody=json.dumps(message), **extra)
    return response["MessageId"]


def send_ordered(logical: str, message: dict[str, Any], group: str, dedup_id: str) -> str:
    """Send to a FIFO queue: messages of one ``group`` are delivered one at a time, in order."""
    response = client("sqs").send_message(
        QueueUrl=queue_url(logical), MessageBody=json.dumps(message),
        MessageGroupId=group, MessageDeduplicationId=dedup_id)
    return response["MessageId"]


@functools.cache
def dead_letter_url(logical: str) -> str:
    return client("sqs").get_queue_url(QueueName=config.dead_letter_queue_name(logical))["QueueUrl"]


def dead_letters(logical: str, count: int = 10, hide_seconds: int = 30) -> list[tuple[str, str]]:
    """Up to ``count`` messages waiting in the queue's DLQ, as (body, receipt handle), hidden ``hide_seconds``."""
    response = client("sqs").receive_message(QueueUrl=dead_letter_url(logical), MaxNumberOfMessages=count,
                                             VisibilityTimeout=hide_seconds)
    return [(m["Body"], m["ReceiptHandle"]) for m in response.get("Messages", [])]


def forget_dead_letter(logical: str, receipt_handle: str) -> None:
    client("sqs").delete_message(QueueUrl=dead_letter_url(logical), ReceiptHandle=receipt_handle)


def dead_letter(logical: str, body: str, reason: str, source_message_id: str | None = None) -> str:
    """Put a message no retry can fix on the queue's DLQ, as received, with why (message attributes)."""
    url = client("sqs").get_queue_url(QueueName=config.dead_letter_queue_name(logical))["QueueUrl"]
    attributes = {"reason": {"DataType": "String", "StringValue": reason[:2000] or "unknown"}}
    if source_message_id:
        attributes["source_message_id"] = {"DataType": "String", "StringValue": source_message_id}
    response = client("sqs").send_message(QueueUrl=url, MessageBody=body or "(empty)", MessageAttributes=attributes)
    return response["MessageId"]


def reset() -> None:
    queue_url.cache_clear()
    dead_letter_url.cache_clear()
    max_receive_count.cache_clear()

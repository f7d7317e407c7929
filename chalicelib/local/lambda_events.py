"""What Lambda hands a handler: the SQS and scheduled events, the context, and how a batch response is read.

Shapes as Lambda's SQS event source mapping and EventBridge send them, so a
handler the local pump invokes sees what it sees on AWS.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from typing import Any

from chalicelib import config

ACCOUNT_ID = "123456789012"  # moto's default account
DEFAULT_MEMORY_MB = 128
DEFAULT_TIMEOUT_SECONDS = 60


class LambdaContext:
    """The parts of Lambda's context object handlers use."""

    def __init__(self, function_name: str, memory_limit_in_mb: int = DEFAULT_MEMORY_MB,
                 timeout_seconds: int = DEFAULT_TIMEOUT_SECONDS) -> None:
        self.aws_request_id = str(uuid.uuid4())
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:{config.region()}:{ACCOUNT_ID}:function:{function_name}"
        self.memory_limit_in_mb = memory_limit_in_mb
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = f"local/{self.aws_request_id}"
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def scheduled_event(rule_name: str) -> dict[str, Any]:
    """The event EventBridge sends a scheduled Lambda."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT_ID,
        "time": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": config.region(),
        "resources": [],
        "detail": {},
    }


def _lambda_message_attributes(attributes: dict[str, Any]) -> dict[str, Any]:
    """SQS API message attributes in the shape Lambda hands them to a function."""
    out = {}
    for name, attr in attributes.items():
        out[name] = {
            "stringValue": attr.get("StringValue"),
            "binaryValue": attr.get("BinaryValue"),
            "stringListValues": attr.get("StringListValues", []),
            "binaryListValues": attr.get("BinaryListValues", []),
            "dataType": attr.get("DataType"),
        }
    return out


def sqs_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    """The event Lambda's SQS event source mapping sends for a batch."""
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": dict(m.get("Attributes", {})),
                "messageAttributes": _lambda_message_attributes(m.get("MessageAttributes", {})),
                "md5OfBody": m["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": config.region(),
            }
            for m in messages
        ]
    }


def batch_item_failures(response: Any, message_ids: list[str]) -> set[str] | None:
    """The messages a handler's return value asks to redeliver; None when the whole batch failed.

    Lambda's rules for SQS with ``ReportBatchItemFailures``: no response, an
    empty one, or an empty or null ``batchItemFailures`` list is complete
    success; an ``itemIdentifier`` that is missing, empty, null or not a
    message id of the batch is complete failure, and so is a response that is
    not that JSON object.
    """
    if response is None:
        return set()
    if not isinstance(response, dict):
        return None
    items = response.get("batchItemFailures")
    if items is None:
        return set()
    if not isinstance(items, list):
        return None
    failed = set()
    for item in items:
        identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not isinstance(identifier, str) or identifier not in message_ids:
            return None
        failed.add(identifier)
    return failed

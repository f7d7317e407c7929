"""Test helpers for delivery faults: redelivery after a crash, state snapshots, draining to quiet."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from chalicelib import config
from chalicelib.local.pump import Pump
from chalicelib.store.clients import client

# Attributes that differ between two runs of the same work for reasons that are not state:
# clocks, and the ids of the Lambda invocations that did the work.
VOLATILE = {"date_loaded", "worker_id", "expires_at", "created_at", "last_sync", "timestamp", "computed_at",
            "stored_at", "updated_at", "received_at"}


class CrashBeforeDelete:
    """Installs into ``Pump``: each message's first delivery runs its handler, then is not deleted.

    As if the Lambda died between its writes and SQS's delete: the message
    becomes visible again after the visibility timeout and is delivered a
    second time, with the same message id.
    """

    def __init__(self) -> None:
        self.first_deliveries: set[str] = set()
        self.redelivered: set[str] = set()

    def install(self, monkeypatch: Any) -> CrashBeforeDelete:
        original = Pump._delete
        crash = self

        def _delete(pump: Pump, name: str, queue: Any, messages: list[dict[str, Any]]) -> int:
            again = [m for m in messages if m["MessageId"] in crash.first_deliveries]
            crash.redelivered.update(m["MessageId"] for m in again)
            crash.first_deliveries.update(m["MessageId"] for m in messages)
            return original(pump, name, queue, again) if again else 0

        monkeypatch.setattr(Pump, "_delete", _delete)
        return self


def _queue_counts(name: str) -> int:
    sqs = client("sqs")
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def drain_until_quiet(pump: Pump, logical_queues: tuple[str, ...], timeout: float = 30.0) -> None:
    """Deliver until every named queue is empty, in flight included (bounded by ``timeout``)."""
    names = [config.queue_name(q) for q in logical_queues]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name in names:
            pump.drain(name)
        if all(_queue_counts(name) == 0 for name in names):
            return
        time.sleep(0.2)
    raise AssertionError(f"queues not quiet after {timeout} s: {[(n, _queue_counts(n)) for n in names]}")


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in sorted(value.items()) if k not in VOLATILE}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, set):
        return sorted(_plain(v) for v in value)
    return value


def snapshot() -> dict[str, Any]:
    """Every table's items and every blob's digest (tests only: Scans), without volatile attributes."""
    dynamodb, deserializer = client("dynamodb"), TypeDeserializer()
    state: dict[str, Any] = {}
    for logical in config.TABLES:
        items = []
        for page in dynamodb.get_paginator("scan").paginate(TableName=config.table_name(logical)):
            items.extend(_plain({k: deserializer.deserialize(v) for k, v in item.items()}) for item in page["Items"])
        state[logical] = sorted(items, key=repr)
    s3 = client("s3")
    objects = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=config.bucket_name()):
        for entry in page.get("Contents", []):
            body = s3.get_object(Bucket=config.bucket_name(), Key=entry["Key"])["Body"].read()
            objects[entry["Key"]] = hashlib.sha256(body).hexdigest()
    state["s3"] = objects
    return state


def pynamodb_models() -> list[type]:
    """Every PynamoDB model with a table, among those imported (``chalicelib.store``'s at least)."""
    from pynamodb.models import Model

    import chalicelib.store  # noqa: F401 - the models register as Model subclasses when imported

    found, stack = [], list(Model.__subclasses__())
    while stack:
        model = stack.pop()
        stack.extend(model.__subclasses__())
        if getattr(getattr(model, "Meta", None), "table_name", None):
            found.append(model)
    return found


class Fault:
    """A failing AWS operation, injected with botocore ``before-parameter-build`` event hooks.

    Hooks go on Shipyard's boto3 clients and on every PynamoDB model's client,
    so the fault hits the operation whoever calls it. ``remaining`` calls fail
    (None: until cleared), only those whose request ``when(params)`` picks;
    ``hits`` counts the failures served.
    """

    def __init__(self, service: str, operation: str, remaining: int | None = None,
                 code: str = "ServiceUnavailable", when: Any = None) -> None:
        self.service, self.operation, self.remaining, self.code = service, operation, remaining, code
        self.when = when or (lambda params: True)
        self.hits = 0
        self._registered: list[Any] = []

    def _fail(self, params: dict[str, Any], **kwargs: Any) -> None:
        from botocore.exceptions import ClientError

        if (self.remaining is not None and self.remaining <= 0) or not self.when(params):
            return
        if self.remaining is not None:
            self.remaining -= 1
        self.hits += 1
        raise ClientError({"Error": {"Code": self.code, "Message": "injected fault"},
                           "ResponseMetadata": {"HTTPStatusCode": 503}}, self.operation)

    def __enter__(self) -> Fault:
        event = f"before-parameter-build.{self.service}.{self.operation}"
        clients = [client(self.service)]
        if self.service == "dynamodb":
            clients += [model._get_connection().connection.client for model in pynamodb_models()]
        for botocore_client in {id(c): c for c in clients}.values():
            botocore_client.meta.events.register(event, self._fail)
            self._registered.append(botocore_client)
        return self

    def __exit__(self, *exc: Any) -> None:
        event = f"before-parameter-build.{self.service}.{self.operation}"
        for botocore_client in self._registered:
            botocore_client.meta.events.unregister(event, self._fail)
        self._registered.clear()

"""moto as the local stack's embedded AWS: one set of backends, atomic calls, every change reported.

The app, the workers and the pump live in the same process as moto. Their
boto3 and PynamoDB clients reach moto's backends in process (moto's
``mock_aws`` patches botocore's send), while moto's HTTP server stays up on
the loopback interface for external tools (the ``shipyard`` command, the AWS
CLI) and serves the very same backends. Production code does not change: the
clients are the ones it always makes, only the transport differs.

Two things DynamoDB and SQS guarantee and moto, written for single-threaded
tests, does not:

- **Atomicity.** moto checks a condition and then writes, with no lock in
  between, and an SQS receive marks messages in flight without one either.
  Every DynamoDB, S3 and SQS request here runs under one process-wide lock
  (requests are micro- to milliseconds in memory; the handlers' own work runs
  outside it). A long-polling ``ReceiveMessage`` does not hold the lock while it
  waits: it tries under the lock and waits outside it.
- **Durability.** Every request that changed something reports, under the same
  lock, what it changed (the new image of each item, object and message it
  touched, or its deletion) to a ``ChangeSink``; the sink appends those
  records to its journal and, once the lock is released, makes them durable
  before the request's response is returned. A transaction or a batch is one
  record group, appended whole or not at all.

The records are the images of ``journal_images``; ``snapshots.apply`` puts
them back into the backends (a snapshot or a journal being replayed), and
``snapshots.state`` reads the backends whole for a snapshot. DynamoDB answers
are written and read by member, not by shape walk (``dynamodb_json``), and
moto's slowest habits are guarded (``moto_guards``, ``value_guards``,
``expression_guards``, ``sqs_guards``, ``s3_guards``).
"""

from __future__ import annotations

import contextlib
import functools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Iterator, Protocol

from chalicelib.local import (
    direct_dynamodb,
    dynamodb_json,
    expression_guards,
    moto_guards,
    s3_guards,
    sqs_guards,
    value_guards,
)
from chalicelib.local.journal_images import item_image, message_record, object_image, to_json
from chalicelib.local.moto_backends import dynamodb, s3, sqs

LOCK = threading.RLock()
_local = threading.local()
_installed = False
_originals: list[tuple[type, str, Any | None]] = []
_mock: Any = None


class ChangeSink(Protocol):
    """Where the changes of each request go (the journal)."""

    def append(self, records: list[dict[str, Any]]) -> Any:
        """Called under ``LOCK`` with one request's changes; returns a token for ``sync``."""

    def sync(self, token: Any) -> None:
        """Called outside the lock; returns once the records of ``token`` are durable."""


_sink: ChangeSink | None = None


class _Refusing:
    """The sink of a stack that is stopping: a change now could not be made durable, so it fails."""

    def append(self, records: list[dict[str, Any]]) -> Any:
        raise RuntimeError("the local stack is stopping: the change was not saved")

    def sync(self, token: Any) -> None:
        """Nothing was appended."""


REFUSING = _Refusing()


def set_sink(sink: ChangeSink | None) -> None:
    """Start (or, with None, stop) reporting changes."""
    global _sink
    _sink = sink


@dataclass
class _Touched:
    items: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    objects: dict[tuple[str, str], None] = field(default_factory=dict)
    messages: list[dict[str, Any]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.items or self.objects or self.messages)


def _touched() -> _Touched | None:
    return getattr(_local, "touched", None)


# --- frames: one request, under the lock, its changes committed whole ---------------------------


def _succeeded(result: Any) -> bool:
    if isinstance(result, tuple) and result and isinstance(result[0], int):
        return result[0] < 400
    return True


def _framed(call: Any, region_of: Any) -> Any:
    @functools.wraps(call)
    def framed(*args: Any, **kwargs: Any) -> Any:
        if _touched() is not None:  # nested in a request already framed
            return call(*args, **kwargs)
        token = sink = None
        with LOCK:
            _local.touched = _Touched()
            try:
                result = call(*args, **kwargs)
                touched, sink = _local.touched, _sink
                if touched and sink is not None and _succeeded(result):
                    token = sink.append(_records(touched, region_of(args)))
            finally:
                _local.touched = None
        if token is not None and sink is not None:
            deferred = getattr(_local, "deferred", None)
            if deferred is None:
                sink.sync(token)
            else:
                deferred[id(sink)] = (sink, token)  # synced once, before the answer goes out
        return result

    return framed


@contextlib.contextmanager
def one_answer() -> Iterator[None]:
    """Within: the changes made by this thread are made durable together, by ``flush`` or at the end.

    Every change is in the journal file (the page cache: it survives the
    process being killed) before its AWS call returns; the disk flush that
    makes it survive a power cut waits until the work's answer is about to go
    out (an HTTP response, the end of a handler invocation): one flush per
    answer instead of one per AWS call. The journal is sequential, so that
    flush covers every earlier change too.
    """
    if getattr(_local, "deferred", None) is not None:
        yield
        return
    _local.deferred = {}
    try:
        yield
    finally:
        try:
            flush()
        finally:
            _local.deferred = None


def flush() -> None:
    """Make this thread's changes so far durable (before an answer is sent)."""
    deferred = getattr(_local, "deferred", None)
    if deferred:
        pending = list(deferred.values())
        deferred.clear()
        for sink, token in pending:
            sink.sync(token)


def _region_of_response(args: tuple[Any, ...]) -> str:
    return getattr(args[0], "region", None) or _default_region()


def _region_of_backend(args: tuple[Any, ...]) -> str:
    return getattr(args[0], "region_name", None) or _default_region()


def _default_region() -> str:
    from chalicelib import config

    return config.region()


def _records(touched: _Touched, region: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    if touched.items:
        ddb = dynamodb(region)
        for (table_name, _), key in touched.items.items():
            records.append({"kind": "item", "table": table_name, "key": {k: to_json(v) for k, v in key.items()},
                            "item": item_image(ddb, table_name, key)})
    if touched.objects:
        bucket_store = s3()
        for bucket_name, key_name in touched.objects:
            records.append(object_image(bucket_store, bucket_name, key_name))
    records.extend(touched.messages)
    return records


# --- what each backend operation touched --------------------------------------------------------


def _noting_item(call: Any, key_of: Any) -> Any:
    @functools.wraps(call)
    def noting(self: Any, table_name: str, *args: Any, **kwargs: Any) -> Any:
        touched = _touched()
        if touched is not None:
            key = key_of(self, table_name, *args, **kwargs)
            if key is not None:
                touched.items[(table_name, json.dumps(key, sort_keys=True, default=str))] = key
        return call(self, table_name, *args, **kwargs)

    return noting


def _key_of_put(backend: Any, table_name: str, item_attrs: dict[str, Any], *_: Any, **__: Any) -> Any:
    table = backend.tables.get(table_name)
    if table is None or table.hash_key_attr not in item_attrs:
        return None
    key = {table.hash_key_attr: item_attrs[table.hash_key_attr]}
    if table.range_key_attr is not None:
        if table.range_key_attr not in item_attrs:
            return None
        key[table.range_key_attr] = item_attrs[table.range_key_attr]
    return key


def _key_of_keyed(_backend: Any, _table_name: str, key: dict[str, Any], *_: Any, **__: Any) -> Any:
    return key


def _noting_object(call: Any) -> Any:
    @functools.wraps(call)
    def noting(self: Any, bucket_name: str, key_name: str, *args: Any, **kwargs: Any) -> Any:
        touched = _touched()
        if touched is not None:
            touched.objects[(bucket_name, key_name)] = None
        return call(self, bucket_name, key_name, *args, **kwargs)

    return noting


def _noting_add_message(call: Any) -> Any:
    @functools.wraps(call)
    def noting(self: Any, message: Any) -> Any:
        result = call(self, message)
        touched = _touched()
        if touched is not None and any(m is message for m in reversed(self._messages)):
            touched.messages.append(message_record(self, message))
        _changed(self)
        return result

    return noting


def _noting_delete_message(call: Any) -> Any:
    @functools.wraps(call)
    def noting(self: Any, receipt_handle: str) -> Any:
        gone = [m.id for m in self._messages if m.had_receipt_handle(receipt_handle)]
        result = call(self, receipt_handle)
        touched = _touched()
        if touched is not None:
            touched.messages.extend({"kind": "unmessage", "queue": self.name, "id": i} for i in gone)
        _changed(self)  # a FIFO group in flight may be free again
        return result

    return noting


def _visibility_changed(call: Any) -> Any:
    @functools.wraps(call)
    def changed(self: Any, queue_name: str, *args: Any, **kwargs: Any) -> Any:
        result = call(self, queue_name, *args, **kwargs)
        _changed(self.get_queue(queue_name))
        return result

    return changed


def _noting_purge(call: Any) -> Any:
    @functools.wraps(call)
    def noting(self: Any, queue_name: str) -> Any:
        result = call(self, queue_name)
        touched = _touched()
        if touched is not None:
            touched.messages.append({"kind": "purge", "queue": queue_name})
        return result

    return noting


# --- SQS: receive atomically, wait outside the lock --------------------------------------------
#
# A long poll that finds nothing deliverable sleeps until something could change that: a message sent,
# one deleted (its FIFO group may be free), a visibility changed, the next moment a message in flight or
# delayed becomes visible, or ``wake_receivers`` (a pump stopping). Each queue counts those changes, so a
# change between the attempt and the wait is not missed. An idle stack's pollers therefore cost nothing
# between their 20-second long polls (they used to look again every second, or every 0.2 s while a FIFO
# group was in flight).

_CHANGES = "_shipyard_changes"
_wake_epoch = 0


def _changed(queue: Any) -> None:
    with queue._messages_lock:
        setattr(queue, _CHANGES, getattr(queue, _CHANGES, 0) + 1)
        queue._messages_lock.notify_all()


def wake_receivers(region: str | None = None) -> None:
    """End every long poll in progress now, with what it has (nothing): a pump is stopping."""
    global _wake_epoch
    _wake_epoch += 1
    for queue in list(sqs(region or _default_region()).queues.values()):
        _changed(queue)


def _until_next_visible(queue: Any, longest: float) -> float:
    """Seconds until a message of ``queue`` now in flight or delayed becomes visible (at most ``longest``)."""
    now_ms = time.time() * 1000
    soonest = now_ms + longest * 1000
    for message in queue._messages:
        for moment in (message.visible_at, message.delayed_until):
            if now_ms < moment < soonest:
                soonest = moment
    return max(0.005, (soonest - now_ms) / 1000)


def _atomic_receive(call: Any) -> Any:
    framed_once = _framed(call, _region_of_backend)

    @functools.wraps(call)
    def receive_message(self: Any, queue_name: str, count: int, wait_seconds_timeout: int,
                        visibility_timeout: int, *args: Any, **kwargs: Any) -> Any:
        deadline = time.monotonic() + float(wait_seconds_timeout or 0)
        epoch = _wake_epoch
        while True:
            queue = self.get_queue(queue_name)
            seen = getattr(queue, _CHANGES, 0)
            result = framed_once(self, queue_name, count, 0, visibility_timeout, *args, **kwargs)
            remaining = deadline - time.monotonic()
            if result or remaining <= 0 or epoch != _wake_epoch:
                return result
            with queue._messages_lock:
                queue._messages_lock.wait_for(lambda q=queue, n=seen: getattr(q, _CHANGES, 0) != n,
                                              timeout=_until_next_visible(queue, remaining))

    return receive_message


def _framed_sqs_call_action(call: Any) -> Any:
    framed = _framed(call, _region_of_response)

    @functools.wraps(call)
    def call_action(self: Any) -> Any:
        if self._get_action() == "ReceiveMessage":
            return call(self)  # the backend's receive frames itself
        return framed(self)

    return call_action


# --- CloudFormation: a JSON template read as JSON ------------------------------------------------


def _json_first(parse: Any) -> Any:
    """moto reads every template with PyYAML's pure-Python loader (seconds for infra/resources.json);
    JSON is YAML, so a template that is JSON gives the same document read by ``json``."""

    @functools.wraps(parse)
    def parse_template(template: str) -> dict[str, Any]:
        try:
            return json.loads(template)
        except ValueError:
            return parse(template)

    return staticmethod(parse_template)


# --- installing ---------------------------------------------------------------------------------


def install() -> None:
    """Make every DynamoDB, S3 and SQS request of this process atomic and reported (idempotent)."""
    global _installed
    if _installed:
        return
    moto_guards.install()
    sqs_guards.install()
    s3_guards.install()
    expression_guards.install()
    value_guards.install()
    from botocore.parsers import BaseJSONParser
    from botocore.serialize import JSONSerializer
    from moto.cloudformation.models import Stack
    from moto.core.parse import BaseJSONParser as MotoJSONParser
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.responses import DynamoHandler, DynamoResult
    from moto.s3.models import S3Backend
    from moto.s3.responses import S3Response
    from moto.sqs.models import Queue, SQSBackend
    from moto.sqs.responses import SQSResponse

    for owner, name, wrap in (
        (DynamoHandler, "call_action", lambda f: _framed(f, _region_of_response)),
        (S3Response, "key_response", lambda f: _framed(f, _region_of_response)),
        (S3Response, "bucket_response", lambda f: _framed(f, _region_of_response)),
        (SQSResponse, "call_action", _framed_sqs_call_action),
        (SQSBackend, "receive_message", _atomic_receive),
        (DynamoDBBackend, "put_item", lambda f: _noting_item(f, _key_of_put)),
        (DynamoDBBackend, "update_item", lambda f: _noting_item(f, _key_of_keyed)),
        (DynamoDBBackend, "delete_item", lambda f: _noting_item(f, _key_of_keyed)),
        (S3Backend, "put_object", _noting_object),
        (S3Backend, "delete_object", _noting_object),
        (Queue, "add_message", _noting_add_message),
        (Queue, "delete_message", _noting_delete_message),
        (SQSBackend, "change_message_visibility", _visibility_changed),
        (SQSBackend, "purge_queue", _noting_purge),
        (Stack, "parse_template", _json_first),
        (DynamoResult, "execute_result", dynamodb_json._direct_json),
        (DynamoResult, "__init__", dynamodb_json._plain_result),
        (BaseJSONParser, "_handle_structure", dynamodb_json._attribute_values_direct),
        (JSONSerializer, "_serialize_type_structure", dynamodb_json._attribute_values_written),
        (MotoJSONParser, "_parse_structure", dynamodb_json._attribute_values_read),
    ):
        _originals.append((owner, name, owner.__dict__.get(name)))  # None: inherited
        setattr(owner, name, wrap(getattr(owner, name)))
    _installed = True


def uninstall() -> None:
    """Give moto back its own methods (tests that install in a shared test process)."""
    global _installed
    while _originals:
        owner, name, original = _originals.pop()
        if original is None:
            delattr(owner, name)
        else:
            setattr(owner, name, original)
    value_guards.uninstall()
    expression_guards.uninstall()
    s3_guards.uninstall()
    sqs_guards.uninstall()
    moto_guards.uninstall()
    _installed = False


def start_in_process() -> None:
    """Route this process's AWS clients to moto's backends in process (keeps existing data)."""
    global _mock
    from moto import mock_aws

    install()
    direct_dynamodb.install()
    if _mock is None:
        _mock = mock_aws()
        _mock.start(reset=False)


def stop_in_process() -> None:
    global _mock
    direct_dynamodb.uninstall()
    if _mock is not None:
        _mock.stop(remove_data=False)
        _mock = None


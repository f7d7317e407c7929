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

``apply`` puts records back into the backends (a snapshot or a journal being
replayed), and ``state`` reads the backends whole for a snapshot.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Protocol

from chalicelib.local import direct_dynamodb, expression_guards, moto_guards, s3_guards, sqs_guards

ACCOUNT_ID = "123456789012"  # moto's default account
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


# --- DynamoDB JSON with binary values as base64 (moto keeps them as bytes) --------------------


def to_json(value: dict[str, Any]) -> dict[str, Any]:
    """One attribute value, JSON-serialisable."""
    (kind, inner), = value.items()
    if kind == "B":
        return {"B": base64.b64encode(_bytes(inner)).decode("ascii")}
    if kind == "BS":
        return {"BS": [base64.b64encode(_bytes(b)).decode("ascii") for b in inner]}
    if kind == "M":
        return {"M": {k: to_json(v) for k, v in inner.items()}}
    if kind == "L":
        return {"L": [to_json(v) for v in inner]}
    return {kind: inner}


def from_json(value: dict[str, Any]) -> dict[str, Any]:
    """The inverse of ``to_json``."""
    (kind, inner), = value.items()
    if kind == "B":
        return {"B": base64.b64decode(inner)}
    if kind == "BS":
        return {"BS": [base64.b64decode(b) for b in inner]}
    if kind == "M":
        return {"M": {k: from_json(v) for k, v in inner.items()}}
    if kind == "L":
        return {"L": [from_json(v) for v in inner]}
    return value


def _bytes(value: Any) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode()


# --- backends ----------------------------------------------------------------------------------


def _dynamodb(region: str) -> Any:
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[ACCOUNT_ID][region]


def _s3() -> Any:
    from moto.s3.models import s3_backends

    return s3_backends[ACCOUNT_ID]["aws"]


def _sqs(region: str) -> Any:
    from moto.sqs.models import sqs_backends

    return sqs_backends[ACCOUNT_ID][region]


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
        ddb = _dynamodb(region)
        for (table_name, _), key in touched.items.items():
            records.append({"kind": "item", "table": table_name, "key": {k: to_json(v) for k, v in key.items()},
                            "item": _item_image(ddb, table_name, key)})
    if touched.objects:
        s3 = _s3()
        for bucket_name, key_name in touched.objects:
            records.append(_object_image(s3, bucket_name, key_name))
    records.extend(touched.messages)
    return records


def _item_image(ddb: Any, table_name: str, key: dict[str, Any]) -> dict[str, Any] | None:
    try:
        item = ddb.get_item(table_name, key)
    except Exception:  # noqa: BLE001 - the table went away: the item did too
        return None
    if item is None:
        return None
    return journal_image(item)


def journal_image(item: Any) -> dict[str, Any]:
    """An item's image for the journal or a snapshot: JSON with ``json_default`` (binary values as base64).

    The same JSON text as ``image_of``: the plain values the item was built from
    when it has not changed since (``moto_guards.plain_attributes``, binary
    values as bytes, which ``json_default`` writes in base64 as ``to_json``
    does), else ``image_of``'s walk of the item. The walk was most of the cost
    of journaling a run's metrics.
    """
    plain = moto_guards.plain_attributes(item)
    return plain if plain is not None else image_of(item)


def json_default(value: Any) -> Any:
    """``json.dumps``'s ``default`` for journal and snapshot records: bytes as base64 text."""
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def image_of(item: Any) -> dict[str, Any]:
    """An item's attributes as journal JSON: ``to_json`` of each of moto's ``Item.to_json()`` values.

    In one pass over the item: moto's ``to_json`` deep-copies each nested value
    once for every map or list it sits in, which made journaling a large item
    (a run's metrics: a hundred pages of results) cost more than storing it.
    """
    from moto.dynamodb.models.dynamo_type import DynamoType

    def image(value: Any, top: bool = False) -> dict[str, Any]:
        kind, inner = value.type, value.value
        if isinstance(inner, dict):
            if kind != "M" or (top and not all(isinstance(v, DynamoType) for v in inner.values())):
                return _slow_image(value, top)
            return {"M": {k: image(v) if isinstance(v, DynamoType) else to_json(v) for k, v in inner.items()}}
        if isinstance(inner, list):
            if kind == "L":
                return {"L": [image(v) if isinstance(v, DynamoType) else to_json(v) for v in inner]}
            if any(isinstance(v, DynamoType) for v in inner):
                return _slow_image(value, top)
            if kind == "BS":
                return {"BS": [base64.b64encode(_bytes(b)).decode("ascii") for b in inner]}
            return {kind: list(inner)}
        if kind == "B":
            # Item.to_json hands a top-level binary over as stored; to_regular_json decodes a nested one.
            raw = inner if top or not isinstance(inner, str) else base64.b64decode(inner)
            return {"B": base64.b64encode(_bytes(raw)).decode("ascii")}
        return {kind: inner}

    return {name: image(value, top=True) for name, value in item.attrs.items()}


def _slow_image(value: Any, top: bool) -> dict[str, Any]:
    """moto's own way, for shapes moto itself never stores (a map typed otherwise, mixed lists)."""
    from moto.dynamodb.models.dynamo_type import Item

    if not top:
        return to_json(value.to_regular_json())
    holder = Item.__new__(Item)
    holder.attrs = {"_": value}
    return to_json(holder.to_json()["Attributes"]["_"])


def _object_image(s3: Any, bucket_name: str, key_name: str) -> dict[str, Any]:
    record: dict[str, Any] = {"kind": "object", "bucket": bucket_name, "key": key_name, "body": None}
    bucket = s3.buckets.get(bucket_name)
    found = bucket.keys.get(key_name) if bucket is not None else None
    if found is not None:
        record["body"] = found.value
        record["metadata"] = dict(found.metadata)
    return record


def _message_record(queue: Any, message: Any) -> dict[str, Any]:
    return {
        "kind": "message", "queue": queue.name, "id": message.id, "body": message.body,
        "attributes": _jsonable(message.message_attributes), "group": message.group_id,
        "dedup": message.deduplication_id, "sequence": message.sequence_number,
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"__b64__": base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def _from_jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"__b64__"}:
            return base64.b64decode(value["__b64__"])
        return {k: _from_jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_jsonable(v) for v in value]
    return value


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
            touched.messages.append(_message_record(self, message))
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
    for queue in list(_sqs(region or _default_region()).queues.values()):
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


# --- DynamoDB answers: item data to JSON directly ------------------------------------------------

# Operations whose output is item data (attribute values, counts, keys, capacity): the wire JSON is the
# result itself, binary values in base64. moto walks botocore's output shape for every value instead,
# which was more than half of each worker's time.
DIRECT_JSON_OPERATIONS = frozenset({
    "GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem",
    "TransactGetItems", "TransactWriteItems",
})


def _wire(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"{type(value).__name__} in a DynamoDB answer")


# The keys of a DynamoDB attribute value ({"S": "x"}, {"M": {...}}, ...): item data, which holds no None.
_ATTRIBUTE_TYPES = frozenset({"S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"})


def _without_none(value: Any) -> Any:
    """The answer without its absent (None) members; item data is passed as it is, not walked."""
    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)) in _ATTRIBUTE_TYPES:
            return value
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


def _plain(original: Any) -> Any:
    """moto's ``dynamo_to_dict`` (attribute values to plain dicts, binary as bytes), in one pass.

    moto's asks of every node whether it is a datetime, an attribute value,
    something with ``to_json``, a dict or a list, recursively through every
    page of every item; here an attribute value is expanded by its type, and
    anything that is not an attribute value, a plain dict or a plain list goes
    to moto's own function, so the result is the same.
    """
    from moto.dynamodb.models.dynamo_type import DynamoType, LimitedSizeDict

    def plain(obj: Any) -> Any:
        kind = type(obj)
        if kind is DynamoType:
            t = obj.type
            if t == "M":
                return {"M": {k: plain(v) for k, v in obj.value.items()}}
            if t == "L":
                return {"L": [plain(v) for v in obj.value]}
            if t in ("B", "BS"):
                return original(obj)
            value = obj.value
            return {t: plain(value) if type(value) in (dict, list) else value}
        if kind is dict or kind is LimitedSizeDict:  # the latter: an item's attributes
            return {k: plain(v) for k, v in obj.items()}
        if kind is list:
            return [plain(v) for v in obj]
        if kind in (str, int, bool, type(None)):
            return obj
        return original(obj)

    return plain


def _plain_result(init: Any) -> Any:
    from moto.core.responses import ActionResult
    from moto.dynamodb.models.utilities import dynamo_to_dict

    plain = _plain(dynamo_to_dict)

    @functools.wraps(init)
    def __init__(self: Any, result: object) -> None:
        ActionResult.__init__(self, plain(result))

    return __init__


def _direct_json(execute: Any) -> Any:
    @functools.wraps(execute)
    def execute_result(self: Any, context: Any) -> Any:
        if context.operation_model.name not in DIRECT_JSON_OPERATIONS or not isinstance(self.result, dict):
            return execute(self, context)

        status, headers = _empty_answer(context)
        answer = getattr(_local, "answer", None)
        if answer is not None:  # a call made in process takes the result itself (direct_dynamodb)
            answer.result = self.result
            return status, headers, ""
        return status, headers, json.dumps(_without_none(self.result), default=_wire)

    return execute_result


class _Empty:
    result: dict[str, Any] = {}


_EMPTY_ANSWERS: dict[tuple[str, type], tuple[int, dict[str, str]]] = {}


def _empty_answer(context: Any) -> tuple[int, dict[str, str]]:
    """The status and headers moto's serializer gives an empty answer of the operation (the same every time:
    worked out once per operation; a copy of the headers each call, as they are added to)."""
    from moto.core.responses import ActionResult

    key = (context.operation_model.name, context.serializer_class)
    found = _EMPTY_ANSWERS.get(key)
    if found is None:
        status, headers, _ = ActionResult.execute_result(_Empty(), context)
        found = _EMPTY_ANSWERS[key] = (status, dict(headers))
    return found[0], dict(found[1])


@dataclass
class PlainAnswer:
    """The result of a DynamoDB item operation, as plain values, for a caller in this thread."""

    result: dict[str, Any] | None = None


@contextlib.contextmanager
def plain_answers() -> Iterator[PlainAnswer]:
    """Within: this thread's DynamoDB item answer is handed over as data, its JSON body left empty."""
    outer = getattr(_local, "answer", None)
    _local.answer = answer = PlainAnswer()
    try:
        yield answer
    finally:
        _local.answer = outer


# --- the client's side: DynamoDB attribute values parsed in one pass ------------------------------

_ATTRIBUTE_VALUE_MEMBERS = ("S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL")


def _attribute_values_direct(handle_structure: Any) -> Any:
    """botocore's JSON parser, reading a DynamoDB ``AttributeValue`` without its per-node shape walk.

    botocore parses every attribute value of an answer by looking up the handler
    of each member's shape, node by node: for a run's metrics (a hundred pages
    of results, read a window at a time) that was a quarter of the pipeline's
    CPU. A well-formed attribute value (one member, not null) parses to the
    same dict by its member alone: strings, numbers and booleans as they are,
    binary values through the parser's blob parser, sets and lists element by
    element (a null element stays null, as botocore keeps it), maps value by
    value. Anything else is botocore's own walk.
    """

    def direct(parser: Any, value: Any, shape: Any) -> Any:
        if type(value) is not dict or len(value) != 1:
            return handle_structure(parser, shape, value)
        (kind, inner), = value.items()
        if inner is None:
            return handle_structure(parser, shape, value)
        if kind in ("S", "N", "BOOL", "NULL"):
            return {kind: inner}
        if kind == "M" and type(inner) is dict:
            return {"M": {k: None if v is None else direct(parser, v, shape) for k, v in inner.items()}}
        if kind == "L" and type(inner) is list:
            return {"L": [None if v is None else direct(parser, v, shape) for v in inner]}
        if kind in ("SS", "NS") and type(inner) is list:
            return {kind: list(inner)}
        if kind == "B":
            return {"B": parser._blob_parser(inner)}
        if kind == "BS" and type(inner) is list:
            return {"BS": [None if v is None else parser._blob_parser(v) for v in inner]}
        return handle_structure(parser, shape, value)

    @functools.wraps(handle_structure)
    def _handle_structure(self: Any, shape: Any, value: Any) -> Any:
        if shape.name == "AttributeValue" and tuple(shape.members) == _ATTRIBUTE_VALUE_MEMBERS:
            return direct(self, value, shape)
        return handle_structure(self, shape, value)

    return _handle_structure


class _Walk(Exception):
    """An attribute value the direct path does not take: the shape walk it falls back to decides."""


def _attribute_values_written(serialize_structure: Any) -> Any:
    """botocore's JSON serializer, writing a DynamoDB ``AttributeValue`` by member, not by shape walk.

    The same JSON as botocore's walk for what PynamoDB and boto3 send (each
    member as it is, binary values through the serializer's base64, sets and
    lists element by element, maps value by value, in the order given);
    anything else (an unknown member, a null binary) is botocore's own walk,
    which also raises what botocore raises.
    """

    def written(serializer: Any, value: Any) -> dict[str, Any]:
        if type(value) is not dict:
            raise _Walk
        out: dict[str, Any] = {}
        for kind, inner in value.items():
            if kind in ("S", "N", "BOOL", "NULL"):
                out[kind] = inner
            elif kind == "M" and type(inner) is dict:
                out["M"] = {k: written(serializer, v) for k, v in inner.items()}
            elif kind == "L" and type(inner) in (list, tuple):
                out["L"] = [written(serializer, v) for v in inner]
            elif kind in ("SS", "NS") and type(inner) in (list, tuple, set, frozenset):
                out[kind] = list(inner)
            elif kind == "B" and isinstance(inner, (bytes, bytearray, str)):
                out["B"] = serializer._get_base64(inner)
            elif kind == "BS" and type(inner) in (list, tuple, set, frozenset) and all(
                    isinstance(b, (bytes, bytearray, str)) for b in inner):
                out["BS"] = [serializer._get_base64(b) for b in inner]
            else:
                raise _Walk
        return out

    @functools.wraps(serialize_structure)
    def _serialize_type_structure(self: Any, serialized: Any, value: Any, shape: Any, key: Any) -> None:
        if key is not None and shape.name == "AttributeValue" and tuple(shape.members) == _ATTRIBUTE_VALUE_MEMBERS:
            try:
                serialized[key] = written(self, value)
                return
            except _Walk:
                pass
        serialize_structure(self, serialized, value, shape, key)

    return _serialize_type_structure


def _attribute_values_read(parse_structure: Any) -> Any:
    """moto's JSON request parser, reading a DynamoDB ``AttributeValue`` by member (same result).

    moto walks botocore's input shape for every value of every item written;
    a well-formed attribute value (one member) parses to that member as it is,
    binary values through the parser's blob parser, lists and maps element by
    element (a null map value or list element stays null). Anything else is
    moto's own walk.
    """

    def read(parser: Any, value: Any) -> dict[str, Any]:
        if type(value) is not dict or len(value) != 1:
            raise _Walk
        (kind, inner), = value.items()
        if inner is None or kind not in _ATTRIBUTE_VALUE_MEMBERS:
            raise _Walk
        if kind in ("S", "N", "BOOL", "NULL"):
            return {kind: inner}
        if kind == "M" and type(inner) is dict:
            return {"M": {k: None if v is None else read(parser, v) for k, v in inner.items()}}
        if kind == "L" and type(inner) is list:
            return {"L": [None if v is None else read(parser, v) for v in inner]}
        if kind in ("SS", "NS") and type(inner) is list:
            return {kind: list(inner)}
        if kind == "B":
            return {"B": parser._blob_parser(inner)}
        if kind == "BS" and type(inner) is list and None not in inner:
            return {"BS": [parser._blob_parser(b) for b in inner]}
        raise _Walk

    @functools.wraps(parse_structure)
    def _parse_structure(self: Any, shape: Any, value: Any) -> Any:
        if (self.MAP_TYPE is dict and shape.name == "AttributeValue"
                and tuple(shape.members) == _ATTRIBUTE_VALUE_MEMBERS):
            try:
                return read(self, value)
            except _Walk:
                pass
        return parse_structure(self, shape, value)

    return _parse_structure


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
        (DynamoResult, "execute_result", _direct_json),
        (DynamoResult, "__init__", _plain_result),
        (BaseJSONParser, "_handle_structure", _attribute_values_direct),
        (JSONSerializer, "_serialize_type_structure", _attribute_values_written),
        (MotoJSONParser, "_parse_structure", _attribute_values_read),
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


# --- snapshots and replay: reading and writing the backends directly ----------------------------


def _prefixed(names: Iterable[str], prefix: str) -> Iterator[str]:
    head = f"{prefix}-"
    return (n for n in names if n.startswith(head))


def state(prefix: str, region: str, bucket_name: str) -> Iterator[dict[str, Any]]:
    """Every item, object and message of the prefix's resources, as records (call under ``LOCK``)."""
    ddb = _dynamodb(region)
    for table_name in sorted(_prefixed(list(ddb.tables), prefix)):
        for item in ddb.tables[table_name].all_items():
            image = image_of(item)  # walked: written outside the lock, so no value shared with moto
            yield {"kind": "item", "table": table_name, "item": image}
    bucket = _s3().buckets.get(bucket_name)
    if bucket is not None:
        for key_name in list(bucket.keys):
            found = bucket.keys.get(key_name)
            if found is not None:
                yield {"kind": "object", "bucket": bucket_name, "key": key_name, "body": found.value,
                       "metadata": dict(found.metadata)}
    sqs = _sqs(region)
    for queue_name in sorted(_prefixed(list(sqs.queues), prefix)):
        queue = sqs.queues[queue_name]
        for message in list(queue._messages):
            yield _message_record(queue, message)


def apply(records: Iterable[dict[str, Any]], region: str) -> dict[str, int]:
    """Put records back into the backends, in order (call under ``LOCK``, with no sink set).

    Records of tables, buckets or queues that do not exist (any more) are
    skipped and counted under ``skipped``.
    """
    counts = {"items": 0, "objects": 0, "messages": 0, "skipped": 0}
    ddb, s3, sqs = _dynamodb(region), _s3(), _sqs(region)
    where = {m.id: name for name, queue in sqs.queues.items() for m in queue._messages}  # message id -> queue
    for record in records:
        kind = record["kind"]
        if kind == "item":
            if record["table"] not in ddb.tables:
                counts["skipped"] += 1
                continue
            if record["item"] is None:
                key = {k: from_json(v) for k, v in record["key"].items()}
                ddb.tables[record["table"]].delete_item(*_typed_key(ddb.tables[record["table"]], key))
            else:
                ddb.tables[record["table"]].put_item({k: from_json(v) for k, v in record["item"].items()})
            counts["items"] += 1
        elif kind == "object":
            bucket = s3.buckets.get(record["bucket"])
            if bucket is None:
                counts["skipped"] += 1
                continue
            if record["body"] is None:
                if record["key"] in bucket.keys:
                    bucket.keys.pop(record["key"])
            else:
                key = s3.put_object(record["bucket"], record["key"], record["body"], disable_notification=True)
                key.set_metadata(record.get("metadata") or {}, replace=True)
            counts["objects"] += 1
        elif kind == "message":
            if record["queue"] not in sqs.queues:
                counts["skipped"] += 1
                continue
            _remove_message(sqs, where.pop(record["id"], None), record["id"])
            sqs.queues[record["queue"]]._messages.append(_message(record))
            where[record["id"]] = record["queue"]
            counts["messages"] += 1
        elif kind == "unmessage":
            _remove_message(sqs, where.pop(record["id"], record["queue"]), record["id"])
        elif kind == "purge":
            if record["queue"] in sqs.queues:
                sqs.queues[record["queue"]]._messages = []
    return counts


def _typed_key(table: Any, key: dict[str, Any]) -> tuple[Any, Any]:
    from moto.dynamodb.models.dynamo_type import DynamoType

    hash_value = DynamoType(key[table.hash_key_attr])
    range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr is not None else None
    return hash_value, range_value


def _remove_message(sqs: Any, queue_name: str | None, message_id: str) -> None:
    if queue_name is None or queue_name not in sqs.queues:
        return
    queue = sqs.queues[queue_name]
    queue._messages = [m for m in queue._messages if m.id != message_id]


def _message(record: dict[str, Any]) -> Any:
    from moto.sqs.models import Message

    message = Message(record["id"], record["body"])
    message.message_attributes = _from_jsonable(record.get("attributes") or {})
    message.group_id = record.get("group")
    message.deduplication_id = record.get("dedup")
    message.sequence_number = record.get("sequence")
    message.mark_sent()
    return message


"""Items, objects and messages as the journal and snapshots record them: JSON, binary values as base64.

A DynamoDB item's image is its attributes as DynamoDB JSON (``to_json``); an
S3 object's is its body and metadata; an SQS message's its body, attributes,
group, deduplication id and sequence number. ``from_json`` and
``from_jsonable`` read them back (``snapshots.apply``).
"""

from __future__ import annotations

import base64
from typing import Any

from chalicelib.local import moto_guards

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


def item_image(ddb: Any, table_name: str, key: dict[str, Any]) -> dict[str, Any] | None:
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


def object_image(s3: Any, bucket_name: str, key_name: str) -> dict[str, Any]:
    record: dict[str, Any] = {"kind": "object", "bucket": bucket_name, "key": key_name, "body": None}
    bucket = s3.buckets.get(bucket_name)
    found = bucket.keys.get(key_name) if bucket is not None else None
    if found is not None:
        record["body"] = found.value
        record["metadata"] = dict(found.metadata)
    return record


def message_record(queue: Any, message: Any) -> dict[str, Any]:
    return {
        "kind": "message", "queue": queue.name, "id": message.id, "body": message.body,
        "attributes": jsonable(message.message_attributes), "group": message.group_id,
        "dedup": message.deduplication_id, "sequence": message.sequence_number,
    }


def jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"__b64__": base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


def from_jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"__b64__"}:
            return base64.b64decode(value["__b64__"])
        return {k: from_jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_jsonable(v) for v in value]
    return value

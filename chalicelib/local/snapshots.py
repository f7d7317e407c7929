"""Snapshots and replay: the local stack's resources read whole from moto's backends, and records put back.

``state`` reads every item, object and message of the stack's resources as
records for a snapshot; ``apply`` puts records (a snapshot, then the journal)
back into the backends, in order. Both read and write the backends directly,
under the embedded AWS's lock (``embedded_aws.LOCK``) and with no change sink
set, so a replay is not journaled again.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator

from chalicelib.local import moto_backends
from chalicelib.local.journal_images import from_json, from_jsonable, image_of, message_record


def _prefixed(names: Iterable[str], prefix: str) -> Iterator[str]:
    head = f"{prefix}-"
    return (n for n in names if n.startswith(head))


def state(prefix: str, region: str, bucket_name: str) -> Iterator[dict[str, Any]]:
    """Every item, object and message of the prefix's resources, as records (call under ``LOCK``)."""
    ddb = moto_backends.dynamodb(region)
    for table_name in sorted(_prefixed(list(ddb.tables), prefix)):
        for item in ddb.tables[table_name].all_items():
            image = image_of(item)  # walked: written outside the lock, so no value shared with moto
            yield {"kind": "item", "table": table_name, "item": image}
    bucket = moto_backends.s3().buckets.get(bucket_name)
    if bucket is not None:
        for key_name in list(bucket.keys):
            found = bucket.keys.get(key_name)
            if found is not None:
                yield {"kind": "object", "bucket": bucket_name, "key": key_name, "body": found.value,
                       "metadata": dict(found.metadata)}
    sqs = moto_backends.sqs(region)
    for queue_name in sorted(_prefixed(list(sqs.queues), prefix)):
        queue = sqs.queues[queue_name]
        for message in list(queue._messages):
            yield message_record(queue, message)


def apply(records: Iterable[dict[str, Any]], region: str) -> dict[str, int]:
    """Put records back into the backends, in order (call under ``LOCK``, with no sink set).

    Records of tables, buckets or queues that do not exist (any more) are
    skipped and counted under ``skipped``.
    """
    counts = {"items": 0, "objects": 0, "messages": 0, "skipped": 0}
    ddb, s3, sqs = moto_backends.dynamodb(region), moto_backends.s3(), moto_backends.sqs(region)
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
    message.message_attributes = from_jsonable(record.get("attributes") or {})
    message.group_id = record.get("group")
    message.deduplication_id = record.get("dedup")
    message.sequence_number = record.get("sequence")
    message.mark_sent()
    return message

"""The KernelCI family's one table: documents of every collection, tokens, and their indexes.

Items (hash key ``pk``):

- a document: ``pk = "<collection>#<id>"``, the document as JSON in ``doc``,
  ``coll`` and ``created`` (ms, 13 digits, ``#id``) for the ``by_collection``
  index, and the keys of the indexes that list it: ``tree_key``
  (collection, job), ``branch_key`` (+ git_branch), ``kernel_key`` (job +
  kernel), ``parent_key`` (the build's job, the group's build, the case's
  group) and, for test groups, ``series_key`` (the group run again on every
  kernel: regressions compare with its previous run). Every index is sorted by
  ``created`` and projects ``doc``, so a listing is one Query and a date
  range is its key condition.
- a token: ``pk = "token#<sha256 of the value>"`` (the request path looks a
  token up by value: one GetItem), and ``pk = "token-id#<id>"`` pointing to
  it (management goes by id).
- an import failure: ``pk = "import-error#<message id>"`` with the reason.
- a distinct value: ``pk = "distinct#<collection>#<field>#<value>"``, in the
  ``by_collection`` index under ``coll = "distinct#<collection>#<field>"``
  sorted by the value, with ``refs``, how many documents hold it. Every
  write of a document moves the ``refs`` of the values it holds in the same
  transaction; a value no document holds any more leaves the index. So
  ``GET /<resource>/distinct/<field>`` is one Query of that partition, its
  cost the number of distinct values, whatever the number of documents.

Counts are never counted: each document written adds 1 to the ``counters``
rows of the partitions it joins (collection, tree, branch, kernel, parent),
in the same transaction as the document, which is written only if it does
not exist yet, so a retried write counts once.

This module writes and reads documents by key; listings are read by
``kernelci_listings``, tokens kept by ``kernelci_tokens`` and import failures
by ``kernelci_import_errors``.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter as Tally
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import quote

from botocore.exceptions import ClientError

from chalicelib import config
from chalicelib.kernelci import keys
from chalicelib.kernelci.regressions import series
from chalicelib.store.clients import client
from chalicelib.store.errors import failed_condition

TABLE = "kernelci"
COUNTERS = "counters"
MAX_TRANSACTION = 100
MAX_BATCH_GET = 100
MAX_SORT_TEXT = 900  # a sort key holds at most 1024 bytes
TOKEN_COUNTER = f"kernelci#{keys.TOKEN}"
PARENT = {keys.BUILD: "job_id", keys.TEST_GROUP: "build_id", keys.TEST_CASE: "test_group_id"}


class AlreadyExists(Exception):
    """A document with that id exists (the write was refused, nothing changed)."""


class Gone(Exception):
    """A document to delete no longer exists (nothing of that write changed)."""


class Conflict(Exception):
    """The document changed between the read and the write; read it again."""


class CorruptDocument(Exception):
    """A stored item whose document cannot be read back as one (answered 506)."""


def table() -> str:
    return config.table_name(TABLE)


def _part(value: Any) -> str:
    return quote(str(value), safe="")


def created_key(doc: dict[str, Any]) -> str:
    return f"{int(doc['created_on']):013d}#{doc['_id']}"


# Each kind of partition has its own marker, so that no tree, branch or kernel name can make
# one partition's key (and counter) equal to another's.
def tree_key(coll: str, job: str) -> str:
    return f"{coll}#t#{_part(job)}"


def branch_key(coll: str, job: str, branch: str) -> str:
    return f"{coll}#b#{_part(job)}#{_part(branch)}"


def kernel_key(coll: str, job: str, kernel: str) -> str:
    return f"{coll}#k#{_part(job)}#{_part(kernel)}"


def parent_key(coll: str, field: str, parent_id: str) -> str:
    return f"{coll}#p#{field}#{_part(parent_id)}"


def index_keys(coll: str, doc: dict[str, Any]) -> dict[str, str]:
    """The index partitions a document joins (and so the counters it adds to)."""
    out = {"coll": coll}
    job = doc.get("job")
    if isinstance(job, str):
        out["tree_key"] = tree_key(coll, job)
        if isinstance(doc.get("git_branch"), str):
            out["branch_key"] = branch_key(coll, job, doc["git_branch"])
        if isinstance(doc.get("kernel"), str):
            out["kernel_key"] = kernel_key(coll, job, doc["kernel"])
    parent = PARENT.get(coll)
    if parent and isinstance(doc.get(parent), str):
        out["parent_key"] = parent_key(coll, parent, doc[parent])
    if coll == keys.TEST_GROUP:
        out["series_key"] = series_key(doc)
    return out


MAX_INDEX_KEY_BYTES = 2048  # DynamoDB's limit on an index's partition key (every index here keys on one)


def oversized_index_keys(coll: str, doc: dict[str, Any]) -> list[str]:
    """The index partitions ``doc`` would join whose key DynamoDB refuses: a tree, branch or kernel name that
    long (after quoting) must be refused when it is sent, not fail an asynchronous import on every delivery."""
    return sorted(name for name, key in index_keys(coll, doc).items() if len(key.encode()) > MAX_INDEX_KEY_BYTES)


def series_key(group: dict[str, Any]) -> str:
    return "test_group#series#" + "#".join(_part(v) for v in series(group))


def _item(coll: str, doc: dict[str, Any]) -> dict[str, Any]:
    item = {"pk": {"S": f"{coll}#{doc['_id']}"}, "created": {"S": created_key(doc)},
            "doc": {"S": json.dumps(doc, separators=(",", ":"), sort_keys=True)}}
    item.update({k: {"S": v} for k, v in index_keys(coll, doc).items()})
    return item


def decode(item: dict[str, Any]) -> dict[str, Any]:
    try:
        doc = json.loads(item["doc"]["S"])
    except (KeyError, TypeError, ValueError):
        raise CorruptDocument(item.get("pk", {}).get("S", "?")) from None
    if not isinstance(doc, dict):
        raise CorruptDocument(item.get("pk", {}).get("S", "?"))
    return doc


def _counter_names(coll: str, doc: dict[str, Any]) -> list[str]:
    partitions = index_keys(coll, doc)
    partitions.pop("series_key", None)
    return [f"kernelci#{v}" for v in partitions.values()]


def counter_update(name: str, delta: int) -> dict[str, Any]:
    return {"Update": {"TableName": config.table_name(COUNTERS), "Key": {"name": {"S": name}},
                       "UpdateExpression": "ADD #v :d", "ExpressionAttributeNames": {"#v": "value"},
                       "ExpressionAttributeValues": {":d": {"N": str(delta)}}}}


def _distinct_values(coll: str, doc: dict[str, Any]) -> list[str]:
    """Marker keys ``distinct#<coll>#<field>#<value>`` of the distinct-listed values ``doc`` holds."""
    return [f"distinct#{coll}#{name}#{doc[name]}" for name in keys.DISTINCT_FIELDS.get(coll, ())
            if isinstance(doc.get(name), str) and doc[name]]


def _marker_update(marker: str, delta: int) -> dict[str, Any]:
    """Move a value's ``refs``; its item is keyed by a hash of the value (any length fits a key)."""
    _, coll, name, value = marker.split("#", 3)
    digest = hashlib.sha256(value.encode("utf-8")).hexdigest()
    return {"Update": {"TableName": table(), "Key": {"pk": {"S": f"distinct#{coll}#{name}#{digest}"}},
                       "UpdateExpression": "ADD refs :d SET coll = :c, created = :v, doc = :j",
                       "ExpressionAttributeValues": {
                           ":d": {"N": str(delta)}, ":c": {"S": f"distinct#{coll}#{name}"},
                           ":v": {"S": value[:MAX_SORT_TEXT]}, ":j": {"S": json.dumps(value)}}}}


def _retire_markers(markers: Iterable[str]) -> None:
    """Take out of the listing the values that no document holds any more (refs down to 0)."""
    for marker in markers:
        key = _marker_update(marker, 0)["Update"]["Key"]
        try:
            client("dynamodb").update_item(
                TableName=table(), Key=key, UpdateExpression="REMOVE coll",
                ConditionExpression="refs <= :zero", ExpressionAttributeValues={":zero": {"N": "0"}})
        except ClientError as err:
            if failed_condition(err) is None:
                raise


Written = tuple[str, dict[str, Any]]  # (collection, document)


def _chunks(docs: list[Written]) -> Iterator[tuple[list[Written], Tally]]:
    """Documents in groups that fit one transaction with the counters and distinct values they move."""
    chunk: list[Written] = []
    tally: Tally = Tally()
    for coll, doc in docs:
        names = _counter_names(coll, doc) + _distinct_values(coll, doc)
        grown = set(tally) | set(names)
        if chunk and len(chunk) + 1 + len(grown) > MAX_TRANSACTION:
            yield chunk, tally
            chunk, tally = [], Tally()
        chunk.append((coll, doc))
        tally.update(names)
    if chunk:
        yield chunk, tally


def _moves(tally: Tally, sign: int) -> list[dict[str, Any]]:
    return [_marker_update(name, sign * delta) if name.startswith("distinct#") else counter_update(name, sign * delta)
            for name, delta in sorted(tally.items())]


def _transact_chunk(chunk: list[Written], items: list[dict[str, Any]], refused: type[Exception]) -> None:
    """One transaction of the chunk's documents (the first items) and the counters they move.

    A document's failed condition is the caller's answer (they exist already, or are gone): ``refused``,
    naming the chunk, as nothing of it was written. Any other failure is a fault and propagates.
    """
    try:
        client("dynamodb").transact_write_items(TransactItems=items)
    except ClientError as err:
        failed = failed_condition(err)
        if failed is not None and failed < len(chunk):
            raise refused(", ".join(f"{c}#{d['_id']}" for c, d in chunk)) from None
        raise


def insert(docs: Iterable[Written]) -> None:
    """Write new documents and count them: atomically, in as few transactions as they fit.

    :class:`AlreadyExists` if one of a transaction's documents exists: that
    transaction wrote nothing (earlier ones stay written). Up to about 90
    documents of one kind and parent fit one transaction.
    """
    for chunk, tally in _chunks(list(docs)):
        items = [{"Put": {"TableName": table(), "Item": _item(coll, doc),
                          "ConditionExpression": "attribute_not_exists(pk)"}} for coll, doc in chunk]
        _transact_chunk(chunk, items + _moves(tally, 1), AlreadyExists)


def remove(docs: Iterable[Written]) -> None:
    """Delete documents and uncount them: atomically, in as few transactions as they fit.

    :class:`Gone` if one of a transaction's documents no longer exists: that
    transaction removed nothing (earlier ones stay removed).
    """
    for chunk, tally in _chunks(list(docs)):
        items = [{"Delete": {"TableName": table(), "Key": {"pk": {"S": f"{coll}#{doc['_id']}"}},
                             "ConditionExpression": "attribute_exists(pk)"}} for coll, doc in chunk]
        _transact_chunk(chunk, items + _moves(tally, -1), Gone)
        _retire_markers(name for name in tally if name.startswith("distinct#"))


def replace(coll: str, doc: dict[str, Any], expected: dict[str, Any]) -> None:
    """Overwrite a document that still reads ``expected`` (:class:`Conflict` otherwise); counts unchanged.

    The fields the indexes use must not change (they name the partitions counted).
    """
    old = json.dumps(expected, separators=(",", ":"), sort_keys=True)
    put = {"TableName": table(), "Item": _item(coll, doc), "ConditionExpression": "#d = :old",
           "ExpressionAttributeNames": {"#d": "doc"}, "ExpressionAttributeValues": {":old": {"S": old}}}
    moved = Tally(_distinct_values(coll, doc))
    moved.subtract(_distinct_values(coll, expected))
    moved = Tally({name: delta for name, delta in moved.items() if delta})
    try:
        if moved:  # a distinct value changed: the document and the values' refs move together
            client("dynamodb").transact_write_items(TransactItems=[{"Put": put}, *_moves(moved, 1)])
        else:
            client("dynamodb").put_item(**put)
    except ClientError as err:
        if failed_condition(err) == 0:
            raise Conflict(f"{coll}#{doc['_id']}") from None
        raise
    _retire_markers(name for name, delta in moved.items() if delta < 0)


def get(coll: str, doc_id: str) -> dict[str, Any] | None:
    found = client("dynamodb").get_item(TableName=table(), Key={"pk": {"S": f"{coll}#{doc_id}"}},
                                        ConsistentRead=True)
    return decode(found["Item"]) if "Item" in found else None


def get_many(coll: str, ids: list[str]) -> list[dict[str, Any]]:
    """Documents by id (BatchGetItem, 100 a call), in the order asked; missing ones left out."""
    wanted = list(dict.fromkeys(ids))
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(wanted), MAX_BATCH_GET):
        request = {table(): {"Keys": [{"pk": {"S": f"{coll}#{i}"}} for i in wanted[start:start + MAX_BATCH_GET]]}}
        while request:
            response = client("dynamodb").batch_get_item(RequestItems=request)
            for item in response["Responses"].get(table(), []):
                doc = decode(item)
                found[str(doc.get("_id"))] = doc
            request = response.get("UnprocessedKeys") or {}
    return [found[i] for i in wanted if i in found]


def counter_values(names: list[str]) -> dict[str, int]:
    """Counter rows by name (one BatchGetItem); 0 for a counter never moved."""
    wanted = list(dict.fromkeys(names))
    values = dict.fromkeys(wanted, 0)
    request = {config.table_name(COUNTERS): {"Keys": [{"name": {"S": n}} for n in wanted]}}
    while request:
        response = client("dynamodb").batch_get_item(RequestItems=request)
        for item in response["Responses"].get(config.table_name(COUNTERS), []):
            values[item["name"]["S"]] = int(item.get("value", {}).get("N", "0"))
        request = response.get("UnprocessedKeys") or {}
    return values

"""Reading the KernelCI table's listings: the narrowest index partition a query needs, paged.

A listing never scans: :func:`partition` picks the index partition (parent,
kernel, branch, tree or collection) that holds every answer, its date range
is the key condition, and whatever filter the partition does not cover is
applied to that partition's items only. Totals come from the counter rows
written with the documents (see :mod:`chalicelib.store.kernelci`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from chalicelib.kernelci import keys
from chalicelib.kernelci.query import Query, matcher, ordered, page
from chalicelib.store import kernelci as documents
from chalicelib.store.clients import client


@dataclass(frozen=True)
class Partition:
    """An index partition a query reads, and the filters it already satisfies."""

    index: str
    attribute: str
    value: str
    covers: tuple[str, ...]

    @property
    def counter(self) -> str:
        return f"kernelci#{self.value}"


def _single(query: Query, key: str) -> str | None:
    values = query.filters.get(key, ())
    return values[0] if len(values) == 1 and values[0] != "null" else None


def partition(coll: str, query: Query) -> Partition:
    """The narrowest index partition that holds every answer: parent, kernel, branch, tree, collection."""
    parent = documents.PARENT.get(coll)
    parent_id = _single(query, parent) if parent else None
    if parent and parent_id is not None:
        return Partition("by_parent", "parent_key", documents.parent_key(coll, parent, parent_id), (parent,))
    job = _single(query, "job")
    if job is not None and coll != keys.TOKEN:
        kernel, branch = _single(query, "kernel"), _single(query, "git_branch")
        if kernel is not None:
            return Partition("by_kernel", "kernel_key", documents.kernel_key(coll, job, kernel), ("job", "kernel"))
        if branch is not None:
            return Partition("by_branch", "branch_key", documents.branch_key(coll, job, branch), ("job", "git_branch"))
        return Partition("by_tree", "tree_key", documents.tree_key(coll, job), ("job",))
    return Partition("by_collection", "coll", coll, ())


def _key_condition(where: Partition, query: Query) -> dict[str, Any]:
    condition = {"KeyConditionExpression": "#p = :p", "ExpressionAttributeNames": {"#p": where.attribute},
                 "ExpressionAttributeValues": {":p": {"S": where.value}}}
    if query.has_window:
        low = f"{max(query.created_from or 0, 0):013d}"
        high = f"{query.created_to:013d}~" if query.created_to is not None else "~"
        condition["KeyConditionExpression"] += " AND #c BETWEEN :lo AND :hi"
        condition["ExpressionAttributeNames"]["#c"] = "created"
        condition["ExpressionAttributeValues"].update({":lo": {"S": low}, ":hi": {"S": high}})
    return condition


def _pages(where: Partition, query: Query, limit: int | None = None, **extra: Any) -> Iterator[dict[str, Any]]:
    request = {"TableName": documents.table(), "IndexName": where.index, "ScanIndexForward": not query.descending,
               **_key_condition(where, query), **extra}
    if limit:
        request["Limit"] = limit
    while True:
        response = client("dynamodb").query(**request)
        yield response
        if "LastEvaluatedKey" not in response:
            return
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def _residual(query: Query, where: Partition) -> bool:
    return any(k not in where.covers for k in query.filters)


def count(coll: str, query: Query) -> int:
    """How many documents match: a counter when the query is a whole partition, else a counting Query."""
    where = partition(coll, query)
    if not _residual(query, where) and not query.has_window:
        return documents.counter_values([where.counter])[where.counter]
    if not _residual(query, where):
        return sum(r["Count"] for r in _pages(where, query, Select="COUNT"))
    matches = matcher(query, where.covers)
    return sum(1 for r in _pages(where, query, ProjectionExpression="doc")
               for i in r["Items"] if matches(documents.decode(i)))


def find(coll: str, query: Query) -> tuple[list[dict[str, Any]], int]:
    """One page of matching documents, in the order asked, and how many match in all.

    In creation order with only the index's own filters, the page is read
    straight off the index (stopping when it is full) and the total comes from
    :func:`count`. Any other filter or sort reads the partition's range and
    does the rest here.
    """
    where = partition(coll, query)
    if query.in_created_order and not _residual(query, where):
        wanted = query.skip + query.limit if query.limit else None
        docs: list[dict[str, Any]] = []
        for response in _pages(where, query, limit=min(wanted, 1000) if wanted else None,
                               ProjectionExpression="doc"):
            docs.extend(documents.decode(i) for i in response["Items"])
            if wanted is not None and len(docs) >= wanted:
                break
        return page(docs, query), count(coll, query)
    matches = matcher(query, where.covers)
    docs = [d for r in _pages(where, query, ProjectionExpression="doc") for d in map(documents.decode, r["Items"])
            if matches(d)]
    return page(ordered(docs, query), query), len(docs)


def latest_in_series(group: dict[str, Any], other_kernel_than: str) -> dict[str, Any] | None:
    """The series' newest group created before ``group`` on another kernel (the run to compare with)."""
    where = Partition("by_series", "series_key", documents.series_key(group), ())
    query = Query(created_to=int(group["created_on"]), descending=True)
    for response in _pages(where, query, limit=10, ProjectionExpression="doc"):
        for item in response["Items"]:
            doc = documents.decode(item)
            if doc.get("kernel") != other_kernel_than and doc.get("_id") != group["_id"]:
                return doc
    return None


def distinct(coll: str, field: str) -> list[str]:
    """The values of ``field`` that documents of ``coll`` hold, in order (one Query, paged)."""
    where = Partition("by_collection", "coll", f"distinct#{coll}#{field}", ())
    values = []
    for response in _pages(where, Query(descending=False), ProjectionExpression="doc"):
        for item in response["Items"]:
            values.append(json.loads(item["doc"]["S"]))
    return values


def children(coll: str, parent_id: str) -> Iterator[list[dict[str, Any]]]:
    """The documents of ``coll`` whose parent (``PARENT[coll]``) is ``parent_id``, a page at a time."""
    field = documents.PARENT[coll]
    where = Partition("by_parent", "parent_key", documents.parent_key(coll, field, parent_id), (field,))
    for response in _pages(where, Query(descending=False), ProjectionExpression="doc"):
        yield [documents.decode(i) for i in response["Items"]]

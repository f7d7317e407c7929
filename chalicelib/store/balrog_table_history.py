"""The history of a whole Balrog table, newest first: what ``/rules/history`` and ``/permissions/history`` read.

History lives in ``balrog-history`` partitioned per object; the sparse-free
``by_table`` index (hash ``table``, range ``timestamp``) lists one table's
changes by time, so a page is a Query that stops once it holds the page,
and a time window is a key condition, never a filter over all of history.

Balrog shows only versions (rows with a ``data_version``; not the "did not
exist" rows around an insert and a delete), filtered by equality on columns.
The total (``count``) is a ``Select=COUNT`` Query on the same key condition
and filters: DynamoDB counts server side, one call per megabyte of matching
history (a few thousand changes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chalicelib import config
from chalicelib.store.clients import client
from chalicelib.store.versioned import HISTORY_TABLE, VersionedTable, deserialize, serialize

INDEX = "by_table"


@dataclass(frozen=True)
class HistoryFilter:
    """Which changes of the table: a time window (ms, inclusive) and equal columns."""

    timestamp_from: int | None = None
    timestamp_to: int | None = None
    change: dict[str, Any] = field(default_factory=dict)  # change_id, changed_by, data_version (the change's own)
    row: dict[str, Any] = field(default_factory=dict)  # columns of the changed row (product, channel...)
    row_present: tuple[str, ...] = ()  # columns the row must have (Balrog's ``!= null``)
    row_path: tuple[str, ...] = ("row",)  # where the row's columns are (a scheduled change's: row.change)


def _query(table: str, wanted: HistoryFilter) -> dict[str, Any]:
    names = {"#t": "table", "#dv": "data_version"}
    values: dict[str, Any] = {":t": {"S": table}}
    key = "#t = :t"
    if wanted.timestamp_from is not None and wanted.timestamp_to is not None:
        key += " AND #ts BETWEEN :from AND :to"
    elif wanted.timestamp_from is not None:
        key += " AND #ts >= :from"
    elif wanted.timestamp_to is not None:
        key += " AND #ts <= :to"
    if wanted.timestamp_from is not None or wanted.timestamp_to is not None:
        names["#ts"] = "timestamp"
    if wanted.timestamp_from is not None:
        values[":from"] = {"N": str(wanted.timestamp_from)}
    if wanted.timestamp_to is not None:
        values[":to"] = {"N": str(wanted.timestamp_to)}
    filters = ["attribute_exists(#dv)"]
    for number, (column, value) in enumerate(wanted.change.items()):
        names[f"#c{number}"] = column
        values[f":c{number}"] = serialize({"v": value})["v"]
        filters.append(f"#c{number} = :c{number}")
    path = ".".join(f"#path{i}" for i in range(len(wanted.row_path)))
    if wanted.row or wanted.row_present:
        names.update({f"#path{i}": part for i, part in enumerate(wanted.row_path)})
    for number, column in enumerate(wanted.row_present):
        names[f"#p{number}"] = column
        filters.append(f"attribute_exists({path}.#p{number})")
    for number, (column, value) in enumerate(wanted.row.items()):
        names[f"#r{number}"] = column
        values[f":r{number}"] = serialize({"v": value})["v"]
        filters.append(f"{path}.#r{number} = :r{number}")
    return {"TableName": config.table_name(HISTORY_TABLE), "IndexName": INDEX, "KeyConditionExpression": key,
            "FilterExpression": " AND ".join(filters), "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values, "ScanIndexForward": False}


def count(table: str, wanted: HistoryFilter) -> int:
    pages = client("dynamodb").get_paginator("query").paginate(**_query(table, wanted), Select="COUNT")
    return sum(page["Count"] for page in pages)


def page(table: str, wanted: HistoryFilter, number: int, limit: int) -> list[dict[str, Any]]:
    """Page ``number`` (from 1) of ``limit`` changes, newest first, as revision rows (the row and who/when)."""
    end = number * limit
    query = _query(table, wanted)  # no Limit: DynamoDB's counts items before the filter, a megabyte a call is fewer
    found: list[dict[str, Any]] = []
    while len(found) < end:
        answer = client("dynamodb").query(**query)
        found.extend(VersionedTable._history_row(deserialize(item)) for item in answer["Items"])
        if "LastEvaluatedKey" not in answer:
            break
        query["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
    return found[end - limit:end]


def as_of(table: str, timestamp: int) -> list[dict[str, Any]]:
    """Every object of the table as it was at ``timestamp`` (ms): its newest change until then, unless deleted.

    Balrog's ``HistoryTable.getPointInTime``. One Query of the table's history up to that time, oldest
    first, keeping each object's last row; a delete's row (keys only, no ``data_version``) removes it.
    """
    query: dict[str, Any] = {
        "TableName": config.table_name(HISTORY_TABLE), "IndexName": INDEX,
        "KeyConditionExpression": "#t = :t AND #ts <= :to", "ExpressionAttributeNames": {"#t": "table",
                                                                                          "#ts": "timestamp"},
        "ExpressionAttributeValues": {":t": {"S": table}, ":to": {"N": str(timestamp)}},
    }
    latest: dict[str, dict[str, Any]] = {}
    for answer in client("dynamodb").get_paginator("query").paginate(**query):
        for item in answer["Items"]:
            row = deserialize(item)
            known = latest.get(row["object_key"])
            if known is None or row["change_id"] > known["change_id"]:
                latest[row["object_key"]] = row
    return [VersionedTable._history_row(row) for row in latest.values() if row.get("data_version") is not None]

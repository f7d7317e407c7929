"""A versioned table: optimistic concurrency and history owned by the table, not the views.

Balrog's pattern (``auslib/db.py``): every row carries ``data_version`` (1 on
insert, +1 per change); a write names the version it read, and a stale one is
refused. Every change appends a history row with an increasing ``change_id``,
``changed_by``, a timestamp in milliseconds and the full row. Here:

- the version check is a DynamoDB condition expression, never read-then-write;
- the row write and its history rows are one ``TransactWriteItems``, so a row
  never changes without its history and history never records a change that
  did not happen;
- history lives in one table, ``balrog-history``: partition
  ``"<table>#<object key>"``, sort key ``change_id``. An insert also records a
  "did not exist" row (keys only, timestamp - 1), a delete a keys-only row, as
  Balrog does, so a revision list can show when an object came and went.

Subclasses say which table, which key columns and how to name the object in
history; they add only their own queries, and the invariants that span items
(an alias claimed once, a release not deleted while a rule maps to it) as
:meth:`VersionedTable.side_effects`: more items of the same transaction, each
with the error its failed condition means.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, DecimalException
from typing import Any, ClassVar

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from chalicelib import config
from chalicelib.store import counters
from chalicelib.store.clients import client
from chalicelib.store.errors import RefusedValue, failed_condition

HISTORY_TABLE = "balrog-history"
CHANGE_COUNTER = "balrog-history#change_id"

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


class StaleDataVersion(Exception):
    """The row changed (or went away) since the caller read the ``data_version`` it sent."""


class NotFound(Exception):
    """No row with that key."""


class AlreadyExists(Exception):
    """An insert found a row with that key."""


@dataclass(frozen=True)
class SideEffect:
    """One more item of a row's write transaction, and what its failed condition means."""

    item: dict[str, Any]  # a TransactWriteItems entry: {"Put"|"Update"|"Delete"|"ConditionCheck": {...}}
    refused: Exception | None = None  # raised when this item's condition fails


def _to_dynamo(value: Any) -> Any:
    """Floats become Decimals (boto3 refuses floats); None-valued map entries are dropped."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _to_dynamo(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_to_dynamo(v) for v in value]
    return value


def _from_dynamo(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _from_dynamo(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_dynamo(v) for v in value]
    return value


def serialize(row: dict[str, Any]) -> dict[str, Any]:
    """A DynamoDB item from a row; a None column is simply absent (NULL matches anything).

    A value DynamoDB cannot hold is :class:`RefusedValue` (an answer of 400), whoever sent it: a path's
    42-digit rule id reaches here without passing any JSON parser.
    """
    try:
        return {k: _serializer.serialize(_to_dynamo(v)) for k, v in row.items() if v is not None}
    except (DecimalException, OverflowError) as err:
        raise RefusedValue(f"a number DynamoDB cannot store ({type(err).__name__})") from None


# Every row carries its table's history name here, the hash key of a ``listing``
# index: "all the rows" is then a Query, not a Scan.
LISTING = "listing"


def deserialize(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _from_dynamo(_deserializer.deserialize(v)) for k, v in item.items() if k != LISTING}


def now_ms() -> int:
    return int(time.time() * 1000)


def find_change(change_id: int) -> tuple[str, dict[str, Any]] | None:
    """A change by its id alone, whatever it changed: (the table's history name, the revision row).

    ``by_change_id`` holds keys only: one Query finds the object, one GetItem reads the row.
    """
    found = client("dynamodb").query(
        TableName=config.table_name(HISTORY_TABLE), IndexName="by_change_id",
        KeyConditionExpression="change_id = :c", ExpressionAttributeValues={":c": {"N": str(change_id)}},
    )
    if not found["Items"]:
        return None
    item = client("dynamodb").get_item(TableName=config.table_name(HISTORY_TABLE), Key={
        "object_key": found["Items"][0]["object_key"], "change_id": found["Items"][0]["change_id"]})
    if "Item" not in item:
        return None
    row = deserialize(item["Item"])
    return row["table"], VersionedTable._history_row(row)


class VersionedTable:
    """Insert, update and delete with ``data_version`` checks and history, for one table."""

    table: ClassVar[str]  # logical name, e.g. "balrog-rules"
    history_name: ClassVar[str]  # the table's name in history, e.g. "rules"
    keys: ClassVar[tuple[str, ...]]  # key columns, hash first

    # --- naming --------------------------------------------------------------------------------

    def key_of(self, row: dict[str, Any]) -> dict[str, Any]:
        return {k: row[k] for k in self.keys}

    def object_key(self, key: dict[str, Any]) -> str:
        """The history partition of one object: ``rules#12``, ``permissions#bob#rule``."""
        return "#".join([self.history_name, *(str(key[k]) for k in self.keys)])

    def _table_name(self) -> str:
        return config.table_name(self.table)

    # --- reads ---------------------------------------------------------------------------------

    def all_rows(self, projection: str | None = None) -> list[dict[str, Any]]:
        """Every row of the table: a paged Query on the ``listing`` index."""
        query: dict[str, Any] = {
            "TableName": self._table_name(), "IndexName": LISTING,
            "KeyConditionExpression": "#l = :l", "ExpressionAttributeNames": {"#l": LISTING},
            "ExpressionAttributeValues": {":l": {"S": self.history_name}},
        }
        if projection:
            query["ProjectionExpression"] = projection
        pages = client("dynamodb").get_paginator("query").paginate(**query)
        return [deserialize(item) for page in pages for item in page["Items"]]

    def get(self, key: dict[str, Any]) -> dict[str, Any] | None:
        """The current row (strongly consistent: a client reads a version to write against it)."""
        found = client("dynamodb").get_item(TableName=self._table_name(), Key=serialize(key), ConsistentRead=True)
        return deserialize(found["Item"]) if "Item" in found else None

    def revisions(self, key: dict[str, Any], page: int = 1, limit: int = 10) -> tuple[int, list[dict[str, Any]]]:
        """Versions of one object, newest first: (total count, the page asked for).

        Rows without ``data_version`` (before insert, after delete) are not versions.
        One object's history is small, so it is read whole and sliced here.
        """
        rows = [r for r in self._history(key) if r.get("data_version") is not None]
        start = (page - 1) * limit
        return len(rows), rows[start:start + limit]

    def change(self, key: dict[str, Any], change_id: int) -> dict[str, Any] | None:
        """One history row of this object (None when the change belongs to another object)."""
        found = client("dynamodb").get_item(
            TableName=config.table_name(HISTORY_TABLE),
            Key=serialize({"object_key": self.object_key(key), "change_id": change_id}),
        )
        return self._history_row(deserialize(found["Item"])) if "Item" in found else None

    def previous_version(self, key: dict[str, Any], change_id: int) -> dict[str, Any] | None:
        """The newest version of this object before ``change_id`` (rows without data_version skipped)."""
        paginator = client("dynamodb").get_paginator("query")
        for page in paginator.paginate(
            TableName=config.table_name(HISTORY_TABLE),
            KeyConditionExpression="object_key = :k AND change_id < :c",
            ExpressionAttributeValues={":k": {"S": self.object_key(key)}, ":c": {"N": str(change_id)}},
            ScanIndexForward=False,
        ):
            for item in page["Items"]:
                row = self._history_row(deserialize(item))
                if row.get("data_version") is not None:
                    return row
        return None

    def _history(self, key: dict[str, Any]) -> list[dict[str, Any]]:
        paginator = client("dynamodb").get_paginator("query")
        rows: list[dict[str, Any]] = []
        for page in paginator.paginate(
            TableName=config.table_name(HISTORY_TABLE),
            KeyConditionExpression="object_key = :k",
            ExpressionAttributeValues={":k": {"S": self.object_key(key)}},
            ScanIndexForward=False,
        ):
            rows.extend(self._history_row(deserialize(item)) for item in page["Items"])
        return rows

    @staticmethod
    def _history_row(item: dict[str, Any]) -> dict[str, Any]:
        """A history item flattened to the shape Balrog's revision lists use."""
        return {**item.get("row", {}), "change_id": item["change_id"], "changed_by": item["changed_by"],
                "timestamp": item["timestamp"], "data_version": item.get("data_version")}

    # --- writes --------------------------------------------------------------------------------

    def side_effects(self, old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[SideEffect]:
        """Items written in the same transaction as a change from ``old`` to ``new`` (None: absent)."""
        return []

    def write_condition(self, current: dict[str, Any], changes: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """A condition the current row must meet besides its data_version, as (expression, values)."""
        return "", {}

    def insert(self, row: dict[str, Any], changed_by: str, extra: Sequence[SideEffect] = ()) -> dict[str, Any]:
        """Create the row at data_version 1; AlreadyExists if its key is taken.

        ``extra``: more items of the same transaction, as for every write here
        (an enacted scheduled change marks itself complete in the write it makes).
        """
        new = {**row, "data_version": 1}
        key = self.key_of(new)
        last = counters.next_value(CHANGE_COUNTER, 2)
        ts = now_ms()
        items = [
            self._put(new, "attribute_not_exists(#k)", {"#k": self.keys[0]}),
            self._history_put(key, last - 1, changed_by, ts - 1, key),
            self._history_put(key, last, changed_by, ts, new),
        ]
        self._transact(items, AlreadyExists(self.object_key(key)), [*self.side_effects(None, new), *extra])
        return new

    def update(self, key: dict[str, Any], changes: dict[str, Any], old_data_version: int,
               changed_by: str, extra: Sequence[SideEffect] = ()) -> dict[str, Any]:
        """Apply ``changes`` (None clears a column) if the row is still at ``old_data_version``."""
        current = self.get(key)
        if current is None:
            raise NotFound(self.object_key(key))
        if current.get("data_version") != old_data_version:
            raise StaleDataVersion(self.object_key(key))
        new = {**current, **changes, **key, "data_version": old_data_version + 1}
        new = {k: v for k, v in new.items() if v is not None}
        change_id = counters.next_value(CHANGE_COUNTER)
        condition, values = self._version_condition(old_data_version, self.write_condition(current, changes))
        items = [
            self._put(new, condition, values=values),
            self._history_put(key, change_id, changed_by, now_ms(), new),
        ]
        self._transact(items, StaleDataVersion(self.object_key(key)), [*self.side_effects(current, new), *extra])
        return new

    def delete(self, key: dict[str, Any], old_data_version: int, changed_by: str,
               extra: Sequence[SideEffect] = ()) -> None:
        """Remove the row if it is still at ``old_data_version``; history keeps a keys-only row."""
        current = self.get(key)
        if current is None:
            raise NotFound(self.object_key(key))
        change_id = counters.next_value(CHANGE_COUNTER)
        condition, values = self._version_condition(old_data_version, self.write_condition(current, {}))
        items = [
            {"Delete": {"TableName": self._table_name(), "Key": serialize(key),
                        "ConditionExpression": condition, "ExpressionAttributeValues": values}},
            self._history_put(key, change_id, changed_by, now_ms(), key),
        ]
        self._transact(items, StaleDataVersion(self.object_key(key)), [*self.side_effects(current, None), *extra])

    def change_items(self, current: dict[str, Any], new: dict[str, Any] | None, changed_by: str) -> list[SideEffect]:
        """The items of a change of ``current`` (to ``new``, or a delete) for another write's transaction.

        For a change that must happen together with a change of another
        object (a scheduled change following its rule's update, signoffs
        reset with it): conditioned on ``current``'s data_version, history
        row included.
        """
        key = self.key_of(current)
        condition, values = self._version_condition(current["data_version"], ("", {}))
        history = self._history_put(key, counters.next_value(CHANGE_COUNTER), changed_by, now_ms(),
                                    key if new is None else new)
        if new is None:
            write = {"Delete": {"TableName": self._table_name(), "Key": serialize(key),
                                "ConditionExpression": condition, "ExpressionAttributeValues": values}}
        else:
            write = self._put(new, condition, values=values)
        return [SideEffect(write, StaleDataVersion(self.object_key(key))), SideEffect(history)]

    @staticmethod
    def _version_condition(old_data_version: int, extra: tuple[str, dict[str, Any]]) -> tuple[str, dict[str, Any]]:
        expression, values = extra
        condition = "data_version = :old" + (f" AND ({expression})" if expression else "")
        return condition, {":old": {"N": str(old_data_version)}, **values}

    def _put(self, row: dict[str, Any], condition: str, names: dict[str, str] | None = None,
             values: dict[str, Any] | None = None) -> dict[str, Any]:
        item = serialize(row)
        item[LISTING] = {"S": self.history_name}
        put: dict[str, Any] = {"TableName": self._table_name(), "Item": item,
                               "ConditionExpression": condition}
        if names:
            put["ExpressionAttributeNames"] = names
        if values:
            put["ExpressionAttributeValues"] = values
        return {"Put": put}

    def _history_put(self, key: dict[str, Any], change_id: int, changed_by: str, timestamp: int,
                     row: dict[str, Any]) -> dict[str, Any]:
        item = {"object_key": self.object_key(key), "change_id": change_id, "table": self.history_name,
                "changed_by": changed_by, "timestamp": timestamp, "row": row,
                "data_version": row.get("data_version")}
        return {"Put": {"TableName": config.table_name(HISTORY_TABLE), "Item": serialize(item),
                        "ConditionExpression": "attribute_not_exists(change_id)"}}

    @staticmethod
    def _transact(items: list[dict[str, Any]], refused: Exception, side_effects: list[SideEffect]) -> None:
        """One all-or-nothing write: the row's item first, its history, then its side effects.

        The row's failed condition raises ``refused``; a side effect's, its own error.
        """
        try:
            client("dynamodb").transact_write_items(TransactItems=[*items, *(e.item for e in side_effects)])
        except ClientError as err:
            failed = failed_condition(err)
            if failed is None:
                raise
            if failed >= len(items) and side_effects[failed - len(items)].refused is not None:
                raise side_effects[failed - len(items)].refused from None
            raise refused from None

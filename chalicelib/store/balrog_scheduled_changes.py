"""Balrog scheduled changes: a change to a rule, release, permission, required signoff or shutoff, made later.

One table holds the scheduled changes of every base table, partitioned by
``base`` (``rules``, ``releases``, ...) with ``sc_id`` numbered per base as
Balrog numbers them. Each row is versioned (``data_version``, history rows
``<base>_scheduled_changes``) like the objects it changes.

Access patterns, none a Scan:

- an incomplete change carries ``pending`` (its base's name); the sparse
  ``pending`` index lists the incomplete changes of a base, and the sparse
  ``due`` index (``pending``, ``when``) finds the ones whose time has come,
  so the executor reads only what is waiting, never the finished history;
- one object has at most one incomplete change (Balrog's
  ``ChangeScheduledError``): a claim item in the counters table, put in the
  change's own transaction and removed by the transaction that completes or
  deletes it;
- enacting is one transaction: the base table's write, this change marked
  complete (conditioned on the version the executor read, so a second
  executor's attempt fails instead of writing twice), its history row and
  the claim's removal.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chalicelib import config
from chalicelib.store import counters
from chalicelib.store.clients import client
from chalicelib.store.versioned import SideEffect, VersionedTable, deserialize, now_ms


class ChangeScheduled(Exception):
    """The object already has an incomplete scheduled change."""


def _claim_key(base: str, object_id: str) -> dict[str, Any]:
    return {"name": {"S": f"balrog-sc#{base}#object#{object_id}"}}


class ScheduledChanges(VersionedTable):
    table = "balrog-scheduled-changes"
    keys = ("base", "sc_id")

    def __init__(self, base: str) -> None:
        self.base = base
        self.history_name = f"{base}_scheduled_changes"

    # --- reads ---------------------------------------------------------------------------------

    def find(self, sc_id: int) -> dict[str, Any] | None:
        return self.get({"base": self.base, "sc_id": sc_id})

    def _query(self, **query: Any) -> list[dict[str, Any]]:
        pages = client("dynamodb").get_paginator("query").paginate(TableName=config.table_name(self.table), **query)
        return [deserialize(item) for page in pages for item in page["Items"]]

    def incomplete(self) -> list[dict[str, Any]]:
        """The incomplete changes of this base, by sc_id: the sparse ``pending`` index."""
        return self._query(IndexName="pending", KeyConditionExpression="pending = :b",
                           ExpressionAttributeValues={":b": {"S": self.base}})

    def every(self) -> list[dict[str, Any]]:
        """Every change of this base, complete or not, by sc_id (``?all=1``)."""
        return self._query(KeyConditionExpression="base = :b", ExpressionAttributeValues={":b": {"S": self.base}},
                           ConsistentRead=True)

    def due(self, now: int) -> list[dict[str, Any]]:
        """Incomplete changes whose ``when`` has passed: the sparse ``due`` index."""
        return self._query(IndexName="due", KeyConditionExpression="pending = :b AND #w <= :now",
                           ExpressionAttributeNames={"#w": "when"},
                           ExpressionAttributeValues={":b": {"S": self.base}, ":now": {"N": str(now)}})

    def scheduled_for(self, object_id: str) -> int | None:
        """The sc_id of the incomplete change of one object, if any (one GetItem on its claim)."""
        found = client("dynamodb").get_item(TableName=config.table_name("counters"),
                                            Key=_claim_key(self.base, object_id), ConsistentRead=True)
        return int(found["Item"]["value"]["N"]) if "Item" in found else None

    # --- writes --------------------------------------------------------------------------------

    def _claim(self, object_id: str | None, sc_id: int) -> list[SideEffect]:
        if object_id is None:
            return []
        return [SideEffect({"Put": {
            "TableName": config.table_name("counters"),
            "Item": {**_claim_key(self.base, object_id), "value": {"N": str(sc_id)}},
            "ConditionExpression": "attribute_not_exists(#n)", "ExpressionAttributeNames": {"#n": "name"},
        }}, ChangeScheduled(object_id))]

    def _release(self, sc: dict[str, Any]) -> list[SideEffect]:
        if sc.get("object_id") is None:
            return []
        return [SideEffect({"Delete": {
            "TableName": config.table_name("counters"), "Key": _claim_key(self.base, sc["object_id"]),
            "ConditionExpression": "#v = :id", "ExpressionAttributeNames": {"#v": "value"},
            "ExpressionAttributeValues": {":id": {"N": str(sc["sc_id"])}},
        }})]

    def schedule(self, fields: dict[str, Any], object_id: str | None, scheduled_by: str,
                 extra: Sequence[SideEffect] = ()) -> dict[str, Any]:
        """Insert a new incomplete change (``fields``: change_type, change, conditions)."""
        sc_id = counters.next_value(f"balrog-sc#{self.base}#sc_id")
        row = {**fields, "base": self.base, "sc_id": sc_id, "scheduled_by": scheduled_by, "complete": False,
               "pending": self.base, "object_id": object_id}
        return self.insert(row, scheduled_by, [*self._claim(object_id, sc_id), *extra])

    def reclaim(self, sc: dict[str, Any], object_id: str | None) -> list[SideEffect]:
        """The items that move ``sc``'s claim to another object (a scheduled new release renamed)."""
        return [*self._release(sc), *self._claim(object_id, sc["sc_id"])]

    def none_pending(self, object_id: str) -> SideEffect:
        """A condition for a direct delete: the object has no incomplete change (Balrog refuses it otherwise)."""
        return SideEffect({"ConditionCheck": {
            "TableName": config.table_name("counters"), "Key": _claim_key(self.base, object_id),
            "ConditionExpression": "attribute_not_exists(#n)", "ExpressionAttributeNames": {"#n": "name"},
        }}, ChangeScheduled(object_id))

    def write_condition(self, current: dict[str, Any], changes: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return "attribute_exists(pending)", {}

    def remove(self, sc: dict[str, Any], old_data_version: int, changed_by: str) -> None:
        self.delete({"base": self.base, "sc_id": sc["sc_id"]}, old_data_version, changed_by, self._release(sc))

    def completion(self, sc: dict[str, Any]) -> list[SideEffect]:
        """The items that mark ``sc`` complete, for the transaction that enacts it.

        Conditioned on the version read: a change enacted (or modified) by
        someone else in the meantime fails the whole transaction.
        """
        done = {k: v for k, v in sc.items() if k != "pending"}
        done.update(complete=True, data_version=sc["data_version"] + 1)
        key = self.key_of(sc)
        return [
            SideEffect(self._put(done, "data_version = :old AND attribute_exists(pending)",
                                 values={":old": {"N": str(sc["data_version"])}})),
            SideEffect(self._history_put(key, counters.next_value("balrog-history#change_id"), sc["scheduled_by"],
                                         now_ms(), done)),
            *self._release(sc),
        ]


BASES = ("rules", "releases", "permissions", "emergency_shutoff", "required_signoffs/product",
         "required_signoffs/permissions")
scheduled = {base: ScheduledChanges(base) for base in BASES}

"""Signoffs on Balrog scheduled changes: one row per (change, user), with the role signed as.

Balrog keeps signoffs unversioned (they are granted and revoked, never
modified) but with history; here each grant and revoke is a history row of
``<base>_scheduled_changes_signoffs``, and a change's signoffs are one Query.
"""

from __future__ import annotations

from collections.abc import Sequence

from chalicelib import config
from chalicelib.store.clients import client
from chalicelib.store.versioned import SideEffect, VersionedTable, deserialize


def change_key(base: str, sc_id: int) -> str:
    return f"{base}#{sc_id}"


class Signoffs(VersionedTable):
    table = "balrog-signoffs"
    history_name = "scheduled_changes_signoffs"
    keys = ("sc_key", "username")

    def of_change(self, base: str, sc_id: int) -> dict[str, str]:
        """``{username: role}`` of one scheduled change (one Query)."""
        pages = client("dynamodb").get_paginator("query").paginate(
            TableName=config.table_name(self.table), KeyConditionExpression="sc_key = :k",
            ExpressionAttributeValues={":k": {"S": change_key(base, sc_id)}}, ConsistentRead=True,
        )
        return {row["username"]: row["role"] for page in pages for item in page["Items"]
                for row in [deserialize(item)]}

    def grant(self, base: str, sc_id: int, username: str, role: str, extra: Sequence[SideEffect] = ()) -> None:
        self.insert({"sc_key": change_key(base, sc_id), "username": username, "role": role}, username, extra)

    def revoke(self, base: str, sc_id: int, username: str, changed_by: str) -> None:
        key = {"sc_key": change_key(base, sc_id), "username": username}
        current = self.get(key)
        if current is not None:
            self.delete(key, current["data_version"], changed_by)


signoffs = Signoffs()

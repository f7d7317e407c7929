"""Balrog permissions: a versioned table of (username, permission) → options."""

from __future__ import annotations

from typing import Any

from chalicelib import config
from chalicelib.store.clients import client
from chalicelib.store.versioned import VersionedTable, deserialize


class Permissions(VersionedTable):
    table = "balrog-permissions"
    history_name = "permissions"
    keys = ("username", "permission")

    def of_user(self, username: str) -> dict[str, dict[str, Any]]:
        """``{permission: {"data_version", "options"}}`` for one user (one Query)."""
        pages = client("dynamodb").get_paginator("query").paginate(
            TableName=config.table_name(self.table), KeyConditionExpression="username = :u",
            ExpressionAttributeValues={":u": {"S": username}}, ConsistentRead=True,
        )
        rows = [deserialize(item) for page in pages for item in page["Items"]]
        return {r["permission"]: {"data_version": r["data_version"], "options": r.get("options")} for r in rows}

    def users(self) -> list[str]:
        """Every user with at least one permission.

        A Query on the ``listing`` index, user names only.
        """
        return sorted({row["username"] for row in self.all_rows(projection="username")})


permissions = Permissions()

"""Balrog user roles: who may sign off a scheduled change, and as what.

A role (``releng``, ``relman``, ...) is held by a user; a signoff is made
with one role the signer holds, and a required signoff counts signoffs per
role. Rows are versioned as Balrog's ``user_roles`` table is (a revoke names
the ``data_version``). The ``by_role`` index (keys only) answers "how many
users hold this role" with one Query, which a signoff requirement is checked
against.
"""

from __future__ import annotations

from typing import Any

from chalicelib import config
from chalicelib.store.clients import client
from chalicelib.store.versioned import VersionedTable, deserialize


class Roles(VersionedTable):
    table = "balrog-roles"
    history_name = "user_roles"
    keys = ("username", "role")

    def of_user(self, username: str) -> list[dict[str, Any]]:
        """``[{"role", "data_version"}]`` of one user, by role name (one Query)."""
        pages = client("dynamodb").get_paginator("query").paginate(
            TableName=config.table_name(self.table), KeyConditionExpression="username = :u",
            ExpressionAttributeValues={":u": {"S": username}}, ConsistentRead=True,
        )
        rows = [deserialize(item) for page in pages for item in page["Items"]]
        return sorted(({"role": r["role"], "data_version": r["data_version"]} for r in rows), key=lambda r: r["role"])

    def holds(self, username: str, role: str) -> bool:
        return self.get({"username": username, "role": role}) is not None

    def holders(self, role: str) -> int:
        """How many users hold ``role``: a count Query on the ``by_role`` index."""
        pages = client("dynamodb").get_paginator("query").paginate(
            TableName=config.table_name(self.table), IndexName="by_role", Select="COUNT",
            KeyConditionExpression="#r = :r", ExpressionAttributeNames={"#r": "role"},
            ExpressionAttributeValues={":r": {"S": role}},
        )
        return sum(page["Count"] for page in pages)


roles = Roles()

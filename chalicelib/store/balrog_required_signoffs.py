"""Balrog required signoffs: how many users of which role must approve a change.

Two kinds, as in Balrog: *product* requirements ``(product, channel, role)``
gate rules, releases and shutoffs of that product and channel; *permissions*
requirements ``(product, role)`` gate permission changes naming that product.
Both live in one table, partitioned by kind: all requirements of a kind are
one Query (there are a handful; their number does not grow with data), and a
product's are a ``begins_with`` on the sort key.
"""

from __future__ import annotations

from typing import Any, ClassVar

from chalicelib import config
from chalicelib.store.clients import client
from chalicelib.store.versioned import VersionedTable, deserialize


class RequiredSignoffs(VersionedTable):
    table = "balrog-required-signoffs"
    keys = ("kind", "rs_key")
    kind: ClassVar[str]
    decision_columns: ClassVar[tuple[str, ...]]

    def key(self, fields: dict[str, Any]) -> dict[str, str]:
        """The row key of a requirement from its decision columns and role."""
        parts = [str(fields[c]) for c in (*self.decision_columns, "role")]
        return {"kind": self.kind, "rs_key": "\x1f".join(parts)}

    def rows(self, product: str | None = None) -> list[dict[str, Any]]:
        """Every requirement of this kind, or one product's (one paged Query)."""
        condition, values = "kind = :k", {":k": {"S": self.kind}}
        if product is not None:
            condition += " AND begins_with(rs_key, :p)"
            values[":p"] = {"S": f"{product}\x1f"}
        pages = client("dynamodb").get_paginator("query").paginate(
            TableName=config.table_name(self.table), KeyConditionExpression=condition,
            ExpressionAttributeValues=values, ConsistentRead=True,
        )
        rows = [deserialize(item) for page in pages for item in page["Items"]]
        return sorted(rows, key=lambda r: tuple(r.get(c) or "" for c in (*self.decision_columns, "role")))

    def render(self, row: dict[str, Any]) -> dict[str, Any]:
        return {**{c: row.get(c) for c in (*self.decision_columns, "role")},
                "signoffs_required": row["signoffs_required"], "data_version": row["data_version"]}


class ProductRequiredSignoffs(RequiredSignoffs):
    history_name = "product_req_signoffs"
    kind = "product"
    decision_columns = ("product", "channel")


class PermissionsRequiredSignoffs(RequiredSignoffs):
    history_name = "permissions_req_signoffs"
    kind = "permissions"
    decision_columns = ("product",)


product_required_signoffs = ProductRequiredSignoffs()
permissions_required_signoffs = PermissionsRequiredSignoffs()

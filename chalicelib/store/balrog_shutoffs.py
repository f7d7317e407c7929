"""Balrog emergency shutoffs: a (product, channel) whose updates are turned off.

The update endpoint keeps a product's rules in its process and re-reads
them only when the rules' generation counter moves; a shutoff changes what
that endpoint answers just as a rule change does, so every shutoff write
bumps the same counter in its own transaction (and the endpoint caches a
product's shutoffs beside its rules).
"""

from __future__ import annotations

from typing import Any

from chalicelib import config
from chalicelib.store.balrog_rules import GENERATION_COUNTER, add_to_counter
from chalicelib.store.clients import client
from chalicelib.store.versioned import SideEffect, VersionedTable, deserialize


class EmergencyShutoffs(VersionedTable):
    table = "balrog-emergency-shutoffs"
    history_name = "emergency_shutoffs"
    keys = ("product", "channel")

    def side_effects(self, old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[SideEffect]:
        return [add_to_counter(GENERATION_COUNTER, 1)]

    def of_product(self, product: str) -> list[dict[str, Any]]:
        """The shutoffs of one product: one Query on the table's hash key."""
        pages = client("dynamodb").get_paginator("query").paginate(
            TableName=config.table_name(self.table), KeyConditionExpression="product = :p",
            ExpressionAttributeValues={":p": {"S": product}},
        )
        return [deserialize(item) for page in pages for item in page["Items"]]

    def everything(self) -> list[dict[str, Any]]:
        return sorted(self.all_rows(), key=lambda r: (r["product"], r["channel"]))


def render(row: dict[str, Any]) -> dict[str, Any]:
    """A shutoff as Balrog answers it."""
    return {"product": row["product"], "channel": row["channel"], "comment": row.get("comment"),
            "data_version": row["data_version"]}


shutoffs = EmergencyShutoffs()

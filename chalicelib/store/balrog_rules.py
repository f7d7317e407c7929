"""Balrog rules: a versioned table keyed by ``rule_id``, found by id or alias."""

from __future__ import annotations

import re
from typing import Any

from chalicelib import config
from chalicelib.store import counters
from chalicelib.store.clients import client
from chalicelib.store.versioned import VersionedTable, deserialize

RULE_ID_COUNTER = "balrog-rules#rule_id"
# Bumped after every rule change: update servers cache the rules of a product
# and re-read them only when this number moves (one GetItem per request).
GENERATION_COUNTER = "balrog-rules#generation"
# Every column a rule has, in Balrog's order; a missing (NULL) column matches anything.
COLUMNS = ("rule_id", "alias", "priority", "mapping", "fallbackMapping", "backgroundRate", "update_type",
           "product", "version", "channel", "buildTarget", "buildID", "locale", "osVersion", "distribution",
           "distVersion", "headerArchitecture", "memory", "instructionSet", "mig64", "jaws", "comment",
           "whitelist", "data_version")
ALIAS = re.compile(r"^[a-zA-Z][a-zA-Z0-9-]*$")


class Rules(VersionedTable):
    table = "balrog-rules"
    history_name = "rules"
    keys = ("rule_id",)

    def insert(self, row: dict[str, Any], changed_by: str) -> dict[str, Any]:
        new = super().insert(row, changed_by)
        counters.next_value(GENERATION_COUNTER)
        return new

    def update(self, key: dict[str, Any], changes: dict[str, Any], old_data_version: int,
               changed_by: str) -> dict[str, Any]:
        new = super().update(key, changes, old_data_version, changed_by)
        counters.next_value(GENERATION_COUNTER)
        return new

    def delete(self, key: dict[str, Any], old_data_version: int, changed_by: str) -> None:
        super().delete(key, old_data_version, changed_by)
        counters.next_value(GENERATION_COUNTER)

    def generation(self) -> int:
        return counters.current_value(GENERATION_COUNTER)

    def create(self, fields: dict[str, Any], changed_by: str) -> dict[str, Any]:
        """Insert a rule under a fresh ``rule_id`` (an atomic counter, never reused)."""
        rule_id = counters.next_value(RULE_ID_COUNTER)
        return self.insert({**fields, "rule_id": rule_id}, changed_by)

    def find(self, id_or_alias: str) -> dict[str, Any] | None:
        """A rule by alias (``^[a-zA-Z][a-zA-Z0-9-]*$``) or, anything else, by numeric id."""
        if ALIAS.match(id_or_alias):
            rule_id = self.id_for_alias(id_or_alias)
            return None if rule_id is None else self.get({"rule_id": rule_id})
        try:
            return self.get({"rule_id": int(id_or_alias)})
        except ValueError:
            return None

    def id_for_alias(self, alias: str) -> int | None:
        found = client("dynamodb").query(
            TableName=config.table_name(self.table), IndexName="by_alias",
            KeyConditionExpression="alias = :a", ExpressionAttributeValues={":a": {"S": alias}},
        )
        ids = sorted(int(item["rule_id"]["N"]) for item in found["Items"])
        return ids[0] if ids else None

    def all_rules(self, product: str | None = None) -> list[dict[str, Any]]:
        """Every rule (or one product's), ordered as Balrog lists them: priority desc, version, mapping.

        Unfiltered, a Query on the ``listing`` index; a product filter is a
        Query on the sparse ``by_product`` index.
        """
        if product is None:
            return sorted(self.all_rows(), key=_list_order)
        pages = client("dynamodb").get_paginator("query").paginate(
            TableName=config.table_name(self.table), IndexName="by_product",
            KeyConditionExpression="product = :p", ExpressionAttributeValues={":p": {"S": product}},
        )
        rules = [deserialize(item) for page in pages for item in page["Items"]]
        return sorted(rules, key=_list_order)

    def distinct(self, column: str) -> list[Any]:
        """The distinct non-NULL values of one column, in first-seen rule order."""
        values = [r.get(column) for r in self.all_rules()]
        return list(dict.fromkeys(v for v in values if v is not None))


def _list_order(rule: dict[str, Any]) -> tuple:
    # SQL puts NULL first in ascending order; keep that, so lists match Balrog's.
    version, mapping = rule.get("version"), rule.get("mapping")
    return (-(rule.get("priority") or 0), version is not None, version or "", mapping is not None, mapping or "",
            rule["rule_id"])


def render(rule: dict[str, Any]) -> dict[str, Any]:
    """A rule with every column present (NULL as None), as Balrog answers."""
    return {column: rule.get(column) for column in COLUMNS}


rules = Rules()

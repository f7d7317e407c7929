"""Balrog rules: a versioned table keyed by ``rule_id``, found by id or alias.

Three invariants span items, so they are written in the rule's own
transaction (``side_effects``), never checked first and written after:

- an alias belongs to one rule: a claim item ``balrog-rules#alias#<alias>``
  in the counters table, put only if absent (or already this rule's);
- a release is not deleted while a rule maps to it: each release a rule
  names (``mapping``, ``fallbackMapping``) has a reference count
  ``balrog-releases#mapped#<name>`` that the rule's write moves and the
  release's delete requires to be 0 (see ``balrog_releases``); the same
  item names the rules (``rule#<id>``: their product and channel), so a
  release's rules are read without reading the rules;
- update servers re-read a product's rules only when the generation counter
  moves, so every rule write bumps it in the same transaction.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from chalicelib import config
from chalicelib.store import counters
from chalicelib.store.clients import client
from chalicelib.store.versioned import SideEffect, VersionedTable, deserialize

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


class AliasTaken(Exception):
    """Another rule holds that alias."""


def alias_claim(alias: str) -> str:
    return f"balrog-rules#alias#{alias}"


def mapped_count(release: str) -> str:
    """The counter of rules mapping to a release (``mapping`` or ``fallbackMapping``)."""
    return f"balrog-releases#mapped#{release}"


def _mapped(rule: dict[str, Any] | None) -> set[str]:
    return {rule[c] for c in ("mapping", "fallbackMapping") if rule and rule.get(c)}


def _counter_key(name: str) -> dict[str, Any]:
    return {"name": {"S": name}}


def add_to_counter(name: str, step: int) -> SideEffect:
    return SideEffect({"Update": {
        "TableName": config.table_name("counters"), "Key": _counter_key(name),
        "UpdateExpression": "ADD #v :step", "ExpressionAttributeNames": {"#v": "value"},
        "ExpressionAttributeValues": {":step": {"N": str(step)}},
    }})


def _reference(release: str, rule_id: int, step: int, info: dict[str, Any] | None) -> SideEffect:
    """Move a release's count of mapping rules and keep, beside it, who they are (``rule#<id>``: product, channel).

    ``GET /releases`` shows each release's rules (``rule_ids``, ``rule_info``) and a release write needs
    their required signoffs: both read this item, never the rules.
    """
    names = {"#v": "value", "#r": f"rule#{rule_id}"}
    values: dict[str, Any] = {":step": {"N": str(step)}}
    if info is None:
        expression = "ADD #v :step REMOVE #r"
    else:
        values[":info"] = {"M": {k: {"S": v} if v is not None else {"NULL": True} for k, v in info.items()}}
        expression = "SET #r = :info ADD #v :step"
    return SideEffect({"Update": {
        "TableName": config.table_name("counters"), "Key": _counter_key(mapped_count(release)),
        "UpdateExpression": expression, "ExpressionAttributeNames": names, "ExpressionAttributeValues": values,
    }})


def mapping_rules(releases: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """The rules mapping to each release (``mapping`` or ``fallbackMapping``): ``rule_id``, ``product``, ``channel``.

    Read from the releases' reference items, a BatchGetItem per 100 releases: never the rules themselves.
    """
    found: dict[str, list[dict[str, Any]]] = {name: [] for name in releases}
    by_key = {mapped_count(name): name for name in releases}
    keys = list(by_key)
    table = config.table_name("counters")
    incomplete: set[str] = set()
    for start in range(0, len(keys), 100):
        request: dict[str, Any] = {table: {"Keys": [_counter_key(k) for k in keys[start:start + 100]],
                                           "ConsistentRead": True}}
        while request:
            answer = client("dynamodb").batch_get_item(RequestItems=request)
            for item in answer["Responses"].get(table, []):
                row = deserialize(item)
                name = by_key[row["name"]]
                found[name] = sorted(
                    ({"rule_id": int(k.split("#", 1)[1]), **{c: v.get(c) for c in ("product", "channel")}}
                     for k, v in row.items() if k.startswith("rule#")), key=lambda r: r["rule_id"])
                if int(row.get("value") or 0) > len(found[name]):
                    incomplete.add(name)  # counted before its rules were named beside the count
            request = answer.get("UnprocessedKeys") or {}
    if incomplete:  # only for reference items older than the names: read the rules once, as before
        for rule in rules.all_rows():
            for name in _mapped(rule) & incomplete:
                found[name] = [r for r in found[name] if r["rule_id"] != rule["rule_id"]]
                found[name].append({"rule_id": rule["rule_id"], "product": rule.get("product"),
                                    "channel": rule.get("channel")})
        for name in incomplete:
            found[name].sort(key=lambda r: r["rule_id"])
    return found


class Rules(VersionedTable):
    table = "balrog-rules"
    history_name = "rules"
    keys = ("rule_id",)

    def side_effects(self, old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[SideEffect]:
        rule_id = (new or old or {})["rule_id"]
        effects = [add_to_counter(GENERATION_COUNTER, 1)]
        old_alias, new_alias = (old or {}).get("alias"), (new or {}).get("alias")
        if new_alias and new_alias != old_alias:
            effects.append(SideEffect({"Put": {
                "TableName": config.table_name("counters"),
                "Item": {**_counter_key(alias_claim(new_alias)), "value": {"N": str(rule_id)}},
                "ConditionExpression": "attribute_not_exists(#n) OR #v = :id",
                "ExpressionAttributeNames": {"#n": "name", "#v": "value"},
                "ExpressionAttributeValues": {":id": {"N": str(rule_id)}},
            }}, AliasTaken(new_alias)))
        if old_alias and old_alias != new_alias:
            effects.append(SideEffect({"Delete": {
                "TableName": config.table_name("counters"), "Key": _counter_key(alias_claim(old_alias)),
                "ConditionExpression": "#v = :id", "ExpressionAttributeNames": {"#v": "value"},
                "ExpressionAttributeValues": {":id": {"N": str(rule_id)}},
            }}))
        before, after = _mapped(old), _mapped(new)
        info = {"product": (new or {}).get("product"), "channel": (new or {}).get("channel")}
        effects += [_reference(name, rule_id, 1, info) for name in sorted(after - before)]
        effects += [_reference(name, rule_id, -1, None) for name in sorted(before - after)]
        # Rewritten on every write, so a reference item from before it named its rules is completed by the next.
        effects += [_reference(name, rule_id, 0, info) for name in sorted(after & before)]
        return effects

    def generation(self) -> int:
        return counters.current_value(GENERATION_COUNTER)

    def create(self, fields: dict[str, Any], changed_by: str, extra: Sequence[SideEffect] = ()) -> dict[str, Any]:
        """Insert a rule under a fresh ``rule_id`` (an atomic counter, never reused)."""
        rule_id = counters.next_value(RULE_ID_COUNTER)
        return self.insert({**fields, "rule_id": rule_id}, changed_by, extra)

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
        """The rule holding an alias: its claim item, read strongly consistent (one GetItem)."""
        found = client("dynamodb").get_item(TableName=config.table_name("counters"),
                                            Key=_counter_key(alias_claim(alias)), ConsistentRead=True)
        return int(found["Item"]["value"]["N"]) if "Item" in found else None

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

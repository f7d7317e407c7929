"""Every index a table model queries is in the template, with the same keys and projection.

The stack (and the local stack, and every test's world) creates the tables from
``infra/resources.json``; the code queries them through its PynamoDB models. A
projection changed in one and not the other would pass every test on one side
and fail on AWS on the other (an attribute the model reads missing from the
index, or write units paid for copies nobody reads).
"""

from __future__ import annotations

import importlib
import json
import pkgutil
from pathlib import Path
from typing import Any

from tests.support.delivery import pynamodb_models

ROOT = Path(__file__).resolve().parents[2]


def _template_indexes() -> dict[tuple[str, str], dict[str, Any]]:
    template = json.loads((ROOT / "infra" / "resources.json").read_text())
    found = {}
    for resource in template["Resources"].values():
        if resource.get("Type") != "AWS::DynamoDB::Table":
            continue
        table = resource["Properties"]["TableName"]["Fn::Sub"].removeprefix("${ShipyardPrefix}-")
        for index in resource["Properties"].get("GlobalSecondaryIndexes", []):
            found[(table, index["IndexName"])] = index
    return found


def _models() -> list[Any]:
    """Every table model of the store: each of its modules imported first, so none is missed."""
    import chalicelib.store

    for module in pkgutil.iter_modules(chalicelib.store.__path__):
        importlib.import_module(f"chalicelib.store.{module.name}")
    return pynamodb_models()


def _shape(key_schema: list[dict[str, str]], projection: dict[str, Any]) -> tuple:
    keys = tuple(sorted((k["KeyType"], k["AttributeName"]) for k in key_schema))
    return keys, projection["ProjectionType"], frozenset(projection.get("NonKeyAttributes", ()))


def test_every_models_index_is_in_the_template_with_its_keys_and_projection():
    from chalicelib import config

    # Given the template's indexes, by table
    template = _template_indexes()
    checked = 0
    # When each table model's indexes are looked up in it
    for model in _models():
        table = model.Meta.table_name.removeprefix(config.prefix() + "-")
        for index in model._get_schema().get("global_secondary_indexes", []):
            # Then each is there, keyed and projected as the model declares
            where = (table, index["index_name"])
            assert where in template, f"{model.__name__}: index {where} not in infra/resources.json"
            declared = template[where]
            assert _shape(index["key_schema"], index["projection"]) == _shape(
                declared["KeySchema"], declared["Projection"]), f"{model.__name__}: {where}"
            checked += 1
    assert ("test-runs", "by_revision_v2") in template and checked >= 10

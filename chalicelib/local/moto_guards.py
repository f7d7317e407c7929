"""Keeping moto's memory flat in a long-running local stack.

moto 5.2 was written for tests that live a few seconds, and two of its habits
grow without bound in a stack that runs for days:

- every model object it creates (each DynamoDB item written, each S3 key, each
  SQS message copy) is appended to ``BaseModel.instances_tracked``, a list read
  only by moto's web dashboard and never trimmed;
- ``transact_write_items`` deep-copies every table it touches, whole, to roll
  back on failure, so each transaction costs time and memory in proportion to
  the table (and, through the first habit, keeps every copied item alive).

``install()`` turns the first off and replaces the second with a rollback of
only the items the transaction names, which is all a failed transaction can
have changed. It runs under the local stack's write lock (``embedded_aws``),
as every DynamoDB call there does, so the narrower rollback is exact.
"""

from __future__ import annotations

import copy
import functools
import json
import types
from typing import Any

_installed = False
_originals: list[tuple[type, str, Any]] = []


def _untracked_new(cls: type, *args: Any, **kwargs: Any) -> Any:
    return object.__new__(cls)


def _item_key(backend: Any, op_type: str, op: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    table_name = op.get("TableName")
    if not table_name or table_name not in backend.tables:
        return None
    if op_type != "Put":
        return table_name, op["Key"]
    table = backend.tables[table_name]
    attrs = op.get("Item", {})
    key = {table.hash_key_attr: attrs.get(table.hash_key_attr)}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attrs.get(table.range_key_attr)
    return table_name, key


class _TablesNotCopied:
    """Stands in for the ``copy`` module inside ``moto.dynamodb.models`` during a transaction.

    moto's transaction keeps ``copy.deepcopy(table)`` to put back on failure;
    here that "copy" is the table itself (putting it back changes nothing) and
    the items the transaction names are restored by the wrapper instead.
    """

    def __init__(self, table_type: type) -> None:
        self._table_type = table_type

    def deepcopy(self, value: Any, memo: Any = None) -> Any:
        if isinstance(value, self._table_type):
            return value
        return copy.deepcopy(value, memo)

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


def _narrow_rollback(original: Any, models_module: types.ModuleType, table_type: type) -> Any:
    @functools.wraps(original)
    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> Any:
        saved: dict[tuple[str, str], tuple[str, dict[str, Any], Any]] = {}
        for entry in transact_items:
            if len(entry) != 1:
                continue  # moto refuses it before writing anything
            (op_type, op), = entry.items()
            found = _item_key(self, op_type, op)
            if found is None:
                continue
            table_name, key = found
            marker = (table_name, json.dumps(key, sort_keys=True, default=str))
            if marker not in saved:
                if _has_key(key):
                    saved[marker] = (table_name, key, copy.deepcopy(_current_item(self.tables[table_name], key)))
        models_module.copy = _TablesNotCopied(table_type)  # type: ignore[attr-defined]
        try:
            return original(self, transact_items)
        except BaseException:
            for table_name, key, item in saved.values():
                _put_back(self.tables[table_name], key, item)
            raise
        finally:
            models_module.copy = copy  # type: ignore[attr-defined]

    return transact_write_items


def _has_key(key: dict[str, Any]) -> bool:
    return all(value is not None for value in key.values())


def _current_item(table: Any, key: dict[str, Any]) -> Any:
    range_value = _dynamo_value(key[table.range_key_attr]) if table.range_key_attr is not None else None
    try:
        return table.get_item(_dynamo_value(key[table.hash_key_attr]), range_value)
    except Exception:  # noqa: BLE001 - a malformed key: moto refuses the transaction before writing
        return None


def _put_back(table: Any, key: dict[str, Any], item: Any) -> None:
    hash_value = _dynamo_value(key[table.hash_key_attr])
    if table.range_key_attr is not None:
        range_value = _dynamo_value(key[table.range_key_attr])
        if item is None:
            table.items.get(hash_value, {}).pop(range_value, None)
        else:
            table.items[hash_value][range_value] = item
    elif item is None:
        table.items.pop(hash_value, None)
    else:
        table.items[hash_value] = item


def _dynamo_value(value: dict[str, Any]) -> Any:
    from moto.dynamodb.models.dynamo_type import DynamoType

    return DynamoType(value)


def install() -> None:
    """Apply both guards to moto in this process (idempotent)."""
    global _installed
    if _installed:
        return
    from moto.core.common_models import BaseModel
    from moto.dynamodb import models as dynamodb_models
    from moto.dynamodb.models.table import Table

    backend = dynamodb_models.DynamoDBBackend
    _originals.extend([(BaseModel, "__new__", BaseModel.__dict__["__new__"]),
                       (backend, "transact_write_items", backend.__dict__["transact_write_items"])])
    BaseModel.__new__ = staticmethod(_untracked_new)  # type: ignore[method-assign,assignment]
    backend.transact_write_items = _narrow_rollback(  # type: ignore[method-assign]
        backend.transact_write_items, dynamodb_models, Table)
    _installed = True


def uninstall() -> None:
    """Give moto back its own behaviour (tests that install in a shared test process)."""
    global _installed
    while _originals:
        owner, name, original = _originals.pop()
        setattr(owner, name, original)
    _installed = False

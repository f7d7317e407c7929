"""Keeping moto's memory flat, and its DynamoDB calls independent of table size, in a long-running stack.

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
have changed. moto also applies a ``BatchWriteItem``'s puts and deletes
one by one, so a request refused midway (an item over 400 KB, a key of the
wrong type) left the earlier ones written, and the journal, which records
only answered requests, lost them at the next start; DynamoDB writes nothing
then, and here the items the request names are put back the same way. Both
run under the local stack's write lock (``embedded_aws``), as every DynamoDB
call there does, so the narrower rollbacks are exact.

Three more habits make each DynamoDB call cost time in proportion to the
table, or to the square of an item, where DynamoDB's costs neither (issue 17:
they were most of a tp5-sized blob's CPU on its way to its metrics):

- a table ``Query`` sorts every item of the table, then keeps the partition
  asked for; here it is given that partition's items alone (moto sorts them by
  sort key all the same, so the answer is the same); and it deep-copies every
  item it returns, which nothing then changes (``query_guards``); an
  index ``Query`` is given the items whose index partition key matches,
  unsorted (moto sorts them by a key unique to each item all the same);
- an attribute value's size (for the 400 KB item and 1 MB page limits)
  re-wraps every nested value of a map in a new ``DynamoType`` before sizing
  it, recursively; here nested values that are ``DynamoType`` already are
  sized as they are;
- an item being built re-sizes all its attributes at each one added, to check
  the 400 KB limit; here the item is sized once when built (the running total
  only grows, so it exceeds the limit at some attribute exactly when the whole
  does). Attributes set later, by an update, are still checked one by one.

And one habit costs every call the same, however small: moto finds the
method of each request by converting the action's name to snake case letter
by letter and listing the handler class's functions with ``inspect``, and
works out the response protocol from the service model again; all three are
pure functions of their arguments (the service model is moto's one cached
object per service), remembered here.

Each guard gives moto's own answer, including its refusals.
"""

from __future__ import annotations

import copy
import functools
import json
import types
from typing import Any

_installed = False
_originals: list[tuple[Any, str, Any]] = []
# moto's own figure: DynamoDB refuses items somewhere between 409 and 410 KB.
_ITEM_SIZE_LIMIT = 405_000
_SIZE = "_shipyard_size"  # where an item keeps its size (``_item_size``)
PLAIN = "_shipyard_plain"  # where an item keeps the plain attribute values it was built from (``plain_attributes``)


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


def _all_or_nothing_batch(original: Any) -> Any:
    """``BatchWriteItem`` as DynamoDB refuses it: a request refused midway leaves every item as it was."""

    @functools.wraps(original)
    def batch_write_item(self: Any) -> Any:
        backend = self.dynamodb_backend
        saved: dict[tuple[str, str], tuple[str, dict[str, Any], Any]] = {}
        batches = self.body.get("RequestItems")
        for table_name, requests in (batches.items() if isinstance(batches, dict) else ()):
            for request in requests if isinstance(requests, list) else ():
                if not isinstance(request, dict) or len(request) != 1:
                    continue  # moto refuses it before writing anything
                (kind, op), = request.items()
                op_type = "Put" if kind == "PutRequest" else "Delete"
                found = _item_key(backend, op_type, {"TableName": table_name, **(op if isinstance(op, dict) else {})})
                if found is None or not _has_key(found[1]):
                    continue
                marker = (table_name, json.dumps(found[1], sort_keys=True, default=str))
                if marker not in saved:
                    saved[marker] = (table_name, found[1], copy.deepcopy(_current_item(backend.tables[table_name],
                                                                                      found[1])))
        try:
            return original(self)
        except BaseException:
            for table_name, key, item in saved.values():
                _put_back(backend.tables[table_name], key, item)
            raise

    return batch_write_item


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


# --- per-call costs independent of the table and linear in the item --------------------------


def _item_size(self: Any) -> int:
    """``Item.size``, computed once per item: when it is built, or after an update changed it.

    moto sizes an item at every ``Query`` page it could be on (twice when it is
    kept) and at every ``BatchGetItem``; a run's metrics item is thousands of
    nested values. An item changes in place only in ``update_item``
    (``_resized_after_update`` forgets its size there); a put builds a new item.
    """
    from moto.dynamodb.models.utilities import bytesize

    size = self.__dict__.get(_SIZE)
    if size is None:
        size = sum(bytesize(key) + value.size() for key, value in self.attrs.items())
        self.__dict__[_SIZE] = size
    return size


def _resized_after_update(original: Any) -> Any:
    @functools.wraps(original)
    def update_item(self: Any, table_name: str, key: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return original(self, table_name, key, *args, **kwargs)
        finally:
            table = self.tables.get(table_name)
            if table is not None and _has_key(key) and table.hash_key_attr in key:
                item = _current_item(table, key)
                if item is not None:
                    item.__dict__.pop(_SIZE, None)
                    item.__dict__.pop(PLAIN, None)

    return update_item


def _copied_value(self: Any, memo: dict[int, Any]) -> Any:
    """``DynamoType.__deepcopy__`` without a trip through ``copy`` for each nested value (same copy).

    Attribute values are trees (moto says so too: no cycles), so only their
    nodes need new objects; strings, numbers and bytes are immutable and shared,
    as ``copy.deepcopy`` shares them.
    """
    from moto.dynamodb.models.dynamo_type import DynamoType

    def copied(value: Any, top: bool = False) -> Any:
        if not top and type(value) is not DynamoType:
            return copy.deepcopy(value, memo)
        result = value.__class__.__new__(value.__class__)
        kind = result.type = value.type
        if kind == "M":
            result.value = {k: copied(v) for k, v in value.value.items()}
        elif kind == "L":
            result.value = [copied(v) for v in value.value]
        elif kind in ("SS", "NS", "BS"):
            result.value = list(value.value)
        else:
            result.value = value.value
        return result

    return copied(self, top=True)


def _value_size(self: Any) -> int:
    """``DynamoType.size`` without re-wrapping nested values (same figure: each value's own size)."""
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.utilities import bytesize

    kind = self.type
    if kind == "N":
        return len(str(self.value))
    if kind in ("SS", "NS", "BS"):
        sub_type = kind[0]
        return sum(DynamoType({sub_type: v}).size() for v in self.value)
    if kind == "L":
        return sum(v.size() for v in self.value)
    if kind == "M":
        return sum(bytesize(k) + (v.size() if type(v) is DynamoType else DynamoType(v).size())
                   for k, v in self.value.items())
    if isinstance(self.value, bool):
        return 1
    return bytesize(self.value)


def _item_init(self: Any, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
    """``Item.__init__`` sizing the item once instead of once per attribute (same limit, same refusal)."""
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models.dynamo_type import DynamoType, LimitedSizeDict
    from moto.dynamodb.models.utilities import bytesize

    self.hash_key = hash_key
    self.range_key = range_key
    built = LimitedSizeDict()
    total = 0
    for key, value in attrs.items():
        typed = DynamoType(value)
        dict.__setitem__(built, key, typed)
        total += bytesize(key) + typed.size()
    if total > _ITEM_SIZE_LIMIT:
        raise ItemSizeTooLarge
    self.attrs = built
    self.__dict__[_SIZE] = total
    if all(type(value) is dict for value in attrs.values()):
        self.__dict__[PLAIN] = attrs


def plain_attributes(item: Any) -> dict[str, Any] | None:
    """The plain attribute values an item was built from, while it has not changed since; else None.

    A put builds an item from the request's values (moto's parse of them, or
    the local stack's direct path's copy: nobody else holds them), and an item
    changes in place only in ``update_item``, which forgets them as it forgets
    the size. The journal writes them as the item's image without walking the
    item (``journal_images.journal_image``).
    """
    return item.__dict__.get(PLAIN)


def install() -> None:
    """Apply the guards to moto in this process (idempotent)."""
    global _installed
    if _installed:
        return
    from moto.core import responses as moto_responses
    from moto.core.common_models import BaseModel
    from moto.dynamodb import models as dynamodb_models
    from moto.dynamodb.models.dynamo_type import DynamoType, Item
    from moto.dynamodb.models.table import Table
    from moto.dynamodb.responses import DynamoHandler

    from chalicelib.local.query_guards import partition_items, partition_query, shared_in_query

    backend = dynamodb_models.DynamoDBBackend
    _originals.extend([(moto_responses, "determine_request_protocol", moto_responses.determine_request_protocol),
                       (moto_responses, "camelcase_to_underscores", moto_responses.camelcase_to_underscores),
                       (moto_responses, "method_names_from_class",
                        moto_responses.method_names_from_class),
                       (BaseModel, "__new__", BaseModel.__dict__["__new__"]),
                       (backend, "transact_write_items", backend.__dict__["transact_write_items"]),
                       (DynamoHandler, "batch_write_item", DynamoHandler.__dict__["batch_write_item"]),
                       (Table, "query", Table.__dict__["query"]),
                       (Table, "all_items", Table.__dict__["all_items"]),
                       (DynamoType, "size", DynamoType.__dict__["size"]),
                       (DynamoType, "__deepcopy__", DynamoType.__dict__["__deepcopy__"]),
                       (Item, "size", Item.__dict__["size"]),
                       (Item, "__deepcopy__", Item.__dict__["__deepcopy__"]),
                       (backend, "update_item", backend.__dict__["update_item"]),
                       (Item, "__init__", Item.__dict__["__init__"])])
    moto_responses.determine_request_protocol = functools.lru_cache(maxsize=256)(  # type: ignore[assignment]
        moto_responses.determine_request_protocol)
    moto_responses.camelcase_to_underscores = functools.lru_cache(maxsize=1024)(  # type: ignore[assignment]
        moto_responses.camelcase_to_underscores)
    moto_responses.method_names_from_class = functools.lru_cache(maxsize=256)(  # type: ignore[assignment]
        moto_responses.method_names_from_class)
    BaseModel.__new__ = staticmethod(_untracked_new)  # type: ignore[method-assign,assignment]
    backend.transact_write_items = _narrow_rollback(  # type: ignore[method-assign]
        backend.transact_write_items, dynamodb_models, Table)
    DynamoHandler.batch_write_item = _all_or_nothing_batch(  # type: ignore[method-assign]
        DynamoHandler.batch_write_item)
    Table.query = partition_query(Table.query)  # type: ignore[method-assign]
    Table.all_items = partition_items(Table.all_items)  # type: ignore[method-assign]
    DynamoType.size = _value_size  # type: ignore[method-assign]
    DynamoType.__deepcopy__ = _copied_value  # type: ignore[method-assign]
    Item.size = _item_size  # type: ignore[method-assign]
    Item.__deepcopy__ = shared_in_query(Item.__deepcopy__)  # type: ignore[method-assign]
    backend.update_item = _resized_after_update(backend.update_item)  # type: ignore[method-assign]
    Item.__init__ = _item_init  # type: ignore[method-assign]
    _installed = True


def uninstall() -> None:
    """Give moto back its own behaviour (tests that install in a shared test process)."""
    global _installed
    while _originals:
        owner, name, original = _originals.pop()
        setattr(owner, name, original)
    _installed = False

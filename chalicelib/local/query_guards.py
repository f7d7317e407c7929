"""A DynamoDB Query in moto costing its partition, not its table (installed by ``moto_guards.install``).

moto's ``Table.query`` sorts every item of the table, then keeps the
partition asked for, and deep-copies each item it returns. Here a table
query is handed its partition's items alone and shares them instead of
copying (nothing changes them, and the call runs under the local stack's
write lock); an index query is handed the items whose index partition key
matches. moto sorts what it is given by key all the same, so every answer is
moto's own (tests/local/test_moto_fast_paths.py).

The narrowing travels to moto's ``all_items`` and ``Item.__deepcopy__``
through a thread-local: moto's query calls them without a way to pass it.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

_local = threading.local()


# Table.query(hash_key, range_comparison, range_objs, limit, exclusive_start_key, scan_index_forward,
#             projection_expressions, index_name, ...): index_name's place after hash_key.
_INDEX_NAME_AT = 6


def partition_query(original: Any) -> Any:
    """A table query (no index) reads its partition's items only; an index query the items of its partition key.

    An index query is moto's own but for the items it starts from: moto sorts
    every item of the table, keeps those whose index partition key matches and
    sorts those again by the full index and table key; here it starts from the
    items that match (moto's own test, item by item, without the first sort).
    The second sort orders them by a key unique to each item, so the answer is
    the same whatever order they came in.
    """

    @functools.wraps(original)
    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = args[_INDEX_NAME_AT] if len(args) > _INDEX_NAME_AT else kwargs.get("index_name")
        if index_name is not None:
            conditions = kwargs.get("hash_key_conditions")
            if not conditions or len(args) > _INDEX_NAME_AT + 3:
                return original(self, hash_key, *args, **kwargs)
            return _narrowed(original, self, _index_partition(self, conditions), False,
                             hash_key, *args, **kwargs)
        if hash_key is None:
            return original(self, hash_key, *args, **kwargs)
        found = self.items.get(hash_key)  # .get: moto's items is a defaultdict, a lookup must not add
        if found is None:
            partition = []
        else:
            partition = list(found.values()) if self.range_key_attr else [found]
        return _narrowed(original, self, partition, True, hash_key, *args, **kwargs)

    return query


def _index_partition(table: Any, conditions: list[tuple[str, Any]]) -> list[Any]:
    """The table's items whose index partition key attributes match, by moto's own test (``Table.query``)."""
    from moto.dynamodb.models.dynamo_type import Item

    matching = []
    for hash_set in table.items.values():
        for item in (hash_set.values() if table.range_key_attr else (hash_set,)):
            if not isinstance(item, Item):
                continue
            for attr_name, expected_value in conditions:
                item_value = item.attrs.get(attr_name)
                if not item_value or item_value != expected_value:
                    break
            else:
                matching.append(item)
    return matching


def _narrowed(original: Any, table: Any, partition: list[Any], sharing: bool, *args: Any, **kwargs: Any) -> Any:
    narrowed = getattr(_local, "partitions", None)
    if narrowed is None:
        narrowed = _local.partitions = {}
    narrowed[id(table)] = partition
    _local.sharing = sharing
    try:
        return original(table, *args, **kwargs)
    finally:
        _local.sharing = False
        narrowed.pop(id(table), None)


def shared_in_query(original: Any) -> Any:
    """``Item.__deepcopy__``: the stored item itself while a table query copies its results.

    moto's ``Table.query`` deep-copies every item it found before filtering and
    projecting them, then the answer reads each item's attributes into new plain
    values (``dynamodb_json._plain``); neither a filter nor a projection changes
    an item (a projection builds a new one), and the whole call runs under the
    local stack's lock, so the copy, the costliest step of reading a window of
    runs' metrics, protected nothing. Index queries keep moto's copy.
    """

    @functools.wraps(original)
    def __deepcopy__(self: Any, memo: dict[int, Any]) -> Any:
        if getattr(_local, "sharing", False):
            return self
        return original(self, memo)

    return __deepcopy__


def partition_items(original: Any) -> Any:
    """``all_items`` as moto's query sees it: the partition being queried in this thread, if any."""

    @functools.wraps(original)
    def all_items(self: Any) -> Any:
        partition = getattr(_local, "partitions", {}).get(id(self))
        return original(self) if partition is None else list(partition)

    return all_items

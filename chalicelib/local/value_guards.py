"""moto's DynamoDB attribute values compared, and items projected, at a cost of what is asked for.

Two more of moto's habits cost a read in proportion to the whole item, or
repeat the same questions for every comparison (issue 17):

- a projection converts every attribute of the item to plain values and
  back, through boto3's type walk, to keep a few (``_narrow_projection``);
  here only the attributes the projection names are converted, and whole
  attributes of the plain kinds value by value, to the same text;
- two attribute values compare (and a value hashes) through ``cast_value``,
  which asks a value six questions about its type before giving a string back
  as it is; here two strings compare by their values (a query sorts its items
  by key, strings here).

Each gives moto's own answer, including its refusals.
"""

from __future__ import annotations

import functools
import operator
import re
from typing import Any

_originals: list[tuple[Any, str, Any]] = []


def _strings_compared(original: Any, compare: Any) -> Any:
    """A ``DynamoType`` comparison of two strings by their values, as moto's ``cast_value`` of a string is its value.

    moto compares attribute values through ``cast_value``, which asks the
    value's type six questions before giving a string back as it is; a query
    sorts its items by key (strings here), comparing each pair that way.
    Anything but two strings is moto's own comparison.
    """
    from moto.dynamodb.models.dynamo_type import DynamoType

    @functools.wraps(original)
    def compared(self: Any, other: Any) -> Any:
        if self.type == "S" and type(other) is DynamoType and other.type == "S":
            return compare(self.value, other.value)
        return original(self, other)

    return compared


def _string_hash(original: Any) -> Any:
    """``DynamoType.__hash__`` of a string: ``hash((type, cast_value))`` with the value as its cast."""

    @functools.wraps(original)
    def __hash__(self: Any) -> int:
        if self.type == "S":
            return hash(("S", self.value))
        return original(self)

    return __hash__


_LIST_ELEMENT = re.compile(r"(.+)\[(\d+)\]$")  # moto's own pattern of a path's list element: ``name[3]``


def _narrow_projection(original: Any) -> Any:
    """``Item.project`` reading only the attributes a projection names (the same item as moto's).

    moto converts every attribute of the item to plain values (deep-copied)
    and back, then keeps the paths asked for; a run's metrics item is
    thousands of values and a window read projects four of them. moto's path
    lookup (``find_nested_key``) reads the item's top level only at a path's
    first element, or at that element's name before a list index, so an item
    holding only those attributes projects to the same item. When every path
    is a whole attribute of strings, numbers, booleans, nulls, maps and lists,
    the round trip through plain values is made value by value
    (``_round_trip``) instead of through boto3's type walk.
    """

    @functools.wraps(original)
    def project(self: Any, projection_expressions: list[list[str]]) -> Any:
        named = set()
        whole = True
        for path in projection_expressions:
            if path:
                named.add(path[0])
                element = _LIST_ELEMENT.match(path[0])
                if element:
                    named.add(element.group(1))
                whole = whole and len(path) == 1 and not element
        if whole and projection_expressions:
            try:
                return _projected_whole(self, projection_expressions)
            except _Walk:
                pass
        view = _Projected(self, {k: v for k, v in self.attrs.items() if k in named})
        return original(view, projection_expressions)

    return project


class _Walk(Exception):
    """A value the value-by-value round trip does not take: moto's own projection decides."""


def _projected_whole(item: Any, projection_expressions: list[list[str]]) -> Any:
    """moto's projection of whole attributes: each as boto3 reads it to a plain value and writes it back."""
    from moto.dynamodb.models.dynamo_type import Item

    attrs = item.attrs
    projected: dict[str, Any] = {}
    for (name,) in projection_expressions:
        if name in attrs and name not in projected:  # a name given twice keeps its first place, as merge_dicts
            projected[name] = _round_trip(attrs[name])
    return Item(hash_key=item.hash_key, range_key=item.range_key, attrs=projected)


def _round_trip(value: Any) -> dict[str, Any]:
    """``TypeSerializer().serialize(TypeDeserializer().deserialize(value.to_regular_json()))``, for the plain kinds.

    A number is read as boto3 reads it (a ``Decimal`` in DynamoDB's context)
    and written as boto3 writes it (``str`` of it in that context again), so
    it has the same text ("1e2" becomes "1E+2"); sets and binary values, whose
    round trip goes through Python sets, are moto's own walk.
    """
    from boto3.dynamodb.types import DYNAMODB_CONTEXT
    from moto.dynamodb.models.dynamo_type import DynamoType

    if type(value) is not DynamoType:
        raise _Walk
    kind, inner = value.type, value.value
    if kind == "S" and type(inner) is str:
        return {"S": inner}
    if kind == "N" and type(inner) is str:
        number = str(DYNAMODB_CONTEXT.create_decimal(DYNAMODB_CONTEXT.create_decimal(inner)))
        if number in ("Infinity", "NaN"):
            raise _Walk
        return {"N": number}
    if kind == "M" and type(inner) is dict:
        return {"M": {k: _round_trip(v) for k, v in inner.items()}}
    if kind == "L" and type(inner) is list:
        return {"L": [_round_trip(v) for v in inner]}
    if kind == "BOOL" and type(inner) is bool:
        return {"BOOL": inner}
    if kind == "NULL":
        return {"NULL": True}
    raise _Walk


class _Projected:
    """The parts of an item ``Item.project`` reads: its key and (some of) its attributes."""

    def __init__(self, item: Any, attrs: dict[str, Any]) -> None:
        self.hash_key, self.range_key, self.attrs = item.hash_key, item.range_key, attrs

    def to_regular_json(self) -> dict[str, Any]:
        from moto.dynamodb.models.dynamo_type import Item

        return Item.to_regular_json(self)  # type: ignore[arg-type]


def install() -> None:
    """Apply the guards to moto's attribute values and items (idempotent)."""
    if _originals:
        return
    from moto.dynamodb.models.dynamo_type import DynamoType, Item

    _originals.append((Item, "project", Item.__dict__["project"]))
    _originals.extend((DynamoType, name, DynamoType.__dict__[name])
                      for name in ("__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__hash__"))
    Item.project = _narrow_projection(Item.project)  # type: ignore[method-assign]
    for name, compare in (("__eq__", operator.eq), ("__ne__", operator.ne), ("__lt__", operator.lt),
                          ("__le__", operator.le), ("__gt__", operator.gt), ("__ge__", operator.ge)):
        setattr(DynamoType, name, _strings_compared(DynamoType.__dict__[name], compare))
    DynamoType.__hash__ = _string_hash(DynamoType.__dict__["__hash__"])  # type: ignore[method-assign]


def uninstall() -> None:
    """Give moto back its own comparisons and projection."""
    while _originals:
        owner, name, original = _originals.pop()
        setattr(owner, name, original)

"""DynamoDB attribute values and answers between JSON and data, by member rather than by shape walk.

moto writes a DynamoDB answer by walking botocore's output shape for every
value, botocore parses it back the same way, and both do the same for the
request's items: for item data (attribute values) the JSON is the data itself,
binary values in base64, so here it is written and read by each value's one
member. Anything of another shape is botocore's or moto's own walk, so every
answer and every refusal is theirs. An item call made in process
(``direct_dynamodb``) takes its answer as data, with no JSON at all
(``plain_answers``).
"""

from __future__ import annotations

import base64
import contextlib
import functools
import json
import threading
from dataclasses import dataclass
from typing import Any, Iterator

_local = threading.local()


# --- DynamoDB answers: item data to JSON directly ------------------------------------------------

# Operations whose output is item data (attribute values, counts, keys, capacity): the wire JSON is the
# result itself, binary values in base64. moto walks botocore's output shape for every value instead,
# which was more than half of each worker's time.
DIRECT_JSON_OPERATIONS = frozenset({
    "GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem",
    "TransactGetItems", "TransactWriteItems",
})


def _wire(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"{type(value).__name__} in a DynamoDB answer")


# The keys of a DynamoDB attribute value ({"S": "x"}, {"M": {...}}, ...): item data, which holds no None.
_ATTRIBUTE_TYPES = frozenset({"S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"})


def _without_none(value: Any) -> Any:
    """The answer without its absent (None) members; item data is passed as it is, not walked."""
    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)) in _ATTRIBUTE_TYPES:
            return value
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


def _plain(original: Any) -> Any:
    """moto's ``dynamo_to_dict`` (attribute values to plain dicts, binary as bytes), in one pass.

    moto's asks of every node whether it is a datetime, an attribute value,
    something with ``to_json``, a dict or a list, recursively through every
    page of every item; here an attribute value is expanded by its type, and
    anything that is not an attribute value, a plain dict or a plain list goes
    to moto's own function, so the result is the same.
    """
    from moto.dynamodb.models.dynamo_type import DynamoType, LimitedSizeDict

    def plain(obj: Any) -> Any:
        kind = type(obj)
        if kind is DynamoType:
            t = obj.type
            if t == "M":
                return {"M": {k: plain(v) for k, v in obj.value.items()}}
            if t == "L":
                return {"L": [plain(v) for v in obj.value]}
            if t in ("B", "BS"):
                return original(obj)
            value = obj.value
            return {t: plain(value) if type(value) in (dict, list) else value}
        if kind is dict or kind is LimitedSizeDict:  # the latter: an item's attributes
            return {k: plain(v) for k, v in obj.items()}
        if kind is list:
            return [plain(v) for v in obj]
        if kind in (str, int, bool, type(None)):
            return obj
        return original(obj)

    return plain


def _plain_result(init: Any) -> Any:
    from moto.core.responses import ActionResult
    from moto.dynamodb.models.utilities import dynamo_to_dict

    plain = _plain(dynamo_to_dict)

    @functools.wraps(init)
    def __init__(self: Any, result: object) -> None:
        ActionResult.__init__(self, plain(result))

    return __init__


def _direct_json(execute: Any) -> Any:
    @functools.wraps(execute)
    def execute_result(self: Any, context: Any) -> Any:
        if context.operation_model.name not in DIRECT_JSON_OPERATIONS or not isinstance(self.result, dict):
            return execute(self, context)

        status, headers = _empty_answer(context)
        answer = getattr(_local, "answer", None)
        if answer is not None:  # a call made in process takes the result itself (direct_dynamodb)
            answer.result = self.result
            return status, headers, ""
        return status, headers, json.dumps(_without_none(self.result), default=_wire)

    return execute_result


class _Empty:
    result: dict[str, Any] = {}


_EMPTY_ANSWERS: dict[tuple[str, type], tuple[int, dict[str, str]]] = {}


def _empty_answer(context: Any) -> tuple[int, dict[str, str]]:
    """The status and headers moto's serializer gives an empty answer of the operation (the same every time:
    worked out once per operation; a copy of the headers each call, as they are added to)."""
    from moto.core.responses import ActionResult

    key = (context.operation_model.name, context.serializer_class)
    found = _EMPTY_ANSWERS.get(key)
    if found is None:
        status, headers, _ = ActionResult.execute_result(_Empty(), context)
        found = _EMPTY_ANSWERS[key] = (status, dict(headers))
    return found[0], dict(found[1])


@dataclass
class PlainAnswer:
    """The result of a DynamoDB item operation, as plain values, for a caller in this thread."""

    result: dict[str, Any] | None = None


@contextlib.contextmanager
def plain_answers() -> Iterator[PlainAnswer]:
    """Within: this thread's DynamoDB item answer is handed over as data, its JSON body left empty."""
    outer = getattr(_local, "answer", None)
    _local.answer = answer = PlainAnswer()
    try:
        yield answer
    finally:
        _local.answer = outer


# --- the client's side: DynamoDB attribute values parsed in one pass ------------------------------

_ATTRIBUTE_VALUE_MEMBERS = ("S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL")


def _attribute_values_direct(handle_structure: Any) -> Any:
    """botocore's JSON parser, reading a DynamoDB ``AttributeValue`` without its per-node shape walk.

    botocore parses every attribute value of an answer by looking up the handler
    of each member's shape, node by node: for a run's metrics (a hundred pages
    of results, read a window at a time) that was a quarter of the pipeline's
    CPU. A well-formed attribute value (one member, not null) parses to the
    same dict by its member alone: strings, numbers and booleans as they are,
    binary values through the parser's blob parser, sets and lists element by
    element (a null element stays null, as botocore keeps it), maps value by
    value. Anything else is botocore's own walk.
    """

    def direct(parser: Any, value: Any, shape: Any) -> Any:
        if type(value) is not dict or len(value) != 1:
            return handle_structure(parser, shape, value)
        (kind, inner), = value.items()
        if inner is None:
            return handle_structure(parser, shape, value)
        if kind in ("S", "N", "BOOL", "NULL"):
            return {kind: inner}
        if kind == "M" and type(inner) is dict:
            return {"M": {k: None if v is None else direct(parser, v, shape) for k, v in inner.items()}}
        if kind == "L" and type(inner) is list:
            return {"L": [None if v is None else direct(parser, v, shape) for v in inner]}
        if kind in ("SS", "NS") and type(inner) is list:
            return {kind: list(inner)}
        if kind == "B":
            return {"B": parser._blob_parser(inner)}
        if kind == "BS" and type(inner) is list:
            return {"BS": [None if v is None else parser._blob_parser(v) for v in inner]}
        return handle_structure(parser, shape, value)

    @functools.wraps(handle_structure)
    def _handle_structure(self: Any, shape: Any, value: Any) -> Any:
        if shape.name == "AttributeValue" and tuple(shape.members) == _ATTRIBUTE_VALUE_MEMBERS:
            return direct(self, value, shape)
        return handle_structure(self, shape, value)

    return _handle_structure


class _Walk(Exception):
    """An attribute value the direct path does not take: the shape walk it falls back to decides."""


def _attribute_values_written(serialize_structure: Any) -> Any:
    """botocore's JSON serializer, writing a DynamoDB ``AttributeValue`` by member, not by shape walk.

    The same JSON as botocore's walk for what PynamoDB and boto3 send (each
    member as it is, binary values through the serializer's base64, sets and
    lists element by element, maps value by value, in the order given);
    anything else (an unknown member, a null binary) is botocore's own walk,
    which also raises what botocore raises.
    """

    def written(serializer: Any, value: Any) -> dict[str, Any]:
        if type(value) is not dict:
            raise _Walk
        out: dict[str, Any] = {}
        for kind, inner in value.items():
            if kind in ("S", "N", "BOOL", "NULL"):
                out[kind] = inner
            elif kind == "M" and type(inner) is dict:
                out["M"] = {k: written(serializer, v) for k, v in inner.items()}
            elif kind == "L" and type(inner) in (list, tuple):
                out["L"] = [written(serializer, v) for v in inner]
            elif kind in ("SS", "NS") and type(inner) in (list, tuple, set, frozenset):
                out[kind] = list(inner)
            elif kind == "B" and isinstance(inner, (bytes, bytearray, str)):
                out["B"] = serializer._get_base64(inner)
            elif kind == "BS" and type(inner) in (list, tuple, set, frozenset) and all(
                    isinstance(b, (bytes, bytearray, str)) for b in inner):
                out["BS"] = [serializer._get_base64(b) for b in inner]
            else:
                raise _Walk
        return out

    @functools.wraps(serialize_structure)
    def _serialize_type_structure(self: Any, serialized: Any, value: Any, shape: Any, key: Any) -> None:
        if key is not None and shape.name == "AttributeValue" and tuple(shape.members) == _ATTRIBUTE_VALUE_MEMBERS:
            try:
                serialized[key] = written(self, value)
                return
            except _Walk:
                pass
        serialize_structure(self, serialized, value, shape, key)

    return _serialize_type_structure


def _attribute_values_read(parse_structure: Any) -> Any:
    """moto's JSON request parser, reading a DynamoDB ``AttributeValue`` by member (same result).

    moto walks botocore's input shape for every value of every item written;
    a well-formed attribute value (one member) parses to that member as it is,
    binary values through the parser's blob parser, lists and maps element by
    element (a null map value or list element stays null). Anything else is
    moto's own walk.
    """

    def read(parser: Any, value: Any) -> dict[str, Any]:
        if type(value) is not dict or len(value) != 1:
            raise _Walk
        (kind, inner), = value.items()
        if inner is None or kind not in _ATTRIBUTE_VALUE_MEMBERS:
            raise _Walk
        if kind in ("S", "N", "BOOL", "NULL"):
            return {kind: inner}
        if kind == "M" and type(inner) is dict:
            return {"M": {k: None if v is None else read(parser, v) for k, v in inner.items()}}
        if kind == "L" and type(inner) is list:
            return {"L": [None if v is None else read(parser, v) for v in inner]}
        if kind in ("SS", "NS") and type(inner) is list:
            return {kind: list(inner)}
        if kind == "B":
            return {"B": parser._blob_parser(inner)}
        if kind == "BS" and type(inner) is list and None not in inner:
            return {"BS": [parser._blob_parser(b) for b in inner]}
        raise _Walk

    @functools.wraps(parse_structure)
    def _parse_structure(self: Any, shape: Any, value: Any) -> Any:
        if (self.MAP_TYPE is dict and shape.name == "AttributeValue"
                and tuple(shape.members) == _ATTRIBUTE_VALUE_MEMBERS):
            try:
                return read(self, value)
            except _Walk:
                pass
        return parse_structure(self, shape, value)

    return _parse_structure

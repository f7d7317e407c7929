"""JSON from outside, as every family reads it: only values Shipyard can keep and give back.

Python's ``json`` accepts more than Shipyard can store or serve: ``NaN`` and
``Infinity``, ``1e400`` (read as infinity), integers of any length (DynamoDB
keeps 38 digits, and beyond 4,300 Python refuses with a message about its own
settings), numbers outside DynamoDB's exponent range, lone surrogates
(``"\\udc80"``, which no UTF-8 encoder will write back), and nesting deep enough
to exhaust the interpreter's recursion. Each of those used to surface far from
the request as a 500 or a 503, or worse, as a stored record that broke every
listing it appeared in. Here they are refused where the body is read, as a
:class:`UnsafeJson` (a ``ValueError``), so each family answers its own
"malformed body" 4xx and nothing below ever sees such a value.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_DEPTH = 64
# DynamoDB numbers: 38 significant digits, magnitudes from 1E-130 to 9.99...E+125.
MAX_INT = 10**38
MAX_MAGNITUDE = 1e126
MIN_MAGNITUDE = 1e-130
# A surrogate can only enter through a \\uD800-\\uDFFF escape (strict UTF-8 decoding refuses encoded ones).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


class UnsafeJson(ValueError):
    """The text is not JSON, or holds a value Shipyard cannot keep; the message says which, for the client.

    ``not_json`` tells the two apart for families that word them differently.
    """

    def __init__(self, message: str, not_json: bool = False) -> None:
        super().__init__(message)
        self.not_json = not_json


def loads(raw: bytes | str) -> Any:
    """Parse ``raw`` (UTF-8 when bytes) as JSON Shipyard can store and serve again, else :class:`UnsafeJson`."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise UnsafeJson("the body is not UTF-8", not_json=True) from None
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise UnsafeJson(f"JSON nested more than {MAX_DEPTH} levels deep") from None
    except json.JSONDecodeError as err:
        raise UnsafeJson(str(err), not_json=True) from None
    except UnsafeJson:
        raise
    except ValueError:  # an integer past Python's digit limit
        raise UnsafeJson("a number has more than 38 digits") from None
    check(value, strings=_SURROGATE_ESCAPE.search(text) is not None)
    return value


def check(value: Any, strings: bool = True) -> None:
    """Refuse what :func:`loads` refuses, in a value already parsed (``strings``: look for lone surrogates)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            if depth > MAX_DEPTH:
                raise UnsafeJson(f"JSON nested more than {MAX_DEPTH} levels deep")
            if strings:
                for key in node:
                    _check_string(key)
            _check_members(node.values(), depth + 1, strings, stack)
        elif isinstance(node, list):
            if depth > MAX_DEPTH:
                raise UnsafeJson(f"JSON nested more than {MAX_DEPTH} levels deep")
            _check_members(node, depth + 1, strings, stack)
        elif isinstance(node, str):
            if strings:
                _check_string(node)
        elif isinstance(node, bool) or node is None:
            continue
        elif isinstance(node, int):
            if not -MAX_INT < node < MAX_INT:
                raise UnsafeJson("a number has more than 38 digits")
        elif isinstance(node, float):
            _check_float(node)


def _check_members(members: Any, depth: int, strings: bool, stack: list[tuple[Any, int]]) -> None:
    """A container's members: plain numbers, strings, booleans and null checked here, the rest left on ``stack``.

    A blob is mostly long lists of floats (a tp5 run: 2,500 replicates); one
    pass over them here, by exact type, costs a sixth of visiting each as a
    node. Anything else (containers, subclasses of the plain types) is a node.
    """
    for item in members:
        kind = type(item)
        if kind is float:
            magnitude = abs(item)
            if not magnitude < MAX_MAGNITUDE or 0 < magnitude < MIN_MAGNITUDE:  # NaN fails the first test
                _check_float(item)
        elif kind is int:
            if not -MAX_INT < item < MAX_INT:
                raise UnsafeJson("a number has more than 38 digits")
        elif kind is str:
            if strings:
                _check_string(item)
        elif item is None or kind is bool:
            continue
        else:
            stack.append((item, depth))


def _check_float(number: float) -> None:
    if not math.isfinite(number):
        raise UnsafeJson("a number is too large (Infinity and NaN are not JSON)")
    magnitude = abs(number)
    if magnitude >= MAX_MAGNITUDE or 0 < magnitude < MIN_MAGNITUDE:
        raise UnsafeJson("a number is outside the range 1E-130 to 1E+126")


def _check_string(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise UnsafeJson("a string holds a lone surrogate (not Unicode text)") from None


def _refuse_constant(name: str) -> Any:
    raise UnsafeJson(f"{name} is not JSON")

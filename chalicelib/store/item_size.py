"""The size DynamoDB bills an item at, from its wire form (AttributeValue maps).

The rules are AWS's ("Item sizes and formats", DynamoDB developer guide):
names and strings count their UTF-8 bytes, binary its bytes, a number one
byte per two significant digits plus one, null and booleans one byte, lists
and maps three bytes plus one per element. Write units are per started KB of
this size, read units per started 4 KB; moto reports 1.0 for everything, so
the cost benchmark and per-project sizes compute it here.
"""

from __future__ import annotations

import math
from typing import Any

KB = 1024


def item_bytes(item: dict[str, Any]) -> int:
    """Billable bytes of one item given as ``{name: AttributeValue}``."""
    return sum(len(name.encode()) + value_bytes(value) for name, value in item.items())


def value_bytes(value: dict[str, Any]) -> int:
    """Billable bytes of one AttributeValue (``{"S": ...}``, ``{"N": ...}``, ``{"M": {...}}``...)."""
    (kind, content), = value.items()
    if kind == "S":
        return len(content.encode())
    if kind == "N":
        return _number_bytes(content)
    if kind == "B":
        return len(content)
    if kind in ("NULL", "BOOL"):
        return 1
    if kind == "SS":
        return sum(len(s.encode()) for s in content)
    if kind == "NS":
        return sum(_number_bytes(n) for n in content)
    if kind == "BS":
        return sum(len(b) for b in content)
    if kind == "L":
        return 3 + sum(value_bytes(v) + 1 for v in content)
    if kind == "M":
        return 3 + sum(len(k.encode()) + value_bytes(v) + 1 for k, v in content.items())
    raise ValueError(f"not a DynamoDB attribute value type: {kind!r}")


def _number_bytes(text: str) -> int:
    digits = text.lstrip("+-").lower().split("e")[0].replace(".", "").strip("0")
    return math.ceil(max(len(digits), 1) / 2) + 1


def write_units(size: int) -> int:
    """Standard write units of one write of an item this large (1 per started KB)."""
    return max(1, math.ceil(size / KB))


def read_units(size: int, consistent: bool) -> float:
    """Read units of one read of this many bytes (1 per started 4 KB; half for an eventually consistent read)."""
    units = max(1, math.ceil(size / (4 * KB)))
    return float(units) if consistent else units / 2

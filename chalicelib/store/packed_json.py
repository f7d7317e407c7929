"""A JSON value kept as one compressed binary attribute, for large nested values read and written whole.

A run's metrics are a hundred pages of a dozen fields each. Kept as a
DynamoDB map of maps, every one of those ~2,000 values is an attribute value
that each layer handles one by one: PynamoDB (de)serialises it, botocore
walks it, the item is billed per name and per value. Kept as one binary
value it is one attribute to every layer, about a third of the billed bytes
(fewer write units), and decoding is one ``zlib`` and one ``json.loads`` in
C. The price: DynamoDB cannot address a page inside it (nothing does: the
readers take a run's pages whole), and it is opaque in the console.

Values round-trip as Python's ``json`` writes them: floats exactly (the
shortest repr), ints stay ints, ``None`` is null. NaN and infinities are
refused, as DynamoDB refuses them in a number.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from pynamodb.attributes import BinaryAttribute

_LEVEL = 6  # zlib's default: level 9 saves ~2% more of a run's metrics for ~1.7x the CPU


def pack(value: Any) -> bytes:
    """The stored bytes of a JSON value (the same value always packs to the same bytes)."""
    return zlib.compress(json.dumps(value, separators=(",", ":"), allow_nan=False).encode(), _LEVEL)


def unpack(data: bytes) -> Any:
    return json.loads(zlib.decompress(data))


class PackedJSONAttribute(BinaryAttribute):
    """A JSON value (dicts, lists, str, numbers, booleans, None) as one zlib-compressed binary attribute."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(legacy_encoding=False, **kwargs)

    def serialize(self, value: Any) -> bytes:
        return pack(value)

    def deserialize(self, value: bytes) -> Any:
        return unpack(value)

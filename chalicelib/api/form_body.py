"""Form bodies (``application/x-www-form-urlencoded``) decoded as ``urllib.parse`` decodes them, in numpy.

A Datazilla upload is a form whose ``data`` field is the blob percent-encoded
twice (the client quotes the JSON, then form-encodes it): a tp5 blob of 23 KB
arrives as 46 KB holding ~6,000 escapes, and ``urllib.parse`` decodes each
escape with a Python step, twice (``parse_qsl``, then ``unquote_to_bytes``):
3 ms of the upload's 11 ms of CPU (benchmarks/drain_profile.py). Here every
escape of a field is found and decoded by a few array operations.

The results are the standard library's, byte for byte (tests/api/test_form_body.py
compares them on random and hostile input): an escape is ``%`` and two hex
digits of either case; a ``%`` not followed by two hex digits stays as it is;
``+`` is a space in form fields; names and values are UTF-8 (``strict``: a
body that is not raises ``UnicodeDecodeError``). A body with bytes outside
ASCII, which no form encoder writes, is handed to ``parse_qsl`` itself.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote_to_bytes

import numpy as np

_PERCENT = ord("%")
# Below this many bytes urllib's own loop is cheaper than numpy's calls (an OAuth parameter: ~10x).
_SHORT = 512
# Value of each byte as a hex digit, -1 for a byte that is none.
_HEX_VALUE = np.full(256, -1, dtype=np.int16)
for _digits, _first in (("0123456789", 0), ("abcdef", 10), ("ABCDEF", 10)):
    for _offset, _char in enumerate(_digits):
        _HEX_VALUE[ord(_char)] = _first + _offset
_HEX_VALUE.flags.writeable = False


def percent_decoded(text: bytes | str) -> bytes:
    """``urllib.parse.unquote_to_bytes(text)``: each ``%XX`` escape replaced by its byte (str: UTF-8 first)."""
    raw = text.encode("utf-8") if isinstance(text, str) else bytes(text)
    if len(raw) < _SHORT or b"%" not in raw:
        return unquote_to_bytes(raw)
    octets = np.frombuffer(raw, dtype=np.uint8)
    # An escape is a "%" with two hex digits after it. A hex digit is never "%", so escapes cannot overlap,
    # and each "%" is decided by its own next two bytes, as urllib's split on "%" decides it.
    marks = np.flatnonzero(octets[:-2] == _PERCENT)
    high = _HEX_VALUE[octets[marks + 1]]
    low = _HEX_VALUE[octets[marks + 2]]
    valid = (high >= 0) & (low >= 0)
    marks = marks[valid]
    decoded = octets.copy()
    decoded[marks] = (high[valid] << 4 | low[valid]).astype(np.uint8)
    keep = np.ones(octets.size, dtype=bool)
    keep[marks + 1] = False
    keep[marks + 2] = False
    return decoded[keep].tobytes()


def form_pairs(body: bytes) -> list[tuple[str, str]]:
    """Every field of a form body, in order, blank values kept.

    ``parse_qsl(body.decode("utf-8"), keep_blank_values=True, errors="strict")``:
    raises ``UnicodeDecodeError`` for a body (or an escaped name or value)
    that is not UTF-8.
    """
    if not body.isascii():
        return parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False, errors="strict")
    pairs = []
    for field in body.split(b"&"):
        if not field:
            continue
        name, _, value = field.partition(b"=")
        pairs.append((percent_decoded(name.replace(b"+", b" ")).decode("utf-8"),
                      percent_decoded(value.replace(b"+", b" ")).decode("utf-8")))
    return pairs

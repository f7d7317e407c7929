"""Datazilla's query parameters: integers, the ``days_ago``/``numdays`` window, comma lists.

Each raises ValueError with a message the client can act on; the route
answers it as 400 ``Bad request``.
"""

from __future__ import annotations

import re
import time

# Decimal digits with an optional sign, few enough for any field (Python's int() takes far more: spaces inside,
# "_", non-ASCII digits, and past 4,300 digits a message about its own settings).
INTEGER = re.compile(r"[+-]?[0-9]{1,18}")
DIGITS = re.compile(r"[+-]?[0-9]+")  # an integer, but longer than any field takes
DAY = 86400


def int_param(params: dict[str, str] | None, name: str, default: int | None = None, minimum: int = 0,
              maximum: int | None = None) -> int | None:
    """An integer query parameter; ValueError with a readable message otherwise."""
    raw = (params or {}).get(name)
    if raw is None or raw == "":
        return default
    if not INTEGER.fullmatch(raw.strip()):
        if DIGITS.fullmatch(raw.strip()):
            raise ValueError(f"'{name}' is out of range, got {raw[:40]!r}")
        raise ValueError(f"'{name}' must be an integer, got {raw[:40]!r}")
    value = int(raw.strip())
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise ValueError(f"'{name}' must be {bound}, got {value}")
    return value


def date_window(params: dict[str, str] | None) -> tuple[int, int]:
    """Datazilla's ``days_ago`` (required) and ``numdays`` as a [start, end] range of unix seconds."""
    days_ago = int_param(params, "days_ago")
    if days_ago is None:
        raise ValueError("'days_ago' is required")
    numdays = int_param(params, "numdays")
    now = int(time.time())
    start = now - days_ago * DAY
    end = start + numdays * DAY if numdays is not None else now
    return start, end


def comma_list(params: dict[str, str] | None, name: str) -> list[str]:
    raw = (params or {}).get(name) or ""
    return [v.strip() for v in raw.split(",") if v.strip()]

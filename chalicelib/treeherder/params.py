"""Query parameters of Treeherder's read endpoints: typed values and clear refusals. Pure."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

DAY = 86400


class BadParameter(ValueError):
    """A parameter is wrong; answered 400 with this message."""


class Params:
    """A request's query parameters: one value (the last) or all values of a name."""

    def __init__(self, query_params: Any = None) -> None:
        self._query = query_params or {}

    def get(self, name: str, default: str | None = None) -> str | None:
        values = self.getlist(name)
        return values[-1] if values else default

    def getlist(self, name: str) -> list[str]:
        if name not in self._query:
            return []
        getlist = getattr(self._query, "getlist", None)
        if getlist is not None:
            return list(getlist(name))
        value = self._query[name]
        return list(value) if isinstance(value, (list, tuple)) else [value]

    def names(self) -> list[str]:
        return list(self._query)

    def as_dict(self) -> dict[str, str]:
        return {name: self.get(name) or "" for name in self.names()}


INTEGER = re.compile(r"[+-]?[0-9]+")


def is_integer(raw: str) -> bool:
    """ASCII digits with an optional sign: what the documents call an integer (Python's ``int`` also takes
    spaces, ``_`` and other scripts' digits, which a client's integer never is)."""
    return INTEGER.fullmatch(raw) is not None


def int_value(raw: str | None, name: str) -> int | None:
    if raw is None or raw == "":
        return None
    if not is_integer(raw):
        raise BadParameter(f"Invalid {name}: must be an integer")
    return int(raw)


def int_list(values: list[str], name: str) -> list[int]:
    """Integers from repeated and/or comma-separated values."""
    out = []
    for value in values:
        for part in value.split(","):
            if part.strip():
                out.append(int_value(part.strip(), name))
    return out  # type: ignore[return-value]


def timestamp(raw: str, name: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise BadParameter(f"Invalid timestamp specified for {name}") from None
    if not math.isfinite(value):
        raise BadParameter(f"Invalid timestamp specified for {name}")
    return value


def utc_seconds(raw: str, refusal: str) -> int:
    """An ISO date or date-time as unix seconds, UTC when it names no offset; else ``refusal`` as a 400.

    Each Treeherder parameter words its refusal differently, so the caller gives it.
    """
    try:
        parsed = dt.datetime.fromisoformat(raw.strip())
    except ValueError:
        raise BadParameter(refusal) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return int(parsed.timestamp())


def day_start(raw: str, name: str) -> int:
    """A date (``YYYY-MM-DD``) or ISO date-time as unix seconds (UTC)."""
    return utc_seconds(raw, f"Invalid date specified for {name}: use YYYY-MM-DD")

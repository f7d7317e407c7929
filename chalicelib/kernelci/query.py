"""The query string of a KernelCI GET, and what it does to a list of documents.

Filters: any declared key; repeated means "any of"; ``null`` matches a missing
value; undeclared keys are ignored. ``date_range=N`` keeps documents created
from 00:00 UTC N days before today (or before ``created_on``) to 23:59:59 of
that day; ``created_on=YYYY-MM-DD`` alone is one day. ``sort`` (repeatable)
with ``sort_order`` 1 or -1 (default -1, and anything else is -1); ``skip``;
``limit`` (0: no limit); ``field`` / ``nfield`` choose the fields shown.

Documents here are plain dicts as stored: ids as 24-hex strings, dates as
milliseconds since the epoch.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from chalicelib.kernelci.keys import INTEGER_KEYS

DEFAULT_DATE_RANGE = 5
DAY_MS = 86_400_000
# The largest day count a date can go back without leaving the calendar.
MAX_DATE_RANGE = 700_000
PAGING = ("limit", "skip")


class BadQuery(ValueError):
    """A query parameter that cannot mean anything (answered 400)."""


@dataclass(frozen=True)
class Query:
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # created_on window, inclusive, in ms; None: unbounded
    created_from: int | None = None
    created_to: int | None = None
    sort: tuple[str, ...] = ()
    descending: bool = True
    skip: int = 0
    limit: int = 0
    fields: tuple[str, ...] = ()
    nfields: tuple[str, ...] = ()

    @property
    def in_created_order(self) -> bool:
        """Whether the answer is in creation order, which the indexes keep: no need to read everything."""
        return not self.sort or self.sort == ("created_on",)

    @property
    def has_window(self) -> bool:
        return self.created_from is not None or self.created_to is not None


def _last(params: Mapping[str, list[str]], name: str) -> str | None:
    values = [v for v in params.get(name, []) if v != ""]
    return values[-1] if values else None


def _count(params: Mapping[str, list[str]], name: str) -> int:
    raw = _last(params, name)
    if raw is None:
        return 0
    try:
        value = int(raw)
    except ValueError:
        raise BadQuery(f"'{name}' must be an integer, got {raw!r}") from None
    if value < 0:
        raise BadQuery(f"'{name}' must not be negative, got {value}")
    return value


def _day(raw: str | None) -> dt.date | None:
    if raw is None:
        return None
    for layout in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(raw, layout).date()
        except ValueError:
            continue
    return None


def _ms(moment: dt.datetime) -> int:
    return int(moment.replace(tzinfo=dt.UTC).timestamp() * 1000)


def created_window(date_range: str | None, created_on: str | None, today: dt.date) -> tuple[int | None, int | None]:
    """The [from, to] window in ms of ``date_range`` and ``created_on``; (None, None) without either."""
    day = _day(created_on)
    if date_range is None:
        if day is None:
            return None, None
        start = _ms(dt.datetime.combine(day, dt.time()))
        return start, start + DAY_MS - 1000
    try:
        days = abs(int(date_range))
    except ValueError:
        days = DEFAULT_DATE_RANGE
    if days > MAX_DATE_RANGE:
        days = DEFAULT_DATE_RANGE
    end_day = day or today
    end = _ms(dt.datetime.combine(end_day, dt.time(23, 59, 59)))
    start = _ms(dt.datetime.combine(end_day, dt.time())) - days * DAY_MS
    return start, end


def parse(params: Mapping[str, list[str]], filter_keys: Iterable[str], today: dt.date | None = None) -> Query:
    """The query a GET asks for; :class:`BadQuery` for a skip or limit that is not a count."""
    keys = set(filter_keys) - {"created_on", "_id"}
    filters = {k: tuple(dict.fromkeys(v for v in params.get(k, []) if v != "")) for k in sorted(keys)}
    created_from, created_to = created_window(_last(params, "date_range"), _last(params, "created_on"),
                                              today or dt.datetime.now(dt.UTC).date())
    order = _last(params, "sort_order")
    return Query(
        filters={k: v for k, v in filters.items() if v},
        created_from=created_from, created_to=created_to,
        sort=tuple(dict.fromkeys(v for v in params.get("sort", []) if v)),
        descending=order != "1",
        skip=_count(params, "skip"), limit=_count(params, "limit"),
        fields=tuple(dict.fromkeys(v for v in params.get("field", []) if v)),
        nfields=tuple(dict.fromkeys(v for v in params.get("nfield", []) if v)),
    )


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _wanted(key: str, wanted: tuple[str, ...]) -> set[str | None]:
    out: set[str | None] = set()
    for value in wanted:
        if value == "null":
            out.add(None)
        elif key in INTEGER_KEYS:
            try:
                out.add(str(int(value)))
            except ValueError:
                continue  # a number field never equals this text
        else:
            out.add(value.lower() if value.lower() in ("true", "false") else value)
    return out


def matcher(query: Query, skip_keys: Iterable[str] = ()) -> Any:
    """A predicate for the filters the index did not already apply."""
    residual = {k: _wanted(k, v) for k, v in query.filters.items() if k not in set(skip_keys)}

    def matches(doc: dict[str, Any]) -> bool:
        created = doc.get("created_on")
        if query.created_from is not None and (created is None or created < query.created_from):
            return False
        if query.created_to is not None and (created is None or created > query.created_to):
            return False
        return all(_as_text(doc.get(k)) in wanted for k, wanted in residual.items())

    return matches


_TYPE_RANK = {type(None): 0, int: 1, float: 1, str: 2, dict: 3, list: 4, bool: 5}


def _sort_value(value: Any) -> tuple[int, Any]:
    rank = _TYPE_RANK.get(type(value), 6)
    if rank in (3, 4, 6):
        return rank, json.dumps(value, sort_keys=True, default=str)
    return rank, (0 if value is None else value)


def ordered(docs: list[dict[str, Any]], query: Query) -> list[dict[str, Any]]:
    """Sorted by ``sort`` (ties and the default: newest first, as the indexes list them)."""
    keys = query.sort or ("created_on",)
    return sorted(docs, key=lambda d: tuple(_sort_value(d.get(k)) for k in keys), reverse=query.descending)


def page(docs: list[dict[str, Any]], query: Query) -> list[dict[str, Any]]:
    end = query.skip + query.limit if query.limit else None
    return docs[query.skip:end]


def project(doc: dict[str, Any], query: Query) -> dict[str, Any]:
    """``field`` keeps only those fields (and ``_id``); ``nfield`` removes fields."""
    shown = doc
    if query.fields:
        keep = set(query.fields) | {"_id"}
        shown = {k: v for k, v in doc.items() if k in keep}
    if query.nfields:
        drop = set(query.nfields)
        shown = {k: v for k, v in shown.items() if k not in drop}
    return shown

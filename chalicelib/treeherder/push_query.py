"""``GET /api/project/<p>/push/``: its parameters as one range query. Pure.

Everything a client can ask for narrows two inclusive ranges over a
branch's pushes — Shipyard push id (``id``, ``id__lt|lte|gt|gte``, and
``fromchange``/``tochange`` once their pushes are known) and push time
(``startdate``, ``enddate``, ``push_timestamp__lt|lte|gt|gte``) — plus an
optional id set (``id__in``), tip revision, commit revision and author.
A branch's push ids grow with its push order, so "newest first" is
descending id.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from chalicelib.treeherder.params import (
    DAY,
    BadParameter,
    Params,
    day_start,
    int_list,
    int_value,
    is_integer,
    timestamp,
)

MAX_COUNT = 1000
# treeherder-client pages lists longer than 2000 with count=2000 and offset:
# a paged request (one that gives ``offset``) may ask for a page that large.
MAX_PAGED_COUNT = 2000
DEFAULT_COUNT = 10
META_PARAMS = ("fromchange", "tochange", "startdate", "enddate", "revision", "commit_revision")


@dataclass
class PushQuery:
    count: int = DEFAULT_COUNT
    offset: int = 0
    id_low: int | None = None
    id_high: int | None = None
    ids: list[int] | None = None
    date_low: int | None = None
    date_high: int | None = None
    revision: str | None = None
    commit_revision: str | None = None
    fromchange: str | None = None
    tochange: str | None = None
    author: str | None = None
    exclude_author: bool = False
    meta: dict[str, Any] = field(default_factory=dict)
    filter_params: dict[str, Any] = field(default_factory=dict)

    def narrow_ids(self, low: int | None = None, high: int | None = None) -> None:
        if low is not None:
            self.id_low = low if self.id_low is None else max(self.id_low, low)
        if high is not None:
            self.id_high = high if self.id_high is None else min(self.id_high, high)

    def narrow_dates(self, low: int | None = None, high: int | None = None) -> None:
        if low is not None:
            self.date_low = low if self.date_low is None else max(self.date_low, low)
        if high is not None:
            self.date_high = high if self.date_high is None else min(self.date_high, high)

    @property
    def empty(self) -> bool:
        """Bounds that cross: nothing can match."""
        return ((self.id_low is not None and self.id_high is not None and self.id_low > self.id_high)
                or (self.date_low is not None and self.date_high is not None and self.date_low > self.date_high))

    def matches(self, pushlog_id: int, date: int, user: str) -> bool:
        """Whether a push passes every bound (for pushes found by revision or id set)."""
        if self.id_low is not None and pushlog_id < self.id_low:
            return False
        if self.id_high is not None and pushlog_id > self.id_high:
            return False
        if self.date_low is not None and date < self.date_low:
            return False
        if self.date_high is not None and date > self.date_high:
            return False
        if self.ids is not None and pushlog_id not in self.ids:
            return False
        if self.author is not None and (user == self.author) == self.exclude_author:
            return False
        return True


def _count(raw: str | None, paged: bool) -> int:
    if raw is None or raw == "":
        return DEFAULT_COUNT
    if not is_integer(raw):
        raise BadParameter("Valid count value required")
    count = int(raw)
    if count < 0:
        raise BadParameter("Valid count value required")
    limit = MAX_PAGED_COUNT if paged else MAX_COUNT
    if count > limit:
        raise BadParameter(f"Specified count exceeds api limit: {limit}")
    return count


def _timestamp_bounds(query: PushQuery, params: Params) -> None:
    for name in ("push_timestamp__lt", "push_timestamp__lte", "push_timestamp__gt", "push_timestamp__gte"):
        raw = params.get(name)
        if not raw:
            continue
        value = timestamp(raw, name)
        if name.endswith("__lt"):
            query.narrow_dates(high=math.ceil(value) - 1)
        elif name.endswith("__lte"):
            query.narrow_dates(high=math.floor(value))
        elif name.endswith("__gt"):
            query.narrow_dates(low=math.floor(value) + 1)
        else:
            query.narrow_dates(low=math.ceil(value))


def _id_bounds(query: PushQuery, params: Params) -> None:
    for name in ("id__lt", "id__lte", "id__gt", "id__gte", "id"):
        raw = params.get(name) or "0"
        if not is_integer(raw):
            raise BadParameter(f"Invalid value specified for {name}")
        value = int(raw)
        if not value:
            continue  # Treeherder ignores 0
        if name == "id__lt":
            query.narrow_ids(high=value - 1)
        elif name == "id__lte":
            query.narrow_ids(high=value)
        elif name == "id__gt":
            query.narrow_ids(low=value + 1)
        elif name == "id__gte":
            query.narrow_ids(low=value)
        else:
            query.narrow_ids(low=value, high=value)
    raw_in = params.getlist("id__in")
    if raw_in:
        try:
            query.ids = int_list(raw_in, "id__in")
        except BadParameter:
            raise BadParameter("Invalid id__in specification") from None


def parse(params: Params) -> PushQuery:
    """The push list request; :class:`BadParameter` (400) when a value is wrong."""
    query = PushQuery()
    query.filter_params = {k: v for k, v in params.as_dict().items() if k not in META_PARAMS}
    for name in META_PARAMS:
        value = params.get(name)
        if value:
            query.meta[name] = value
    query.offset = int_value(params.get("offset"), "offset") or 0
    if query.offset < 0:
        raise BadParameter("Invalid offset: must be at least 0")
    query.count = _count(params.get("count"), paged=params.get("offset") is not None)

    if "startdate" in query.meta:
        start = day_start(query.meta["startdate"], "startdate")
        query.narrow_dates(low=start)
        query.filter_params["push_timestamp__gte"] = start
    if "enddate" in query.meta:
        end = day_start(query.meta["enddate"], "enddate") + DAY
        query.narrow_dates(high=end - 1)
        query.filter_params["push_timestamp__lt"] = end
    for name in ("revision", "commit_revision", "fromchange", "tochange"):
        value = query.meta.get(name)
        if value is not None:
            if not all(c in "0123456789abcdefABCDEF" for c in value) or not 1 <= len(value) <= 40:
                raise BadParameter(f"Invalid {name}: must be a hexadecimal revision")
            setattr(query, name, value.lower())
    if query.revision is not None:
        key = "revisions_long_revision" if len(query.revision) == 40 else "revisions_short_revision"
        query.filter_params[key] = query.revision
    _timestamp_bounds(query, params)
    _id_bounds(query, params)
    author = params.get("author")
    if author:
        query.exclude_author = author.startswith("-")
        query.author = author[1:] if query.exclude_author else author
    return query

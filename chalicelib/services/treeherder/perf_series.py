"""Perfherder's view of the performance series the Datazilla ingest stores.

A signature names a series (see ``chalicelib/perf/signatures.py``); its data
are the per-run page means the metrics worker keeps in the metrics table
(``pages[page].mean``, as Datazilla computes it: tp5-family tests without
their first replicate). One point per run linked to a push.

Reads per signature: one Query on the series group's runs, its key range
narrowed to the pushes asked for (a time range becomes hg push ids with one
Query on the pushes' date index at each end), and one BatchGetItem for the
pushes' tips.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from chalicelib.store import metrics as metrics_store
from chalicelib.store import pushes
from chalicelib.store.metrics import plain
from chalicelib.store.perf_signatures import StoredSignature
from chalicelib.treeherder.params import DAY, BadParameter, Params, day_start, int_list, int_value

POINT_ID_STRIDE = 10_000  # a point's id: test run id * stride + the page's position in the run
MAX_PUSH_IDS = 100  # push_id values one data query reads (one Query each per series)


@dataclass
class DataQuery:
    hashes: list[str]
    signature_ids: list[int]
    date_low: int | None = None
    date_high: int | None = None
    push_ids: list[int] | None = None
    job_ids: list[int] | None = None
    frameworks: list[int] | None = None


class DataQueryRefused(ValueError):
    """A data query Treeherder refuses, with its body (a list or a ``message`` object, as it answered)."""

    def __init__(self, body: Any) -> None:
        super().__init__(str(body))
        self.body = body


def _moment(raw: str, name: str) -> int:
    """An ISO date-time (``YYYY-MM-DDTHH:MM:SS``; UTC when it names no offset) as unix seconds."""
    import datetime as dt

    try:
        parsed = dt.datetime.fromisoformat(raw.strip())
    except ValueError:
        raise BadParameter(f"Invalid date value for `{name}`: {raw[:40]}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return int(parsed.timestamp())


def parse_data_query(params: Params, now: float | None = None) -> DataQuery:
    """``performance/data``'s parameters, refused where Treeherder's PerformanceDatumViewSet refuses them."""
    hashes = [h.strip() for value in params.getlist("signatures") + params.getlist("signature")
              for h in value.split(",") if h.strip()]
    ids = int_list(params.getlist("signature_id"), "signature_id")
    push_ids = int_list(params.getlist("push_id"), "push_id")
    try:
        job_ids = int_list(params.getlist("job_id"), "job_id")
    except BadParameter:
        raise DataQueryRefused({"message": "Job id(s) must be specified as integers"}) from None
    if not (hashes or ids or push_ids or job_ids):
        raise DataQueryRefused(["Need to specify either signature_id, signatures, push_id, or job_id"])
    if hashes and ids:
        raise DataQueryRefused(["Can't specify both signature_id and signatures in same query"])
    interval = int_value(params.get("interval"), "interval")
    start, end = params.get("start_date"), params.get("end_date")
    if interval is not None and (start or end):
        raise DataQueryRefused({"message": "Provide either interval only -or- start (and end) date"})
    query = DataQuery(hashes, ids, push_ids=push_ids or None, job_ids=job_ids or None)
    if interval is not None:
        if interval <= 0:
            raise BadParameter("interval must be a positive number of seconds")
        query.date_low = int((time.time() if now is None else now) - interval) + 1  # push_timestamp__gt
    if start:
        query.date_low = _moment(start, "start_date") + 1  # strictly after, as Treeherder filters
    if end:
        query.date_high = _moment(end, "end_date") - 1  # strictly before
    if params.get("startday"):
        query.date_low = max(query.date_low or 0, day_start(params.get("startday") or "", "startday"))
    if params.get("endday"):
        query.date_high = day_start(params.get("endday") or "", "endday") + DAY - 1
    frameworks = int_list(params.getlist("framework"), "framework")
    query.frameworks = frameworks or None
    return query


def signature_filter(params: Params, now: float | None = None) -> Any:
    """The signatures listing's filters as a predicate over stored signatures."""
    wanted_hashes = {h.strip() for v in params.getlist("signature") for h in v.split(",") if h.strip()}
    frameworks = set(int_list(params.getlist("framework"), "framework"))
    platforms = set(params.getlist("platform"))
    interval = int_value(params.get("interval"), "interval")
    cutoff = None if interval is None else (time.time() if now is None else now) - interval
    subtests = params.get("subtests")
    if subtests not in (None, "", "0", "1"):
        raise BadParameter("subtests must be 0 or 1")
    ids = set(int_list(params.getlist("id"), "id"))
    start = _moment(params.get("start_date") or "", "start_date") if params.get("start_date") else None
    end = _moment(params.get("end_date") or "", "end_date") if params.get("end_date") else None

    def keep(stored: StoredSignature) -> bool:
        props = stored.signature.properties()
        return ((not wanted_hashes or stored.hash in wanted_hashes)
                and (not frameworks or props["framework_id"] in frameworks)
                and (not platforms or props["machine_platform"] in platforms)
                and (cutoff is None or stored.last_updated >= cutoff)
                and (start is None or stored.last_updated > start)
                and (end is None or stored.last_updated < end)
                and (subtests != "0" or props["parent_signature"] is None)
                and (not ids or stored.id in ids))

    return keep


def describe(stored: StoredSignature) -> dict[str, Any]:
    return {"id": stored.id, **stored.signature.properties()}


def _push_bounds(branch: str, query: DataQuery) -> list[tuple[int, int]]:
    """The hg push id ranges the pushes asked for cover (one per ``push_id``, else all of them)."""
    if query.push_ids is None:
        return [(0, 10**12 - 1)]
    ranges = []
    for pushlog_id in dict.fromkeys(query.push_ids[:MAX_PUSH_IDS]):
        push = pushes.by_pushlog_id(pushlog_id)
        if push is not None and push.branch == branch:
            ranges.append((push.push_id, push.push_id))
    return ranges


def _order_bounds(branch: str, query: DataQuery) -> list[tuple[str, str]]:
    """The metrics ``order_key`` ranges of the pushes asked for; none when no push can match."""
    low_date, high_date = 0, 10**12 - 1
    if query.date_low is not None:
        first = pushes.first_on_or_after(branch, query.date_low)
        if first is None:
            return []
        low_date = first.push_id
    if query.date_high is not None:
        last = pushes.last_on_or_before(branch, query.date_high)
        if last is None:
            return []
        high_date = last.push_id
    out = []
    for low, high in _push_bounds(branch, query):
        low, high = max(low, low_date), min(high, high_date)
        if low <= high:
            out.append((f"{low:012d}", f"{high:012d}~"))
    return out


def order_bounds(branch: str, query: DataQuery) -> list[tuple[str, str]]:
    """The key ranges a data query reads in every series (computed once per request)."""
    return _order_bounds(branch, query)


@dataclass
class Reads:
    """What one request already read: a series group's runs (its signatures differ by page only) and tips."""

    runs: dict[str, list[Any]]
    tips: dict[int, Any]


def series(branch: str, stored: StoredSignature, query: DataQuery,
           bounds: list[tuple[str, str]] | None = None, reads: Reads | None = None) -> list[dict[str, Any]]:
    """The signature's points, oldest push first.

    ``bounds`` (:func:`order_bounds`) and ``reads`` let a request that shows
    many series compute its key ranges once and read each series group once.
    """
    if query.job_ids is not None:
        return []  # the points come from Datazilla runs, which name no Treeherder job (job_id null)
    reads = reads or Reads({}, {})
    key = stored.signature.group.key
    if key not in reads.runs:
        ranges = _order_bounds(branch, query) if bounds is None else bounds
        reads.runs[key] = [rec for low_high in ranges for rec in metrics_store.between(key, *low_high)]
    page = stored.signature.page
    points = []
    for rec in reads.runs[key]:
        pages = plain(rec.pages)
        value = (pages.get(page) or {}).get("mean")
        if value is None:
            continue
        position = sorted(pages).index(page)
        points.append((rec, value, position))
    missing = [int(rec.push_id) for rec, _, _ in points if int(rec.push_id) not in reads.tips]
    if missing:
        reads.tips.update(pushes.get_many(branch, missing))
    out = []
    for rec, value, position in points:
        push = reads.tips.get(int(rec.push_id))
        out.append({
            "signature_id": stored.id,
            "id": int(rec.test_run_id) * POINT_ID_STRIDE + position,
            "job_id": None,
            "push_id": int(rec.pushlog_id),
            "push_timestamp": int(rec.push_date),
            "value": round(value, 2),  # Perfherder rounds to 2 decimal places
            "revision": push.tip if push is not None else rec.revision,
        })
    return out

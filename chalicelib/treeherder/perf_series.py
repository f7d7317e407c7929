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


@dataclass
class DataQuery:
    hashes: list[str]
    signature_ids: list[int]
    date_low: int | None = None
    date_high: int | None = None
    push_id: int | None = None
    frameworks: list[int] | None = None


def parse_data_query(params: Params, now: float | None = None) -> DataQuery:
    hashes = [h for value in params.getlist("signatures") + params.getlist("signature") for h in value.split(",")
              if h.strip()]
    ids = int_list(params.getlist("signature_id"), "signature_id")
    if not hashes and not ids:
        raise BadParameter("Need to specify either signature_id or signatures")
    query = DataQuery([h.strip() for h in hashes], ids)
    interval = int_value(params.get("interval"), "interval")
    if interval is not None:
        if interval <= 0:
            raise BadParameter("interval must be a positive number of seconds")
        query.date_low = int((time.time() if now is None else now) - interval)
    if params.get("startday"):
        query.date_low = max(query.date_low or 0, day_start(params.get("startday") or "", "startday"))
    if params.get("endday"):
        query.date_high = day_start(params.get("endday") or "", "endday") + DAY - 1
    query.push_id = int_value(params.get("push_id"), "push_id")
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

    def keep(stored: StoredSignature) -> bool:
        props = stored.signature.properties()
        return ((not wanted_hashes or stored.hash in wanted_hashes)
                and (not frameworks or props["framework_id"] in frameworks)
                and (not platforms or props["machine_platform"] in platforms)
                and (cutoff is None or stored.last_updated >= cutoff)
                and (subtests != "0" or props["parent_signature"] is None)
                and (not ids or stored.id in ids))

    return keep


def describe(stored: StoredSignature) -> dict[str, Any]:
    return {"id": stored.id, **stored.signature.properties()}


def _order_bounds(branch: str, query: DataQuery) -> tuple[str, str] | None:
    """The metrics ``order_key`` range of the pushes asked for; None when no push can match."""
    low, high = 0, 10**12 - 1
    if query.push_id is not None:
        push = pushes.by_pushlog_id(query.push_id)
        if push is None or push.branch != branch:
            return None
        low = high = push.push_id
    if query.date_low is not None:
        first = pushes.first_on_or_after(branch, query.date_low)
        if first is None:
            return None
        low = max(low, first.push_id)
    if query.date_high is not None:
        last = pushes.last_on_or_before(branch, query.date_high)
        if last is None:
            return None
        high = min(high, last.push_id)
    if low > high:
        return None
    return f"{low:012d}", f"{high:012d}~"


def series(branch: str, stored: StoredSignature, query: DataQuery) -> list[dict[str, Any]]:
    """The signature's points, oldest push first."""
    bounds = _order_bounds(branch, query)
    if bounds is None:
        return []
    page = stored.signature.page
    points = []
    for rec in metrics_store.between(stored.signature.group.key, *bounds):
        pages = plain(rec.pages)
        value = (pages.get(page) or {}).get("mean")
        if value is None:
            continue
        position = sorted(pages).index(page)
        points.append((rec, value, position))
    tips = pushes.get_many(branch, [int(rec.push_id) for rec, _, _ in points])
    out = []
    for rec, value, position in points:
        push = tips.get(int(rec.push_id))
        out.append({
            "signature_id": stored.id,
            "id": int(rec.test_run_id) * POINT_ID_STRIDE + position,
            "job_id": None,
            "push_id": int(rec.pushlog_id),
            "push_timestamp": int(rec.push_date),
            "value": value,
            "revision": push.tip if push is not None else rec.revision,
        })
    return out

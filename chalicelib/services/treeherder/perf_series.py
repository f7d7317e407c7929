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

from dataclasses import dataclass
from typing import Any

from chalicelib.perf.perfherder_query import DataQuery, describe, signature_filter
from chalicelib.perf.signatures import StoredSignature
from chalicelib.store import metrics as metrics_store
from chalicelib.store import perf_signatures, pushes
from chalicelib.store.metrics import means_of
from chalicelib.treeherder.params import Params

POINT_ID_STRIDE = 10_000  # a point's id: test run id * stride + the page's position in the run
MAX_PUSH_IDS = 100  # push_id values one data query reads (one Query each per series)


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
        means = means_of(rec)
        value = means.get(page)
        if value is None:
            continue
        position = sorted(means).index(page)
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


def signature_listing(branch: str, params: Params) -> dict[str, Any]:
    """The repository's series (one Query), filtered by signature, framework, platform, interval, subtests."""
    keep = signature_filter(params)
    return {s.hash: describe(s) for s in perf_signatures.in_repository(branch) if keep(s)}


def points_by_signature(branch: str, query: DataQuery) -> dict[str, list[dict[str, Any]]]:
    """Points by signature (hashes or ids), or of pushes or jobs across the repository's series.

    Series with no point are left out, as Treeherder groups the points it
    found. Without signatures, every series of the repository is read (one
    Query for the list, then per series its pushes' points): the cost grows
    with the series a repository has, not with its data.
    """
    if query.hashes:
        chosen = perf_signatures.by_hashes(branch, query.hashes)
    elif query.signature_ids:
        chosen = perf_signatures.by_ids(branch, query.signature_ids)
    elif query.job_ids is not None:
        chosen = []  # no series point names a job
    else:
        chosen = list(perf_signatures.in_repository(branch))
    body = {}
    wanted = [s for s in {s.hash: s for s in chosen}.values()
              if not query.frameworks or s.signature.properties()["framework_id"] in query.frameworks]
    bounds = order_bounds(branch, query) if wanted and query.job_ids is None else []
    reads = Reads({}, {})
    for stored in wanted:
        points = series(branch, stored, query, bounds, reads)
        if points:
            body[stored.hash] = points
    return body

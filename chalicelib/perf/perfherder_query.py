"""Perfherder's query parameters (``performance/signatures`` and ``performance/data``), parsed and checked.

Pure: they are refused where Treeherder's PerformanceSignatureViewSet and
PerformanceDatumViewSet refuse them, with the same bodies, before anything
is read. Reading the series is ``chalicelib.services.treeherder.perf_series``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

from chalicelib.perf.signatures import StoredSignature
from chalicelib.treeherder.params import DAY, BadParameter, Params, day_start, int_list, int_value, utc_seconds


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
    return utc_seconds(raw, f"Invalid date value for `{name}`: {raw[:40]}")


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


def signature_filter(params: Params, now: float | None = None) -> Callable[[StoredSignature], bool]:
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



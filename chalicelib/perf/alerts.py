"""Performance alerts, as pure data: what a series' detections become, and how stored alerts follow them.

A series is one page of a series group (``chalicelib.perf.series``): alerts
are keyed by the group's key and the page, never by a second notion of
series. A point is one run's page mean; the detector sees the runs of a push
together (``chalicelib.perf.detectors.shipyard``).

An alert's id derives from (group, page, push): the worker computing the same
detection twice writes the same alert, and a redelivered message is harmless.
Triage belongs to people: the worker never changes an alert's status, and it
withdraws only the *untriaged* alerts it no longer finds in the stretch it
re-examined (a late run can move or dissolve a change); a triaged alert stays.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from chalicelib.perf.detectors import Change, shipyard

# Perfherder's statuses (treeherder/perf/models.py): an alert's, and its alert summary's (a push's alerts).
STATUSES = ("untriaged", "downstream", "reassigned", "invalid", "acknowledged")
SUMMARY_STATUSES = ("untriaged", "downstream", "reassigned", "invalid", "improvement", "investigating", "wontfix",
                    "fixed", "backedout")
UNTRIAGED = "untriaged"
# Talos reports times: larger is slower. (Datazilla's one-sided test assumes the same.) A series that says
# otherwise (a signature's ``lower_is_better``) is judged by what it says.
LOWER_IS_BETTER = True


class Point(NamedTuple):
    """One run's value for a page, where it stands in the branch's pushes.

    A named tuple, not a frozen dataclass: the alerts job makes one per page
    of each of a group's last 128 runs, and a tuple is made several times faster.
    """

    push_id: int
    pushlog_id: int
    push_date: int
    revision: str
    value: float


@dataclass(frozen=True)
class Detection:
    """A change found in a series, placed on its push."""

    page: str
    push_id: int
    pushlog_id: int
    push_date: int
    revision: str
    prev_push_id: int
    prev_value: float
    new_value: float
    magnitude: float  # percent, unsigned
    direction: str  # "regression" | "improvement"
    confidence: float  # 0..1
    detectors: tuple[str, ...] = field(default=())
    amount_abs: float = 0.0  # new − prev, signed (Perfherder's amount_abs)
    t_value: float = 0.0  # the detector's statistic (Perfherder's t_value: its t; Shipyard's: the rank z)


def summary_id(project: str, branch: str, push_id: int, push_date: int) -> str:
    """A push's alert summary: newest first when sorted (it starts with the push date), the same however found."""
    digest = hashlib.sha256(f"{project}\x1f{branch}\x1f{push_id}".encode()).hexdigest()[:12]
    return f"{push_date:012d}-{digest}"


def alert_id(group_key: str, page: str, push_id: int) -> str:
    """A stable id: the same change on the same push is the same alert however often it is found."""
    return hashlib.sha256(f"{group_key}\x1f{page}\x1f{push_id}".encode()).hexdigest()[:20]


def direction_of(prev_value: float, new_value: float, lower_is_better: bool = LOWER_IS_BETTER) -> str:
    worse = new_value > prev_value if lower_is_better else new_value < prev_value
    return "regression" if worse else "improvement"


def detect_series(page: str, points: Sequence[Point], detect: Any = shipyard.detect,
                  lower_is_better: bool = LOWER_IS_BETTER) -> list[Detection]:
    """The detections of one page's points (in push order; several runs of a push are one push).

    Each run of a push is one value the detector sees (retriggers are
    replicates of the push); the direction is the series' own.
    """
    pushes: list[list[Point]] = []
    for point in points:
        if pushes and pushes[-1][0].push_id == point.push_id:
            pushes[-1].append(point)
        else:
            pushes.append([point])
    changes: list[Change] = detect([[p.value for p in push] for push in pushes])
    found = []
    for change in changes:
        first, before = pushes[change.index][0], pushes[change.index - 1][0]
        found.append(Detection(
            page, first.push_id, first.pushlog_id, first.push_date, first.revision, before.push_id,
            change.prev_value, change.new_value, round(change.amount_pct, 2),
            direction_of(change.prev_value, change.new_value, lower_is_better), round(change.confidence, 4),
            change.detectors, change.new_value - change.prev_value, _finite(change.score)))
    return found


def with_direction(detections: Iterable[Detection], lower_is_better: bool) -> list[Detection]:
    """The detections as a series with this ``lower_is_better`` reads them (the same as detecting with it)."""
    return [replace(d, direction=direction_of(d.prev_value, d.new_value, lower_is_better)) for d in detections]


def _finite(score: float) -> float:
    """The statistic as a storable number (a t-test between two constant windows is infinite)."""
    return round(score, 4) if math.isfinite(score) else 1e9


def examined_span(points: Sequence[Point], window: int = shipyard.DEFAULT.window, *,
                  from_series_start: bool = False) -> tuple[int, int] | None:
    """The push ids (first, last) where the detector saw a change's whole surroundings.

    Before the ``window``-th push of the points, a change is judged on fewer
    pushes than it was when the points reached further back, so not finding
    it there proves nothing. When the points start where the series starts
    (``from_series_start``), nothing further back exists: every push was seen
    as well as it ever will be, and an alert raised earlier on fewer runs
    (runs arriving out of push order) is judged again on all of them. None
    when the points are too few.
    """
    push_ids = sorted({p.push_id for p in points})
    if from_series_start and push_ids:
        return push_ids[0], push_ids[-1]
    if len(push_ids) <= window:
        return None
    return push_ids[window], push_ids[-1]


@dataclass(frozen=True)
class Plan:
    """What the store must do so that the alerts match the detections."""

    create: list[Detection]
    refresh: list[tuple[str, Detection]]  # (alert id, detection) whose numbers changed
    withdraw: list[str]  # ids of untriaged alerts no longer found


DETECTION_FIELDS = ("prev_value", "new_value", "magnitude", "direction", "confidence", "detectors", "amount_abs",
                    "t_value")


def _same_numbers(stored: Mapping[str, Any], detection: Detection) -> bool:
    for name in DETECTION_FIELDS:
        mine = getattr(detection, name)
        theirs = stored.get(name)
        if name == "detectors":
            if tuple(theirs or ()) != tuple(mine):
                return False
        elif isinstance(mine, float):
            if theirs is None or abs(float(theirs) - mine) > 1e-9 * max(1.0, abs(mine)):
                return False
        elif theirs != mine:
            return False
    return True


def reconcile(group_key: str, detections: Iterable[Detection], stored: Iterable[Mapping[str, Any]],
              examined: Mapping[str, tuple[int, int]]) -> Plan:
    """Plan the writes that bring the stored alerts of a group in line with its detections.

    ``stored`` are the group's alerts (dicts with ``alert_id``, ``page``,
    ``push_id``, ``status`` and the detection fields); ``examined`` gives,
    per page, the (first, last) push id the detector saw: an untriaged alert
    outside that stretch was not re-examined and is left alone.
    """
    by_id = {a["alert_id"]: a for a in stored}
    create, refresh, seen = [], [], set()
    for detection in detections:
        ident = alert_id(group_key, detection.page, detection.push_id)
        seen.add(ident)
        existing = by_id.get(ident)
        if existing is None:
            create.append(detection)
        elif not _same_numbers(existing, detection):
            refresh.append((ident, detection))
    withdraw = []
    for ident, alert in by_id.items():
        span = examined.get(alert["page"])
        if ident in seen or alert.get("status") != UNTRIAGED or span is None:
            continue
        if span[0] <= int(alert["push_id"]) <= span[1]:
            withdraw.append(ident)
    return Plan(create, refresh, sorted(withdraw))


def parse_status(body: Any, allowed: Sequence[str] = STATUSES) -> str:
    """The status a triage request asks for (an alert's, or with ``SUMMARY_STATUSES`` a summary's)."""
    if not isinstance(body, Mapping):
        raise ValueError("the body must be a JSON object such as {\"status\": \"acknowledged\"}")
    status = body.get("status")
    if status not in allowed:
        raise ValueError(f"'status' must be one of {', '.join(allowed)}; got {status!r}")
    unknown = sorted(set(body) - {"status", "note"})
    if unknown:
        raise ValueError(f"unknown field(s): {', '.join(unknown)}")
    note = body.get("note")
    if note is not None and (not isinstance(note, str) or len(note) > 1000):
        raise ValueError("'note' must be a string of at most 1000 characters")
    return str(status)

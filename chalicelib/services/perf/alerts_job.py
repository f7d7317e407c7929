"""Alert detection for a series group, run by the metrics worker after the group's metrics.

It reads the group's last ``WINDOW_RUNS`` runs (one Query on the metrics
table, each item's page means alone), runs the detector on each page
(``chalicelib.perf.alerts``), and brings the group's stored alerts in line
(one Query, then one conditional write per alert that is new, changed or
withdrawn, and one per push with a new alert for its alert summary; none
when nothing changed). Running it twice leaves the same
alerts: ids derive from (group, page, push), and the detector is
deterministic.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from chalicelib.perf import alerts
from chalicelib.perf.alerts import Point
from chalicelib.perf.series import SeriesGroup
from chalicelib.perf.signatures import Signature
from chalicelib.store import alerts as alerts_store
from chalicelib.store import metrics as metrics_store
from chalicelib.store import series_catalog

log = logging.getLogger(__name__)

# About two weeks of a busy branch's pushes, Perfherder's horizon; bounded so a job's cost is too.
WINDOW_RUNS = 128


@dataclass(frozen=True)
class Outcome:
    created: int
    refreshed: int
    withdrawn: int


def series_points(records: list[metrics_store.MetricsRecord]) -> dict[str, list[Point]]:
    """Each page's points in push order, from the group's metrics records (oldest first)."""
    points: dict[str, list[Point]] = {}
    for rec in records:
        # a record's position read once, not once per page (a model attribute read is a descriptor call)
        push_id, pushlog_id, push_date = int(rec.push_id), int(rec.pushlog_id), int(rec.push_date)
        revision = rec.revision
        for page, mean in metrics_store.means_of(rec).items():
            if mean is None:
                continue
            points.setdefault(page, []).append(Point(push_id, pushlog_id, push_date, revision, float(mean)))
    return points


def _lower_is_better(group: SeriesGroup, page: str) -> bool:
    """The direction the series' signature declares (what Perfherder reports as lower_is_better)."""
    return bool(Signature(group, page).properties()["lower_is_better"])


def detect(group: SeriesGroup) -> Outcome:
    records = metrics_store.latest_means(group.key, WINDOW_RUNS)
    if not records:
        return Outcome(0, 0, 0)
    points = series_points(records)
    detections = []
    for page, page_points in sorted(points.items()):
        if found := alerts.detect_series(page, page_points):
            # the signature's direction, read only for the few pages with a change (building it costs ~30 µs a page)
            detections += alerts.with_direction(found, _lower_is_better(group, page))
    whole_series = len(records) < WINDOW_RUNS  # the window reaches back to the group's first run
    examined = {page: span for page, page_points in points.items()
                if (span := alerts.examined_span(page_points, from_series_start=whole_series)) is not None}
    stored = alerts_store.of_group(group.key, int(records[0].push_id))
    plan = alerts.reconcile(group.key, detections, stored, examined)
    made = [d for d in plan.create if alerts_store.create(group, d)]
    created = len(made)
    for detection in {d.push_id: d for d in made}.values():  # one summary per push, made once
        alerts_store.open_summary(group, detection)
    refreshed = sum(alerts_store.refresh(group.project, ident, d) for ident, d in plan.refresh)
    withdrawn = sum(alerts_store.withdraw(group.project, ident) for ident in plan.withdraw)
    series_catalog.note(group, sorted(points), series_catalog.pages_of(group))
    if created or refreshed or withdrawn:
        log.info("alerts of %s: %d new, %d refreshed, %d withdrawn", group.key, created, refreshed, withdrawn)
    return Outcome(created, refreshed, withdrawn)

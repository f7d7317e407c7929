"""The graph page's series: a page's last runs with their pushes, and the page's alerts.

Fixed calls whatever the history: one GetItem (the group), one Query (the
runs), BatchGetItem for their pushes (100 a call), one Query (the group's
alerts). The shapes are ``chalicelib.perf.graph_view`` (pure).
"""

from __future__ import annotations

from typing import Any

from chalicelib.perf import graph_view
from chalicelib.store import alerts, metrics, pushes, series_catalog
from chalicelib.store.series_fields import platform


def page_series(project: str, key: str, page: str, runs: int) -> dict[str, Any] | None:
    """The page's points over the group's last ``runs`` runs and its alerts; None for an unknown group."""
    group = series_catalog.group_of(project, key)
    if group is None:
        return None
    records = metrics.latest(group.key, runs)
    rows = [{"test_run_id": r.test_run_id, "push_id": r.push_id, "pushlog_id": r.pushlog_id,
             "push_date": r.push_date, "revision": r.revision, "pages": metrics.results_of(r)} for r in records]
    known = pushes.get_many(group.branch, [int(r.push_id) for r in records])
    first_push = int(records[0].push_id) if records else 0
    found = [a for a in alerts.of_group(group.key, first_push) if a["page"] == page]
    return {
        "series": group.key, "branch": group.branch, "product": group.product, "test": group.test_name,
        "platform": platform(group),
        "page": page,
        "points": graph_view.points(project, group.branch, page, rows, known),
        "alerts": sorted(found, key=lambda a: a["push_id"]),
    }

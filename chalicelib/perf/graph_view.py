"""The graph page's data, as pure data: a page's points over pushes, with what a hover shows.

A point is one run: its page mean and replicate stddev (the band), the
series trend after it (Datazilla's trend line), and its push: revision,
date, the author and description of the changeset the run names (the push's
tip when none matches), and the link to the revision's metrics summary.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

from chalicelib.datazilla.metrics_view import PushLike


def _changeset(push: PushLike | None, revision: str) -> Mapping[str, Any]:
    if push is None or not push.changesets:
        return {}
    return next((c for c in push.changesets if c["node"].startswith(revision.lower())), push.changesets[-1])


def summary_path(project: str, branch: str, revision: str) -> str:
    """Where a clicked point leads: the revision's metrics summary (Datazilla's endpoint)."""
    return f"/{quote(project)}/testdata/metrics/{quote(branch)}/{quote(revision)}/summary"


def points(project: str, branch: str, page: str, runs: Iterable[Mapping[str, Any]],
           pushes: Mapping[int, PushLike]) -> list[dict[str, Any]]:
    """The page's points, oldest first, from the group's runs (``test_run_id``, ``push_id``,
    ``pushlog_id``, ``push_date``, ``revision`` and the stored ``pages`` map); runs without the page are left out.
    """
    shown = []
    for run in runs:
        result = run["pages"].get(page)
        if not result or result.get("mean") is None:
            continue
        push = pushes.get(int(run["push_id"]))
        revision = str(run["revision"])
        changeset = _changeset(push, revision)
        shown.append({
            "test_run_id": int(run["test_run_id"]), "push_id": int(run["push_id"]),
            "pushlog_id": int(run["pushlog_id"]), "push_date": int(run["push_date"]), "revision": revision,
            "mean": float(result["mean"]),
            "stddev": None if result.get("stddev") is None else float(result["stddev"]),
            "n_replicates": result.get("n_replicates"),
            "trend_mean": None if result.get("trend_mean") is None else float(result["trend_mean"]),
            "test_evaluation": result.get("test_evaluation"),
            "author": changeset.get("author", ""), "desc": changeset.get("desc", ""),
            "pusher": push.user if push is not None else "",
            "summary_url": summary_path(project, branch, revision),
        })
    return shown

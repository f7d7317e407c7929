"""Computing a run's metrics, and every later run's of its group.

Per-run evaluation is a fold over the group's runs in push order: each run is
judged against the state (threshold, trend) that the runs before it left.
When a run arrives for a push earlier than runs already computed, the fold
is replayed from that run forward, so the stored metrics are the same
whatever order the runs arrived in. The arithmetic is
``chalicelib.perf.statistics`` (vectorised over a run's pages); this module
only moves state between runs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from chalicelib.perf.series import SeriesGroup
from chalicelib.store import metrics as metrics_store
from chalicelib.store import perf_signatures, replicates, test_runs
from chalicelib.store.metrics import MetricsRecord, plain


@dataclass
class RunSummary:
    """A run's place in its group and its pages' replicate summaries."""

    test_run_id: int
    revision: str
    push_id: int
    pushlog_id: int
    push_date: int
    order_key: str
    pages: dict[str, dict[str, Any]]  # page -> {n_replicates, n, mean, stddev}


def group_of(run: test_runs.TestRunRecord) -> SeriesGroup:
    return SeriesGroup(run.project, run.canonical_branch or run.branch, run.product, run.os_name, run.os_version,
                       run.processor, run.build_type, run.test_name)


def _number(value: Any) -> float | None:
    if value is None:
        return None
    as_float = float(value)
    return None if math.isnan(as_float) else as_float


def summarize(run: test_runs.TestRunRecord, group: SeriesGroup) -> RunSummary:
    """The run's replicate summaries, from its packed replicates in S3 (one GetObject, no JSON)."""
    from chalicelib.perf.statistics import matrix_summaries, replicate_summaries

    legacy = plain(run.pages)
    if legacy:  # loaded before replicates moved to S3: they are on the record
        names = sorted(legacy)
        s = replicate_summaries([[float(v) for v in legacy[name]] for name in names],
                                drop_first=group.drops_first_replicate)
    else:
        names = list(run.page_names)
        s = matrix_summaries(*replicates.get(run.project, int(run.test_run_id)), drop_first=group.drops_first_replicate)
    pages = {
        name: {"n_replicates": int(s.n_replicates[i]), "n": int(s.n[i]),
               "mean": _number(s.mean[i]), "stddev": _number(s.stddev[i])}
        for i, name in enumerate(names)
    }
    return RunSummary(int(run.test_run_id), run.revision, int(run.push_id), int(run.pushlog_id),
                      int(run.push_date), metrics_store.order_key(int(run.push_id), int(run.date_run),
                                                                  int(run.test_run_id)), pages)


def _summary_of(record: MetricsRecord) -> RunSummary:
    pages = plain(record.pages)
    return RunSummary(int(record.test_run_id), record.revision, int(record.push_id), int(record.pushlog_id),
                      int(record.push_date), record.order_key,
                      {p: {k: pages[p].get(k) for k in ("n_replicates", "n", "mean", "stddev")} for p in pages})


def _column(state: dict[str, dict[str, Any]], names: list[str], field: str) -> np.ndarray:
    return np.array([np.nan if state.get(n, {}).get(field) is None else float(state[n][field]) for n in names])


def fold(summary: RunSummary, state: dict[str, dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Judge one run against the state before it; returns (page results, state after)."""
    from chalicelib.perf.statistics import evaluate_run

    names = sorted(summary.pages)
    pages = summary.pages
    ev = evaluate_run(
        np.array([pages[n]["n"] for n in names], dtype=float),
        np.array([np.nan if pages[n]["mean"] is None else pages[n]["mean"] for n in names]),
        np.array([np.nan if pages[n]["stddev"] is None else pages[n]["stddev"] for n in names]),
        _column(state, names, "base_n"), _column(state, names, "base_mean"), _column(state, names, "base_stddev"),
        _column(state, names, "trend_mean"), _column(state, names, "trend_stddev"),
    )
    after = {name: dict(value) for name, value in state.items()}
    results: dict[str, Any] = {}
    for i, name in enumerate(names):
        before = state.get(name, {})
        result: dict[str, Any] = dict(pages[name])
        result.update(
            error=str(ev.error[i]) or None,
            baseline=bool(ev.baseline[i]),
            compared=bool(ev.compared[i]),
            p=_number(ev.p[i]) if ev.compared[i] else None,
            h0_rejected=bool(ev.h0_rejected[i]) if ev.compared[i] else None,
            fdr=bool(ev.fdr[i]) if ev.compared[i] else None,
            test_evaluation=bool(ev.test_evaluation[i]) if ev.compared[i] else None,
            trend_mean=_number(ev.trend_mean[i]),
            trend_stddev=_number(ev.trend_stddev[i]),
            threshold_revision=before.get("base_revision"),
            threshold_test_run_id=before.get("base_test_run_id"),
        )
        results[name] = result
        if ev.moves_threshold[i]:
            after[name] = {
                "base_n": pages[name]["n"], "base_mean": pages[name]["mean"], "base_stddev": pages[name]["stddev"],
                "base_revision": summary.revision, "base_test_run_id": summary.test_run_id,
                "trend_mean": _number(ev.trend_mean[i]), "trend_stddev": _number(ev.trend_stddev[i]),
            }
    return results, after


def compute(project: str, test_run_id: int) -> int:
    """Compute the run's metrics and replay its group's later runs; returns runs written.

    0 when the run is gone or not yet linked to a push (it is computed when
    it is linked).
    """
    return compute_run(project, test_run_id)[1]


def compute_run(project: str, test_run_id: int) -> tuple[SeriesGroup | None, int]:
    """As ``compute``, also naming the run's group (None when nothing was computed)."""
    run = test_runs.get(project, test_run_id)
    if run is None or run.push_id is None:
        return None, 0
    group = group_of(run)
    current = summarize(run, group)
    before = metrics_store.previous(group.key, current.order_key)
    state = plain(before.state) if before is not None else {}
    chain = [current, *(_summary_of(r) for r in metrics_store.following(group.key, current.order_key))]
    records = []
    for summary in chain:
        results, state = fold(summary, state)
        records.append(MetricsRecord(
            group.key, summary.order_key, project=project, test_run_id=summary.test_run_id,
            revision=summary.revision, push_id=summary.push_id, pushlog_id=summary.pushlog_id,
            push_date=summary.push_date, pages=results, state=state))
    metrics_store.save_all(records)
    # The Perfherder face: the series of these pages, with data up to the newest push of the chain.
    perf_signatures.register(group, sorted(current.pages), max(s.push_date for s in chain))
    return group, len(records)

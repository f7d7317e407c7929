"""Judging one run of a series group against the state the runs before it left (pure).

Per-run evaluation is a fold over the group's runs in push order: each run is
judged against the state (threshold, trend) that the runs before it left. The
arithmetic is ``chalicelib.perf.statistics`` (vectorised over a run's pages);
this module only moves state between runs. Reading the runs and writing
their metrics is ``chalicelib.services.perf.metrics_job``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


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


def _stored(value: float) -> float | None:
    """A statistic as stored: NaN (no value) becomes None, which JSON and DynamoDB can hold."""
    return None if value != value else value


def page_summaries(names: list[str], lengths: np.ndarray, matrix: np.ndarray,
                   drop_first: bool) -> dict[str, dict[str, Any]]:
    """Each page's replicate summary as a run's metrics keep it (``names`` in the matrix's row order)."""
    from chalicelib.perf.statistics import matrix_summaries

    s = matrix_summaries(lengths, matrix, drop_first=drop_first)
    # Whole arrays to Python numbers at once (one call each, not a numpy scalar per page and field).
    return {
        name: {"n_replicates": int(n_replicates), "n": int(n), "mean": _stored(mean),
               "stddev": _stored(stddev)}
        for name, n_replicates, n, mean, stddev in zip(
            names, s.n_replicates.tolist(), s.n.tolist(), s.mean.tolist(), s.stddev.tolist(), strict=True)
    }


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
    # Each verdict array to Python values in one call: indexing numpy per page and field cost more than the
    # kernel.
    columns = zip(names, ev.error.tolist(), ev.baseline.tolist(), ev.compared.tolist(), ev.p.tolist(),
                  ev.h0_rejected.tolist(), ev.fdr.tolist(), ev.test_evaluation.tolist(), ev.trend_mean.tolist(),
                  ev.trend_stddev.tolist(), ev.moves_threshold.tolist(), strict=True)
    for name, error, baseline, compared, p, h0_rejected, fdr, passed, trend_mean, trend_stddev, moves in columns:
        before = state.get(name, {})
        page = pages[name]
        trend_mean, trend_stddev = _stored(trend_mean), _stored(trend_stddev)
        result: dict[str, Any] = dict(page)
        result.update(
            error=error or None,
            baseline=baseline,
            compared=compared,
            p=_stored(p) if compared else None,
            h0_rejected=h0_rejected if compared else None,
            fdr=fdr if compared else None,
            test_evaluation=passed if compared else None,
            trend_mean=trend_mean,
            trend_stddev=trend_stddev,
            threshold_revision=before.get("base_revision"),
            threshold_test_run_id=before.get("base_test_run_id"),
        )
        results[name] = result
        if moves:
            after[name] = {
                "base_n": page["n"], "base_mean": page["mean"], "base_stddev": page["stddev"],
                "base_revision": summary.revision, "base_test_run_id": summary.test_run_id,
                "trend_mean": trend_mean, "trend_stddev": trend_stddev,
            }
    return results, after

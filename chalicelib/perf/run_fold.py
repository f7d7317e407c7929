"""Judging one run of a series group against the state the runs before it left (pure).

Per-run evaluation is a fold over the group's runs in push order: each run is
judged against the state (threshold, trend) that the runs before it left. The
arithmetic is ``chalicelib.perf.statistics`` (vectorised over a run's pages);
this module only moves state between runs. Reading the runs and writing
their metrics is ``chalicelib.services.perf.metrics_job``.
"""

from __future__ import annotations

import math
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


def number(value: Any) -> float | None:
    """A statistic as stored: NaN (no value) becomes None, which JSON and DynamoDB can hold."""
    if value is None:
        return None
    as_float = float(value)
    return None if math.isnan(as_float) else as_float


def page_summaries(names: list[str], lengths: np.ndarray, matrix: np.ndarray,
                   drop_first: bool) -> dict[str, dict[str, Any]]:
    """Each page's replicate summary as a run's metrics keep it (``names`` in the matrix's row order)."""
    from chalicelib.perf.statistics import matrix_summaries

    s = matrix_summaries(lengths, matrix, drop_first=drop_first)
    return {
        name: {"n_replicates": int(s.n_replicates[i]), "n": int(s.n[i]),
               "mean": number(s.mean[i]), "stddev": number(s.stddev[i])}
        for i, name in enumerate(names)
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
    for i, name in enumerate(names):
        before = state.get(name, {})
        result: dict[str, Any] = dict(pages[name])
        result.update(
            error=str(ev.error[i]) or None,
            baseline=bool(ev.baseline[i]),
            compared=bool(ev.compared[i]),
            p=number(ev.p[i]) if ev.compared[i] else None,
            h0_rejected=bool(ev.h0_rejected[i]) if ev.compared[i] else None,
            fdr=bool(ev.fdr[i]) if ev.compared[i] else None,
            test_evaluation=bool(ev.test_evaluation[i]) if ev.compared[i] else None,
            trend_mean=number(ev.trend_mean[i]),
            trend_stddev=number(ev.trend_stddev[i]),
            threshold_revision=before.get("base_revision"),
            threshold_test_run_id=before.get("base_test_run_id"),
        )
        results[name] = result
        if ev.moves_threshold[i]:
            after[name] = {
                "base_n": pages[name]["n"], "base_mean": pages[name]["mean"], "base_stddev": pages[name]["stddev"],
                "base_revision": summary.revision, "base_test_run_id": summary.test_run_id,
                "trend_mean": number(ev.trend_mean[i]), "trend_stddev": number(ev.trend_stddev[i]),
            }
    return results, after

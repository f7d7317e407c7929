"""Tuning Shipyard's detector on real data without scoring on what it was tuned on: leave-one-signature-out.

For each window (one signature), the grid point with the best F1 at ±5 on
the *other* windows is chosen (ties: higher precision, then the earlier grid
point: each list runs from the pre-issue-23 value to stricter ones, so a
tie keeps the prior) and only then the held-out window is scored with it. The sums of
those held-out scores are the cross-validated row; no window is ever scored
by parameters that saw it. The parameters production uses are the grid
point chosen on all windows, printed last; whether production
adopts them is argued in ``chalicelib.perf.detectors.shipyard`` (beside ``DEFAULT``) and docs/alerts.md.

Candidates (what the t-test and e-divisive propose) do not depend on the
grid, so they are computed once per window.

    .venv/bin/python -m benchmarks.alerts_real_tune
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from benchmarks.alerts_real import Counts, count, summarise, table
from benchmarks.realise import Window, load
from chalicelib.perf.detectors import shipyard

GRID = {
    "z_min": [2.5, 3.0, 3.5],
    "min_pct": [1.0, 2.0, 3.0],
    "min_effect": [0.8, 1.5, 2.0, 3.0],
    "solo_effect": [0.8, 2.0, 3.0, 4.0, 5.0, 8.0, 10.0, 12.0, 16.0],
}


def grid() -> list[shipyard.Parameters]:
    names = list(GRID)
    return [replace(shipyard.V1, **dict(zip(names, values, strict=True)))
            for values in itertools.product(*(GRID[n] for n in names))]


def _score(counts: Sequence[Counts]) -> tuple[float, float]:
    tp, fp, fn = (sum(getattr(c, k)[-1] for c in counts) for k in ("tp", "fp", "fn"))
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return f1, tp / (tp + fp) if tp + fp else 0.0


def table_of_counts(windows: Sequence[Window], points: Sequence[shipyard.Parameters]) -> list[list[Counts]]:
    """counts[p][w]: window w scored with grid point p."""
    np.seterr(all="ignore")
    prepared = []
    for w in windows:
        y = shipyard._points(w.pushes)
        prepared.append((y, shipyard.candidates(w.pushes, y)))
    return [[count(w, [c.index for c in shipyard.confirm(y, proposed, p)])
             for w, (y, proposed) in zip(windows, prepared, strict=True)] for p in points]


def best(counts: list[list[Counts]], chosen: Sequence[int]) -> int:
    return max(range(len(counts)), key=lambda p: (_score([counts[p][w] for w in chosen]), -p))


def main() -> None:
    windows = load()
    points = grid()
    counts = table_of_counts(windows, points)
    held_out = []
    for k, w in enumerate(windows):
        p = best(counts, [j for j in range(len(windows)) if j != k])
        held_out.append(counts[p][k])
        print(f"held out {w.key:<28} chose {points[p]}")
    print()
    print(table([summarise("shipyard-cv", held_out, 2000)], "leave-one-signature-out (each window scored by "
                                                           "parameters chosen without it)"))
    final = best(counts, range(len(windows)))
    print()
    print(f"chosen on all windows: {points[final]}")


if __name__ == "__main__":
    main()

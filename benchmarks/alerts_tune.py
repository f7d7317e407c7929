"""Tuning Shipyard's detector: a grid over its confirmation parameters, on the TUNING seeds only.

The evaluation seeds (``benchmarks.alerts --set evaluation``) are never read
here. Candidates are computed once per series (they depend only on the scan
parameters); the grid varies what judges them.

    .venv/bin/python -m benchmarks.alerts_tune
"""

from __future__ import annotations

import argparse
import itertools
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from benchmarks import alert_data
from benchmarks.alerts import match
from chalicelib.perf.detectors import shipyard

GRID = {
    "window": [20, 30, 40],
    "z_min": [2.0, 2.5, 3.0],
    "min_effect": [0.5, 0.8, 1.2],
    "min_pct": [0.5, 1.0],
}


def main(argv: Sequence[str] | None = None) -> None:
    # No options; parsing anyway so that --help answers instead of running the whole grid.
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    np.seterr(all="ignore")
    series = []
    for case in alert_data.cases(alert_data.TUNING):
        for page, truth in case.shifts.items():
            pushes = case.values_per_push(page)
            y = shipyard._points(pushes)
            series.append((y, shipyard.candidates(pushes, y), truth))
    results = []
    names = list(GRID)
    for values in itertools.product(*(GRID[n] for n in names)):
        params = replace(shipyard.DEFAULT, **dict(zip(names, values, strict=True)))
        tp = fp = fn = 0
        for y, proposed, truth in series:
            found = [c.index for c in shipyard.confirm(y, proposed, params)]
            hits = len(match(found, truth, 2))
            tp, fp, fn = tp + hits, fp + len(found) - hits, fn + len(truth) - hits
        f1 = 2 * tp / (2 * tp + fp + fn)
        results.append((f1, values, tp, fp, fn))
    for f1, values, tp, fp, fn in sorted(results, reverse=True)[:15]:
        print(f"F1 {f1:.3f}  {dict(zip(names, values, strict=True))}  TP {tp} FP {fp} FN {fn}")


if __name__ == "__main__":
    main()

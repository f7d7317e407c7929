"""Alert detectors on labelled series: precision, recall and F1, every row on the same data.

Rows:

- ``datazilla``: Datazilla's per-run rule as Shipyard's metrics worker runs it
  (``chalicelib.perf.run_fold.fold``: Welch t-test of a run's replicates
  against the trend, BH-FDR over the run's pages). A page that fails after
  passing is one detection at that run's push; the failures that follow it
  (the trend does not move while a page fails) are the same detection.
- ``perfherder``: Perfherder's windowed t-test (t > 7, 2 % alert threshold).
- ``edivisive``: e-divisive means on the per-push means (p 0.05, 100 permutations).
- ``shipyard``: Shipyard's detector (``chalicelib.perf.detectors.shipyard``).

Scoring, the same for every row: detections and labelled shifts of a page are
paired one to one, nearest first; a pair counts as a hit when the detection is
within ``--tolerance`` pushes (default 2) of the shift. Unpaired detections are
false positives, unpaired shifts misses. Counts are summed over all pages
(micro-averaged). The direction of a detection is not scored (Datazilla's
one-sided test cannot see improvements; the ``R regr.`` column is the recall on
regressions alone, where it can).

Seeds: ``--set evaluation`` (the default) and ``--set tuning`` share no seed
(benchmarks/alert_data.py); Shipyard's detector was tuned on the tuning set only.

The last lines are the cost the metrics worker pays: Shipyard's detector on
one page of ``alerts_job.WINDOW_RUNS`` runs, times 100 pages (a tp5 run's
size) for one group's job, against the Perfherder t-test on the same page
(measured in the same run); and the import of the detectors in a fresh
interpreter (cold start; numpy only, no scipy).

    .venv/bin/python -m benchmarks.alerts [--set evaluation|tuning] [--tolerance 2] [--by-kind]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from benchmarks import alert_data
from benchmarks.alert_data import Case, Shift
from chalicelib.perf.detectors import edivisive, perfherder, shipyard
from chalicelib.perf.run_fold import RunSummary, fold
from chalicelib.perf.statistics import replicate_summaries


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    regressions: int = 0
    regressions_found: int = 0
    seconds: float = 0.0
    by_kind: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def match(detected: Sequence[int], truth: Sequence[Shift], tolerance: int) -> list[Shift]:
    """The labelled shifts hit by a detection: one-to-one pairs within ``tolerance``, nearest first."""
    pairs = sorted((abs(d - s.index), i, j) for i, d in enumerate(detected) for j, s in enumerate(truth))
    used_d: set[int] = set()
    used_s: set[int] = set()
    for distance, i, j in pairs:
        if distance > tolerance:
            break
        if i not in used_d and j not in used_s:
            used_d.add(i)
            used_s.add(j)
    return [truth[j] for j in sorted(used_s)]


def datazilla(case: Case) -> dict[str, list[int]]:
    """Push positions where each page starts failing Datazilla's per-run test."""
    state: dict = {}
    failing = {page: False for page in case.shifts}
    found: dict[str, list[int]] = {page: [] for page in case.shifts}
    names = sorted(case.shifts)
    for number, run in enumerate(case.runs):
        s = replicate_summaries([run.pages[n] for n in names], drop_first=True)
        pages = {n: {"n_replicates": int(s.n_replicates[i]), "n": int(s.n[i]), "mean": float(s.mean[i]),
                     "stddev": float(s.stddev[i])} for i, n in enumerate(names)}
        summary = RunSummary(number, f"r{number}", run.push, run.push, run.push, f"{number:012d}", pages)
        results, state = fold(summary, state)
        for name in names:
            verdict = results[name]["test_evaluation"]
            fails = verdict is False
            if fails and not failing[name]:
                found[name].append(run.push)
            failing[name] = fails
    return found


def per_page(detect: Callable[[list[list[float]]], list]) -> Callable[[Case], dict[str, list[int]]]:
    def run(case: Case) -> dict[str, list[int]]:
        # pushes without a run are absent from values_per_push; in these cases every push has one
        return {page: [c.index for c in detect(case.values_per_push(page))] for page in case.shifts}

    return run


ROWS: dict[str, Callable[[Case], dict[str, list[int]]]] = {
    "datazilla": datazilla,
    "perfherder": per_page(perfherder.detect),
    "edivisive": per_page(edivisive.detect),
    "shipyard": per_page(shipyard.detect),
}


def evaluate(cases: list[Case], tolerance: int, rows: Sequence[str]) -> dict[str, Score]:
    scores = {name: Score() for name in rows}
    for name in rows:
        score = scores[name]
        started = time.perf_counter()
        found = [ROWS[name](case) for case in cases]
        score.seconds = time.perf_counter() - started
        for case, detections in zip(cases, found, strict=True):
            for page, truth in case.shifts.items():
                hits = match(detections[page], truth, tolerance)
                tp, fp, fn = len(hits), len(detections[page]) - len(hits), len(truth) - len(hits)
                score.tp, score.fp, score.fn = score.tp + tp, score.fp + fp, score.fn + fn
                score.regressions += sum(1 for s in truth if s.pct > 0)
                score.regressions_found += sum(1 for s in hits if s.pct > 0)
                kind = score.by_kind[case.kind]
                kind[0], kind[1], kind[2] = kind[0] + tp, kind[1] + fp, kind[2] + fn
    return scores


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def report(scores: dict[str, Score], cases: list[Case], label: str, tolerance: int, by_kind: bool) -> None:
    pages = sum(len(c.shifts) for c in cases)
    shifts = sum(len(s) for c in cases for s in c.shifts.values())
    points = sum(c.pushes for c in cases for _ in c.shifts)
    print(f"{label} set: {len(cases)} cases, {pages} series, {points} pushes, {shifts} labelled shifts; "
          f"tolerance ±{tolerance} pushes")
    print(f"{'detector':<11} {'precision':>9} {'recall':>7} {'F1':>6} {'TP':>5} {'FP':>5} {'FN':>5} "
          f"{'R regr.':>8} {'seconds':>8}")
    for name, s in scores.items():
        regr = s.regressions_found / s.regressions if s.regressions else 0.0
        print(f"{name:<11} {s.precision:9.3f} {s.recall:7.3f} {s.f1:6.3f} {s.tp:5d} {s.fp:5d} {s.fn:5d} "
              f"{regr:8.3f} {s.seconds:8.1f}")
    if by_kind:
        kinds = list(alert_data.KINDS)
        print("F1 by kind  " + " ".join(f"{k:>9}" for k in kinds))
        for name, s in scores.items():
            print(f"{name:<11} " + " ".join(f"{_f1(*s.by_kind[k]):9.3f}" for k in kinds))
    best = max(scores, key=lambda n: scores[n].f1)
    others = [n for n in scores if n != "shipyard"]
    if "shipyard" in scores and others:
        margin = scores["shipyard"].f1 - max(scores[n].f1 for n in others)
        print(f"best F1: {best}; shipyard − best other row: {margin:+.3f}")


def report_job_cost() -> None:
    from chalicelib.services.perf.alerts_job import WINDOW_RUNS

    case = next(c for c in alert_data.cases(range(900, 901)) if c.kind == "gaussian")
    page = max(case.shifts, key=lambda p: len(case.shifts[p]))
    pushes = case.values_per_push(page)[-WINDOW_RUNS:]

    def median_seconds(detect: Callable[[list[list[float]]], list], repeat: int = 7) -> float:
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            detect(pushes)
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    ours, baseline = median_seconds(shipyard.detect), median_seconds(perfherder.detect)
    code = ("import time; t = time.perf_counter(); import chalicelib.perf.detectors.shipyard; "
            "import sys; print((time.perf_counter() - t) * 1000, 'scipy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    print(f"one page, {len(pushes)} pushes: shipyard {ours * 1e3:.1f} ms, perfherder t-test {baseline * 1e3:.1f} ms "
          f"(ratio {ours / baseline:.1f}x); a 100-page group's job ≈ {ours * 100:.1f} s of detection")
    print(f"cold import of the detectors: {float(out[0]):.0f} ms (scipy imported: {out[1]})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=("evaluation", "tuning"), default="evaluation")
    parser.add_argument("--tolerance", type=int, default=2)
    parser.add_argument("--rows", default=",".join(ROWS))
    parser.add_argument("--by-kind", action="store_true")
    args = parser.parse_args(argv)
    seeds = alert_data.EVALUATION if args.set == "evaluation" else alert_data.TUNING
    cases = alert_data.cases(seeds)
    np.seterr(all="ignore")
    scores = evaluate(cases, args.tolerance, [r for r in args.rows.split(",") if r])
    report(scores, cases, args.set, args.tolerance, args.by_kind)
    report_job_cost()


if __name__ == "__main__":
    main()

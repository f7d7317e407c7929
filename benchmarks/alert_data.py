"""The labelled data of the alert benchmark: series with known injected shifts.

A *case* is what one Talos job produces over a stretch of pushes: a series
group (one test on one platform) whose runs carry several pages, each page a
series of its own. Every run has 25 replicates per page (the test is tp5-like:
the first replicate is a warm-up, slower, and dropped by the metrics). Each
page's run value is its level × (1 + between-run noise); its replicates
scatter around that value with within-run noise. The between-run noise is
what real Talos series have and what a test on replicates alone cannot see.

Kinds of noise (one per case, every page of the case shares it):

- ``gaussian``: normal between-run noise, 0.5–3 %;
- ``heavy``: Student-t (3 degrees of freedom) between-run noise;
- ``bimodal``: each run lands in one of two modes 3–8 % apart (a stable mix);
- ``outliers``: 4 % of runs are 15–60 % slow (a bad machine, a hiccup);
- ``drift``: the level drifts linearly by 3–10 % over the case, unlabelled;
- ``talos``: replicates resampled from the fixture's real tp5n pages
  (tests/support/fixtures/talos_tp5n.json), so their shape is a real page's.

Labels: each page gets 0–3 shifts of 1.5–25 % (either direction, a mix of
sizes weighted towards the small ones that matter), at least 14 pushes apart,
10 pushes clear of the start and 12 of the end (no detector can see a shift
in its last dozen pushes, Perfherder's fore window is 12). A shift's label is
the position of the first push at the new level. Some pushes have a
retriggered second run. Everything derives from the seed: the same seed gives
the same data, bit for bit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "support" / "fixtures" / "talos_tp5n.json"
KINDS = ("gaussian", "heavy", "bimodal", "outliers", "drift", "talos")
REPLICATES = 25
SHIFT_SIZES = np.array([1.5, 2.0, 3.0, 4.0, 6.0, 10.0, 25.0])  # percent
SHIFT_WEIGHTS = np.array([2, 2, 3, 3, 2, 1, 1], dtype=float)


@dataclass(frozen=True)
class Shift:
    index: int  # position of the first push at the new level
    pct: float  # signed: > 0 is slower (a regression: lower is better for Talos times)


@dataclass(frozen=True)
class Run:
    push: int  # push position
    pages: dict[str, list[float]]  # page -> replicates


@dataclass(frozen=True)
class Case:
    name: str
    kind: str
    pushes: int
    runs: list[Run]
    shifts: dict[str, list[Shift]]  # page -> its labelled shifts

    def values_per_push(self, page: str) -> list[list[float]]:
        """The page's run values (replicate means, warm-up dropped) grouped by push, pushes without a run left out."""
        by_push: dict[int, list[float]] = {}
        for run in self.runs:
            by_push.setdefault(run.push, []).append(float(np.mean(run.pages[page][1:])))
        return [by_push[p] for p in sorted(by_push)]


def _fixture_shapes() -> dict[str, np.ndarray]:
    """Each fixture page's replicates relative to their median (a real page's spread and skew)."""
    results = json.loads(FIXTURE.read_text())["results"]
    return {page: np.asarray(values, dtype=float) / float(np.median(values)) for page, values in results.items()}


def _shifts(rng: np.random.Generator, pushes: int) -> list[Shift]:
    count = int(rng.choice([0, 1, 1, 2, 2, 3]))
    chosen: list[int] = []
    for _ in range(50):
        if len(chosen) == count:
            break
        at = int(rng.integers(10, pushes - 12))
        if all(abs(at - c) >= 14 for c in chosen):
            chosen.append(at)
    sizes = rng.choice(SHIFT_SIZES, size=len(chosen), p=SHIFT_WEIGHTS / SHIFT_WEIGHTS.sum())
    signs = rng.choice([-1.0, 1.0], size=len(chosen))
    return [Shift(at, float(s * size)) for at, s, size in zip(sorted(chosen), signs, sizes, strict=True)]


def _run_noise(rng: np.random.Generator, kind: str, size: int, sigma: float) -> np.ndarray:
    if kind == "heavy":
        return sigma * rng.standard_t(3, size) / np.sqrt(3.0)
    noise = rng.normal(0.0, sigma, size)
    if kind == "bimodal":
        gap = rng.uniform(0.03, 0.08)
        share = rng.uniform(0.2, 0.5)
        noise += np.where(rng.random(size) < share, gap, 0.0)
    elif kind == "outliers":
        noise += np.where(rng.random(size) < 0.04, rng.uniform(0.15, 0.6, size), 0.0)
    return noise


def make_case(seed: int, kind: str, pages: int = 5) -> Case:
    rng = np.random.default_rng(seed)
    pushes = int(rng.integers(60, 161))
    retriggered = rng.random(pushes) < 0.12
    run_pushes = np.repeat(np.arange(pushes), np.where(retriggered, 2, 1))
    shapes = _fixture_shapes()
    names = sorted(shapes)[:pages] if kind == "talos" else [f"page{i}.example" for i in range(pages)]
    drift_total = rng.uniform(0.03, 0.10) * rng.choice([-1.0, 1.0]) if kind == "drift" else 0.0
    replicates: dict[str, np.ndarray] = {}
    shifts: dict[str, list[Shift]] = {}
    for name in names:
        page_shifts = _shifts(rng, pushes)
        shifts[name] = page_shifts
        level = np.full(pushes, rng.uniform(100.0, 1000.0))
        for shift in page_shifts:
            level[shift.index:] *= 1.0 + shift.pct / 100.0
        level *= 1.0 + drift_total * np.arange(pushes) / pushes
        sigma_run = rng.uniform(0.005, 0.03)
        value = level[run_pushes] * (1.0 + _run_noise(rng, kind, run_pushes.size, sigma_run))
        if kind == "talos":
            shape = shapes[name]
            draws = shape[rng.integers(0, shape.size, (run_pushes.size, REPLICATES))]
            reps = value[:, None] * draws / draws[:, 1:].mean(axis=1, keepdims=True)
        else:
            sigma_rep = rng.uniform(0.01, 0.04)
            reps = value[:, None] * (1.0 + rng.normal(0.0, sigma_rep, (run_pushes.size, REPLICATES)))
            reps[:, 0] *= 1.0 + rng.uniform(0.1, 0.4)  # the warm-up replicate
        replicates[name] = np.round(reps, 2)
    runs = [Run(int(p), {name: replicates[name][r].tolist() for name in names}) for r, p in enumerate(run_pushes)]
    return Case(f"{kind}-{seed}", kind, pushes, runs, shifts)


def cases(seeds: range) -> list[Case]:
    """One case of every kind per seed (the kind's index is folded into the seed)."""
    return [make_case(seed * 10 + k, kind) for seed in seeds for k, kind in enumerate(KINDS)]


# Tuning and evaluation never share a seed: Shipyard's detector was tuned on TUNING only.
TUNING = range(100, 120)
EVALUATION = range(500, 540)

"""Metrics kernel: one run's pages evaluated as arrays vs. the original per-page loop.

The original library evaluated each page on its own: numpy ``mean``/``std`` of
the page's replicates, freeze ``scipy.stats.t(df)``, ``p = 1 - cdf(t)``, then
Benjamini–Hochberg and the trend in plain Python. The kernel
(``chalicelib.perf.statistics``: ``matrix_summaries`` then ``evaluate``)
does the same maths once over all pages. Both start from the same input, the
run's replicate matrix as the loading worker stores it (the replicate summaries
are inside the timed part on both sides), and must agree (p within 1e-12,
identical fdr and h0, trends within 1e-12 relative) before any timing is printed.

    .venv/bin/python -m benchmarks.metrics_kernel [--pages 10 100 1000 --replicates 25 --repeat 15]
"""

from __future__ import annotations

import argparse
import math
import statistics
import subprocess
import sys
import time
import timeit
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from chalicelib.perf.statistics import Summaries, evaluate, matrix_summaries, replicate_matrix, replicate_summaries

ROOT = Path(__file__).resolve().parents[1]
TARGET = 1500


@dataclass(frozen=True)
class RunInputs:
    """What the metrics job holds for one run: its replicate matrix, and its pages' bases and trends."""

    lengths: np.ndarray
    matrix: np.ndarray
    drop_first: bool
    base: Summaries
    trends: np.ndarray  # 2 × pages: trend mean, trend stddev (NaN where none)


def make_inputs(pages: int, replicates: int, seed: int = 20130401) -> RunInputs:
    """A tp5-like run: every page has a threshold run, 60% a trend, 10% regress by 20%."""
    rng = np.random.default_rng(seed)
    centre = rng.uniform(50, 2000, pages)
    spread = centre * rng.uniform(0.01, 0.08, pages)
    shift = np.where(rng.random(pages) < 0.1, 1.2, 1.0)
    new = rng.normal(centre * shift, spread, (replicates, pages)).T
    old = rng.normal(centre, spread, (replicates, pages)).T
    base = replicate_summaries(old.tolist(), drop_first=True)
    trended = rng.random(pages) < 0.6
    lengths, matrix = replicate_matrix(new.tolist())
    return RunInputs(
        lengths=lengths,
        matrix=matrix,
        drop_first=True,
        base=base,
        trends=np.array([np.where(trended, base.mean * rng.uniform(0.98, 1.02, pages), np.nan),
                         np.where(trended, base.stddev * rng.uniform(0.9, 1.1, pages), np.nan)]),
    )


def vectorised(inputs: RunInputs):
    return evaluate(matrix_summaries(inputs.lengths, inputs.matrix, inputs.drop_first), inputs.base, inputs.trends)


def per_page_loop(inputs: RunInputs, alpha: float = 0.05, q: float = 0.05, weight: float = 0.05) -> dict:
    """The original shape: per page numpy mean/std of its replicates, one frozen t distribution, Python floats."""
    from scipy import stats

    base = inputs.base
    first = 1 if inputs.drop_first else 0
    base_n, base_mean, base_sd = base.n.tolist(), base.mean.tolist(), base.stddev.tolist()
    trend_mean, trend_sd = inputs.trends.tolist()
    mean: list[float] = []
    sd: list[float] = []
    p: list[float] = []
    for i, length in enumerate(inputs.lengths.tolist()):
        values = inputs.matrix[i, first:length]
        mean.append(float(np.mean(values)))
        sd.append(float(np.std(values, ddof=1)))
        if math.isnan(trend_mean[i]):
            m2, s2 = base_mean[i], base_sd[i]
        else:
            m2, s2 = trend_mean[i], trend_sd[i]
        n1, n2 = length - first, base_n[i]
        v1, v2 = sd[i] ** 2, s2 ** 2
        se2 = v1 / n1 + v2 / n2
        t = (mean[i] - m2) / math.sqrt(se2)
        df = se2 ** 2 / ((v1 / n1) ** 2 / (n1 - 1) + (v2 / n2) ** 2 / (n2 - 1))
        p.append(1 - stats.t(df).cdf(t))
    order = sorted(range(len(p)), key=p.__getitem__)
    k = 0
    for rank, index in enumerate(order, start=1):
        if p[index] < rank * q / len(p):
            k = rank
    fdr = [False] * len(p)
    for index in order[:k]:
        fdr[index] = True
    new_trend_mean, new_trend_sd = list(trend_mean), list(trend_sd)
    for i in range(len(p)):
        if not fdr[i]:
            old_m = base_mean[i] if math.isnan(trend_mean[i]) else trend_mean[i]
            old_s = base_sd[i] if math.isnan(trend_sd[i]) else trend_sd[i]
            new_trend_mean[i] = weight * mean[i] + (1 - weight) * old_m
            new_trend_sd[i] = weight * sd[i] + (1 - weight) * old_s
    return {"p": p, "fdr": fdr, "h0_rejected": [value < alpha for value in p],
            "trend_mean": new_trend_mean, "trend_stddev": new_trend_sd}


def check_agreement(inputs: RunInputs) -> str:
    fast, slow = vectorised(inputs), per_page_loop(inputs)
    np.testing.assert_allclose(fast.p, slow["p"], rtol=0, atol=1e-12)
    assert fast.fdr.tolist() == slow["fdr"], "fdr differs"
    assert fast.h0_rejected.tolist() == slow["h0_rejected"], "h0_rejected differs"
    np.testing.assert_allclose(fast.trend_mean, slow["trend_mean"], rtol=1e-12)
    np.testing.assert_allclose(fast.trend_stddev, slow["trend_stddev"], rtol=1e-12)
    return (f"max |Δp| {np.max(np.abs(fast.p - np.array(slow['p']))):.1e}, "
            f"fdr identical ({int(fast.fdr.sum())} of {fast.fdr.size} flagged)")


def _batch_seconds(call: Callable[[], object], target: float) -> tuple[timeit.Timer, int]:
    timer = timeit.Timer(call, timer=time.process_time)
    number, seconds = timer.autorange()
    return timer, max(1, int(number * target / seconds))


def paired_medians(fast: Callable[[], object], slow: Callable[[], object], repeat: int,
                   target: float = 0.1) -> tuple[float, float, float]:
    """Per-call medians of both sides and the median of their per-pair ratios.

    Batches of the two sides alternate (each about ``target`` seconds of
    this process's CPU time, so time the machine gives to neighbours is not
    counted), and a neighbour's load on shared caches and cores slows both
    sides of a pair alike: the ratio stays honest when absolute times drift.
    """
    fast_timer, fast_number = _batch_seconds(fast, target)
    slow_timer, slow_number = _batch_seconds(slow, target)
    fast_times, slow_times = [], []
    for _ in range(repeat):
        fast_times.append(fast_timer.timeit(fast_number) / fast_number)
        slow_times.append(slow_timer.timeit(slow_number) / slow_number)
    ratios = [s / f for f, s in zip(fast_times, slow_times, strict=True)]
    return statistics.median(fast_times), statistics.median(slow_times), statistics.median(ratios)


def cold_first_call_ms(pages: int, replicates: int) -> float:
    """First evaluate in a fresh interpreter: pays the lazy ``scipy.special`` import, as a cold Lambda would."""
    code = (
        "import time; from benchmarks.metrics_kernel import make_inputs, vectorised; "
        f"inputs = make_inputs({pages}, {replicates}); started = time.perf_counter(); vectorised(inputs); "
        "print((time.perf_counter() - started) * 1000)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return float(result.stdout.strip())


def report_kernel(pages: int, args: argparse.Namespace) -> float:
    inputs = make_inputs(pages, args.replicates)
    agreement = check_agreement(inputs)  # also warms the lazy scipy.special import for the timings below
    fast, slow, ratio = paired_medians(lambda: vectorised(inputs), lambda: per_page_loop(inputs), args.repeat)
    print(f"{pages:5d} pages  loop {slow * 1e3:9.3f} ms   kernel {fast * 1e6:8.1f} µs   "
          f"ratio {ratio:6.0f}x (median of pairs)   {agreement}")
    return ratio


def welch_arguments(inputs: RunInputs) -> tuple[np.ndarray, np.ndarray]:
    """(df, t) of every page as the kernel hands them to ``stdtr`` (untimed: for the ceiling below)."""
    run = matrix_summaries(inputs.lengths, inputs.matrix, inputs.drop_first)
    whole = ~np.isnan(inputs.trends[0] + inputs.trends[1])
    m2, s2 = np.where(whole, inputs.trends, inputs.base.moments)
    vn1, vn2 = run.variance / run.n, s2 * s2 / inputs.base.n
    se2 = vn1 + vn2
    return se2 * se2 / (vn1 * vn1 / (run.n - 1) + vn2 * vn2 / (inputs.base.n - 1)), (m2 - run.mean) / np.sqrt(se2)


def report_t_distribution_ceiling(pages: int, args: argparse.Namespace) -> None:
    """The kernel's one call no rewrite removes, alone against the loop: the ratio were everything else free."""
    from scipy.special import stdtr

    inputs = make_inputs(pages, args.replicates)
    df, t = welch_arguments(inputs)
    np.testing.assert_allclose(stdtr(df, t), vectorised(inputs).p, rtol=0, atol=1e-12)
    fast, slow, ratio = paired_medians(lambda: stdtr(df, t), lambda: per_page_loop(inputs), args.repeat)
    print(f"{pages:5d} pages  scipy.special.stdtr alone {fast * 1e6:6.1f} µs = loop/{ratio:.0f} "
          "(the ceiling: the kernel with every other step free)")


def report_dynamodb_calls(pages: int = 100) -> None:
    """DynamoDB calls of one metrics job for a 100-page run, on moto, counted at botocore."""
    import copy
    import json
    import os

    os.environ.update(SHIPYARD_PREFIX="shipyard-bench", AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
                      AWS_DEFAULT_REGION="us-east-1", AWS_XRAY_SDK_ENABLED="false")
    os.environ.pop("AWS_ENDPOINT_URL", None)
    import botocore.client
    from moto import mock_aws

    from chalicelib.datazilla.blob import parse_run
    from chalicelib.local import resources
    from chalicelib.services.perf.metrics_job import compute
    from chalicelib.store import pushes, replicates, test_runs
    from chalicelib.store.test_runs import PushLink

    blob = json.loads((ROOT / "tests" / "support" / "fixtures" / "talos_tp5n.json").read_text())
    blob["results"] = {f"page{i:03d}.com": [100.0 + i + (j % 5) for j in range(25)] for i in range(pages)}
    calls: list[str] = []
    original = botocore.client.BaseClient._make_api_call

    def counting(self, operation, params):  # type: ignore[no-untyped-def]
        if self.meta.service_model.service_name == "dynamodb":
            calls.append(operation)
        return original(self, operation, params)

    with mock_aws():
        resources.deploy()
        for run_id in (1, 2):
            push, _ = pushes.store("Mozilla-Inbound", run_id, 1000 + run_id, "u",
                                   [{"node": f"{run_id:040x}", "author": "a", "desc": "d"}])
            run = parse_run(copy.deepcopy(blob))
            link = PushLink("Mozilla-Inbound", push.push_id, push.pushlog_id, push.date)
            replicates.put("talos", run_id, *replicate_matrix([run.pages[name] for name in sorted(run.pages)]))
            test_runs.save("talos", run_id, run.as_record(), "Mozilla-Inbound", link)
        compute("talos", 1)
        botocore.client.BaseClient._make_api_call = counting
        try:
            compute("talos", 2)
        finally:
            botocore.client.BaseClient._make_api_call = original
    print(f"dynamodb calls       one metrics job, {pages}-page run   {len(calls)}  ({', '.join(calls)})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--replicates", type=int, default=25)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--no-dynamodb", action="store_true", help="skip counting the metrics job's DynamoDB calls")
    args = parser.parse_args(argv)
    print(f"runs of N pages x {args.replicates} replicates (tp5: first dropped); replicate summaries timed on both "
          f"sides; per-page loop vs kernel (matrix_summaries + evaluate), medians of {args.repeat}")
    ratios = {pages: report_kernel(pages, args) for pages in args.pages}
    if 100 in ratios:
        report_t_distribution_ceiling(100, args)
        print(f"100-page ratio {ratios[100]:.0f}x (target >= {TARGET}x)")
    cold = cold_first_call_ms(100, args.replicates)
    print(f"kernel first call in a fresh process (imports scipy.special) {cold:.1f} ms")
    if not args.no_dynamodb:
        report_dynamodb_calls()


if __name__ == "__main__":
    main()

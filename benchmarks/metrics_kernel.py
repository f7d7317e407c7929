"""Metrics kernel: one run's pages evaluated as arrays vs. the original per-page loop.

The original library evaluated each page on its own: freeze ``scipy.stats.t(df)``,
``p = 1 - cdf(t)``, then Benjamini–Hochberg and the trend in plain Python.
``chalicelib.perf.statistics.evaluate_run`` does the same maths once over all
pages. Both get identical summaries (the replicate summaries are computed once,
outside the timing) and must agree (p to 1e-9, identical fdr) before any timing
is printed.

    .venv/bin/python -m benchmarks.metrics_kernel [--pages 100 --replicates 25 --repeat 15]
"""

from __future__ import annotations

import argparse
import math
import statistics
import subprocess
import sys
import timeit
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from chalicelib.perf.statistics import Summaries, evaluate_run, replicate_summaries

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class RunInputs:
    """What the metrics worker hands the kernel for one run: summaries of the run, its bases and trends."""

    replicates: list[list[float]]  # the new run's raw replicates, for timing replicate_summaries
    run: Summaries
    base: Summaries
    trend_mean: np.ndarray
    trend_stddev: np.ndarray


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
    return RunInputs(
        replicates=new.tolist(),
        run=replicate_summaries(new.tolist(), drop_first=True),
        base=base,
        trend_mean=np.where(trended, base.mean * rng.uniform(0.98, 1.02, pages), np.nan),
        trend_stddev=np.where(trended, base.stddev * rng.uniform(0.9, 1.1, pages), np.nan),
    )


def vectorised(inputs: RunInputs):
    run, base = inputs.run, inputs.base
    return evaluate_run(run.n, run.mean, run.stddev, base.n, base.mean, base.stddev,
                        inputs.trend_mean, inputs.trend_stddev)


def per_page_loop(inputs: RunInputs, alpha: float = 0.05, q: float = 0.05, weight: float = 0.05) -> dict:
    """The original shape: Python floats, one frozen t distribution per page."""
    from scipy import stats

    run, base = inputs.run, inputs.base
    n, mean, sd = run.n.tolist(), run.mean.tolist(), run.stddev.tolist()
    base_n, base_mean, base_sd = base.n.tolist(), base.mean.tolist(), base.stddev.tolist()
    trend_mean, trend_sd = inputs.trend_mean.tolist(), inputs.trend_stddev.tolist()
    p: list[float] = []
    for i in range(len(n)):
        if math.isnan(trend_mean[i]):
            m2, s2 = base_mean[i], base_sd[i]
        else:
            m2, s2 = trend_mean[i], trend_sd[i]
        n1, n2 = n[i], base_n[i]
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


def check_agreement(inputs: RunInputs) -> None:
    fast, slow = vectorised(inputs), per_page_loop(inputs)
    np.testing.assert_allclose(fast.p, slow["p"], rtol=0, atol=1e-9)
    assert fast.fdr.tolist() == slow["fdr"], "fdr differs"
    assert fast.h0_rejected.tolist() == slow["h0_rejected"], "h0_rejected differs"
    np.testing.assert_allclose(fast.trend_mean, slow["trend_mean"], rtol=1e-12)
    np.testing.assert_allclose(fast.trend_stddev, slow["trend_stddev"], rtol=1e-12)
    print(f"agreement: max |Δp| {np.max(np.abs(fast.p - np.array(slow['p']))):.1e}, "
          f"fdr identical ({int(fast.fdr.sum())} of {fast.fdr.size} pages flagged)")


def median_seconds(call: Callable[[], object], repeat: int, target: float = 0.2) -> float:
    """Median per-call time over ``repeat`` batches, each batch sized to take about ``target`` seconds."""
    timer = timeit.Timer(call)
    number, _ = timer.autorange()
    number = max(1, int(number * target / 0.2))
    return statistics.median(t / number for t in timer.repeat(repeat=repeat, number=number))


def cold_first_call_ms(pages: int, replicates: int) -> float:
    """First evaluate_run in a fresh interpreter: pays the lazy ``scipy.special`` import, as a cold Lambda would."""
    code = (
        "import time; from benchmarks.metrics_kernel import make_inputs, vectorised; "
        f"inputs = make_inputs({pages}, {replicates}); started = time.perf_counter(); vectorised(inputs); "
        "print((time.perf_counter() - started) * 1000)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return float(result.stdout.strip())


def report_kernel(args: argparse.Namespace) -> None:
    inputs = make_inputs(args.pages, args.replicates)
    print(f"run: {args.pages} pages x {args.replicates} replicates (tp5: first dropped), "
          f"{int(np.isfinite(inputs.trend_mean).sum())} with a trend")
    check_agreement(inputs)  # also warms the lazy scipy.special import for the timings below
    fast = median_seconds(lambda: vectorised(inputs), args.repeat)
    slow = median_seconds(lambda: per_page_loop(inputs), args.repeat)
    summaries = median_seconds(lambda: replicate_summaries(inputs.replicates, drop_first=True), args.repeat)
    cold = cold_first_call_ms(args.pages, args.replicates)
    print(f"per-page loop        scipy.stats.t(df).cdf  median {slow * 1e3:9.3f} ms")
    print(f"evaluate_run         vectorised, warm       median {fast * 1e6:9.1f} µs")
    print(f"ratio                loop / evaluate_run           {slow / fast:9.0f}x   (target >= 500x)")
    print(f"replicate_summaries  {args.pages}x{args.replicates}, not in the ratio  median {summaries * 1e6:9.1f} µs")
    print(f"evaluate_run         first call in a fresh process (imports scipy.special) {cold:.1f} ms")


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
    from chalicelib.perf.metrics_job import compute
    from chalicelib.store import pushes, test_runs
    from chalicelib.store.test_runs import PushLink

    blob = json.loads((Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "talos_tp5n.json").read_text())
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
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--replicates", type=int, default=25)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args(argv)
    report_kernel(args)
    report_dynamodb_calls()


if __name__ == "__main__":
    main()

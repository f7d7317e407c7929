"""Cold start of the packaged functions, against bare ``import boto3`` / ``import numpy, boto3`` in the same run.

Every figure is a fresh ``python3.13 -I -S -B`` process over the unzipped artifact laid out as
Lambda lays it out (tests/support/lambda_artifact.py), with the runtime's real bootstrap (awslambdaric)
importing the handler: "import" is the handler module's import (with the runtime's logging
setup), "first request" the first invocation after it, GET /treeherder/api/repository against
moto on 127.0.0.1. The artifact is measured as built (a .pyc beside every module) and with every
``__pycache__`` removed (what `chalice package` alone ships: Lambda's read-only /var/task
compiles the whole import graph at each cold start). The OS file cache is warm after the first
run: these are process-cold, not disk-cold, times. Medians of ``--runs`` runs, interleaved.

    .venv/bin/python -m benchmarks.cold_start [--runs 7] [--package out]

Goal (issue 14): API cold import <= 1.5x the bare numpy+boto3 import.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chalicelib.local import moto_server, resources  # noqa: E402
from deploy import package  # noqa: E402
from tests.support.lambda_artifact import BuiltPackage, invoke, lambda_env, lay_out, runtime_python  # noqa: E402

PREFIX = "shipyard-bench"


def _artifact(out: Path | None, scratch: Path) -> package.Artifact:
    if out is None:
        return package.build(scratch / "out")
    artifact = package.Artifact(out=out.resolve(), runtime=package.RUNTIME)
    artifact.sizes = {"function": package.zip_sizes(out / package.FUNCTION_ZIP),
                      "layer": package.zip_sizes(out / package.LAYER_ZIP)}
    return artifact


def _without_pyc(built: BuiltPackage, root: Path) -> BuiltPackage:
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(built.task, root / "task", ignore=ignore)
    shutil.copytree(built.opt, root / "opt", ignore=ignore)
    return BuiltPackage(out=built.out, task=root / "task", opt=root / "opt", runtime=built.runtime,
                        sizes=built.sizes, handlers=built.handlers, chalice_output=built.chalice_output)


def _bare_import(built: BuiltPackage, modules: str) -> float:
    paths = [str(built.task), str(built.opt / "python/lib/python3.13/site-packages"), str(built.runtime)]
    code = ("import sys, time; t = time.perf_counter(); sys.path[:0] = sys.argv[1].split(':'); "
            f"import {modules}; print(time.perf_counter() - t)")
    result = subprocess.run([runtime_python(), "-I", "-S", "-B", "-c", code, ":".join(paths)],
                            capture_output=True, text=True, timeout=120, check=True, env={"PATH": "/usr/bin:/bin"})
    return float(result.stdout)


def _handler(built: BuiltPackage, handler: str, events: list[dict], env: dict[str, str],
             scratch: Path) -> tuple[float, float | None]:
    report, lines = invoke(built, handler, events, env, scratch / f"run-{time.monotonic_ns()}")
    if report["init_error"] or not all(r["ok"] for r in report["results"]):
        raise RuntimeError(f"{handler} failed: {report}\n" + "\n".join(lines[-20:]))
    imported = report["init"] - report["runtime_loaded"]
    first = report["results"][0]["at"] - report["init"] if report["results"] else None
    return imported, first


def _api_event() -> dict:
    path = "/treeherder/api/repository"
    return {"resource": path, "path": path, "httpMethod": "GET", "headers": {"Accept": "application/json"},
            "multiValueHeaders": {"Accept": ["application/json"]}, "queryStringParameters": None,
            "multiValueQueryStringParameters": None, "pathParameters": None, "stageVariables": None,
            "requestContext": {"resourcePath": path, "httpMethod": "GET", "path": f"/api{path}", "stage": "api",
                               "requestId": "bench", "accountId": "123456789012", "apiId": "bench",
                               "identity": {"sourceIp": "127.0.0.1"}},
            "body": None, "isBase64Encoded": False}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--package", type=Path, help="a `make package` output to measure instead of building one")
    args = parser.parse_args(argv)
    runs = max(1, min(args.runs, 50))

    with tempfile.TemporaryDirectory(prefix="shipyard-cold-") as tmp:
        scratch = Path(tmp)
        artifact = _artifact(args.package, scratch)
        built = lay_out(artifact, scratch / "pyc")
        bare = _without_pyc(built, scratch / "nopyc")
        server, url = moto_server.start(0)
        try:
            cfn = boto3.client("cloudformation", endpoint_url=url, region_name="us-east-1",
                               aws_access_key_id="testing", aws_secret_access_key="testing")
            cfn.create_stack(StackName=PREFIX, TemplateBody=json.dumps(resources.standalone(resources.template())),
                             Parameters=[{"ParameterKey": "ShipyardPrefix", "ParameterValue": PREFIX}])
            env = lambda_env("shipyard-dev-APIHandler", AWS_ENDPOINT_URL=url, SHIPYARD_PREFIX=PREFIX)
            xray = dict(env, SHIPYARD_XRAY="true", AWS_XRAY_CONTEXT_MISSING="IGNORE_ERROR",
                        AWS_XRAY_DAEMON_ADDRESS="127.0.0.1:2000")
            samples: dict[str, list[float]] = {}

            def sample(name: str, value: float | None) -> None:
                if value is not None:
                    samples.setdefault(name, []).append(value)

            for _ in range(runs):
                sample("bare import boto3", _bare_import(built, "boto3"))
                sample("bare import numpy, boto3", _bare_import(built, "numpy, boto3"))
                imported, first = _handler(built, "app.app", [_api_event()], env, scratch)
                sample("API: import app", imported)
                sample("API: first request", first)
                imported, first = _handler(built, "app.app", [_api_event()], xray, scratch)
                sample("API: import app, X-Ray on (the dev stage)", imported)
                sample("API: first request, X-Ray on", first)
                imported, _ = _handler(built, "chalicelib.workers.metrics.compute_metrics", [], env, scratch)
                sample("metrics worker: import", imported)
                sample("no .pyc: bare import numpy, boto3", _bare_import(bare, "numpy, boto3"))
                imported, first = _handler(bare, "app.app", [_api_event()], env, scratch)
                sample("no .pyc: API: import app", imported)
                sample("no .pyc: API: first request", first)
        finally:
            server.stop()

    medians = {name: statistics.median(values) for name, values in samples.items()}
    base = medians["bare import numpy, boto3"]
    print(f"runtime {package.RUNTIME} (Python {sys.version.split()[0]}), {runs} runs, medians")
    for part, size in artifact.sizes.items():
        print(f"  {part:<9} {size['zipped'] / 2**20:7.1f} MB zipped {size['unzipped'] / 2**20:7.1f} MB unzipped")
    print(f"{'':44} {'ms':>8} {'x numpy+boto3':>14} {'x boto3':>8}")
    for name, value in medians.items():
        print(f"{name:44} {value * 1000:8.1f} {value / base:14.2f} {value / medians['bare import boto3']:8.2f}")
    ratio = medians["API: import app"] / base
    print(f"API cold import / bare numpy+boto3 import = {ratio:.2f} (goal <= 1.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The artifacts of `make package`, built once per test run and laid out as Lambda lays them out.

Building takes about a minute (pip installs the layer's wheels for the runtime, then every
module is compiled), so one build serves the whole run: the first test process to need it
builds under a file lock in the run's shared temporary directory, and the others (xdist
workers) find it there. A failed build is remembered too, and fails every test that needs it.

Laid out for ``tests/support/lambda_bootstrap.py``: ``task/`` is the function's zip unzipped
(``/var/task``), ``opt/`` the layer's (``/opt``), ``runtime/`` what the python3.13 runtime
brings itself: boto3 and its dependencies, and awslambdaric (its bootstrap).
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from deploy import package

ROOT = Path(__file__).resolve().parents[2]
BOOTSTRAP = Path(__file__).with_name("lambda_bootstrap.py")
RUNTIME_BOOTSTRAP_LOCK = Path(__file__).with_name("fixtures") / "lambda-runtime-requirements.txt"
# What the python3.13 runtime itself has beside the interpreter (boto3's closure).
RUNTIME_SDK = {"boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3"}


@dataclass(frozen=True)
class BuiltPackage:
    out: Path
    task: Path
    opt: Path
    runtime: Path
    sizes: dict[str, dict[str, int]]
    handlers: list[str]
    chalice_output: str

    @property
    def template(self) -> dict[str, Any]:
        return json.loads((self.out / "sam.json").read_text())

    @property
    def unzipped_total(self) -> int:
        return sum(s["unzipped"] for s in self.sizes.values())


def built_once(tmp_path_factory: pytest.TempPathFactory) -> BuiltPackage:
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    root = shared / "lambda-package"
    with open(shared / "lambda-package.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        failed, built = root / "failed.txt", root / "built.json"
        if failed.exists():
            pytest.fail(f"make package failed earlier in this run:\n{failed.read_text()}")
        if not built.exists():
            root.mkdir(exist_ok=True)
            try:
                _build(root, built)
            except package.PackageError as err:
                failed.write_text(str(err))
                raise
        return BuiltPackage(**{k: Path(v) if k in ("out", "task", "opt", "runtime") else v
                               for k, v in json.loads(built.read_text()).items()})


def _build(root: Path, built: Path) -> None:
    artifact = package.build(root / "out")
    laid = lay_out(artifact, root)
    built.write_text(json.dumps({k: str(v) if isinstance(v, Path) else v for k, v in laid.__dict__.items()}))


def lay_out(artifact: package.Artifact, root: Path) -> BuiltPackage:
    """Unzip the function into ``root/task``, the layer into ``root/opt``; the runtime's part into ``root/runtime``."""
    task, opt, runtime = root / "task", root / "opt", root / "runtime"
    with zipfile.ZipFile(artifact.out / package.FUNCTION_ZIP) as zipped:
        zipped.extractall(task)
    with zipfile.ZipFile(artifact.out / package.LAYER_ZIP) as zipped:
        zipped.extractall(opt)
    package.install_locked(runtime, package.LOCK, only=RUNTIME_SDK)
    package.install_locked(runtime, RUNTIME_BOOTSTRAP_LOCK)
    return BuiltPackage(out=artifact.out, task=task, opt=opt, runtime=runtime, sizes=artifact.sizes,
                        handlers=artifact.handlers, chalice_output=artifact.chalice_output)


def runtime_python() -> str:
    """The interpreter under the venv: 3.13 as the runtime, with none of the venv's packages."""
    return getattr(sys, "_base_executable", None) or sys.executable


def invoke(built: BuiltPackage, handler: str, events: list[dict], env: dict[str, str], workdir: Path,
           probe: bool = False, timeout: float = 120) -> tuple[dict[str, Any], list[str]]:
    """Run ``handler`` on ``events`` in a clean interpreter; returns the report and the log lines.

    ``-B``: like Lambda's read-only /var/task and /opt, a module without its .pyc is compiled
    again at every cold start.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    spec = {"task": str(built.task), "layer": str(built.opt), "runtime": str(built.runtime),
            "handler": handler, "events": events, "results": str(workdir / "report.json"), "probe": probe}
    (workdir / "spec.json").write_text(json.dumps(spec))
    env = dict(env, LAMBDA_TASK_ROOT=str(built.task), LAMBDA_RUNTIME_DIR=str(built.runtime))
    result = subprocess.run(  # noqa: S603 - our argv, no shell
        [runtime_python(), "-I", "-S", "-B", str(BOOTSTRAP), str(workdir / "spec.json")],
        env=env, capture_output=True, text=True, timeout=timeout, cwd=workdir,
    )
    report_file = workdir / "report.json"
    assert report_file.exists(), f"the bootstrap died ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    return json.loads(report_file.read_text()), result.stdout.splitlines() + result.stderr.splitlines()


def lambda_env(function_name: str, **extra: str) -> dict[str, str]:
    """The environment Lambda gives a python3.13 function, with LoggingConfig JSON/INFO."""
    env = {
        "PATH": "/usr/bin:/bin",
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
        "AWS_LAMBDA_FUNCTION_NAME": function_name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_LOG_FORMAT": "JSON",
        "AWS_LAMBDA_LOG_LEVEL": "INFO",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "SHIPYARD_XRAY": "false",
    }
    env.update(extra)
    return env

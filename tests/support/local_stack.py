"""The local stack as `make run` starts it, for tests that drive it over HTTP and the CLI.

Each stack is a subprocess (``python -m chalicelib.local.run``) on free ports
of 127.0.0.1 (``PORT``, ``MOTO_PORT``, ``TLS_PORT``), with its state in a
directory the test owns; the caller stops it in teardown (``close``).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from requests_oauthlib import OAuth1

REPO = Path(__file__).resolve().parents[2]
READY = "Shipyard local stack ready"
DEV_KEY, DEV_SECRET = "talos-dev-key", "talos-dev-secret"
DEV_BALROG_TOKEN = "shipyard-dev-token"
DEV_KERNELCI_TOKEN = "kernelci-dev-token"  # noqa: S105 - the local stack's documented development token
START_TIMEOUT = 60


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(**extra: str) -> dict[str, str]:
    """The test process's environment without the test world's AWS and Shipyard settings."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "SHIPYARD_", "MOTO_")) and k not in ("PORT", "TLS_PORT", "FRESH")}
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


class LocalStack:
    """One `make run` subprocess; output goes to files so a full pipe can never block it."""

    def __init__(self, state_dir: Path, fresh: bool = False) -> None:
        self.state_dir = state_dir
        self.port = free_port()
        self.moto_port = free_port()
        self.tls_port = free_port()
        self.api = f"http://127.0.0.1:{self.port}"
        self.https = f"https://127.0.0.1:{self.tls_port}"
        state_dir.mkdir(parents=True, exist_ok=True)
        n = len(list(state_dir.glob("run-*.out")))
        self.out_path = state_dir / f"run-{n}.out"
        self.err_path = state_dir / f"run-{n}.err"
        env = clean_env(PORT=str(self.port), MOTO_PORT=str(self.moto_port), TLS_PORT=str(self.tls_port),
                        SHIPYARD_STATE_DIR=str(state_dir))
        if fresh:
            env["FRESH"] = "1"
        with self.out_path.open("wb") as out, self.err_path.open("wb") as err:
            self.proc = subprocess.Popen([sys.executable, "-m", "chalicelib.local.run"], cwd=REPO, env=env,
                                         stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if READY in self.out_path.read_text(errors="replace"):
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        self.kill()
        pytest.fail(f"local stack not ready (exit {self.proc.returncode}):\n{self.logs()}")

    def logs(self) -> str:
        return self.out_path.read_text(errors="replace") + self.err_path.read_text(errors="replace")[-4000:]

    def stop(self, timeout: float = 20) -> int:
        """SIGINT, as Ctrl-C in `make run`; returns the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"local stack did not stop on SIGINT:\n{self.logs()}")

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def close(self) -> None:
        """Teardown: stop politely, then for sure."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


def upload(api: str, blob_text: str, project: str = "talos", key: str = DEV_KEY,
           secret: str = DEV_SECRET) -> requests.Response:
    """A Datazilla-style upload signed by requests-oauthlib (OAuth params in the form body)."""
    auth = OAuth1(key, client_secret=secret, signature_type="body")
    return requests.post(
        f"{api}/{project}/api/load_test",
        data={"data": quote(blob_text)},
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        auth=auth,
        timeout=10,
    )


def shipyard_cli(state_dir: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    script = Path(sys.executable).parent / "shipyard"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "chalicelib.cli.main"]
    return subprocess.run([*command, *args], cwd=cwd, env=clean_env(SHIPYARD_STATE_DIR=str(state_dir)),
                          capture_output=True, text=True, timeout=30)

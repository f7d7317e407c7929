"""End to end: the local stack as `make run` starts it, driven over HTTP and the CLI.

Each stack is a subprocess (``python -m chalicelib.local.run``) on free ports,
with its state in a temporary directory; subprocesses are always stopped in
teardown. The last tests exercise the state dump and restore in process.
"""

from __future__ import annotations

import json
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
from moto import mock_aws
from requests_oauthlib import OAuth1

from chalicelib import config
from chalicelib.local import persistence, resources
from chalicelib.store import clients, queues
from chalicelib.store.clients import client

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
READY = "Shipyard local stack ready"
DEV_KEY, DEV_SECRET = "talos-dev-key", "talos-dev-secret"
START_TIMEOUT = 60
PROCESS_TIMEOUT = 30


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _blob() -> dict:
    return json.loads((FIXTURES / "talos_tp5n.json").read_text())


def _clean_env(**extra: str) -> dict[str, str]:
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
        self.port = _free_port()
        self.moto_port = _free_port()
        self.tls_port = _free_port()
        self.api = f"http://127.0.0.1:{self.port}"
        self.https = f"https://127.0.0.1:{self.tls_port}"
        state_dir.mkdir(parents=True, exist_ok=True)
        n = len(list(state_dir.glob("run-*.out")))
        self.out_path = state_dir / f"run-{n}.out"
        self.err_path = state_dir / f"run-{n}.err"
        env = _clean_env(PORT=str(self.port), MOTO_PORT=str(self.moto_port), TLS_PORT=str(self.tls_port),
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
    return subprocess.run([*command, *args], cwd=cwd, env=_clean_env(SHIPYARD_STATE_DIR=str(state_dir)),
                          capture_output=True, text=True, timeout=30)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    running = LocalStack(tmp_path_factory.mktemp("shared-stack"))
    try:
        yield running
    finally:
        running.close()


def test_stack_file_says_where_the_stack_is(stack):
    info = json.loads((stack.state_dir / "stack.json").read_text())
    assert info["api_url"] == stack.api
    assert info["endpoint_url"] == f"http://127.0.0.1:{stack.moto_port}"
    assert info["prefix"] == "shipyard-local" and info["region"] == "us-east-1"
    assert info["pid"] == stack.proc.pid


def test_balrogclient_works_against_the_local_stack_with_the_development_token(stack):
    """The README's example: balrogclient 2.0, unmodified, over the stack's HTTPS with its CA bundle."""
    from balrogclient import Release, SingleLocale

    bundle = str(stack.state_dir / "ca.pem")
    session = requests.Session()
    session.verify, session.trust_env = bundle, False
    kwargs = {"auth0_secrets": {"domain": f"127.0.0.1:{stack.tls_port}/balrog", "client_id": "admin",
                                "client_secret": "shipyard-dev-token", "audience": "balrog"},
              "api_root": f"{stack.https}/balrog/api", "ca_certs": bundle, "session": session}
    SingleLocale("Firefox-99.0-build1", "linux-x86_64", "en-US", **kwargs).update_build(
        product="Firefox", hashFunction="sha512", buildData={"buildID": "20990101000000"}, schemaVersion=1)
    blob, data_version = Release("Firefox-99.0-build1", **kwargs).get_data()
    assert blob["platforms"]["linux-x86_64"]["locales"]["en-US"] == {"buildID": "20990101000000"}
    assert data_version == 2
    assert json.loads((stack.state_dir / "stack.json").read_text())["https_url"] == stack.https


def test_signed_upload_is_stored_and_processed_by_the_pump(stack):
    # given a Talos blob, uploaded as Datazilla's client does
    blob = _blob()
    response = upload(stack.api, json.dumps(blob))
    # then it is stored
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "well-formed JSON stored"
    assert body["url"].startswith(f"{stack.api}/talos/refdata/objectstore/json_blob/")
    # and the pump delivers the processing message, so the revision's raw data shows it
    build = blob["test_build"]
    url = f"{stack.api}/talos/testdata/raw/{build['branch']}/{build['revision']}/"
    deadline = time.monotonic() + PROCESS_TIMEOUT
    found = []
    while time.monotonic() < deadline:
        got = requests.get(url, timeout=10)
        assert got.status_code == 200, got.text
        found = got.json()
        if found:
            break
        time.sleep(0.3)
    assert found, f"blob not processed within {PROCESS_TIMEOUT}s:\n{stack.logs()}"
    assert found[0]["test_build"]["revision"] == build["revision"]
    assert set(found[0]["results"]) == set(blob["results"])


def test_cli_creates_a_project_on_the_running_stack(stack, tmp_path):
    # when a project is created with the CLI, run next to the running stack
    created = shipyard_cli(stack.state_dir, tmp_path, "project", "create", "e2e-cli")
    assert created.returncode == 0, created.stderr
    credentials = json.loads(created.stdout)
    assert credentials["project"] == "e2e-cli"
    assert credentials["oauth_consumer_key"] and credentials["oauth_consumer_secret"]
    # then the stack accepts uploads signed with those credentials
    response = upload(stack.api, json.dumps(_blob()), project="e2e-cli",
                      key=credentials["oauth_consumer_key"], secret=credentials["oauth_consumer_secret"])
    assert response.status_code == 200, response.text
    # and `project show` gives the key but never the secret
    shown = shipyard_cli(stack.state_dir, tmp_path, "project", "show", "e2e-cli")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout) == {"project": "e2e-cli", "oauth_consumer_key": credentials["oauth_consumer_key"]}
    assert credentials["oauth_consumer_secret"] not in shown.stdout + shown.stderr
    # and creating it again is refused
    again = shipyard_cli(stack.state_dir, tmp_path, "project", "create", "e2e-cli")
    assert again.returncode == 1
    assert "exists" in json.loads(again.stderr)["error"]


def test_cli_refuses_bad_project_names(stack, tmp_path):
    bad = shipyard_cli(stack.state_dir, tmp_path, "project", "create", "no/slashes")
    assert bad.returncode == 1
    assert "error" in json.loads(bad.stderr)


def test_restart_keeps_the_data_and_fresh_starts_empty(tmp_path):
    state = tmp_path / "state"
    blob_text = json.dumps(_blob())
    first = LocalStack(state)
    try:
        response = upload(first.api, blob_text)
        assert response.status_code == 200, response.text
        row_url = response.json()["url"].replace(first.api, "")
        assert row_url == "/talos/refdata/objectstore/json_blob/1"
        # when the stack is stopped as Ctrl-C does
        assert first.stop() == 0, first.logs()
    finally:
        first.close()
    assert not (state / "stack.json").exists()

    # then a restart on the same state serves the same blob
    second = LocalStack(state)
    try:
        got = requests.get(second.api + row_url, timeout=10)
        assert got.status_code == 200, got.text
        assert got.content == blob_text.encode()
        assert second.stop() == 0, second.logs()
    finally:
        second.close()

    # and FRESH=1 starts empty
    fresh = LocalStack(state, fresh=True)
    try:
        got = requests.get(fresh.api + row_url, timeout=10)
        assert got.status_code == 404, got.text
        assert fresh.stop() == 0, fresh.logs()
    finally:
        fresh.close()


# --- the state dump itself, in process (no subprocess needed) ----------------------------------


@pytest.fixture
def world():
    """An embedded AWS with the template deployed; calling it starts over with an empty one (a restart)."""
    mock = mock_aws()

    def fresh_world() -> None:
        mock.reset()
        clients.reset()
        queues.reset()
        resources.deploy(visibility_timeout=30, max_receive_count=3)

    mock.start()
    try:
        fresh_world()
        yield fresh_world
    finally:
        mock.stop()
        clients.reset()
        queues.reset()


def test_dump_and_restore_keep_items_blobs_and_messages(world, tmp_path):
    ddb, s3, sqs = client("dynamodb"), client("s3"), client("sqs")
    item = {"name": {"S": "blob_bytes#talos"}, "value": {"N": "42"}, "raw": {"B": b"\x00\xffbin"},
            "nested": {"M": {"l": {"L": [{"S": "x"}, {"BS": [b"\x01"]}]}}}}
    ddb.put_item(TableName=config.table_name("counters"), Item=item)
    s3.put_object(Bucket=config.bucket_name(), Key="objectstore/talos/000000000001.json", Body=b'{"a": 1}',
                  ContentType="application/json", Metadata={"origin": "e2e"})
    ingest = sqs.get_queue_url(QueueName=config.queue_name("ingest"))["QueueUrl"]
    dlq = sqs.get_queue_url(QueueName=config.queue_name("processing") + "-dlq")["QueueUrl"]
    sqs.send_message(QueueUrl=ingest, MessageBody='{"project": "talos"}',
                     MessageAttributes={"k": {"DataType": "Binary", "BinaryValue": b"\x02"}})
    sqs.send_message(QueueUrl=dlq, MessageBody="dead")

    summary = persistence.dump(base=tmp_path)
    assert summary["tables"]["counters"] == 1 and summary["objects"] == 1
    assert summary["messages"]["ingest"] == 1 and summary["messages"]["processing-dlq"] == 1

    # a new, empty world (as after a restart) gets everything back
    world()
    assert persistence.restore(base=tmp_path)["objects"] == 1
    got = ddb.get_item(TableName=config.table_name("counters"), Key={"name": {"S": "blob_bytes#talos"}})["Item"]
    assert got == item
    obj = s3.get_object(Bucket=config.bucket_name(), Key="objectstore/talos/000000000001.json")
    assert obj["Body"].read() == b'{"a": 1}'
    assert obj["ContentType"] == "application/json" and obj["Metadata"] == {"origin": "e2e"}
    ingest = sqs.get_queue_url(QueueName=config.queue_name("ingest"))["QueueUrl"]
    (message,) = sqs.receive_message(QueueUrl=ingest, MessageAttributeNames=["All"])["Messages"]
    assert message["Body"] == '{"project": "talos"}'
    assert message["MessageAttributes"]["k"]["BinaryValue"] == b"\x02"
    dlq = sqs.get_queue_url(QueueName=config.queue_name("processing") + "-dlq")["QueueUrl"]
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=dlq)["Messages"]] == ["dead"]


def test_a_failed_dump_keeps_the_previous_state(world, tmp_path, monkeypatch):

    persistence.dump(base=tmp_path)
    before = (tmp_path / "state" / "manifest.json").read_text()

    def crash(*_args):
        raise OSError("disk full")

    monkeypatch.setattr(persistence, "_dump_queues", crash)
    with pytest.raises(OSError):
        persistence.dump(base=tmp_path)
    assert (tmp_path / "state" / "manifest.json").read_text() == before
    assert not list(tmp_path.glob(".state.tmp-*"))
    # FRESH=1 discards it
    persistence.discard(tmp_path)
    assert persistence.restore(base=tmp_path) is None

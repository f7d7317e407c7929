"""End to end: the local stack as `make run` starts it, driven over HTTP and the CLI.

Each stack is a subprocess (``python -m chalicelib.local.run``) on free ports,
with its state in a temporary directory; subprocesses are always stopped in
teardown. The journal and snapshot are specified in process in
``test_local_durability.py``; SIGKILL of the real process in ``test_local_crash.py``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import requests

from tests.support.local_stack import LocalStack, shipyard_cli, upload

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).parents[1] / "support" / "fixtures"
PROCESS_TIMEOUT = 30


def _blob() -> dict:
    return json.loads((FIXTURES / "talos_tp5n.json").read_text())


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
        product="Firefox", hashFunction="sha512", buildData=json.dumps({"buildID": "20990101000000"}), schemaVersion=1)
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
        assert got.json()["json_blob"] == json.loads(blob_text)
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

"""SIGKILL of the running local stack at a random moment of a concurrent ingest and Balrog/KernelCI writes.

What a crash may lose is only what was never acknowledged. Each iteration
starts the stack on the same state directory, checks everything acknowledged
before every earlier kill, writes concurrently (Datazilla uploads, Balrog
release updates, Balrog rules created and deleted, KernelCI tokens created and
deleted), and kills the process with SIGKILL at a random point. At the end the
stack restarts once more and every acknowledged upload must have been
processed exactly once (one raw-data entry per revision).

Bounded: ``SHIPYARD_CRASH_ITERATIONS`` (default 2) kills, each 0.2-1.5 s after
every kind of write has been acknowledged once; every wait has a deadline. ``SHIPYARD_CRASH_SEED`` replays a run.
"""

from __future__ import annotations

import copy
import json
import os
import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from tests.support.local_stack import DEV_BALROG_TOKEN, DEV_KERNELCI_TOKEN, LocalStack, upload

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).parents[1] / "support" / "fixtures"
ITERATIONS = int(os.environ.get("SHIPYARD_CRASH_ITERATIONS", "2"))
SEED = int(os.environ.get("SHIPYARD_CRASH_SEED", str(random.SystemRandom().randrange(1 << 30))))
BALROG = {"Authorization": f"Bearer {DEV_BALROG_TOKEN}"}
KERNELCI = {"Authorization": DEV_KERNELCI_TOKEN}
PROCESS_TIMEOUT = 60
RULE = {"priority": 100, "backgroundRate": 100, "update_type": "minor", "product": "Firefox",
        "channel": "release", "mapping": "Crash-mapped"}


@dataclass
class Ledger:
    """What the stack acknowledged (2xx), and what was in flight when it died (unknown either way)."""

    blobs: dict[str, tuple[str, str]] = field(default_factory=dict)  # path -> (text, revision)
    releases: dict[str, int] = field(default_factory=dict)  # name -> highest acknowledged data_version
    rules: set[int] = field(default_factory=set)
    rules_deleted: set[int] = field(default_factory=set)
    rules_deleting: set[int] = field(default_factory=set)
    tokens: set[str] = field(default_factory=set)
    tokens_deleted: set[str] = field(default_factory=set)
    tokens_deleting: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _blob_text(revision: str) -> str:
    blob = json.loads((FIXTURES / "talos_tp5n.json").read_text())
    blob = copy.deepcopy(blob)
    blob["test_build"]["revision"] = revision
    return json.dumps(blob)


def _uploads(api: str, ledger: Ledger, stop: threading.Event, prefix: str) -> None:
    n = 0
    while not stop.is_set():
        revision = f"{prefix}{n:06x}"
        text = _blob_text(revision)
        response = upload(api, text)
        assert response.status_code == 200, response.text
        with ledger.lock:
            ledger.blobs[response.json()["url"].replace(api, "")] = (text, revision)
        n += 1


def _release_updates(api: str, ledger: Ledger, stop: threading.Event, name: str) -> None:
    blob = {"name": name, "schema_version": 1, "hashFunction": "sha512", "platforms": {}}
    created = requests.post(f"{api}/balrog/api/releases", headers=BALROG, timeout=10,
                            json={"name": name, "product": "Firefox", "blob": json.dumps({**blob, "appv": "1"})})
    assert created.status_code == 201, created.text
    with ledger.lock:
        ledger.releases[name] = 1
    version = 1
    while not stop.is_set():
        response = requests.put(f"{api}/balrog/api/releases/{name}", headers=BALROG, timeout=10, json={
            "name": name, "product": "Firefox", "blob": json.dumps({**blob, "appv": str(version + 1)}),
            "data_version": version})
        assert response.status_code == 200, response.text
        version = response.json()["new_data_version"]
        with ledger.lock:
            ledger.releases[name] = version


def _rules(api: str, ledger: Ledger, stop: threading.Event) -> None:
    # A rule maps to a release that exists (Balrog refuses others): made once, found afterwards.
    blob = {"name": RULE["mapping"], "schema_version": 1, "hashFunction": "sha512", "platforms": {}}
    mapped = requests.post(f"{api}/balrog/api/releases", headers=BALROG, timeout=10,
                           json={"name": RULE["mapping"], "product": "Firefox", "blob": json.dumps(blob)})
    assert mapped.status_code in (201, 400), mapped.text
    if mapped.status_code == 400:
        assert requests.get(f"{api}/balrog/api/releases/{RULE['mapping']}", headers=BALROG, timeout=10).ok
    while not stop.is_set():
        created = requests.post(f"{api}/balrog/api/rules", headers=BALROG, json=RULE, timeout=10)
        assert created.status_code == 200, created.text
        rule_id = int(created.text)
        with ledger.lock:
            ledger.rules.add(rule_id)
        if rule_id % 2:
            with ledger.lock:
                ledger.rules_deleting.add(rule_id)
            deleted = requests.delete(f"{api}/balrog/api/rules/{rule_id}?data_version=1", headers=BALROG,
                                      timeout=10)
            assert deleted.status_code == 200, deleted.text
            with ledger.lock:
                ledger.rules_deleted.add(rule_id)


def _tokens(api: str, ledger: Ledger, stop: threading.Event) -> None:
    n = 0
    while not stop.is_set():
        created = requests.post(f"{api}/token", headers=KERNELCI, timeout=10,
                                json={"email": f"lab{n}@example.com", "get": True})
        assert created.status_code == 201, created.text
        value = created.json()["result"][0]["token"]
        with ledger.lock:
            ledger.tokens.add(value)
        if n % 2:
            token_id = requests.get(f"{api}/token/{value}", headers=KERNELCI, timeout=10).json()[
                "result"][0]["_id"]["$oid"]
            with ledger.lock:
                ledger.tokens_deleting.add(value)
            deleted = requests.delete(f"{api}/token/{token_id}", headers=KERNELCI, timeout=10)
            assert deleted.status_code == 200, deleted.text
            with ledger.lock:
                ledger.tokens_deleted.add(value)
        n += 1


def _writer(target, errors: list, *args) -> threading.Thread:
    def run() -> None:
        try:
            target(*args)
        except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError):
            pass  # the stack was killed under this request (or mid-answer): the client never had its answer
        except BaseException as err:  # noqa: BLE001 - reported by the test
            errors.append(err)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _check(api: str, ledger: Ledger) -> None:
    """Everything acknowledged is there; nothing acknowledged as deleted came back."""
    for path, (text, _) in ledger.blobs.items():
        got = requests.get(api + path, timeout=10)  # Datazilla's object: the row, the blob under json_blob
        assert got.status_code == 200 and got.json()["json_blob"] == json.loads(text), f"{path}: {got.status_code}"
    for name, version in ledger.releases.items():
        got = requests.get(f"{api}/balrog/api/releases/{name}", headers=BALROG, timeout=10)
        assert got.status_code == 200, got.text
        assert int(got.headers["X-Data-Version"]) >= version, (name, got.headers["X-Data-Version"], version)
        assert int(got.json()["appv"]) == int(got.headers["X-Data-Version"])
    for rule_id in ledger.rules:
        if rule_id in ledger.rules_deleting and rule_id not in ledger.rules_deleted:
            continue  # its deletion was in flight (made durable, perhaps, but never answered): either answer is right
        got = requests.get(f"{api}/balrog/api/rules/{rule_id}", headers=BALROG, timeout=10)
        assert got.status_code == (404 if rule_id in ledger.rules_deleted else 200), (rule_id, got.status_code)
    for value in ledger.tokens:
        if value in ledger.tokens_deleting and value not in ledger.tokens_deleted:
            continue  # its deletion was in flight: either answer is right
        got = requests.get(f"{api}/job", headers={"Authorization": value}, timeout=10)
        assert got.status_code == (403 if value in ledger.tokens_deleted else 200), (value[:8], got.status_code)


def _processed_exactly_once(api: str, ledger: Ledger) -> None:
    branch = json.loads((FIXTURES / "talos_tp5n.json").read_text())["test_build"]["branch"]
    pending = {revision for _, revision in ledger.blobs.values()}
    deadline = time.monotonic() + PROCESS_TIMEOUT
    while pending and time.monotonic() < deadline:
        for revision in sorted(pending):
            found = requests.get(f"{api}/talos/testdata/raw/{branch}/{revision}/", timeout=10).json()
            if found:
                assert len(found) == 1, f"revision {revision} processed {len(found)} times"
                pending.discard(revision)
        time.sleep(0.2)
    assert not pending, f"{len(pending)} acknowledged upload(s) never processed"


def _until_each_writer_was_answered(ledger: Ledger, errors: list, seconds: float = 15) -> None:
    """Kill only once every kind of write has been acknowledged at least once in this run."""
    before = (len(ledger.blobs), sum(ledger.releases.values()), len(ledger.rules), len(ledger.tokens))
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not errors:
        now = (len(ledger.blobs), sum(ledger.releases.values()), len(ledger.rules), len(ledger.tokens))
        if all(b > a for a, b in zip(before, now, strict=True)):
            return
        time.sleep(0.05)


def test_sigkill_at_random_points_loses_nothing_acknowledged(tmp_path):
    rng = random.Random(SEED)
    state = tmp_path / "state"
    ledger = Ledger()
    survived = 0
    for iteration in range(ITERATIONS):
        started = time.monotonic()
        stack = LocalStack(state)
        print(f"iteration {iteration}: ready in {time.monotonic() - started:.1f} s")
        try:
            _check(stack.api, ledger)
            survived = iteration
            stop, errors = threading.Event(), []
            writers = [
                _writer(_uploads, errors, stack.api, ledger, stop, f"c{iteration}a"),
                _writer(_uploads, errors, stack.api, ledger, stop, f"c{iteration}b"),
                _writer(_release_updates, errors, stack.api, ledger, stop, f"Crash-{iteration}"),
                _writer(_rules, errors, stack.api, ledger, stop),
                _writer(_tokens, errors, stack.api, ledger, stop),
            ]
            _until_each_writer_was_answered(ledger, errors)
            time.sleep(rng.uniform(0.2, 1.5))
            stack.kill()  # SIGKILL, mid-write
            stop.set()
            for writer in writers:
                writer.join(15)
            assert not errors, f"seed {SEED}: {errors[0]!r}\n{stack.logs()}"
        finally:
            stack.kill()
    final = LocalStack(state)
    try:
        _check(final.api, ledger)
        started = time.monotonic()
        _processed_exactly_once(final.api, ledger)
        print(f"all processed {time.monotonic() - started:.1f} s after the last restart")
        assert final.stop() == 0, final.logs()
    finally:
        final.close()
    print(f"crash test: seed {SEED}, {ITERATIONS} SIGKILL(s), all survived (checked after each: {survived + 1}); "
          f"acknowledged: {len(ledger.blobs)} uploads, {sum(ledger.releases.values())} release versions, "
          f"{len(ledger.rules)} rules ({len(ledger.rules_deleted)} deleted), {len(ledger.tokens)} tokens "
          f"({len(ledger.tokens_deleted)} deleted)")

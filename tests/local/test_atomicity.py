"""DynamoDB's atomicity on the running local stack: concurrent writers at one version, over real HTTP.

The local server is threaded and moto checks a condition and writes with no
lock in between; DynamoDB serialises writes to an item. These rounds race
real requests against the running stack (``make run``) and hold it to
DynamoDB's rule: of N writers at one ``data_version`` exactly one wins, and
no acknowledged write is lost.

Balrog's own rules (``mozilla-releng/balrog`` tests/admin/views/test_releases.py):
``testReleasePutUpdateConflictingOutdatedData``, a PUT at an outdated
data_version whose change conflicts with the one made since is refused with
400, so of writers setting one field at one version exactly one wins;
``testReleasePutUpdateMergeableOutdatedData``, one that does not conflict (a
locale of its own) is merged, 200, so every acknowledged locale is kept.

Bounded: ``SHIPYARD_RACE_ROUNDS`` (default 3) rounds of each race, 16 writers.
"""

from __future__ import annotations

import json
import os
import threading

import pytest
import requests

from tests.support.local_stack import DEV_BALROG_TOKEN, LocalStack

pytestmark = pytest.mark.e2e

ROUNDS = int(os.environ.get("SHIPYARD_RACE_ROUNDS", "3"))
WRITERS = 16
BALROG = {"Authorization": f"Bearer {DEV_BALROG_TOKEN}"}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    running = LocalStack(tmp_path_factory.mktemp("race-stack"))
    try:
        yield running
    finally:
        running.close()


def _race(calls) -> list[requests.Response]:
    """Run the calls at once (a barrier releases them together); their responses in order."""
    barrier = threading.Barrier(len(calls))
    answers: list = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait(10)
        answers[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return answers


def _release(api: str, name: str) -> dict:
    blob = {"name": name, "schema_version": 1, "hashFunction": "sha512", "platforms": {}}
    created = requests.post(f"{api}/balrog/api/releases", headers=BALROG, timeout=10,
                            json={"name": name, "product": "Firefox", "blob": json.dumps(blob)})
    assert created.status_code == 201, created.text
    return blob


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_of_sixteen_writers_at_one_data_version_exactly_one_wins(stack, round_):
    name = f"Race-{round_}"
    blob = _release(stack.api, name)

    def put(i: int):
        return lambda: requests.put(f"{stack.api}/balrog/api/releases/{name}", headers=BALROG, timeout=30, json={
            "name": name, "product": "Firefox", "blob": json.dumps({**blob, "appv": str(i)}), "data_version": 1})

    answers = _race([put(i) for i in range(WRITERS)])
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [400] * (WRITERS - 1), statuses
    (winner,) = [i for i, a in enumerate(answers) if a.status_code == 200]
    got = requests.get(f"{stack.api}/balrog/api/releases/{name}", headers=BALROG, timeout=10)
    assert got.headers["X-Data-Version"] == "2" and got.json()["appv"] == str(winner)


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_every_acknowledged_concurrent_locale_write_is_kept(stack, round_):
    name = f"Locales-{round_}"
    _release(stack.api, name)
    locales = [f"l{i:02d}" for i in range(WRITERS)]

    def put(locale: str):
        body = {"product": "Firefox", "schema_version": 1, "hashFunction": "sha512", "data_version": 1,
                "data": json.dumps({"buildID": "20170101000000", "extv": locale})}
        return lambda: requests.put(f"{stack.api}/balrog/api/releases/{name}/builds/linux-x86_64/{locale}",
                                    headers=BALROG, json=body, timeout=30)

    answers = _race([put(locale) for locale in locales])
    assert all(a.status_code < 500 for a in answers), [a.status_code for a in answers]
    acknowledged = [locale for locale, a in zip(locales, answers, strict=True) if a.status_code in (200, 201)]
    assert acknowledged, [a.text for a in answers][:2]
    got = requests.get(f"{stack.api}/balrog/api/releases/{name}", headers=BALROG, timeout=10).json()
    kept = set(got["platforms"]["linux-x86_64"]["locales"])
    assert set(acknowledged) <= kept, sorted(set(acknowledged) - kept)
    versions = sorted(a.json()["new_data_version"] for a in answers if a.status_code in (200, 201))
    assert len(versions) == len(set(versions)), versions  # no two writes made the same version

"""schemathesis against the running local stack: profiles, each family's seed data and credentials, the run.

Every family in ``chalicelib/api/openapi/registry.py`` is fuzzed from the
document the stack serves (``/openapi/<family>.json``). What a family adds
here:

- ``SEEDS[family]``: a context manager that puts what its operations need
  into the stack (over HTTP and the ``shipyard`` command, as a user would), so
  the examples in its document (path parameter ``example`` values) reach real
  2xx answers; it may keep helpers running (a json-pushes host) until it exits;
- ``CREDENTIALS[family]``: the development credentials per security scheme of
  its document, as schemathesis' ``[auth.openapi.<scheme>]`` takes them.

The checks prove "no 5xx, nothing the document does not say":
``not_a_server_error``, ``status_code_conformance``,
``content_type_conformance``, ``response_headers_conformance``,
``response_schema_conformance``, on valid and invalid data; and
``negative_data_rejection`` makes the invalid data count: a request the
document calls invalid must get a 4xx, so a document cannot be looser or
stricter than what the app refuses. (``positive_data_acceptance`` is left
out: a schema-valid write is still refused for a stale ``data_version`` or a
missing permission, which no schema can say.)
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from tests.support.jsonpushes_server import JsonPushesServer
from tests.support.local_stack import DEV_BALROG_TOKEN, DEV_KERNELCI_TOKEN, LocalStack, clean_env, shipyard_cli, upload
from tests.support.treeherder_data import HAWK_ID as DEV_HAWK_ID
from tests.support.treeherder_data import HAWK_SECRET as DEV_HAWK_SECRET

FIXTURES = Path(__file__).parent / "fixtures"
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_headers_conformance", "response_schema_conformance", "negative_data_rejection")
SEED_TIMEOUT = 60  # the pump loads, links and judges the runs; a busy machine is slow


@dataclass(frozen=True)
class Profile:
    """How hard to look: examples per operation, phases, and a time budget per family (None: until done)."""

    name: str
    max_examples: int
    phases: tuple[str, ...]
    seconds_per_family: int | None
    seed: int | None


# `make test`: a few cases per operation, the same ones each run (fixed seed).
QUICK = Profile("quick", max_examples=3, phases=("examples", "fuzzing"), seconds_per_family=None, seed=1)
# `make fuzz`: every phase, many examples, new data each run unless SHIPYARD_FUZZ_SEED fixes it (schemathesis
# prints the seed it drew, so a run's findings reproduce); fuzzing repeats until the budget is spent.
_SEED = os.environ.get("SHIPYARD_FUZZ_SEED")
LONG = Profile("long", max_examples=100, phases=("examples", "coverage", "fuzzing", "stateful"),
               seconds_per_family=int(os.environ.get("SHIPYARD_FUZZ_SECONDS", "180")),
               seed=int(_SEED) if _SEED else None)
PROFILES = {p.name: p for p in (QUICK, LONG)}


def profile() -> Profile:
    """``SHIPYARD_FUZZ=long`` (what ``make fuzz`` sets) or the quick one."""
    return PROFILES[os.environ.get("SHIPYARD_FUZZ", QUICK.name)]


# --- seed data ---------------------------------------------------------------------------------

HG_REPO = "integration/mozilla-inbound"
# The revision the Datazilla document's examples name, on the third push of the seeded branch.
DZ_REVISION = "8a3d4b6e7c21"
# A run on each push; from STEP_PUSH on the pages are 30 % slower: the alert detector needs five pushes
# on each side of a step, and the alert it raises is the one the document's triage examples name.
DZ_PUSHES, STEP_PUSH = 12, 7
PAGE_MEANS = {"163.com": 500.0, "56.com": 250.0, "amazon.com": 800.0}


def _talos_run(revision: str, date: int, means: dict[str, float], branch: str = "Mozilla-Inbound") -> str:
    blob = json.loads((FIXTURES / "talos_tp5n.json").read_text())
    blob["test_build"]["revision"] = revision
    blob["test_build"]["branch"] = branch
    blob["testrun"]["date"] = date
    blob["results"] = {page: [round(mean * (1 + (i % 5 - 2) / 100), 2) for i in range(25)]
                       for page, mean in means.items()}
    return json.dumps(blob)


def _wait_for(what: str, probe: Callable[[], bool], stack: LocalStack) -> None:
    deadline = time.monotonic() + SEED_TIMEOUT
    while time.monotonic() < deadline:
        if probe():
            return
        time.sleep(0.3)
    raise AssertionError(f"seeding: {what} not ready within {SEED_TIMEOUT}s\n{stack.logs()}")


def _cli(stack: LocalStack, workdir: Path, *args: str) -> dict[str, Any]:
    done = shipyard_cli(stack.state_dir, workdir, *args)
    assert done.returncode == 0, f"shipyard {' '.join(args)}: {done.stderr}"
    return json.loads(done.stdout)


def _step_means(push_id: int) -> dict[str, float]:
    """The seeded pages' means on a push: a little noise, and 30 % slower from STEP_PUSH on."""
    scale = (1.3 if push_id >= STEP_PUSH else 1.0) * (1 + (push_id % 3 - 1) / 200)
    return {page: mean * scale for page, mean in PAGE_MEANS.items()}


def _json_get(stack: LocalStack, path: str) -> Any:
    got = requests.get(f"{stack.api}{path}", headers={"User-Agent": "shipyard-fuzz-seed"}, timeout=10)
    return got.json() if got.ok else None


@contextlib.contextmanager
def seed_datazilla(stack: LocalStack, workdir: Path) -> Iterator[None]:
    """Branch Mozilla-Inbound with 12 pushes (from a local json-pushes host), a run on each with metrics, the
    alert of the step at push 7, a bad blob."""
    from chalicelib.api.perf.openapi import EXAMPLE_ALERT

    hg = JsonPushesServer().start()
    try:
        now = int(time.time())
        hg.add_pushes(HG_REPO, DZ_PUSHES, date=now - 3600)
        pushes = hg.repos[HG_REPO].pushes
        pushes[3]["changesets"][0]["node"] = DZ_REVISION + pushes[3]["changesets"][0]["node"][12:]
        _cli(stack, workdir, "branch", "add", "Mozilla-Inbound", "--uri", hg.url(HG_REPO),
             "--alt", "Mozilla-Inbound-Non-PGO")
        _cli(stack, workdir, "pushlog", "sync", "--branch", "Mozilla-Inbound")
        for push_id, push in sorted(pushes.items()):
            revision = push["changesets"][-1]["node"][:12]
            stored = upload(stack.api, _talos_run(revision, now - 600 + push_id, _step_means(push_id)))
            assert stored.status_code == 200, stored.text
        assert upload(stack.api, "{not json").status_code == 400

        def judged() -> bool:
            got = _json_get(stack, f"/talos/testdata/metrics/Mozilla-Inbound/{DZ_REVISION}") or []
            pages = [page for run in got for page in run["pages"].values()]
            return bool(pages) and all(page.get("p") is not None for page in pages)

        _wait_for("metrics of the seeded runs", judged, stack)
        _wait_for(f"alert {EXAMPLE_ALERT} of the step at push {STEP_PUSH}",
                  lambda: _json_get(stack, f"/talos/alerts/{EXAMPLE_ALERT}") is not None, stack)
        yield
    finally:
        hg.stop()


BALROG_RELEASE = "Firefox-53.0-build1"


@contextlib.contextmanager
def seed_balrog(stack: LocalStack, workdir: Path) -> Iterator[None]:
    """The release and rule of the document's examples, and user ``ffxbld`` with permission ``release``."""
    from tests.balrog.test_update_xml import blob

    api = f"{stack.api}/balrog/api"
    headers = {"Authorization": f"Bearer {DEV_BALROG_TOKEN}", "Content-Type": "application/json"}
    release = copy.deepcopy(blob())
    assert release["name"] == BALROG_RELEASE
    writes = [
        ("post", f"{api}/releases", {"name": BALROG_RELEASE, "product": "Firefox", "blob": json.dumps(release)}),
        ("post", f"{api}/rules", {"alias": "firefox-release", "priority": 100, "backgroundRate": 100,
                                  "update_type": "minor", "product": "Firefox", "channel": "release",
                                  "mapping": BALROG_RELEASE}),
        ("put", f"{api}/users/ffxbld/permissions/release", {"options": {"products": ["Firefox"]}}),
    ]
    for method, url, body in writes:
        response = requests.request(method, url, headers=headers, json=body, timeout=10)
        assert response.status_code in (200, 201), f"{method} {url}: {response.status_code} {response.text}"
    yield


TH_REPO = "mozilla-central"  # the Treeherder document's example project
TH_PUSHES = 6  # push ids 1-6 when this seed runs first (SEEDS' order)


def _hawk_post(url: str, payload: Any) -> requests.Response:
    """A POST signed as the development Hawk client, as a CI system sends job messages."""
    import mohawk

    content = json.dumps(payload).encode()
    sender = mohawk.Sender({"id": DEV_HAWK_ID, "key": DEV_HAWK_SECRET, "algorithm": "sha256"}, url, "POST",
                           content=content, content_type="application/json")
    return requests.post(url, data=content, timeout=10, headers={
        "Authorization": sender.request_header, "Content-Type": "application/json",
        "User-Agent": "shipyard-fuzz-seed"})


def _job_message(revision: str, n: int) -> dict[str, Any]:
    from tests.support.treeherder_data import job_message

    return job_message(revision, guid=f"fuzz-seed-{n}/0", project=TH_REPO, job_symbol=f"bc{n}")


@contextlib.contextmanager
def seed_treeherder(stack: LocalStack, workdir: Path) -> Iterator[None]:
    """Repository mozilla-central: six pushes (a local json-pushes host, synced), a Hawk-signed job on each,
    two Talos runs whose series are the Perfherder signatures of the document's examples."""
    from chalicelib.api.treeherder.openapi import EXAMPLE_JOB, EXAMPLE_PUSH, EXAMPLE_SIGNATURE

    hg = JsonPushesServer().start()
    try:
        now = int(time.time())
        hg.add_pushes(TH_REPO, TH_PUSHES, date=now - 7200)
        tips = [push["changesets"][-1]["node"] for _, push in sorted(hg.repos[TH_REPO].pushes.items())]
        _cli(stack, workdir, "branch", "add", "Mozilla-Central", "--uri", hg.url(TH_REPO))
        _cli(stack, workdir, "pushlog", "sync", "--branch", "Mozilla-Central")
        project = f"{stack.api}/treeherder/api/project/{TH_REPO}"
        posted = _hawk_post(f"{project}/jobs", [_job_message(tip, n) for n, tip in enumerate(tips)])
        assert posted.status_code == 200, posted.text
        for n, tip in enumerate(tips[:2]):
            stored = upload(stack.api, _talos_run(tip[:12], now - 600 + n, PAGE_MEANS, branch="Mozilla-Central"))
            assert stored.status_code == 200, stored.text

        def charted() -> bool:
            data = _json_get(stack, f"/treeherder/api/project/{TH_REPO}/performance/data"
                                    f"?signatures={EXAMPLE_SIGNATURE}") or {}
            return len(data.get(EXAMPLE_SIGNATURE, [])) == 2

        _wait_for(f"the points of signature {EXAMPLE_SIGNATURE}", charted, stack)
        for path in (f"push/{EXAMPLE_PUSH}", f"jobs/{EXAMPLE_JOB}"):
            assert _json_get(stack, f"/treeherder/api/project/{TH_REPO}/{path}") is not None, f"no {path} seeded"
        yield
    finally:
        hg.stop()


@contextlib.contextmanager
def seed_selfserve(stack: LocalStack, workdir: Path) -> Iterator[None]:
    """Branch Selfserve-Test whose first push's tip is the document's example revision, and a build on it
    (asked for through self-serve, made by the local stack's reference CI)."""
    from chalicelib.api.selfserve.openapi import EXAMPLE_BRANCH, EXAMPLE_REVISION

    hg = JsonPushesServer().start()
    try:
        repo = "build/selfserve-test"
        hg.add_pushes(repo, 2, date=int(time.time()) - 3600)
        hg.repos[repo].pushes[1]["changesets"][-1]["node"] = EXAMPLE_REVISION
        _cli(stack, workdir, "branch", "add", EXAMPLE_BRANCH, "--uri", hg.url(repo))
        _cli(stack, workdir, "pushlog", "sync", "--branch", EXAMPLE_BRANCH)
    finally:
        hg.stop()
    api = f"{stack.api}/self-serve/{EXAMPLE_BRANCH}"
    headers = {"Authorization": f"Bearer {DEV_BALROG_TOKEN}", "Accept": "application/json"}
    asked = requests.post(f"{api}/rev/{EXAMPLE_REVISION}", headers=headers, timeout=10)
    assert asked.status_code == 202, asked.text

    def built() -> bool:
        got = requests.get(f"{api}/rev/{EXAMPLE_REVISION}", headers=headers, timeout=10)
        return got.ok and any("build_id" in entry for entry in got.json())

    _wait_for("a self-serve build by the reference CI", built, stack)
    yield


@contextlib.contextmanager
def seed_kernelci(stack: LocalStack, workdir: Path) -> Iterator[None]:
    """The build (imported through the queue, with its job) and the regressing test results of the examples."""
    from chalicelib.api.kernelci import openapi as kernelci

    headers = {"Authorization": DEV_KERNELCI_TOKEN}

    def post(path: str, body: dict[str, Any], status: int) -> None:
        response = requests.post(f"{stack.api}{path}", json=body, headers=headers, timeout=10)
        assert response.status_code == status, f"POST {path}: {response.status_code} {response.text}"

    post("/build", kernelci.EXAMPLE_BUILD, 202)
    baseline = {**kernelci.EXAMPLE_GROUP, "kernel": "v5.7",
                "test_cases": [{"name": kernelci.EXAMPLE_CASE, "status": "PASS"}]}
    post("/test/group", baseline, 201)
    post("/test/group", kernelci.EXAMPLE_GROUP, 201)

    def imported() -> bool:
        return requests.get(f"{stack.api}/build/{kernelci.example_build_id()}", headers=headers,
                            timeout=10).status_code == 200

    _wait_for("the imported build", imported, stack)
    regression = requests.get(f"{stack.api}/test/regression/{kernelci.example_regression_id()}", headers=headers,
                              timeout=10)
    assert regression.status_code == 200, regression.text
    yield


# Seeded in this order. Treeherder first: push ids count across repositories, and its examples name one.
SEEDS: dict[str, Callable[[LocalStack, Path], contextlib.AbstractContextManager[None]]] = {
    "treeherder": seed_treeherder,
    "datazilla": seed_datazilla,
    "balrog": seed_balrog,
    "selfserve": seed_selfserve,
    "kernelci": seed_kernelci,
}
CREDENTIALS: dict[str, dict[str, dict[str, str]]] = {
    "balrog": {"bearer": {"bearer": DEV_BALROG_TOKEN}},
    "datazilla": {"bearer": {"bearer": DEV_BALROG_TOKEN}},  # alert triage by user admin
    "selfserve": {"bearer": {"bearer": DEV_BALROG_TOKEN}},
    "kernelci": {"token": {"api_key": DEV_KERNELCI_TOKEN}},
}
# Families whose writes the long profile signs with a schemathesis hook (a signature over each body as sent):
# family → hooks module (tests/support/).
SIGNING_HOOKS: dict[str, str] = {"treeherder": "tests.support.schemathesis_hawk"}
# Paths the quick profile leaves to the long one: family → regex. KernelCI's plural aliases (``/jobs``,
# ``/tests/groups``...) are registered with the singular path's handlers; the quick profile fuzzes the singular ones.
QUICK_EXCLUDED_PATHS: dict[str, str] = {
    "kernelci": r"^/(jobs|builds|counts|tokens|uploads|versions|tests|test/\w+s)(/|$)",
}
# A 5xx a family's document gives by design, accepted only on the operations of this tag: family → tag → statuses.
DESIGNED_SERVER_ANSWERS: dict[str, dict[str, list[str]]] = {
    "kernelci": {"not implemented": ["501"]},  # the backend's answer to a verb a resource does not implement
}


def families() -> list[str]:
    """The families to fuzz, in ``SEEDS`` order: all, or those ``SHIPYARD_FUZZ_FAMILIES`` names (comma-separated)."""
    chosen = [f.strip() for f in os.environ.get("SHIPYARD_FUZZ_FAMILIES", "").split(",") if f.strip()]
    unknown = sorted(set(chosen) - set(SEEDS))
    assert not unknown, f"SHIPYARD_FUZZ_FAMILIES names no such family: {unknown}"
    return [f for f in SEEDS if not chosen or f in chosen]


# --- the run -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FuzzResult:
    family: str
    cases: int
    failures: int
    errors: int
    operations: dict[str, Any]
    exit_code: int
    output: str

    @property
    def clean(self) -> bool:
        ops = self.operations
        return (self.exit_code == 0 and self.failures == 0 and self.errors == 0
                and ops.get("tested") == ops.get("selected") and not ops.get("errored") and not ops.get("skipped"))

    def line(self) -> str:
        ops = self.operations
        left_out = "" if ops.get("selected") == ops.get("total") else f" (of {ops.get('total')})"
        return (f"{self.family}: {self.cases} cases, {self.failures} with failures, {self.errors} errors, "
                f"{ops.get('tested')}/{ops.get('selected')} operations{left_out}")


def _toml_string(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid TOML basic string for these values


def config_text(family: str) -> str:
    lines = ["request-timeout = 30", "", "[checks]", "enabled = false"]
    lines += [f"{check}.enabled = true" for check in CHECKS]
    for scheme, settings in CREDENTIALS.get(family, {}).items():
        lines += ["", f"[auth.openapi.{scheme}]"]
        lines += [f"{key} = {_toml_string(value)}" for key, value in settings.items()]
    for tag, statuses in DESIGNED_SERVER_ANSWERS.get(family, {}).items():
        expected = ["2xx", "3xx", "4xx", *statuses]
        lines += ["", "[[operations]]", f"include-tag = {_toml_string(tag)}",
                  f"checks.not_a_server_error.expected-statuses = {json.dumps(expected)}"]
    return "\n".join(lines) + "\n"


def _schemathesis() -> list[str]:
    script = Path(sys.executable).parent / "schemathesis"
    return [str(script)] if script.exists() else [sys.executable, "-m", "schemathesis.cli"]


def run(stack: LocalStack, family: str, chosen: Profile, workdir: Path) -> FuzzResult:
    """schemathesis on the family's served document; files (config, report, hypothesis db) stay in ``workdir``."""
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / f"{family}.toml"
    config.write_text(config_text(family))
    report = workdir / f"{family}-report.json"
    command = [*_schemathesis(), "--config-file", str(config), "run", f"{stack.api}/openapi/{family}.json",
               "--phases", ",".join(chosen.phases), "--max-examples", str(chosen.max_examples),
               "--report", "json", "--report-json-path", str(report), "--workers", "1"]
    if chosen.seed is not None:
        command += ["--seed", str(chosen.seed)]
    if chosen.name == QUICK.name and family in QUICK_EXCLUDED_PATHS:
        command += ["--exclude-path-regex", QUICK_EXCLUDED_PATHS[family]]
    if chosen.seconds_per_family is not None:
        command += ["--max-time", str(chosen.seconds_per_family)]
    timeout = (chosen.seconds_per_family or 300) * 2 + 60
    env = clean_env(NO_COLOR="1")
    if chosen.name == LONG.name and family in SIGNING_HOOKS:
        env.update(SCHEMATHESIS_HOOKS=SIGNING_HOOKS[family], PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    done = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, timeout=timeout)
    output = done.stdout + done.stderr
    if not report.exists():
        return FuzzResult(family, 0, 0, 1, {}, done.returncode, output)
    summary = json.loads(report.read_text())
    cases = summary["test_cases"]
    return FuzzResult(family, cases["generated"], cases["with_failures"], len(summary["errors"]),
                      summary["operations"], done.returncode, output)

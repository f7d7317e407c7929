"""Load: K signed blobs posted concurrently to a running local stack while metrics are read.

Then every blob is checked: stored exactly once (its objectstore row serves
the bytes that were sent) and loaded exactly once (its revision's raw data
holds one run). The baseline is the same uploads one at a time, measured in
the same run against the same stack, so the ratio says what concurrency buys.

    .venv/bin/python -m benchmarks.load [--count 200] [--concurrency 8] [--timeout 300]
    .venv/bin/python -m benchmarks.load --api http://127.0.0.1:8000   # against `make run`

Without ``--api`` it starts its own stack (``python -m chalicelib.local.run``,
empty, on free loopback ports; in ``$SHIPYARD_STATE_DIR`` when that is set,
keeping what is there) and stops it at the end. With ``--api``, the stack
file is looked for in ``$SHIPYARD_STATE_DIR`` first. Everything is bounded:
the count, the concurrency and an overall deadline; the script stops by itself.

``--drain`` measures the pipeline end to end instead (issue 17): blobs posted
(``--concurrency`` at once, or ``--rate`` per second), and for each the time
from its POST until its metrics are served; it reports the drain rate (blobs
whose metrics are served, per second, from the first POST to the last
metrics) and the POST-to-metrics percentiles. ``--compare`` runs the same
drain first on a stack as it was before issue 17 (moto over its HTTP
endpoint, one poller a queue: ``SHIPYARD_LOCAL_TRANSPORT=http``,
``SHIPYARD_PUMP_CONCURRENCY=1``) and then on today's, in the same run;
``--before REF`` makes the first stack that of a git commit instead (run from a
temporary worktree of it), e.g. the main branch before a change:

    .venv/bin/python -m benchmarks.load --drain --compare --count 40 --concurrency 4
    .venv/bin/python -m benchmarks.load --drain --compare --before main --count 40 --concurrency 4
    .venv/bin/python -m benchmarks.load --drain --rate 1 --count 30

Each stack first drains ``--warmup`` blobs (default 2) unmeasured, so the
figures are the steady drain's, not the first calls' (clients made, models
loaded). ``--profile`` samples each stack with py-spy and prints its CPU by
layer (``benchmarks/stack_profile.py``); after the drain each stack's idle CPU
is measured for ``--idle-seconds``.

The watcher asks for the metrics of the oldest blobs not served yet every
``PROBE_INTERVAL_SECONDS`` (a round stops at the first one not served): a
metrics GET costs the stack tens of milliseconds of CPU, so the count of those
GETs is reported beside the stack's CPU a blob, which includes them.
``benchmarks/drain_profile.py`` profiles the same pipeline in one thread.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import requests
from requests_oauthlib import OAuth1

from benchmarks import stack_profile
from benchmarks.git_checkout import checkout

REPO = Path(__file__).resolve().parents[1]
BLOB = json.loads((REPO / "tests" / "support" / "fixtures" / "talos_tp5n.json").read_text())
KEY, SECRET, BRANCH = "talos-dev-key", "talos-dev-secret", "Mozilla-Inbound"
READY = "Shipyard local stack ready"
# How often the drain's watcher asks for the metrics of the oldest blobs not served yet.
PROBE_INTERVAL_SECONDS = 0.2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnStack:
    """A fresh local stack in a temporary folder, on free ports; stopped with SIGINT."""

    def __init__(self, deadline: float, settings: dict[str, str] | None = None, repo: Path = REPO) -> None:
        kept = os.environ.get("SHIPYARD_STATE_DIR")
        self.folder = Path(kept) if kept else Path(tempfile.mkdtemp(prefix="shipyard-load-"))
        self.folder.mkdir(parents=True, exist_ok=True)
        port, moto_port = _free_port(), _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SHIPYARD_", "MOTO_"))}
        env.update(PORT=str(port), MOTO_PORT=str(moto_port), TLS_PORT="off", SHIPYARD_REFERENCE_CI="0",
                   SHIPYARD_STATE_DIR=str(self.folder), SHIPYARD_LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1")
        env.update(settings or {})
        if not kept:
            env["FRESH"] = "1"
        self.log = (self.folder / "stack.log").open("wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "chalicelib.local.run"], cwd=repo, env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        while READY not in (self.folder / "stack.log").read_text(errors="replace"):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"local stack did not start:\n{(self.folder / 'stack.log').read_text()[-3000:]}")
            time.sleep(0.2)
        self.info = json.loads((self.folder / "stack.json").read_text())

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


def _stack_info(api: str) -> dict:
    state = os.environ.get("SHIPYARD_STATE_DIR")
    candidates = [Path(state) / "stack.json"] if state else []
    candidates += [folder / ".shipyard" / "local" / "stack.json" for folder in (Path.cwd(), *Path.cwd().parents)]
    for candidate in candidates:
        if candidate.exists():
            info = json.loads(candidate.read_text())
            if info.get("api_url") == api:
                return info
    raise SystemExit(f"no .shipyard/local/stack.json for {api}: run this in the checkout where `make run` runs")


def _seed_pushes(info: dict, revisions: list[str]) -> None:
    """One push per revision on the branch, written through the store as the pushlog sync would."""
    os.environ.update(AWS_ENDPOINT_URL=info["endpoint_url"], SHIPYARD_PREFIX=info["prefix"],
                      AWS_DEFAULT_REGION=info["region"], AWS_ACCESS_KEY_ID="testing",
                      AWS_SECRET_ACCESS_KEY="testing")  # noqa: S105 - the local stack's moto accepts anything
    write_pushes(revisions)


def write_pushes(revisions: list[str], first_push_id: int = 10_001) -> None:
    """One push per revision on the branch, through this process's store clients (as configured)."""
    from chalicelib.store import branches, pushes

    if branches.resolve(BRANCH) is None:
        # A loopback URI that refuses connections: the stack's scheduled sync must not reach the internet.
        branches.put(BRANCH, "http://127.0.0.1:9/integration/mozilla-inbound", [])
    start = int(time.time()) - 86400
    for i, revision in enumerate(revisions, start=1):
        node = revision + hashlib.sha1(revision.encode()).hexdigest()[:28]  # noqa: S324 - an id, not a digest
        pushes.store(BRANCH, first_push_id - 1 + i, start + i * 60, "load@example.com",
                     [{"node": node, "author": "Load <load@example.com>", "desc": f"load {i}", "branch": "default",
                       "tags": []}])


def _blob(revision: str, i: int, pages: int | None = None) -> str:
    """The fixture's run for ``revision``, its values jittered; ``pages`` pages (tp5: 100) if given."""
    run = copy.deepcopy(BLOB)
    run["test_build"]["revision"] = revision
    run["testrun"]["date"] = int(time.time()) - 3600 + i
    rng = random.Random(i)
    source = list(BLOB["results"].items())
    count = pages or len(source)
    named = [(name if n < len(source) else f"page{n:03d}.example.com", source[n % len(source)][1])
             for n, name in enumerate([p for p, _ in source] + [""] * max(0, count - len(source)))][:count]
    run["results"] = {page: [round(v * rng.uniform(0.97, 1.03), 2) for v in values] for page, values in named}
    return json.dumps(run)


@dataclass
class Upload:
    revision: str
    text: str
    status: int = 0
    url: str | None = None
    seconds: float = 0.0


@dataclass
class Reads:
    count: int = 0
    server_errors: int = 0
    seconds: list[float] = field(default_factory=list)
    by_endpoint: dict[str, list[float]] = field(default_factory=dict)


# Datazilla's read endpoints, read in turn during the load: (name for the report, path after the API URL).
READ_ENDPOINTS = [
    ("metrics", "/talos/testdata/metrics/{branch}/{revision}/"),
    ("metrics summary", "/talos/testdata/metrics/{branch}/{revision}/summary"),
    ("metrics pushlog", "/talos/testdata/metrics/{branch}/{revision}/pushlog"),
    ("raw", "/talos/testdata/raw/{branch}/{revision}/"),
    ("json_blob", "/talos/refdata/objectstore/json_blob/1"),
    ("error_count", "/talos/refdata/objectstore/error_count?days_ago=1"),
    ("error_list", "/talos/refdata/objectstore/error_list?days_ago=1"),
    ("objectstore db_size", "/talos/refdata/objectstore/db_size"),
    ("runs_by_branch", "/talos/refdata/perftest/runs_by_branch?days_ago=1&show_test_runs=true"),
    ("ref_data", "/talos/refdata/perftest/ref_data/pages"),
    ("perftest db_size", "/talos/refdata/perftest/db_size"),
    ("pushlog list", "/refdata/pushlog/list?days_ago=1"),
    ("not_referenced", "/talos/refdata/pushlog/not_referenced?days_ago=1"),
]


def _upload(api: str, item: Upload) -> Upload:
    started = time.monotonic()
    try:
        response = requests.post(f"{api}/talos/api/load_test", data={"data": quote(item.text)},
                                 auth=OAuth1(KEY, client_secret=SECRET, signature_type="body"), timeout=60)
        item.status = response.status_code
        item.url = response.json().get("url") if response.ok else None
    except requests.RequestException:
        item.status = -1
    item.seconds = time.monotonic() - started
    return item


def _read_metrics(api: str, revisions: list[str], stop: threading.Event, reads: Reads) -> None:
    """Every read endpoint in turn, on the baseline's revisions, until the load is over."""
    rng = random.Random(1)
    turn = 0
    while not stop.is_set():
        name, path = READ_ENDPOINTS[turn % len(READ_ENDPOINTS)]
        turn += 1
        path = path.format(branch=BRANCH, revision=rng.choice(revisions))
        if name == "metrics pushlog":
            path += "?test_name=Talos%20tp5n&page_name=cnn.com"
        started = time.monotonic()
        try:
            status = requests.get(f"{api}{path}", timeout=30).status_code
        except requests.RequestException:
            status = -1
        reads.seconds.append(time.monotonic() - started)
        reads.by_endpoint.setdefault(name, []).append(time.monotonic() - started)
        reads.count += 1
        reads.server_errors += status >= 500 or status < 0


def _phase(api: str, items: list[Upload], concurrency: int) -> float:
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(lambda item: _upload(api, item), items))
    return time.monotonic() - started


def _verify(api: str, items: list[Upload], deadline: float) -> tuple[int, int, int, float]:
    """(lost, duplicated, not loaded, seconds until every blob was loaded) for the uploads."""
    started = time.monotonic()
    urls = [item.url for item in items if item.url]
    lost = len(items) - len(urls)
    duplicated = len(urls) - len(set(urls))
    for item in items:  # json_blob answers Datazilla's object: the blob parsed, beside the row's state
        if item.url and requests.get(item.url, timeout=30).json().get("json_blob") != json.loads(item.text):
            lost += 1
    pending = {item.revision for item in items if item.url}
    runs: dict[str, int] = {}
    while pending and time.monotonic() < deadline:
        for revision in sorted(pending):
            got = requests.get(f"{api}/talos/testdata/raw/{BRANCH}/{revision}/", timeout=30)
            if got.ok and got.json():
                runs[revision] = len(got.json())
                pending.discard(revision)
        if pending:
            time.sleep(1)
    duplicated += sum(n - 1 for n in runs.values() if n > 1)
    return lost, duplicated, len(pending), time.monotonic() - started


def _metrics_served(api: str, revision: str) -> bool:
    """Whether the revision's run is served with every page's metrics computed."""
    try:
        got = requests.get(f"{api}/talos/testdata/metrics/{BRANCH}/{revision}/", timeout=30)
    except requests.RequestException:
        return False
    if not got.ok:
        return False
    runs = got.json()
    return bool(runs) and all("error" not in page for run in runs for page in run["pages"].values())


def _drain(api: str, items: list[Upload], concurrency: int, rate: float | None, deadline: float) -> dict:
    """Post the items and wait for each one's metrics; returns the rate and POST-to-metrics latencies."""
    posted: dict[str, float] = {}
    served: dict[str, float] = {}
    lock = threading.Lock()
    started = time.monotonic()

    def post(item: Upload) -> None:
        with lock:
            posted[item.revision] = time.monotonic()
        _upload(api, item)

    probes = [0]

    def watch() -> None:
        # Oldest first, and a round ends at the first blob not served yet: each GET of a run's metrics
        # costs the stack tens of milliseconds of CPU, and a watcher asking after every pending blob
        # all the time took more of the stack than the pipeline it measured.
        while time.monotonic() < deadline:
            with lock:
                pending = [r for r in posted if r not in served]
            if not pending and len(served) == len(items):
                return
            for revision in pending:
                probes[0] += 1
                if not _metrics_served(api, revision):
                    break
                with lock:
                    served[revision] = time.monotonic()
            time.sleep(PROBE_INTERVAL_SECONDS)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    if rate:
        for i, item in enumerate(items):
            time.sleep(max(0.0, started + i / rate - time.monotonic()))
            threading.Thread(target=post, args=(item,), daemon=True).start()
    else:
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            list(pool.map(post, items))
    posting_seconds = time.monotonic() - started
    watcher.join(max(0.0, deadline - time.monotonic()))
    latencies = [served[r] - posted[r] for r in served]
    last = max(served.values(), default=started)
    return {"posted": len(posted), "refused": sum(1 for item in items if item.status != 200), "probes": probes[0],
            "served": len(served), "post_rate": len(items) / posting_seconds,
            "drain_rate": len(served) / (last - started) if served else 0.0, "latencies": latencies}


def _drain_line(label: str, result: dict) -> str:
    lat = result["latencies"]
    return (f"{label:<8} {result['served']:4d}/{result['posted']} blobs' metrics served, refused "
            f"{result['refused']}; POSTs {result['post_rate']:5.1f}/s; drain {result['drain_rate']:5.2f} blobs/s; "
            f"POST->metrics p50 {_p(lat, 50) / 1000:.2f} s, p95 {_p(lat, 95) / 1000:.2f} s, "
            f"max {max(lat, default=0):.2f} s; stack CPU {result['cpu_per_blob'] * 1000:.0f} ms a blob "
            f"(ceiling {1 / result['cpu_per_blob'] if result['cpu_per_blob'] else 0:.1f} blobs/s on one core; "
            f"{result['probes']} metrics GETs by the watcher included)")


class CoreSampler:
    """Every half second during the drain: the cores the stack used, and the cores the machine left idle.

    Whether a single process (one GIL) is what bounds the drain: a stack near
    1.0 core while the machine has idle cores is bound by its GIL; a stack
    below that while the machine has none is bound by the machine.
    """

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @staticmethod
    def _machine() -> tuple[float, float]:
        ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return float(sum(ticks)), float(ticks[3] + ticks[4])  # all, idle + iowait

    def _run(self) -> None:
        cores = os.cpu_count() or 1
        stack, (total, idle) = _cpu_seconds(self.pid), self._machine()
        while not self._stop.wait(0.5):
            now_stack, (now_total, now_idle) = _cpu_seconds(self.pid), self._machine()
            wall = (now_total - total) / os.sysconf("SC_CLK_TCK") / cores
            if wall > 0:
                self.samples.append(((now_stack - stack) / wall, (now_idle - idle) / (now_total - total) * cores))
            stack, total, idle = now_stack, now_total, now_idle

    def stop(self) -> dict[str, float]:
        self._stop.set()
        self._thread.join(5)
        busy = [s for s in self.samples if s[0] > 0.2] or [(0.0, 0.0)]
        return {"stack_cores": statistics.fmean(s[0] for s in busy), "stack_cores_max": max(s[0] for s in busy),
                "idle_cores": statistics.fmean(s[1] for s in busy)}


def _idle_cpu(pid: int, seconds: float) -> float:
    """The share of one core the stack burns while nothing is asked of it (after the drain)."""
    time.sleep(1.0)  # the last answers and journal flushes settle
    before = _cpu_seconds(pid)
    time.sleep(seconds)
    return (_cpu_seconds(pid) - before) / seconds


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _drain_on(settings: dict[str, str] | None, args: argparse.Namespace, deadline: float, tag: str,
              repo: Path = REPO) -> dict:
    own = None if args.api else OwnStack(deadline, settings, repo)
    try:
        api = args.api or own.info["api_url"]
        info = own.info if own else _stack_info(api)
        warm = [f"{tag}{0xffff0000 + i:08x}" for i in range(args.warmup)]
        revisions = [f"{tag}{i:08x}" for i in range(args.count)]
        _seed_pushes(info, warm + revisions)  # the warm-up's pushes first: its runs are older, never replayed
        items = [Upload(r, _blob(r, i, args.pages)) for i, r in enumerate(revisions)]
        pid = own.proc.pid if own else info["pid"]
        if warm:
            # A process's first calls make its clients and load botocore's models (~1 s of CPU in all):
            # a cold start, not the steady drain this measures.
            _drain(api, [Upload(r, _blob(r, 10_000 + i, args.pages)) for i, r in enumerate(warm)], 1, None,
                   deadline)
        recording = None
        if args.profile:
            recording = stack_profile.record(stack_profile.py_spy(args.py_spy), pid,
                                             Path(tempfile.mkdtemp(prefix="shipyard-profile-")) / f"{tag}.txt",
                                             deadline - time.monotonic())
        cpu_before = _cpu_seconds(pid)
        sampler = CoreSampler(pid)
        result = _drain(api, items, args.concurrency, args.rate, deadline)
        result["cpu_per_blob"] = (_cpu_seconds(pid) - cpu_before) / max(1, result["served"])
        result["cores"] = sampler.stop()
        if recording is not None:
            result["profile"] = recording.stop()
            if args.keep_profile and recording.output.exists():
                Path(args.keep_profile).mkdir(parents=True, exist_ok=True)
                shutil.copy(recording.output, Path(args.keep_profile) / recording.output.name)
            shutil.rmtree(recording.output.parent, ignore_errors=True)
        result["idle_cpu"] = _idle_cpu(pid, args.idle_seconds) if args.idle_seconds else None
        return result
    finally:
        if own:
            own.stop()


def drain_main(args: argparse.Namespace, deadline: float) -> int:
    tag = hashlib.sha1(str(time.time()).encode()).hexdigest()[:4]  # noqa: S324 - a run tag
    # One moto port for both stacks: the pushes are seeded through this process's store clients, made once.
    moto_port = {"MOTO_PORT": str(_free_port())}
    runs = []
    if args.compare and args.api:
        raise SystemExit("--compare starts its own stacks: no --api")
    if args.compare and args.before:
        with checkout(args.before) as before_repo:
            runs.append(("before", _drain_on(dict(moto_port), args, deadline, tag + "b", before_repo)))
    elif args.compare:
        before = _drain_on({"SHIPYARD_LOCAL_TRANSPORT": "http", "SHIPYARD_PUMP_CONCURRENCY": "1", **moto_port},
                           args, deadline, tag + "b")
        runs.append(("before", before))
    now_settings = dict(moto_port)
    if args.pump_concurrency:
        now_settings["SHIPYARD_PUMP_CONCURRENCY"] = str(args.pump_concurrency)
    after = _drain_on(now_settings, args, deadline, tag + "a")
    runs.append(("after" if args.compare else "drain", after))
    mode = f"{args.rate}/s" if args.rate else f"{args.concurrency} concurrent"
    print(f"drain: {args.count} blobs of {args.pages} pages x {len(next(iter(BLOB['results'].values())))} "
          f"replicates, posted {mode}")
    for label, result in runs:
        print(_drain_line(label, result))
        cores = result["cores"]
        print(f"{'':<8} while busy the stack used {cores['stack_cores']:.2f} of a core (max "
              f"{cores['stack_cores_max']:.2f}); the machine meanwhile had {cores['idle_cores']:.2f} core(s) idle")
        if result.get("idle_cpu") is not None:
            print(f"{'':<8} idle afterwards: {result['idle_cpu'] * 100:.1f}% of a core "
                  f"(CPU over {args.idle_seconds:.0f} s with nothing asked)")
    for label, result in runs:
        if "profile" in result:
            print(stack_profile.report(f"profile {label}", result["profile"], result["cpu_per_blob"] * 1000))
    if args.compare and runs[0][1]["drain_rate"]:
        print(f"ratio    {after['drain_rate'] / runs[0][1]['drain_rate']:.2f}x the drain rate of before, "
              f"{runs[0][1]['cpu_per_blob'] / after['cpu_per_blob']:.2f}x less stack CPU a blob")
    return 0 if all(r["served"] == r["posted"] == args.count and not r["refused"] for _, r in runs) else 1


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] * 1000 if len(values) >= 2 else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200, help="blobs in the concurrent phase")
    parser.add_argument("--baseline", type=int, default=20, help="blobs posted one at a time first")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=300, help="overall deadline, seconds")
    parser.add_argument("--api", help="a running stack's URL (default: start a fresh one)")
    parser.add_argument("--drain", action="store_true", help="measure POST-to-metrics end to end")
    parser.add_argument("--rate", type=float, help="with --drain: post this many blobs a second")
    parser.add_argument("--compare", action="store_true", help="with --drain: before issue 17, then now")
    parser.add_argument("--before", metavar="REF", help="with --compare: the before stack is this git commit's "
                        "(a temporary worktree), not today's in its issue-17 settings")
    parser.add_argument("--pages", type=int, default=100, help="with --drain: pages a blob (tp5: 100)")
    parser.add_argument("--pump-concurrency", type=int, help="with --drain: the stack's pollers a queue")
    parser.add_argument("--profile", action="store_true", help="with --drain: sample each stack with py-spy "
                        "(not a project dependency) and print its CPU by layer (benchmarks/stack_profile.py)")
    parser.add_argument("--py-spy", help="with --profile: the py-spy executable (default: on PATH)")
    parser.add_argument("--keep-profile", metavar="DIR", help="with --profile: keep py-spy's raw (collapsed) "
                        "recordings in DIR, one file a stack")
    parser.add_argument("--warmup", type=int, default=2, help="with --drain: blobs drained before measuring")
    parser.add_argument("--idle-seconds", type=float, default=10.0,
                        help="with --drain: measure each stack's CPU this long once drained (0: skip)")
    parser.add_argument("--reads", type=int, default=20, help="reads of each endpoint, at least (p95 per endpoint)")
    args = parser.parse_args()
    if args.drain:
        if not (0 < args.count <= 5000 and 0 < args.concurrency <= 64 and (args.rate is None or 0 < args.rate <= 100)):
            parser.error("count 1-5000, concurrency 1-64, rate 0-100")
        return drain_main(args, time.monotonic() + args.timeout)
    if not (0 < args.count <= 5000 and 0 < args.baseline <= 1000 and 0 < args.concurrency <= 64):
        parser.error("count 1-5000, baseline 1-1000, concurrency 1-64")
    deadline = time.monotonic() + args.timeout

    own = None if args.api else OwnStack(deadline)
    try:
        api = args.api or own.info["api_url"]
        info = own.info if own else _stack_info(api)
        tag = hashlib.sha1(str(time.time()).encode()).hexdigest()[:4]  # noqa: S324 - a run tag
        revisions = [f"{tag}{i:08x}" for i in range(args.baseline + args.count)]
        _seed_pushes(info, revisions)
        items = [Upload(r, _blob(r, i)) for i, r in enumerate(revisions)]
        baseline, loaded = items[:args.baseline], items[args.baseline:]

        baseline_seconds = _phase(api, baseline, 1)
        stop, reads = threading.Event(), Reads()
        reader = threading.Thread(target=_read_metrics, args=(api, revisions[:args.baseline], stop, reads),
                                  daemon=True)
        reader.start()
        load_seconds = _phase(api, loaded, args.concurrency)
        while min((len(s) for s in reads.by_endpoint.values()), default=0) < args.reads and (
                len(reads.by_endpoint) < len(READ_ENDPOINTS) or time.monotonic() < deadline - 60):
            time.sleep(0.2)  # every endpoint read --reads times (the load itself may be over sooner)
        stop.set()
        reader.join(30)
        lost, duplicated, not_loaded, settle = _verify(api, items, deadline)
    finally:
        if own:
            own.stop()

    base_rate, load_rate = len(baseline) / baseline_seconds, len(loaded) / load_seconds
    refused = sum(1 for item in items if item.status != 200)
    latencies = [item.seconds for item in loaded]
    print(f"baseline   {len(baseline):5d} blobs one at a time      {base_rate:7.1f} blobs/s")
    print(f"load       {len(loaded):5d} blobs, {args.concurrency} concurrent     {load_rate:7.1f} blobs/s   "
          f"p50 {_p(latencies, 50):.0f} ms  p95 {_p(latencies, 95):.0f} ms")
    print(f"ratio      {load_rate / base_rate:7.2f}x the baseline's throughput")
    print(f"reads      {reads.count:5d} reads during the load, {reads.server_errors} 5xx, "
          f"p50 {_p(reads.seconds, 50):.0f} ms")
    for name, seconds in reads.by_endpoint.items():
        print(f"  {name:20s} {len(seconds):4d} reads   p50 {_p(seconds, 50):6.0f} ms   p95 {_p(seconds, 95):6.0f} ms")
    print(f"verified   refused {refused}, lost {lost}, duplicated {duplicated}, not loaded {not_loaded} "
          f"(all loaded {settle:.1f} s after the load)")
    return 0 if refused == lost == duplicated == not_loaded == reads.server_errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

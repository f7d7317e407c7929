"""Where a tp5-sized blob's time goes in the local stack, from its POST to its stored metrics.

One thread does everything, so the profile is whole and repeatable: the
stack is assembled in process as ``make run`` assembles it (moto's backends
in process, the guards, the journal in a temporary folder), each blob is
POSTed through the app's HTTP handler chain (Chalice's local gateway), and
the pump then drains the processing queue and the metrics queue as its
pollers would, until every blob's metrics are stored.

    .venv/bin/python -m benchmarks.drain_profile [--count 10] [--top 30] [--sort tottime]
    .venv/bin/python -m benchmarks.drain_profile --no-profile   # seconds a blob, no profiler overhead

It prints the CPU seconds a blob (CPU time, not wall clock: the machine may be
shared), split by stage (the POSTs, the loading worker's drain, the metrics
worker's drain with its alerts), and, unless ``--no-profile``, cProfile's top
entries.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlencode


def _assemble(state: Path) -> tuple[object, object, object]:
    """The local stack's pieces, in process, as ``chalicelib.local.run`` assembles them (no servers)."""
    from chalicelib.local import run

    os.environ.update(SHIPYARD_STATE_DIR=str(state), SHIPYARD_REFERENCE_CI="0", SHIPYARD_LOG_LEVEL="WARNING")
    run._configure_env()
    run._configure_logging()
    from chalicelib.local import embedded_aws, persistence, resources

    embedded_aws.start_in_process()
    from app import app
    from chalicelib.local.pump import Pump

    resources.deploy()
    store = persistence.open_store(state)
    store.recover()
    run._seed_dev_project()
    return app, Pump(app, schedules=False), store


def _gateway(app: object) -> object:
    """Chalice's local API Gateway emulation, the one the HTTP server hands each request to."""
    from chalice.config import Config
    from chalice.local import LocalGateway

    return LocalGateway(app, Config.create(chalice_stage="local", app_name="shipyard"))


def _signed_body(text: str) -> tuple[str, dict[str, str]]:
    """The form body of a signed Datazilla upload, as the load benchmark sends it."""
    import requests
    from requests_oauthlib import OAuth1

    from benchmarks.load import KEY, SECRET

    prepared = requests.Request("POST", "http://127.0.0.1:8000/talos/api/load_test",
                                data={"data": quote(text)},
                                auth=OAuth1(KEY, client_secret=SECRET, signature_type="body")).prepare()
    headers = {k: v.decode() if isinstance(v, bytes) else v for k, v in prepared.headers.items()}
    headers["Host"] = "127.0.0.1:8000"
    return prepared.body, headers


def _pipeline(app: object, pump: object, count: int, tag: str, first_push_id: int, one_by_one: bool = False,
              phases: dict[str, float] | None = None) -> float:
    """CPU seconds of this process from the first POST until the last blob's metrics are stored.

    ``phases`` (when given, and not ``one_by_one``) receives the CPU seconds of each stage: the POSTs, the
    loading worker's drain and the metrics worker's drain (which includes the alerts job).
    """
    from benchmarks.load import BRANCH, _blob, write_pushes
    from chalicelib.local import embedded_aws

    revisions = [f"{tag}{i:08x}" for i in range(count)]
    write_pushes(revisions, first_push_id)
    gateway = _gateway(app)
    bodies = [_signed_body(_blob(r, i, 100)) for i, r in enumerate(revisions)]
    started = time.process_time()
    marks = [started]
    for body, headers in bodies:
        raw = body if isinstance(body, bytes) else body.encode()
        with embedded_aws.one_answer():
            answer = gateway.handle_request("POST", "/talos/api/load_test", headers, raw)
        if answer["statusCode"] != 200:
            raise SystemExit(f"POST answered {answer['statusCode']}: {answer['body'][:300]!r}")
        if one_by_one:
            _drain(pump, count)
    marks.append(time.process_time())
    _drain(pump, count, marks)
    seconds = time.process_time() - started
    if phases is not None and not one_by_one:
        phases.update(zip(PHASES, (b - a for a, b in zip(marks, marks[1:], strict=False)), strict=True))
    reading = time.process_time()
    _check_served(gateway, revisions, BRANCH)
    print(f"reading a blob's metrics (GET .../metrics/<branch>/<revision>/): "
          f"{(time.process_time() - reading) / count * 1000:.0f} ms of CPU")
    return seconds


PHASES = ("POST", "loading worker", "metrics worker (with alerts)")


def _drain(pump: object, count: int, marks: list[float] | None = None) -> None:
    from chalicelib import config

    for queue in (config.PROCESSING_QUEUE, config.METRICS_QUEUE):
        pump.drain(config.queue_name(queue), max_batches=10 * count)
        if marks is not None:
            marks.append(time.process_time())


def _check_served(gateway: object, revisions: list[str], branch: str) -> None:
    import json

    for revision in revisions:
        answer = gateway.handle_request("GET", f"/talos/testdata/metrics/{quote(branch)}/{revision}/?"
                                        + urlencode({}), {}, b"")
        runs = json.loads(answer["body"])
        if not runs or any("error" in page for run in runs for page in run["pages"].values()):
            errors = {p["error"] for run in runs for p in run["pages"].values() if "error" in p}
            raise SystemExit(f"metrics of {revision} not served: {sorted(errors)[:3]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10, help="blobs (tp5-sized: 100 pages x 25 replicates)")
    parser.add_argument("--warmup", type=int, default=2, help="blobs through the pipeline before measuring")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="tottime", choices=["tottime", "cumulative"])
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--one-by-one", action="store_true",
                        help="each blob processed and its metrics computed before the next POST (a slow stream: "
                             "metrics batches of one); by default the queues are drained after all POSTs")
    parser.add_argument("--output", help="also write the profile here (pstats format)")
    args = parser.parse_args()
    if not (0 < args.count <= 200 and 0 <= args.warmup <= 20):
        parser.error("count 1-200, warmup 0-20")
    with tempfile.TemporaryDirectory(prefix="shipyard-profile-") as folder:
        app, pump, store = _assemble(Path(folder))
        try:
            if args.warmup:
                _pipeline(app, pump, args.warmup, "w", 10_001)
            profiler = None if args.no_profile else cProfile.Profile()
            if profiler:
                profiler.enable()
            phases: dict[str, float] = {}
            seconds = _pipeline(app, pump, args.count, "m", 10_001 + args.warmup, args.one_by_one, phases)
            if profiler:
                profiler.disable()
        finally:
            store.close()
    print(f"{args.count} tp5-sized blobs POST -> metrics in one thread: {seconds:.2f} s of CPU, "
          f"{seconds / args.count * 1000:.0f} ms a blob{' (profiled)' if profiler else ''}")
    for phase, spent in phases.items():
        print(f"  {phase}: {spent / args.count * 1000:.1f} ms a blob")
    if profiler and args.output:
        profiler.dump_stats(args.output)
    if profiler:
        pstats.Stats(profiler, stream=sys.stdout).strip_dirs().sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The Balrog update endpoint's hot path: a repeat update check vs. the three GetItems it is allowed.

Seeds the production-shaped Firefox world of the differential corpus (Firefox
67's real-sized release blob, its partials' "from" releases, 25 rules) through
the admin API (and one rule mapping a beta channel to 67.0), plus
``--extra-rules`` unrelated rules to show the per-request cost does not grow
with the rules table. Then asks Firefox's URL-version-6
update check ``--count`` times and prints, against a baseline of three bare
GetItems measured in the same run: p50/p95 per request, the ratio, and the AWS
calls of one repeat request (expected: GetItem x3, no Query, no S3 read; one
more GetItem per "from" release examined before the matching partial).

Runs in-process on moto through Chalice's test client, so absolute numbers
say little about AWS; the ratio and the call list are the evidence.

    .venv/bin/python -m benchmarks.balrog_update [--count 300] [--extra-rules 200]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

os.environ.update(SHIPYARD_PREFIX="shipyard-bench", AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
                  AWS_DEFAULT_REGION="us-east-1", AWS_XRAY_SDK_ENABLED="false")
os.environ.pop("AWS_ENDPOINT_URL", None)

from chalice.test import Client  # noqa: E402
from moto import mock_aws  # noqa: E402

from benchmarks.aws_calls import calls_of  # noqa: E402
from chalicelib import config  # noqa: E402
from chalicelib.auth import bearer  # noqa: E402
from chalicelib.local import resources  # noqa: E402
from chalicelib.store.balrog_permissions import permissions  # noqa: E402
from chalicelib.store.clients import client  # noqa: E402

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "support" / "fixtures" / "balrog_update_corpus.json"
# A 67.0 beta build on 64-bit Windows asking on a channel that maps to 67.0: its partial is the first listed.
URL = ("/balrog/update/6/Firefox/67.0/20190509185224/WINNT_x86-msvc-x64/en-US/release-cdntest"
       "/Windows_NT%2010.0.0.0.19045%20(x64)/ISET:SSE4_2,MEM:16384,JAWS:0/default/default/update.xml")
# A 66.0.3 build on release: the partial from 66.0.3 is the second listed, so one more "from" release is read.
URL_SECOND_PARTIAL = ("/balrog/update/6/Firefox/66.0.3/20190409214151/WINNT_x86-msvc-x86/en-US/release"
                      "/Windows_NT%2010.0.0.0.19045%20(x64)/ISET:SSE4_2,MEM:16384,JAWS:0/default/default/update.xml")
RULE_COLUMNS = ("priority", "backgroundRate", "update_type", "product", "mapping", "fallbackMapping", "channel",
                "version", "buildID", "buildTarget", "locale", "osVersion", "distribution", "distVersion",
                "instructionSet", "memory", "mig64", "jaws", "headerArchitecture")


def _percentile(durations: list[float], fraction: float) -> float:
    ordered = sorted(durations)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))] * 1000


def _seed(http: Client, extra_rules: int) -> None:
    world = next(w for w in json.loads(CORPUS.read_text())["worlds"] if w["name"].startswith("production-shaped"))
    permissions.insert({"username": "bench", "permission": "admin", "options": None}, "setup")
    headers = {"Authorization": f"Bearer {bearer.create_token('bench')}", "Content-Type": "application/json"}
    for name, release in world["releases"].items():
        if release["product"] != "Firefox":
            continue
        response = http.http.post("/balrog/api/releases", headers=headers, body=json.dumps(
            {"name": name, "product": "Firefox", "blob": json.dumps(release["blob"])}))
        assert response.status_code == 201, response.body
    rules = [rule for rule in world["rules"] if rule["product"] == "Firefox"]
    rules.append({"priority": 300, "backgroundRate": 100, "update_type": "minor", "product": "Firefox",
                  "channel": "release-cdntest", "mapping": "Firefox-67.0-build1"})
    rules += [{"priority": 1, "backgroundRate": 100, "update_type": "minor", "product": "Firefox",
               "channel": f"bench-{index}", "mapping": "Firefox-67.0-build1"} for index in range(extra_rules)]
    for rule in rules:
        fields = {key: rule[key] for key in RULE_COLUMNS if rule.get(key) is not None}
        response = http.http.post("/balrog/api/rules", headers=headers, body=json.dumps(fields))
        assert response.status_code == 200, response.body


def bench(count: int, extra_rules: int) -> None:
    from app import app

    with mock_aws(), Client(app, stage_name="bench") as http:
        resources.deploy()
        _seed(http, extra_rules)
        first = http.http.get(URL)
        assert first.status_code == 200 and 'type="partial"' in first.body.decode(), first.body
        ddb = client("dynamodb")
        keys = [(config.table_name("balrog-rules"), {"rule_id": {"N": "1"}}),
                (config.table_name("balrog-releases"), {"name": {"S": "Firefox-67.0-build1"}}),
                (config.table_name("balrog-releases"), {"name": {"S": "Firefox-67.0b19-build1"}})]
        baseline, served = [], []
        for _ in range(count):
            started = time.perf_counter()
            for table, key in keys:
                ddb.get_item(TableName=table, Key=key)
            baseline.append(time.perf_counter() - started)
        for _ in range(count):
            started = time.perf_counter()
            response = http.http.get(URL)
            served.append(time.perf_counter() - started)
            assert response.status_code == 200
        repeat_calls = calls_of(lambda: http.http.get(URL))
        http.http.get(URL_SECOND_PARTIAL)
        second_calls = calls_of(lambda: http.http.get(URL_SECOND_PARTIAL))
    base50, base95 = _percentile(baseline, 0.5), _percentile(baseline, 0.95)
    p50, p95 = _percentile(served, 0.5), _percentile(served, 0.95)
    print(f"Balrog update check (URL version 6, complete + partial), {count} each, "
          f"{25 + extra_rules} Firefox rules in the table:")
    print(f"  3 bare GetItems      p50 {base50:7.2f} ms   p95 {base95:7.2f} ms")
    print(f"  GET update.xml       p50 {p50:7.2f} ms   p95 {p95:7.2f} ms   "
          f"ratio p50 {p50 / base50:.2f}  p95 {p95 / base95:.2f}")
    print(f"  mean {statistics.mean(served) * 1000:.2f} ms; AWS calls of one repeat request: {', '.join(repeat_calls)}")
    print(f"  when the matching partial is the second listed: {', '.join(second_calls)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--extra-rules", type=int, default=200)
    args = parser.parse_args()
    bench(args.count, args.extra_rules)


if __name__ == "__main__":
    main()

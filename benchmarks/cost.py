"""What one run costs on AWS, counted call by call, and a modelled monthly bill.

One tp5-sized run (100 pages x 25 replicates) is followed from the signed
POST to its metrics stored, in-process on moto, and every read endpoint of
Datazilla is called once on the result. Every AWS call is recorded through
botocore's event hooks (``provide-client-params`` asks DynamoDB for
``ReturnConsumedCapacity``, ``after-call`` records the call), then priced:

- DynamoDB capacity units from item sizes by AWS's rules
  (``chalicelib.store.item_size``), because moto answers 1.0 for everything.
  A write is priced on the larger of the item before and after it, and each
  global secondary index as AWS's guide ("Provisioned throughput
  considerations for Global Secondary Indexes") says: an entry put when the
  item gains the index key, deleted when it loses it, deleted and put when
  the key changes, rewritten when a projected attribute changes, and nothing
  when only attributes the index does not project change. The item before a
  write is read back with a client outside the hooks (not counted);
- S3 requests and bytes, SQS requests (64 KB chunks), including the queue
  message the bucket sends for each blob stored (its event notification) and the queue
  polling Lambda's event source mappings do;
- Lambda GB-seconds from each handler's measured duration at the memory
  ``.chalice/config.json`` gives it (moto runs in-process, so durations are
  an upper bound of what AWS would bill).

    .venv/bin/python -m benchmarks.cost [--pages 100 --replicates 25]
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

os.environ.update(SHIPYARD_PREFIX="shipyard-bench", AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
                  AWS_DEFAULT_REGION="us-east-1", AWS_XRAY_SDK_ENABLED="false")
os.environ.pop("AWS_ENDPOINT_URL", None)

import boto3  # noqa: E402
import botocore.client  # noqa: E402
from chalice.test import Client  # noqa: E402
from moto import mock_aws  # noqa: E402

from chalicelib import config  # noqa: E402
from chalicelib.local import resources  # noqa: E402
from chalicelib.local.pump import Pump  # noqa: E402
from chalicelib.store import blobs, branches, clients, projects, pushes  # noqa: E402
from chalicelib.store.item_size import KB, item_bytes, read_units, write_units  # noqa: E402
from tests.support.oauth_signing import form_body, sign_form  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BLOB = json.loads((ROOT / "tests" / "support" / "fixtures" / "talos_tp5n.json").read_text())
KEY, SECRET, HOST = "talos-dev-key", "talos-dev-secret", "bench"

# On-demand prices, us-east-1, as AWS's pricing pages gave them on PRICES_AS_OF (DynamoDB's after its
# 2024-11-01 cut). Free tiers are left out: the bill is what the usage costs, not what a new account pays.
PRICES_AS_OF = "2024-11-01"
PRICE = {
    "dynamodb_write_unit": 0.625 / 1e6,  # per write request unit
    "dynamodb_read_unit": 0.125 / 1e6,  # per read request unit
    "dynamodb_gb_month": 0.25,
    "s3_put": 0.005 / 1000,  # PUT, COPY, POST, LIST
    "s3_get": 0.0004 / 1000,  # GET and all other requests
    "s3_gb_month": 0.023,
    "sqs_request": 0.40 / 1e6,  # standard queue, per 64 KB chunk
    "lambda_gb_second": 0.0000166667,  # x86
    "lambda_request": 0.20 / 1e6,
    "api_gateway_request": 3.50 / 1e6,  # REST API, first 333 million a month
}
DAYS_A_MONTH = 30
S3_WRITES = {"PutObject", "CopyObject", "CreateMultipartUpload", "UploadPart", "ListObjectsV2", "ListObjects"}


@dataclass
class Usage:
    """AWS usage of one phase (the upload, the loading, one read endpoint...)."""

    calls: list[str] = field(default_factory=list)
    write_units: float = 0.0
    read_units: float = 0.0
    s3_puts: int = 0
    s3_gets: int = 0
    s3_bytes_in: int = 0
    s3_bytes_out: int = 0
    sqs_requests: int = 0
    lambda_gb_seconds: float = 0.0
    lambda_requests: int = 0
    api_requests: int = 0

    def add(self, other: Usage) -> None:
        for name, value in vars(other).items():
            setattr(self, name, getattr(self, name) + value)

    def dollars(self) -> float:
        return (self.write_units * PRICE["dynamodb_write_unit"] + self.read_units * PRICE["dynamodb_read_unit"]
                + self.s3_puts * PRICE["s3_put"] + self.s3_gets * PRICE["s3_get"]
                + self.sqs_requests * PRICE["sqs_request"] + self.lambda_gb_seconds * PRICE["lambda_gb_second"]
                + self.lambda_requests * PRICE["lambda_request"] + self.api_requests * PRICE["api_gateway_request"])


class Recorder:
    """Prices every AWS call made through the app's boto3 session, by botocore event hooks."""

    def __init__(self) -> None:
        self.usage = Usage()
        # a client outside the hooked session: reads back what a write left, to size it (not counted)
        self._peek = boto3.session.Session().client("dynamodb", region_name=config.region())
        self._tables: dict[str, dict[str, Any]] = {}
        self.metrics_item_bytes = 0
        self.metrics_map_bytes = 0  # the same items with their packed statistics as DynamoDB maps
        self.detail = False

    def install(self) -> None:
        """Hook every botocore client made from now on: the app's boto3 clients and PynamoDB's own."""
        original = botocore.client.ClientCreator.create_client
        recorder = self

        def create_client(creator: Any, *args: Any, **kwargs: Any) -> Any:
            made = original(creator, *args, **kwargs)
            made.meta.events.register("provide-client-params.dynamodb.*", recorder._ask_capacity)
            made.meta.events.register("provide-client-params.*.*", recorder._keep_params)
            made.meta.events.register("after-call.*.*", recorder._record)
            return made

        botocore.client.ClientCreator.create_client = create_client
        clients.reset()

    @staticmethod
    def _ask_capacity(params: dict[str, Any], model: Any, **_: Any) -> None:
        if "ReturnConsumedCapacity" in model.input_shape.members:
            params.setdefault("ReturnConsumedCapacity", "TOTAL")

    def _keep_params(self, params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        context["cost_params"] = copy.deepcopy(params)
        if model.service_model.service_name == "dynamodb":
            context["cost_before"] = self._before_images(model.name, params)

    def _before_images(self, operation: str, params: dict[str, Any]) -> list[dict[str, Any] | None]:
        """The items a write is about to change, in the order ``_dynamodb`` prices them."""
        if operation in ("PutItem", "UpdateItem", "DeleteItem"):
            return [self._item_at(params["TableName"], params.get("Key") or params["Item"])]
        if operation == "BatchWriteItem":
            return [self._item_at(name, request["PutRequest"]["Item"] if "PutRequest" in request
                                  else request["DeleteRequest"]["Key"])
                    for name, requests in params["RequestItems"].items() for request in requests]
        if operation == "TransactWriteItems":
            return [self._item_at(body["TableName"], body.get("Key") or body.get("Item") or {})
                    for entry in params["TransactItems"] for body in entry.values()]
        return []

    def _item_at(self, table: str, item: dict[str, Any]) -> dict[str, Any] | None:
        key = {name: item[name] for name in self._key_names(table) if name in item}
        if not key:
            return None
        return self._peek.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")

    def _record(self, model: Any, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        service = model.service_model.service_name
        operation = model.name
        params = context.get("cost_params", {})
        self.usage.calls.append(f"{service}:{operation}")
        if service == "dynamodb":
            before = (self.usage.write_units, self.usage.read_units)
            self._dynamodb(operation, params, parsed, context.get("cost_before", []))
            if self.detail:
                print(f"    {operation} {params.get('TableName', '')} {params.get('IndexName', '')} "
                      f"WCU {self.usage.write_units - before[0]:g} RCU {self.usage.read_units - before[1]:g}")
        elif service == "s3":
            if operation in S3_WRITES:
                self.usage.s3_puts += 1
                body = params.get("Body", b"")
                self.usage.s3_bytes_in += len(body) if isinstance(body, (bytes, str)) else 0
                if str(params.get("Key", "")).startswith(blobs.OBJECTSTORE_PREFIX):
                    # The bucket's event notification: S3 sends it (no call of ours, free on S3's side),
                    # SQS bills it as a request (one 64 KB chunk: a notification is under 1 KB).
                    self.usage.sqs_requests += 1
            else:
                self.usage.s3_gets += 1
                self.usage.s3_bytes_out += int(parsed.get("ContentLength") or 0)
        elif service == "sqs":
            body = params.get("MessageBody", "")
            self.usage.sqs_requests += max(1, math.ceil(len(body.encode()) / (64 * KB)))

    # -- DynamoDB capacity, from sizes

    def _described(self, table: str) -> dict[str, Any]:
        if table not in self._tables:
            self._tables[table] = self._peek.describe_table(TableName=table)["Table"]
        return self._tables[table]

    def _gsis(self, table: str) -> list[dict[str, Any]]:
        return self._described(table).get("GlobalSecondaryIndexes", [])

    def _key_names(self, table: str) -> list[str]:
        return [k["AttributeName"] for k in self._described(table)["KeySchema"]]

    def _write(self, table: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
        """Units of one item write: the table (larger of before and after) and each index it touches."""
        size = max(item_bytes(before or {}), item_bytes(after or {}))
        self.usage.write_units += write_units(size)
        if table.endswith("-metrics") and after is not None:
            self.metrics_item_bytes += item_bytes(after)
            self.metrics_map_bytes += item_bytes(_as_maps(after))
        table_keys = self._key_names(table)
        for index in self._gsis(table):
            keys = [k["AttributeName"] for k in index["KeySchema"]]
            old = _projected(before, keys, table_keys, index["Projection"])
            new = _projected(after, keys, table_keys, index["Projection"])
            if old is None and new is None:
                continue  # sparse: the item is in the index neither before nor after
            if old is None or new is None or any(old[k] != new[k] for k in keys):
                # put, delete, or a changed key (a delete and a put)
                self.usage.write_units += sum(write_units(item_bytes(e)) for e in (old, new) if e is not None)
            elif old != new:  # same key, a projected attribute changed
                self.usage.write_units += write_units(max(item_bytes(old), item_bytes(new)))

    def _after_update(self, table: str, item: dict[str, Any]) -> dict[str, Any] | None:
        return self._item_at(table, item)

    def _dynamodb(self, operation: str, params: dict[str, Any], parsed: dict[str, Any],
                  before: list[dict[str, Any] | None]) -> None:
        table = params.get("TableName", "")
        consistent = bool(params.get("ConsistentRead"))
        if operation in ("PutItem", "UpdateItem", "DeleteItem"):
            # a failed condition leaves the item as it was (and is not recorded: botocore raised)
            self._write(table, before[0], self._after_update(table, params.get("Key") or params["Item"]))
        elif operation == "BatchWriteItem":
            requests = [(name, r) for name, rs in params["RequestItems"].items() for r in rs]
            for (name, request), old in zip(requests, before, strict=True):
                self._write(name, old, request["PutRequest"]["Item"] if "PutRequest" in request else None)
        elif operation == "TransactWriteItems":
            entries = [(kind, body) for entry in params["TransactItems"] for kind, body in entry.items()]
            for (kind, body), old in zip(entries, before, strict=True):
                if kind == "ConditionCheck":
                    continue
                spent = self.usage.write_units
                after = self._after_update(body["TableName"], body.get("Key") or body["Item"])
                self._write(body["TableName"], old, after)
                self.usage.write_units += self.usage.write_units - spent  # transactions bill twice
        elif operation == "GetItem":
            item = self._whole(table, params, parsed.get("Item", {}))
            self.usage.read_units += read_units(item_bytes(item), consistent)
        elif operation == "BatchGetItem":
            for name, items in parsed.get("Responses", {}).items():
                asked = params["RequestItems"][name]
                strong = bool(asked.get("ConsistentRead"))
                self.usage.read_units += sum(read_units(item_bytes(self._whole(name, asked, i)), strong) for i in items)
        elif operation in ("Query", "Scan"):
            # billed on the items read before any projection (of the table: read back whole; of an index,
            # its entries' size is not known here, so the items returned are a lower bound)
            items = parsed.get("Items", [])
            if "IndexName" not in params:
                items = [self._whole(table, params, i) for i in items]
            size = sum(item_bytes(i) for i in items)
            self.usage.read_units += read_units(size, consistent and "IndexName" not in params)

    def _whole(self, table: str, params: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
        """The item a projected read returned part of, as DynamoDB bills it: whole (read back, uncounted)."""
        if not ("ProjectionExpression" in params or "AttributesToGet" in params):
            return item
        if not all(name in item for name in self._key_names(table)):
            raise ValueError(f"a projected read of {table} without the item's key: its cost cannot be counted")
        return self._item_at(table, item) or item


def _as_maps(item: dict[str, Any]) -> dict[str, Any]:
    """A metrics item with its packed statistics as DynamoDB maps, as it was written before the packing."""
    from pynamodb.attributes import MapAttribute

    from chalicelib.store.packed_json import unpack

    mapped = {k: v for k, v in item.items() if k not in ("results", "after", "means")}
    for packed, name in (("results", "pages"), ("after", "state")):
        if packed in item:
            mapped[name] = {"M": MapAttribute().serialize(unpack(item[packed]["B"]))}
    return mapped


def _projected(item: dict[str, Any] | None, index_keys: list[str], table_keys: list[str],
               projection: dict[str, Any]) -> dict[str, Any] | None:
    """The entry an index holds for ``item`` (None when the item lacks the index key: sparse)."""
    if item is None or not all(k in item for k in index_keys):
        return None
    if projection["ProjectionType"] == "ALL":
        return item
    kept = {*index_keys, *table_keys, *projection.get("NonKeyAttributes", [])}
    return {k: v for k, v in item.items() if k in kept}


def _memory(name: str) -> int:
    stage = json.loads((ROOT / ".chalice" / "config.json").read_text())["stages"]["dev"]
    return int(stage.get("lambda_functions", {}).get(name, {}).get("lambda_memory_size", 128))


def _timed_handlers(app: Any, recorder: Recorder) -> None:
    """Every queue handler adds its duration at its configured memory, as Lambda bills it."""
    for name, handler in list(app.handler_map.items()):
        def timed(event: Any, context: Any, _handler: Any = handler, _name: str = name) -> Any:
            started = time.perf_counter()
            try:
                return _handler(event, context)
            finally:
                recorder.usage.lambda_gb_seconds += (time.perf_counter() - started) * _memory(_name) / 1024
                recorder.usage.lambda_requests += 1
        app.handler_map[name] = timed


def tp5_run(revision: str, pages: int, replicates: int, seed: int, date: int) -> str:
    import random

    rng = random.Random(seed)
    blob = copy.deepcopy(BLOB)
    blob["test_build"]["revision"] = revision[:12]
    blob["testrun"]["date"] = date
    # tp5's pages are real sites (the fixture's ten): names of that length, numbered to reach ``pages``
    sites = list(BLOB["results"])
    names = [f"{i // len(sites)}.{sites[i % len(sites)]}" for i in range(pages)]
    blob["results"] = {name: [round(rng.gauss(200 + i, 4), 2) for _ in range(replicates)]
                       for i, name in enumerate(names)}
    return json.dumps(blob)


def _upload(http: Client, text: str):
    fields = sign_form(f"http://{HOST}/talos/api/load_test", {"data": quote(text), "user": "talos"}, KEY, SECRET)
    return http.http.post("/talos/api/load_test", body=form_body(fields),
                          headers={"Content-Type": "application/x-www-form-urlencoded", "Host": HOST})


def _api(recorder: Recorder, call: Any) -> Any:
    started = time.perf_counter()
    response = call()
    recorder.usage.lambda_gb_seconds += (time.perf_counter() - started) * _memory("api_handler") / 1024
    recorder.usage.lambda_requests += 1
    recorder.usage.api_requests += 1
    return response


def _phase(recorder: Recorder) -> Usage:
    """The usage since the last phase, and a fresh tally for the next."""
    done, recorder.usage = recorder.usage, Usage()
    return done


def measure(pages: int, replicates: int,
            detail: bool = False) -> tuple[dict[str, Usage], dict[str, Usage], dict[str, int]]:
    recorder = Recorder()
    recorder.install()  # before any client exists, PynamoDB's included
    with mock_aws():
        resources.deploy()
        projects.create("talos", KEY, SECRET)
        branches.put("Mozilla-Inbound", "integration/mozilla-inbound", [])
        nodes = []
        for push_id in (1, 2):
            push = {"node": hashlib.sha1(f"push {push_id}".encode()).hexdigest(), "author": "a", "desc": "d"}  # noqa: S324
            pushes.store("Mozilla-Inbound", push_id, 1343674800 + push_id * 600, "u", [push])
            nodes.append(push["node"])
        from app import app

        _timed_handlers(app, recorder)
        pump = Pump(app, schedules=False)
        queues = [config.queue_name(q) for q in (config.PROCESSING_QUEUE, config.METRICS_QUEUE)]
        run_sizes: dict[str, int] = {}
        with Client(app, stage_name="bench") as http:
            # the series' first run: its costs are not the run's
            assert _upload(http, tp5_run(nodes[0], pages, replicates, 1, 1343675400)).status_code == 200
            for name in queues:
                pump.drain(name, max_batches=20)
            _phase(recorder)
            recorder.metrics_item_bytes = recorder.metrics_map_bytes = 0
            text = tp5_run(nodes[1], pages, replicates, 2, 1343676000)
            run_sizes["blob_bytes"] = len(text.encode())
            phases: dict[str, Usage] = {}
            recorder.detail = detail
            response = _api(recorder, lambda: _upload(http, text))
            assert response.status_code == 200, response.body
            phases["upload (POST load_test)"] = _phase(recorder)
            pump.drain(queues[0], max_batches=20)
            phases["loading (process)"] = _phase(recorder)
            pump.drain(queues[1], max_batches=20)
            phases["metrics and alerts"] = _phase(recorder)
            recorder.detail = False
            run_sizes["metrics_item_bytes"] = recorder.metrics_item_bytes
            run_sizes["metrics_map_bytes"] = recorder.metrics_map_bytes
            revision = nodes[1][:12]
            reads: dict[str, Usage] = {}
            for path in read_paths(revision):
                response = _api(recorder, lambda p=path: http.http.get(p))
                assert response.status_code == 200, (path, response.status_code, response.body[:300])
                reads[path] = _phase(recorder)
    return phases, reads, run_sizes


def read_paths(revision: str) -> list[str]:
    return [
        "/talos/refdata/objectstore/json_blob/2",
        "/talos/refdata/objectstore/error_count?days_ago=1",
        "/talos/refdata/objectstore/error_list?days_ago=1",
        "/talos/refdata/objectstore/db_size",
        "/talos/refdata/perftest/runs_by_branch?days_ago=5000&show_test_runs=true",
        "/talos/refdata/perftest/ref_data/pages",
        "/talos/refdata/perftest/db_size",
        f"/talos/testdata/raw/Mozilla-Inbound/{revision}/",
        f"/talos/testdata/metrics/Mozilla-Inbound/{revision}/",
        f"/talos/testdata/metrics/Mozilla-Inbound/{revision}/summary",
        f"/talos/testdata/metrics/Mozilla-Inbound/{revision}/pushlog?test_name=Talos%20tp5n&page_name=0.cnn.com",
        "/refdata/pushlog/list?days_ago=5000",
        "/refdata/pushlog/branches",
    ]


def _row(name: str, usage: Usage) -> str:
    return (f"| {name} | {len(usage.calls)} | {usage.write_units:g} | {usage.read_units:g} | "
            f"{usage.s3_puts}/{usage.s3_gets} | {usage.s3_bytes_in + usage.s3_bytes_out:,} | {usage.sqs_requests} | "
            f"{usage.lambda_gb_seconds:.4f} | ${usage.dollars() * 1e6:,.1f} |")


def report(pages: int, replicates: int, detail: bool = False) -> None:
    phases, reads, sizes = measure(pages, replicates, detail)
    header = ("| phase | AWS calls | DynamoDB WCU | DynamoDB RCU | S3 PUT/GET | S3 bytes | SQS requests | "
              "Lambda GB-s | $ per million |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    run = Usage()
    for usage in phases.values():
        run.add(usage)
    print(f"One tp5-sized run ({pages} pages x {replicates} replicates, blob {sizes['blob_bytes']:,} bytes), "
          f"prices on-demand us-east-1 as of {PRICES_AS_OF}\n")
    print(header)
    for name, usage in phases.items():
        print(_row(name, usage))
    print(_row("**whole run**", run))
    stats_kb, maps_kb = sizes["metrics_item_bytes"] / KB, sizes["metrics_map_bytes"] / KB
    print(f"\nper-page statistics kept: {stats_kb:.1f} KB packed, {maps_kb:.1f} KB as DynamoDB maps (how they were "
          f"kept when the goal was set); DynamoDB write units per run {run.write_units:g} = "
          f"{run.write_units / stats_kb:.2f} x the packed KB, {run.write_units / maps_kb:.2f} x the maps' KB "
          f"(goal <= 1.5)")
    for name, usage in phases.items():
        print(f"  {name}: {', '.join(usage.calls)}")
    print("\nRead endpoints, one call each\n")
    print(header)
    for path, usage in reads.items():
        print(_row(f"`GET {path}`", usage))
    stored_gb_per_run = run.s3_bytes_in / 1e9  # the blob and the packed replicates
    print(f"\nModelled monthly bill (30 days; storage: one month of runs at month end; reads: each run's "
          f"metrics and summary read {READS_PER_RUN} times)\n")
    print("| runs/day | runs | DynamoDB (run path) | S3 | SQS | Lambda | API Gateway | storage | reads | total |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    per_read = sum(usage.dollars() for path, usage in reads.items() if "/testdata/metrics/" in path
                   and "pushlog" not in path)
    for per_day in (1_000, 100_000):
        n = per_day * DAYS_A_MONTH
        dynamo = n * (run.write_units * PRICE["dynamodb_write_unit"] + run.read_units * PRICE["dynamodb_read_unit"])
        s3 = n * (run.s3_puts * PRICE["s3_put"] + run.s3_gets * PRICE["s3_get"])
        sqs = n * run.sqs_requests * PRICE["sqs_request"]
        lam = n * (run.lambda_gb_seconds * PRICE["lambda_gb_second"] + run.lambda_requests * PRICE["lambda_request"])
        api = n * run.api_requests * PRICE["api_gateway_request"]
        storage = n * (stored_gb_per_run * PRICE["s3_gb_month"]
                       + sizes["metrics_item_bytes"] * 3 / 1e9 * PRICE["dynamodb_gb_month"])
        read = n * READS_PER_RUN * per_read
        total = dynamo + s3 + sqs + lam + api + storage + read
        print(f"| {per_day:,} | {n:,} | ${dynamo:,.2f} | ${s3:,.2f} | ${sqs:,.2f} | ${lam:,.2f} | ${api:,.2f} | "
              f"${storage:,.2f} | ${read:,.2f} | ${total:,.2f} |")


READS_PER_RUN = 2


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--replicates", type=int, default=25)
    parser.add_argument("--detail", action="store_true", help="print each DynamoDB call of the run with its units")
    args = parser.parse_args(argv)
    report(args.pages, args.replicates, args.detail)


if __name__ == "__main__":
    main()

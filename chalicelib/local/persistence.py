"""Keeping the local stack's data across restarts.

moto keeps everything in memory. On a clean stop the local stack dumps what
Shipyard stored, and on the next start (after the template is deployed) puts
it back:

- every DynamoDB table of the prefix, scanned (not a request path) and kept in
  DynamoDB JSON, one item per line;
- every object of the blob bucket, its bytes in a file and its content type
  and metadata in an index;
- the messages waiting in every queue of the prefix, dead-letter queues
  included (received with a long visibility timeout, so each is read once;
  the stack is stopping, nothing else reads them).

Where: ``$SHIPYARD_STATE_DIR`` or ``.shipyard/local/`` in the checkout
(git-ignored), under ``state/``. The dump is written to a temporary directory
and renamed into place, so a crash during a dump leaves the previous state
whole. ``FRESH=1`` (``make run FRESH=1``) deletes the saved state first and
starts empty.

What is not kept: SQS receive counts and message ids (a restored message is a
new message), and messages a handler holds at the moment of the dump (the pump
is stopped first, so there are none in a clean stop).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import os
import shutil
import uuid
from pathlib import Path
from typing import Any, Iterator

from chalicelib import config
from chalicelib.store.clients import client

log = logging.getLogger(__name__)

FORMAT = 1
REPO_ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = "state"
_PREVIOUS = "state.old"
_DUMP_VISIBILITY_SECONDS = 900


def state_dir() -> Path:
    """Where the local stack keeps its files (``SHIPYARD_STATE_DIR`` overrides)."""
    override = os.environ.get("SHIPYARD_STATE_DIR")
    return Path(override).expanduser().resolve() if override else REPO_ROOT / ".shipyard" / "local"


def fresh_requested() -> bool:
    """``FRESH=1`` asks for an empty start."""
    return os.environ.get("FRESH", "").strip().lower() in ("1", "true", "yes", "on")


def _current(base: Path) -> Path | None:
    """The saved snapshot; the previous one if a dump crashed between its two renames."""
    for name in (SNAPSHOT, _PREVIOUS):
        candidate = base / name
        if (candidate / "manifest.json").is_file():
            return candidate
    return None


def discard(base: Path | None = None) -> None:
    """Delete the saved state (``FRESH=1``)."""
    base = base or state_dir()
    for name in (SNAPSHOT, _PREVIOUS):
        shutil.rmtree(base / name, ignore_errors=True)
    log.info("saved local state discarded")


# --- DynamoDB JSON with binary values kept as base64, as on the wire ---------------------------


def _to_json(value: dict[str, Any]) -> dict[str, Any]:
    (kind, inner), = value.items()
    if kind == "B":
        return {"B": base64.b64encode(bytes(inner)).decode("ascii")}
    if kind == "BS":
        return {"BS": [base64.b64encode(bytes(b)).decode("ascii") for b in inner]}
    if kind == "M":
        return {"M": {k: _to_json(v) for k, v in inner.items()}}
    if kind == "L":
        return {"L": [_to_json(v) for v in inner]}
    return value


def _from_json(value: dict[str, Any]) -> dict[str, Any]:
    (kind, inner), = value.items()
    if kind == "B":
        return {"B": base64.b64decode(inner)}
    if kind == "BS":
        return {"BS": [base64.b64decode(b) for b in inner]}
    if kind == "M":
        return {"M": {k: _from_json(v) for k, v in inner.items()}}
    if kind == "L":
        return {"L": [_from_json(v) for v in inner]}
    return value


# --- names of the prefix's resources -----------------------------------------------------------


def _logical(name: str, prefix: str) -> str | None:
    head = f"{prefix}-"
    return name[len(head):] if name.startswith(head) else None


def _tables(prefix: str) -> Iterator[tuple[str, str]]:
    for page in client("dynamodb").get_paginator("list_tables").paginate():
        for name in page.get("TableNames", []):
            logical = _logical(name, prefix)
            if logical:
                yield logical, name


def _queues(prefix: str) -> list[tuple[str, str]]:
    """(logical name, url) of the prefix's queues, dead-letter queues last.

    Receiving from a queue can move messages to its dead-letter queue (after
    maxReceiveCount), so source queues are read before their DLQs.
    """
    urls = client("sqs").list_queues(QueueNamePrefix=f"{prefix}-").get("QueueUrls", [])
    found = []
    for url in urls:
        logical = _logical(url.rsplit("/", 1)[-1], prefix)
        if logical:
            found.append((logical, url))
    return sorted(found, key=lambda q: ("-dlq" in q[0], q[0]))


# --- dump --------------------------------------------------------------------------------------


def dump(prefix: str | None = None, base: Path | None = None) -> dict[str, Any]:
    """Write tables, blobs and waiting messages to the state directory; returns counts."""
    prefix = prefix or config.prefix()
    base = base or state_dir()
    base.mkdir(parents=True, exist_ok=True)
    for stale in base.glob(".state.tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)
    tmp = base / f".state.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        summary = {
            "format": FORMAT,
            "prefix": prefix,
            "saved_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "tables": _dump_tables(prefix, tmp / "dynamodb"),
            "objects": _dump_bucket(tmp / "s3"),
            "messages": _dump_queues(prefix, tmp / "sqs"),
        }
        (tmp / "manifest.json").write_text(json.dumps(summary, indent=2))
        _swap_in(tmp, base)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    log.info("local state saved to %s: %s", base / SNAPSHOT, _describe(summary))
    return summary


def _swap_in(tmp: Path, base: Path) -> None:
    current, previous = base / SNAPSHOT, base / _PREVIOUS
    if current.exists():
        shutil.rmtree(previous, ignore_errors=True)
        current.rename(previous)
    tmp.rename(current)
    shutil.rmtree(previous, ignore_errors=True)


def _dump_tables(prefix: str, out: Path) -> dict[str, int]:
    out.mkdir()
    counts = {}
    ddb = client("dynamodb")
    for logical, name in _tables(prefix):
        n = 0
        with (out / f"{logical}.jsonl").open("w") as f:
            for page in ddb.get_paginator("scan").paginate(TableName=name, ConsistentRead=True):
                for item in page.get("Items", []):
                    f.write(json.dumps({k: _to_json(v) for k, v in item.items()}) + "\n")
                    n += 1
        counts[logical] = n
    return counts


_OBJECT_FIELDS = ("ContentType", "ContentEncoding", "ContentDisposition", "ContentLanguage", "CacheControl")


def _dump_bucket(out: Path) -> int:
    (out / "objects").mkdir(parents=True)
    s3 = client("s3")
    bucket = config.bucket_name()
    index = []
    try:
        pages = list(s3.get_paginator("list_objects_v2").paginate(Bucket=bucket))
    except s3.exceptions.NoSuchBucket:
        log.warning("bucket %s does not exist; no blobs saved", bucket)
        pages = []
    for page in pages:
        for summary in page.get("Contents", []):
            obj = s3.get_object(Bucket=bucket, Key=summary["Key"])
            file_name = f"{len(index):08d}"
            (out / "objects" / file_name).write_bytes(obj["Body"].read())
            entry = {"key": summary["Key"], "file": file_name, "metadata": obj.get("Metadata", {})}
            entry.update({field: obj[field] for field in _OBJECT_FIELDS if obj.get(field)})
            index.append(entry)
    (out / "index.json").write_text(json.dumps(index, indent=1))
    return len(index)


def _dump_queues(prefix: str, out: Path) -> dict[str, int]:
    out.mkdir()
    sqs = client("sqs")
    counts = {}
    for logical, url in _queues(prefix):
        messages = []
        while True:
            response = sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                VisibilityTimeout=_DUMP_VISIBILITY_SECONDS,
                AttributeNames=["All"], MessageAttributeNames=["All"],
            )
            batch = response.get("Messages", [])
            if not batch:
                break
            for m in batch:
                saved: dict[str, Any] = {"body": m["Body"]}
                if m.get("MessageAttributes"):
                    saved["attributes"] = _attrs_to_json(m["MessageAttributes"])
                for field in ("MessageGroupId", "MessageDeduplicationId"):
                    if m.get("Attributes", {}).get(field):
                        saved[field] = m["Attributes"][field]
                messages.append(saved)
        (out / f"{logical}.json").write_text(json.dumps(messages))
        counts[logical] = len(messages)
    return counts


def _attrs_to_json(attributes: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for name, attr in attributes.items():
        attr = dict(attr)
        if "BinaryValue" in attr:
            attr["BinaryValue"] = base64.b64encode(attr["BinaryValue"]).decode("ascii")
        attr.pop("BinaryListValues", None)
        attr.pop("StringListValues", None)
        out[name] = attr
    return out


def _attrs_from_json(attributes: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for name, attr in attributes.items():
        attr = dict(attr)
        if "BinaryValue" in attr:
            attr["BinaryValue"] = base64.b64decode(attr["BinaryValue"])
        out[name] = attr
    return out


# --- restore -----------------------------------------------------------------------------------


def restore(prefix: str | None = None, base: Path | None = None) -> dict[str, Any] | None:
    """Put saved state into the freshly deployed resources; None when nothing is saved."""
    prefix = prefix or config.prefix()
    base = base or state_dir()
    snapshot = _current(base)
    if snapshot is None:
        log.info("no saved local state in %s; starting empty", base)
        return None
    manifest = json.loads((snapshot / "manifest.json").read_text())
    if manifest.get("format") != FORMAT:
        raise RuntimeError(f"saved state in {snapshot} has format {manifest.get('format')}, expected {FORMAT}; "
                           "start with FRESH=1 to discard it")
    summary = {
        "format": FORMAT,
        "prefix": prefix,
        "saved_at": manifest.get("saved_at"),
        "tables": _restore_tables(prefix, snapshot / "dynamodb"),
        "objects": _restore_bucket(snapshot / "s3"),
        "messages": _restore_queues(prefix, snapshot / "sqs"),
    }
    log.info("local state restored from %s: %s", snapshot, _describe(summary))
    return summary


def _restore_tables(prefix: str, src: Path) -> dict[str, int]:
    ddb = client("dynamodb")
    existing = dict(_tables(prefix))
    counts = {}
    for path in sorted(src.glob("*.jsonl")):
        logical = path.stem
        if logical not in existing:
            log.warning("saved table %s is not in the template any more; skipped", logical)
            continue
        name = existing[logical]
        batch: list[dict[str, Any]] = []
        n = 0
        with path.open() as f:
            for line in f:
                if not line.strip():
                    continue
                item = {k: _from_json(v) for k, v in json.loads(line).items()}
                batch.append({"PutRequest": {"Item": item}})
                if len(batch) == 25:
                    n += _write_batch(ddb, name, batch)
                    batch = []
        if batch:
            n += _write_batch(ddb, name, batch)
        counts[logical] = n
    return counts


def _write_batch(ddb: Any, table: str, requests: list[dict[str, Any]]) -> int:
    pending = {table: requests}
    for _ in range(10):
        pending = ddb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
        if not pending:
            return len(requests)
    raise RuntimeError(f"could not restore items into {table}")


def _restore_bucket(src: Path) -> int:
    index_file = src / "index.json"
    if not index_file.is_file():
        return 0
    s3 = client("s3")
    bucket = config.bucket_name()
    index = json.loads(index_file.read_text())
    for entry in index:
        extra = {field: entry[field] for field in _OBJECT_FIELDS if entry.get(field)}
        s3.put_object(Bucket=bucket, Key=entry["key"], Body=(src / "objects" / entry["file"]).read_bytes(),
                      Metadata=entry.get("metadata", {}), **extra)
    return len(index)


def _restore_queues(prefix: str, src: Path) -> dict[str, int]:
    sqs = client("sqs")
    existing = dict(_queues(prefix))
    counts = {}
    for path in sorted(src.glob("*.json")):
        logical = path.stem
        messages = json.loads(path.read_text())
        if logical not in existing:
            if messages:
                log.warning("saved queue %s is not in the template any more; %d message(s) skipped",
                            logical, len(messages))
            continue
        for start in range(0, len(messages), 10):
            entries = []
            for i, saved in enumerate(messages[start:start + 10]):
                entry: dict[str, Any] = {"Id": str(i), "MessageBody": saved["body"]}
                if saved.get("attributes"):
                    entry["MessageAttributes"] = _attrs_from_json(saved["attributes"])
                for field in ("MessageGroupId", "MessageDeduplicationId"):
                    if saved.get(field):
                        entry[field] = saved[field]
                entries.append(entry)
            response = sqs.send_message_batch(QueueUrl=existing[logical], Entries=entries)
            if response.get("Failed"):
                raise RuntimeError(f"could not restore {len(response['Failed'])} message(s) into {logical}")
        counts[logical] = len(messages)
    return counts


def _describe(summary: dict[str, Any]) -> str:
    rows = sum(summary["tables"].values())
    messages = sum(summary["messages"].values())
    return f"{rows} item(s) in {len(summary['tables'])} table(s), {summary['objects']} blob(s), {messages} message(s)"

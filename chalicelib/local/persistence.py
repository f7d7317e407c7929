"""The local stack's data on disk: a snapshot, a journal of every change since, and the blobs.

moto keeps everything in memory. To make an acknowledged write survive the
process being killed at any moment, the local stack keeps its data the way
embedded databases do (the why is in docs/local-stack.md):

- ``journal-<generation>.log``: every request that changed a table, the blob
  bucket or a queue appends one frame with the new image of each item, object
  and message it touched (or its deletion), and its response waits until the
  frame is on disk (``journal.py``: CRC-checked frames, group commit);
- ``blobs/<sha256>``: object bodies, content-addressed, on disk before the
  frame that names them (so frames stay small and a snapshot never copies a
  body);
- ``snapshot/``: the whole state at some moment, one record per line, and the
  first journal generation that follows it. Writing one is *compaction*: the
  state is read and a new journal generation opened under the write lock (a
  few hundred milliseconds at most), the files are written outside it, then
  renamed into place, and older generations deleted.

On start: the snapshot is applied, then every journal generation it does not
cover, in order, a torn tail dropped; then a fresh compaction makes that the
new snapshot. A clean stop only closes the journal (constant time); the
journal is also compacted while running once it outgrows ``COMPACT_BYTES``.

Where: ``$SHIPYARD_STATE_DIR`` or ``.shipyard/local/`` in the checkout
(git-ignored). ``FRESH=1`` (``make run FRESH=1``) deletes it all first. A
saved state of the previous format (``state/``, written by a clean stop)
is read once and replaced.

Not kept: SQS receive counts and visibility (a message in flight at a crash
is visible again at the next start, as if its visibility timeout had passed).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import threading
from pathlib import Path
from typing import Any, Iterable, Iterator

from chalicelib import config
from chalicelib.local import embedded_aws, journal, journal_images, snapshots

log = logging.getLogger(__name__)

FORMAT = 2
REPO_ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = "snapshot"
BLOBS = "blobs"
_LEGACY = ("state", "state.old")
COMPACT_BYTES = int(os.environ.get("SHIPYARD_JOURNAL_COMPACT_BYTES", str(64 << 20)))


def state_dir() -> Path:
    """Where the local stack keeps its files (``SHIPYARD_STATE_DIR`` overrides)."""
    override = os.environ.get("SHIPYARD_STATE_DIR")
    return Path(override).expanduser().resolve() if override else REPO_ROOT / ".shipyard" / "local"


def fresh_requested() -> bool:
    """``FRESH=1`` asks for an empty start."""
    return os.environ.get("FRESH", "").strip().lower() in ("1", "true", "yes", "on")


def durable_requested() -> bool:
    """``SHIPYARD_FSYNC=0`` skips the disk flush (data then survives a killed process, not a power cut)."""
    return os.environ.get("SHIPYARD_FSYNC", "1").strip().lower() not in ("0", "false", "no", "off")


def discard(base: Path | None = None) -> None:
    """Delete the saved data (``FRESH=1``)."""
    base = base or state_dir()
    for name in (SNAPSHOT, BLOBS, *_LEGACY):
        shutil.rmtree(base / name, ignore_errors=True)
    for path in _journals(base):
        path.unlink(missing_ok=True)
    for stale in base.glob(".snapshot.tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)
    log.info("saved local state discarded")


def _journals(base: Path) -> list[Path]:
    return sorted(base.glob("journal-*.log"), key=_generation)


def _generation(path: Path) -> int:
    return int(path.stem.split("-", 1)[1])


# --- blobs ---------------------------------------------------------------------------------------


class BlobStore:
    """Object bodies by SHA-256, each on disk (written, flushed, renamed) before it is named."""

    def __init__(self, root: Path, durable: bool) -> None:
        self.root = root
        self.durable = durable
        root.mkdir(parents=True, exist_ok=True)

    def put(self, body: bytes) -> str:
        digest = hashlib.sha256(body).hexdigest()
        final = self.root / digest
        if final.exists():
            return digest
        tmp = self.root / f".{digest}.{threading.get_ident()}"
        with tmp.open("wb") as f:
            f.write(body)
            if self.durable:
                f.flush()
                os.fdatasync(f.fileno())
        os.replace(tmp, final)
        if self.durable:
            journal.fsync_dir(self.root)
        return digest

    def get(self, digest: str) -> bytes | None:
        try:
            return (self.root / digest).read_bytes()
        except FileNotFoundError:
            return None

    def keep_only(self, digests: set[str]) -> int:
        removed = 0
        for path in self.root.iterdir():
            if path.name not in digests:
                path.unlink(missing_ok=True)
                removed += 1
        return removed


# --- records on disk: object bodies by digest ---------------------------------------------------


def _stored(record: dict[str, Any], blobs: BlobStore) -> dict[str, Any]:
    if record["kind"] != "object" or record.get("body") is None:
        return record
    stored = dict(record)
    stored["sha256"] = blobs.put(stored.pop("body"))
    return stored


def _loaded(records: Iterable[dict[str, Any]], blobs: BlobStore) -> Iterator[dict[str, Any]]:
    for record in records:
        if record["kind"] == "object" and "sha256" in record:
            body = blobs.get(record["sha256"])
            if body is None:
                log.error("blob %s of s3://%s/%s is missing; object not restored", record["sha256"],
                          record["bucket"], record["key"])
                continue
            record = dict(record, body=body)
        yield record


# --- the store: journal + snapshot --------------------------------------------------------------


class Store:
    """The change sink of the running stack (``embedded_aws.ChangeSink``) and its compaction."""

    def __init__(self, base: Path, prefix: str, region: str, bucket: str, durable: bool = True,
                 compact_bytes: int = COMPACT_BYTES) -> None:
        self.base = base
        self.prefix, self.region, self.bucket = prefix, region, bucket
        self.durable = durable
        self.compact_bytes = compact_bytes
        base.mkdir(parents=True, exist_ok=True)
        self.blobs = BlobStore(base / BLOBS, durable)
        self.journal: journal.Journal | None = None
        self._generation = 0
        self._compacting = threading.Lock()

    # -- ChangeSink

    def append(self, records: list[dict[str, Any]]) -> Any:
        assert self.journal is not None, "store not open"
        payload = json.dumps([_stored(r, self.blobs) for r in records], separators=(",", ":"),
                             default=journal_images.json_default).encode()
        current = self.journal
        token = (current, current.append(payload))
        if current.size > self.compact_bytes and not self._compacting.locked():
            threading.Thread(target=self._compact_quietly, name="journal-compaction", daemon=True).start()
        return token

    def sync(self, token: Any) -> None:
        current, seq = token
        current.sync(seq)

    # -- start and stop

    def recover(self) -> dict[str, Any]:
        """Apply the snapshot and the journal that follows it; compact; start journaling."""
        with embedded_aws.LOCK:
            embedded_aws.set_sink(None)
            summary = self._replay()
        self.compact(collect_garbage=True)
        embedded_aws.set_sink(self)
        return summary

    def close(self) -> None:
        """Stop journaling; everything appended is on disk when this returns.

        A change attempted afterwards (a handler or request still running as
        the stack stops) fails instead of being acknowledged unsaved.
        """
        with embedded_aws.LOCK:
            embedded_aws.set_sink(embedded_aws.REFUSING)
            if self.journal is not None:
                self.journal.close()
                self.journal = None

    def _replay(self) -> dict[str, Any]:
        counts = {"items": 0, "objects": 0, "messages": 0, "skipped": 0, "frames": 0, "torn_bytes": 0}
        manifest = _read_manifest(self.base / SNAPSHOT)
        first_generation = 0
        if manifest is not None:
            first_generation = manifest["journal_from"]
            _add(counts, snapshots.apply(_loaded(_snapshot_records(self.base / SNAPSHOT), self.blobs),
                                            self.region))
        else:
            legacy = _legacy_records(self.base, self.prefix, self.bucket)
            if legacy is not None:
                _add(counts, snapshots.apply(legacy, self.region))
        for path in _journals(self.base):
            if _generation(path) < first_generation:
                continue
            scan = journal.read(path)
            journal.cut_torn_tail(path, scan)
            counts["torn_bytes"] += scan.torn_bytes
            for payload in scan.payloads:
                counts["frames"] += 1
                _add(counts, snapshots.apply(_loaded(json.loads(payload), self.blobs), self.region))
        self._generation = max([first_generation - 1, *(_generation(p) for p in _journals(self.base))])
        return counts

    # -- compaction

    def compact(self, collect_garbage: bool = False) -> dict[str, int]:
        """Write the current state as the snapshot and continue in a new journal generation."""
        with self._compacting:
            with embedded_aws.LOCK:
                records = list(snapshots.state(self.prefix, self.region, self.bucket))
                if self.journal is not None:
                    self.journal.close()
                self._generation += 1
                self.journal = journal.Journal(self.base / f"journal-{self._generation:08d}.log", self.durable)
                generation = self._generation
            counts = self._write_snapshot(records, generation)
            for path in _journals(self.base):
                if _generation(path) < generation:
                    path.unlink(missing_ok=True)
            if collect_garbage:
                self.blobs.keep_only({r["sha256"] for r in _snapshot_records(self.base / SNAPSHOT)
                                      if "sha256" in r})
            return counts

    def _compact_quietly(self) -> None:
        try:
            self.compact()
        except Exception:  # noqa: BLE001 - the journal goes on; the next trigger retries
            log.exception("journal compaction failed; the journal keeps growing until the next one")

    def _write_snapshot(self, records: list[dict[str, Any]], generation: int) -> dict[str, int]:
        tmp = self.base / f".snapshot.tmp-{os.getpid()}-{generation}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        counts = {"items": 0, "objects": 0, "messages": 0}
        with (tmp / "records.jsonl").open("w") as f:
            for record in records:
                counts[record["kind"] + "s"] += 1
                f.write(json.dumps(_stored(record, self.blobs), separators=(",", ":"),
                                   default=journal_images.json_default) + "\n")
            f.flush()
            if self.durable:
                os.fsync(f.fileno())
        manifest = {"format": FORMAT, "journal_from": generation, "prefix": self.prefix,
                    "saved_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), **counts}
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2))
        _swap_in(tmp, self.base / SNAPSHOT, self.durable)
        for name in _LEGACY:
            shutil.rmtree(self.base / name, ignore_errors=True)
        return counts


def _add(total: dict[str, int], more: dict[str, int]) -> None:
    for key, value in more.items():
        total[key] = total.get(key, 0) + value


def _read_manifest(snapshot: Path) -> dict[str, Any] | None:
    try:
        manifest = json.loads((snapshot / "manifest.json").read_text())
    except FileNotFoundError:
        return None
    if manifest.get("format") != FORMAT:
        raise RuntimeError(f"saved state in {snapshot} has format {manifest.get('format')}, expected {FORMAT}; "
                           "start with FRESH=1 to discard it")
    return manifest


def _snapshot_records(snapshot: Path) -> Iterator[dict[str, Any]]:
    with (snapshot / "records.jsonl").open() as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def _swap_in(tmp: Path, current: Path, durable: bool) -> None:
    """Replace ``current`` with ``tmp``; a crash leaves one of the two whole under a known name."""
    previous = current.with_name(current.name + ".old")
    if current.exists():
        shutil.rmtree(previous, ignore_errors=True)
        current.rename(previous)
    tmp.rename(current)
    if durable:
        journal.fsync_dir(current.parent)
    shutil.rmtree(previous, ignore_errors=True)


# --- the previous format (a dump written by a clean stop) ---------------------------------------


def _legacy_records(base: Path, prefix: str, bucket: str) -> Iterator[dict[str, Any]] | None:
    for name in _LEGACY:
        if (base / name / "manifest.json").is_file():
            log.info("reading saved state of the previous format from %s", base / name)
            return _legacy_iter(base / name, prefix, bucket)
    return None


def _legacy_iter(src: Path, prefix: str, bucket: str) -> Iterator[dict[str, Any]]:
    for path in sorted((src / "dynamodb").glob("*.jsonl")):
        with path.open() as f:
            for line in f:
                if line.strip():
                    yield {"kind": "item", "table": f"{prefix}-{path.stem}", "item": json.loads(line)}
    index_file = src / "s3" / "index.json"
    if index_file.is_file():
        for entry in json.loads(index_file.read_text()):
            metadata = {f"x-amz-meta-{k}": v for k, v in entry.get("metadata", {}).items()}
            if entry.get("ContentType"):
                metadata["Content-Type"] = entry["ContentType"]
            yield {"kind": "object", "bucket": bucket, "key": entry["key"], "metadata": metadata,
                   "body": (src / "s3" / "objects" / entry["file"]).read_bytes()}
    for path in sorted((src / "sqs").glob("*.json")):
        for i, saved in enumerate(json.loads(path.read_text())):
            attributes = {}
            for attr_name, attr in (saved.get("attributes") or {}).items():
                attr = dict(attr)
                if "BinaryValue" in attr:
                    attr["BinaryValue"] = base64.b64decode(attr["BinaryValue"])
                attributes[attr_name] = attr
            yield {"kind": "message", "queue": f"{prefix}-{path.stem}", "id": f"restored-{path.stem}-{i}",
                   "body": saved["body"], "attributes": journal_images.jsonable(attributes),
                   "group": saved.get("MessageGroupId"), "dedup": saved.get("MessageDeduplicationId")}


def open_store(base: Path | None = None) -> Store:
    """The store of this checkout's (or ``SHIPYARD_STATE_DIR``'s) local stack."""
    return Store(base or state_dir(), config.prefix(), config.region(), config.bucket_name(),
                 durable=durable_requested())

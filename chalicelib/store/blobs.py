"""Blobs in S3, byte for byte as they were received, and their objectstore ids.

Ids are taken from the project's counter in blocks of ``ID_BLOCK`` per
container (one UpdateItem per block, not one per upload: the counter was the
slowest call and a write unit of every upload, benchmarks/ingest.py and
benchmarks/cost.py). Ids stay unique (each block is an atomic ADD) and
increase within a container; across containers they interleave, and a
container that ends leaves the rest of its block unused, as MySQL's
AUTO_INCREMENT leaves gaps. Datazilla's clients only ever follow the id a
response gave them (``json_blob/<id>``), and Shipyard orders runs by push and
date, never by id alone.
"""

from __future__ import annotations

import re
import threading

from botocore.exceptions import ClientError

from chalicelib import config
from chalicelib.store import clients, counters
from chalicelib.store.clients import client

ID_BLOCK = 100
_blocks: dict[str, tuple[int, int]] = {}  # project -> (next id, last id of the block)
_blocks_lock = threading.Lock()


OBJECTSTORE_PREFIX = "objectstore/"  # the bucket notifies the processing queue of every blob stored under it
_OBJECTSTORE_KEY = re.compile(r"objectstore/([^/]+)/([0-9]{12,})\.json")


def objectstore_key(project: str, row_id: int) -> str:
    return f"{OBJECTSTORE_PREFIX}{project}/{row_id:012d}.json"


def row_of_key(key: str) -> tuple[str, int] | None:
    """The project and objectstore id a blob's key names; None for a key ``objectstore_key`` never makes."""
    found = _OBJECTSTORE_KEY.fullmatch(key)
    return None if found is None else (found.group(1), int(found.group(2)))


def put(key: str, body: bytes) -> None:
    client("s3").put_object(
        Bucket=config.bucket_name(), Key=key, Body=body, ContentType="application/json"
    )


def legacy_bytes_counter(project: str) -> str:
    """Bytes of blobs queue ingest stored before blob bytes were counted when their rows finish."""
    return f"blob_bytes#{project}"


def ids_counter(project: str) -> str:
    """The project's objectstore ids (the last id handed out in a block).

    Its running total is the bytes of the blobs uploaded before ids came in
    blocks, when each upload counted its bytes with its id.
    """
    return f"objectstore#{project}"


def new_row_id(project: str) -> int:
    """The next objectstore id of a project, from this container's block (a new block when it runs out)."""
    with _blocks_lock:
        following, last = _blocks.get(project, (1, 0))
        if following > last:
            last = counters.next_value(ids_counter(project), ID_BLOCK)
            following = last - ID_BLOCK + 1
        _blocks[project] = (following + 1, last)
        return following


def _forget_blocks() -> None:
    with _blocks_lock:
        _blocks.clear()


clients.on_reset(_forget_blocks)


def get(key: str) -> bytes:
    return client("s3").get_object(Bucket=config.bucket_name(), Key=key)["Body"].read()


def get_if_stored(key: str) -> tuple[bytes, int] | None:
    """A blob and when it was stored (unix seconds); None if there is none under ``key``."""
    try:
        found = client("s3").get_object(Bucket=config.bucket_name(), Key=key)
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") == "NoSuchKey":
            return None
        raise
    return found["Body"].read(), int(found["LastModified"].timestamp())

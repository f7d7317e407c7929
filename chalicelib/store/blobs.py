"""Blobs in S3, byte for byte as they were received."""

from __future__ import annotations

from chalicelib import config
from chalicelib.store import counters
from chalicelib.store.clients import client


def objectstore_key(project: str, row_id: int) -> str:
    return f"objectstore/{project}/{row_id:012d}.json"


def put(key: str, body: bytes) -> None:
    client("s3").put_object(
        Bucket=config.bucket_name(), Key=key, Body=body, ContentType="application/json"
    )


def legacy_bytes_counter(project: str) -> str:
    """Bytes of blobs whose ids were taken without their size (and of every blob, before uploads counted both)."""
    return f"blob_bytes#{project}"


def ids_counter(project: str) -> str:
    """The project's objectstore ids; its running total is the bytes of the blobs uploaded with them."""
    return f"objectstore#{project}"


def new_row_id(project: str, size: int | None = None) -> int:
    """The next objectstore id of a project; with ``size``, the blob's bytes are counted in the same call."""
    if size is None:
        return counters.next_value(ids_counter(project))
    return counters.next_value_adding(ids_counter(project), size)


def count_bytes(project: str, size: int) -> None:
    """Add a recorded blob whose id was taken without its size (queue ingest) to the project's byte count."""
    counters.next_value(legacy_bytes_counter(project), size)


def get(key: str) -> bytes:
    return client("s3").get_object(Bucket=config.bucket_name(), Key=key)["Body"].read()

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


def count_bytes(project: str, size: int) -> None:
    """Add a newly recorded blob to the project's byte count."""
    counters.next_value(f"blob_bytes#{project}", size)


def get(key: str) -> bytes:
    return client("s3").get_object(Bucket=config.bucket_name(), Key=key)["Body"].read()


def stored_bytes(project: str) -> int:
    """Bytes of blobs stored for a project, kept as a counter so no listing is needed."""
    return counters.current_value(f"blob_bytes#{project}")

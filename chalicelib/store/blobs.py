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


def _legacy_bytes_counter(project: str) -> str:
    return f"blob_bytes#{project}"


def _ids_counter(project: str) -> str:
    return f"objectstore#{project}"


def new_row_id(project: str, size: int | None = None) -> int:
    """The next objectstore id of a project; with ``size``, the blob's bytes are counted in the same call."""
    if size is None:
        return counters.next_value(_ids_counter(project))
    return counters.next_value_adding(_ids_counter(project), size)


def count_bytes(project: str, size: int) -> None:
    """Add a recorded blob whose id was taken without its size (queue ingest) to the project's byte count."""
    counters.next_value(_legacy_bytes_counter(project), size)


def get(key: str) -> bytes:
    return client("s3").get_object(Bucket=config.bucket_name(), Key=key)["Body"].read()


def stored_bytes(project: str) -> int:
    """Bytes of blobs stored for a project, kept as counters so no listing is needed (one BatchGetItem).

    Uploads count their bytes with their id (the id counter's total); queue
    ingest, whose id is taken before the blob is stored, counts separately.
    """
    found = counters.current_values([_ids_counter(project), _legacy_bytes_counter(project)])
    with_ids = found.get(_ids_counter(project))
    separate = found.get(_legacy_bytes_counter(project))
    return int((with_ids.total or 0) if with_ids else 0) + int(separate.value if separate else 0)

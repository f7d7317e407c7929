"""A loaded run's replicates in S3, packed as the metrics kernel reads them.

The blob as received stays in the objectstore; this is the same numbers once
more (for a run the metrics job will read them for: one loaded before its
push was synced, or too large for its summaries to travel in the metrics
message), in numpy's own ``.npz`` format (a page-length vector and a padded
float64 matrix, pages in name order). The metrics job then reads ~8 bytes a
replicate and no JSON, and the perftest item in DynamoDB carries no
replicates: a tp5 run's 2,500 numbers cost one S3 PUT here instead of ~25 write
units there (benchmarks/cost.py).
"""

from __future__ import annotations

import io

import numpy as np

from chalicelib import config
from chalicelib.store.clients import client


def key(project: str, test_run_id: int) -> str:
    return f"replicates/{project}/{test_run_id:012d}.npz"


def put(project: str, test_run_id: int, lengths: np.ndarray, matrix: np.ndarray) -> int:
    """Store a run's replicate matrix and return its size (writing it again replaces it: loading is idempotent)."""
    buffer = io.BytesIO()
    np.savez(buffer, lengths=np.asarray(lengths, dtype=np.int64), matrix=np.asarray(matrix, dtype=np.float64))
    client("s3").put_object(Bucket=config.bucket_name(), Key=key(project, test_run_id), Body=buffer.getvalue(),
                            ContentType="application/octet-stream")
    return buffer.getbuffer().nbytes


def get(project: str, test_run_id: int) -> tuple[np.ndarray, np.ndarray]:
    """(lengths, matrix) of a loaded run (the loader stores them before the run's record)."""
    found = find(project, test_run_id)
    if found is None:
        raise LookupError(f"no packed replicates for {project}/{test_run_id}")
    return found


def find(project: str, test_run_id: int) -> tuple[np.ndarray, np.ndarray] | None:
    """(lengths, matrix) of a loaded run, None when its loader did not store them (see ``loading``)."""
    s3 = client("s3")
    try:
        body = s3.get_object(Bucket=config.bucket_name(), Key=key(project, test_run_id))["Body"].read()
    except s3.exceptions.NoSuchKey:
        return None
    with np.load(io.BytesIO(body), allow_pickle=False) as packed:
        return packed["lengths"], packed["matrix"]

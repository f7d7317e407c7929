"""Marking an existing KernelCI job with a status (``POST /job``), retried while others change it."""

from __future__ import annotations

from typing import Any

from chalicelib.kernelci import keys
from chalicelib.store import kernelci as store

REPLACE_ATTEMPTS = 5
KEPT_FIELDS = ("git_commit", "git_describe", "kernel_version")


class JobNotFound(Exception):
    """No job has that tree, branch and kernel (nothing was written)."""


class JobContended(Exception):
    """The job changed under every attempt to mark it (nothing was written)."""


def mark(job_id: str, body: dict[str, Any], status: str) -> None:
    """Set the job's status, and the fields of ``KEPT_FIELDS`` the body gives."""
    changes = {k: body[k] for k in KEPT_FIELDS if body.get(k) is not None}
    for _ in range(REPLACE_ATTEMPTS):
        doc = store.get(keys.JOB, job_id)
        if doc is None:
            raise JobNotFound(job_id)
        try:
            store.replace(keys.JOB, {**doc, **changes, "status": status}, expected=doc)
            return
        except store.Conflict:
            continue
    raise JobContended(job_id)

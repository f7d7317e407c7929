"""The objectstore: one row per blob received, whatever its fate.

Rows live in DynamoDB; the blob itself lives in S3 under ``s3_key``. Three
sparse indexes serve the read paths, so no request ever scans:

- ``by_revision``: rows that were loaded (or failed to load) for a branch and
  revision, for the raw endpoint;
- ``errors_by_date``: rows with an error, by load date, for error_count/list;
- ``pending_by_date``: rows not yet complete, by load date, for the sweeper
  that re-queues blobs whose processing message was lost. It projects only
  what the sweeper reads (the keys, ``requeues``, ``last_error``, ``size``): claiming a
  row changes attributes it does not hold, so the claim writes no index copy
  (DynamoDB writes an index only when an attribute it projects changes).

A loaded row keeps its reference data but not its page names: they are the
blob's own ``results`` keys (the raw endpoint reads the blob anyway) and the
run's perftest record keeps them too; on the row they were a kilobyte copied
into ``by_revision``, two write units of every run (benchmarks/cost.py).
"""

from __future__ import annotations

import time
from typing import Any, Iterator

from pynamodb.attributes import (
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.expressions.update import Action
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model

from chalicelib.store.base import table_meta
from chalicelib.store.errors import write_unless_refused

READY = "ready"
LOADING = "loading"
COMPLETE = "complete"
PENDING = "Y"  # the one value of the sparse pending index's hash key


class ByRevision(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_revision"
        projection = AllProjection()

    branch_key = UnicodeAttribute(hash_key=True)
    revision_key = UnicodeAttribute(range_key=True)


class ErrorsByDate(GlobalSecondaryIndex):
    class Meta:
        index_name = "errors_by_date"
        projection = AllProjection()

    error_project = UnicodeAttribute(hash_key=True)
    date_loaded = NumberAttribute(range_key=True)


class PendingByDate(GlobalSecondaryIndex):
    class Meta:
        index_name = "pending_by_date"
        projection = IncludeProjection(["requeues", "last_error", "size"])

    pending_flag = UnicodeAttribute(hash_key=True)
    date_loaded = NumberAttribute(range_key=True)


class ObjectstoreRow(Model):
    Meta = table_meta("objectstore")

    project = UnicodeAttribute(hash_key=True)
    id = NumberAttribute(range_key=True)
    date_loaded = NumberAttribute()
    processed_flag = UnicodeAttribute(default=READY)
    error_flag = UnicodeAttribute(default="N")
    error_msg = UnicodeAttribute(null=True)
    test_run_id = NumberAttribute(null=True)
    worker_id = UnicodeAttribute(null=True)
    requeues = NumberAttribute(null=True)
    # Why the last failed delivery of its processing message failed, and how many failed.
    last_error = UnicodeAttribute(null=True)
    failed_deliveries = NumberAttribute(null=True)
    s3_key = UnicodeAttribute()
    size = NumberAttribute()

    # Reference data copied from the blob when it is loaded: the raw
    # endpoint filters on these without opening every blob.
    branch = UnicodeAttribute(null=True)
    revision = UnicodeAttribute(null=True)
    product = UnicodeAttribute(null=True)
    os_name = UnicodeAttribute(null=True)
    os_version = UnicodeAttribute(null=True)
    branch_version = UnicodeAttribute(null=True)
    processor = UnicodeAttribute(null=True)
    build_type = UnicodeAttribute(null=True)
    test_name = UnicodeAttribute(null=True)
    # only on rows that failed to load (a loaded row's pages are its blob's results)
    page_names = ListAttribute(of=UnicodeAttribute, null=True)

    # Sparse index keys (present only while the row belongs to the index).
    branch_key = UnicodeAttribute(null=True)
    revision_key = UnicodeAttribute(null=True)
    error_project = UnicodeAttribute(null=True)
    pending_flag = UnicodeAttribute(null=True)

    by_revision = ByRevision()
    errors_by_date = ErrorsByDate()
    pending_by_date = PendingByDate()

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": int(self.id),
            "date_loaded": int(self.date_loaded),
            "processed_flag": self.processed_flag,
            "error_flag": self.error_flag,
            "error_msg": self.error_msg,
            "test_run_id": None if self.test_run_id is None else int(self.test_run_id),
            "worker_id": self.worker_id,
        }


def revision_key(revision: str, row_id: int) -> str:
    return f"{revision}#{row_id:012d}"


def create(project: str, row_id: int, s3_key: str, size: int, error_msg: str | None,
           date_loaded: int | None = None, claimed_by: str | None = None) -> ObjectstoreRow | None:
    """Record a received blob (a blob that arrived broken with its error); None if its row exists.

    Both the upload and the processing worker (told by the bucket's notification
    that the blob is stored) create the row, whichever comes first; the second
    finds it there and changes nothing. A worker creates it already claimed
    (``claimed_by``, as ``claim`` leaves a row): the claim's own write, a unit
    of every run, is not needed for a row nobody else has seen.
    """
    row = ObjectstoreRow(project, row_id, date_loaded=int(time.time()) if date_loaded is None else date_loaded,
                         s3_key=s3_key, size=size)
    if error_msg is None:
        row.pending_flag = PENDING
        if claimed_by is not None:
            row.processed_flag = LOADING
            row.worker_id = claimed_by
    else:
        row.error_flag = "Y"
        row.error_msg = error_msg
        row.error_project = project
    if not write_unless_refused(row.save, condition=ObjectstoreRow.id.does_not_exist()):
        return None
    return row


def get(project: str, row_id: int) -> ObjectstoreRow | None:
    try:
        return ObjectstoreRow.get(project, row_id, consistent_read=True)
    except ObjectstoreRow.DoesNotExist:
        return None


def claim(project: str, row_id: int, worker_id: str) -> ObjectstoreRow | None:
    """Mark a row ``loading`` for this worker; None when it is done or errored.

    A row already ``loading`` can be claimed again: its message came back after
    the visibility timeout, so the previous worker died or timed out.
    """
    row = ObjectstoreRow(project, row_id)
    if not write_unless_refused(
        row.update,
        actions=[
            ObjectstoreRow.processed_flag.set(LOADING),
            ObjectstoreRow.worker_id.set(worker_id),
        ],
        condition=ObjectstoreRow.id.exists()
        & ObjectstoreRow.processed_flag.is_in(READY, LOADING)
        & (ObjectstoreRow.error_flag == "N"),
    ):
        return None
    return row


def _reference_actions(reference: dict[str, Any], row_id: int, project: str) -> list:
    actions = []
    for name, value in reference.items():
        if value is not None:
            actions.append(getattr(ObjectstoreRow, name).set(value))
    if reference.get("branch") and reference.get("revision"):
        actions.append(ObjectstoreRow.branch_key.set(f"{project}#{reference['branch']}"))
        actions.append(ObjectstoreRow.revision_key.set(revision_key(reference["revision"], row_id)))
    return actions


def mark_complete(project: str, row_id: int, worker_id: str, test_run_id: int, reference: dict[str, Any]) -> None:
    """Record a loaded blob with its reference data, its page names left out (see the module docstring)."""
    row = ObjectstoreRow(project, row_id)
    kept = {name: value for name, value in reference.items() if name != "page_names"}
    row.update(
        actions=[
            ObjectstoreRow.processed_flag.set(COMPLETE),
            ObjectstoreRow.test_run_id.set(test_run_id),
            ObjectstoreRow.pending_flag.remove(),
            *_reference_actions(kept, row_id, project),
        ],
        condition=ObjectstoreRow.worker_id == worker_id,
    )


def _errored(project: str, error_msg: str) -> list[Action]:
    """A row that will not load: complete (never claimed again), in the project's errors, out of pending."""
    return [
        ObjectstoreRow.processed_flag.set(COMPLETE),
        ObjectstoreRow.error_flag.set("Y"),
        ObjectstoreRow.error_msg.set(error_msg),
        ObjectstoreRow.error_project.set(project),
        ObjectstoreRow.pending_flag.remove(),
    ]


def mark_error(project: str, row_id: int, worker_id: str, error_msg: str, reference: dict[str, Any]) -> None:
    """Record why a blob could not be loaded; it is never claimed again."""
    row = ObjectstoreRow(project, row_id)
    row.update(
        actions=[*_errored(project, error_msg), *_reference_actions(reference, row_id, project)],
        condition=ObjectstoreRow.worker_id == worker_id,
    )


def for_revision(project: str, branch: str, revision: str) -> Iterator[ObjectstoreRow]:
    """Loaded rows of a branch whose revision starts with ``revision``."""
    return ObjectstoreRow.by_revision.query(
        f"{project}#{branch}", ObjectstoreRow.revision_key.startswith(revision)
    )


def errors_between(project: str, start: int, end: int) -> Iterator[ObjectstoreRow]:
    return ObjectstoreRow.errors_by_date.query(
        project, ObjectstoreRow.date_loaded.between(start, end)
    )


def pending_before(before: int) -> Iterator[ObjectstoreRow]:
    """Rows of every project not yet complete, loaded before ``before``."""
    return ObjectstoreRow.pending_by_date.query(PENDING, ObjectstoreRow.date_loaded < before)


def count_requeue(project: str, row_id: int) -> bool:
    """Note one more re-queue of a pending row; False if it completed meanwhile."""
    row = ObjectstoreRow(project, row_id)
    return write_unless_refused(
        row.update,
        actions=[ObjectstoreRow.requeues.add(1)],
        condition=ObjectstoreRow.pending_flag.exists(),
    )


def note_failed_delivery(project: str, row_id: int, reason: str) -> None:
    """Say on a pending row why its processing failed this time (SQS will deliver it again)."""
    row = ObjectstoreRow(project, row_id)
    write_unless_refused(  # refused: the row completed meanwhile, nothing to say
        row.update,
        actions=[ObjectstoreRow.last_error.set(reason[:1000]), ObjectstoreRow.failed_deliveries.add(1)],
        condition=ObjectstoreRow.pending_flag.exists(),
    )


def abandon(project: str, row_id: int, error_msg: str) -> int | None:
    """Mark a row that repeated attempts failed to load; its blob's size, or None if it completed meanwhile."""
    row = ObjectstoreRow(project, row_id)
    if not write_unless_refused(row.update, actions=_errored(project, error_msg),
                                condition=ObjectstoreRow.pending_flag.exists()):
        return None
    return int(row.size)  # the update answers with the row as it left it

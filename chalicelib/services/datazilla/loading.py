"""Loading a stored blob into perftest records (the processing worker's job).

Loading is idempotent: the test run's id is the objectstore row's id, so a
message delivered twice rewrites the same record, and a row that is complete
or errored is never claimed again.
"""

from __future__ import annotations

import logging
from typing import Any

from chalicelib.config import PROCESSING_QUEUE
from chalicelib.datazilla.blob import MalformedJson, TestDataError, decode, parse_run, partial_reference
from chalicelib.perf.run_fold import page_summaries
from chalicelib.perf.statistics import replicate_matrix
from chalicelib.services.datazilla.push_links import canonical_branch, link_for, run_group
from chalicelib.services.perf.metrics_requests import can_carry, request_metrics
from chalicelib.store import blobs, objectstore, project_sizes, queues, refdata, replicates, test_runs

log = logging.getLogger(__name__)


def load_row(project: str, row_id: int, worker_id: str, claimed: objectstore.ObjectstoreRow | None = None) -> str:
    """Load one objectstore row; returns what happened (for logs and tests).

    ``claimed`` is the row when this worker has just created it claimed;
    otherwise the row is claimed here. Storage failures propagate so that the
    message is redelivered; a blob that cannot be understood is marked with
    its error instead.
    """
    row = claimed if claimed is not None else objectstore.claim(project, row_id, worker_id)
    if row is None:
        return "skipped"
    raw = blobs.get(row.s3_key)
    data: Any = None
    try:
        data = decode(raw)
        run = parse_run(data)
    except MalformedJson as err:
        return _fail(row, worker_id, f"Malformed JSON: {err}", {})
    except TestDataError as err:
        return _fail(row, worker_id, str(err), partial_reference(data))
    except Exception as err:  # noqa: BLE001 - a blob must never crash the worker into a retry loop
        message = f"Unknown error: {err.__class__.__name__}: {err}"
        return _fail(row, worker_id, message, partial_reference(data))
    branch = canonical_branch(run.branch)
    link = link_for(branch, run.revision)
    group = run_group(project, branch, run)
    names = sorted(run.pages)
    lengths, matrix = replicate_matrix([run.pages[name] for name in names])
    carried: dict[str, Any] | None = page_summaries(names, lengths, matrix, group.drops_first_replicate)
    if not can_carry(carried):
        carried = None
    size = 0
    if link is None or carried is None:
        # The metrics job will read them (asked when the push is synced, or the summaries too large to carry).
        # Before the run record: such a record never exists without its replicates (a redelivery rewrites both).
        size += replicates.put(project, row_id, lengths, matrix)
    try:
        size += test_runs.save(project, row_id, run.as_record(), branch, link)
    except test_runs.RunNotStorable as err:
        return _fail(row, worker_id, f"Unknown error: {err}", run.reference())
    if link is None:
        # The push may have been stored while this run was being written, after
        # the sync looked for waiting runs: look once more, so neither misses it.
        link = link_for(branch, run.revision)
        if link is not None and not test_runs.link(project, row_id, link):
            link = None  # the sync linked it, and asked for its metrics
    refdata.register(project, run.reference_names())
    refdata.note_version(project, branch, run.product, run.branch_version, run.date_run)
    if link is not None:
        # Before the row is marked complete: if this send fails, the message
        # comes back and the whole load (idempotent) runs again.
        request_metrics(group, row_id, carried)
    objectstore.mark_complete(project, row_id, worker_id, row_id, run.reference())
    project_sizes.count_loaded(project, size, int(row.size))  # once: a complete row is never claimed again
    return "loaded"


def _fail(row: objectstore.ObjectstoreRow, worker_id: str, message: str, reference: dict[str, Any]) -> str:
    project, row_id = row.project, int(row.id)
    log.info("objectstore %s/%s not loaded: %s", project, row_id, message)
    objectstore.mark_error(project, row_id, worker_id, message, reference)
    project_sizes.count_blob(project, int(row.size))  # once: an errored row is never claimed again
    return "error"


def note_failure(project: str, row_id: int, reason: str, received: int) -> None:
    """The row says why its load failed; on the delivery after which SQS gives up, it becomes an error.

    The message itself still fails and moves to the dead-letter queue, where
    it can be inspected or redriven; the blob stays readable in S3.
    """
    limit = queues.max_receive_count(PROCESSING_QUEUE)
    if limit is not None and received >= limit:
        abandon(project, row_id, f"Unknown error: not loaded after {received} deliveries "
                                 f"(see the processing dead-letter queue): {reason}")
    else:
        objectstore.note_failed_delivery(project, row_id, reason)


def abandon(project: str, row_id: int, message: str) -> None:
    """Give up on a pending row: it becomes an error, and its blob counts in the project's objectstore size."""
    size = objectstore.abandon(project, row_id, message)
    if size is not None:  # None: it completed meanwhile, and was counted then
        project_sizes.count_blob(project, size)

"""Re-queueing the stored blobs whose processing message was lost, and giving up on hopeless ones.

The upload answers "stored" once the blob is in S3; the bucket's notification
queues it, and the processing worker makes its row before anything else. Two
ways a blob can still be left behind, and this schedule finds both:

- a row pending long after it was made (its message lost): re-queued; a row
  re-queued ``MAX_REQUEUES`` times and still not loaded is marked as an error,
  with its last failure;
- a notification that reached the processing dead-letter queue before its row
  was made (the objectstore table refused the worker through every delivery):
  no row for the first case to find, so the notification is the blob's only
  record. It goes back to the processing queue. A notification whose rows exist
  (abandoned as errors, see ``loading.note_failure``) stays for inspection.
  One receive of up to ten per tick: the dead-letter queue holds only failures.
"""

from __future__ import annotations

import time

from chalicelib import safe_json
from chalicelib.config import PROCESSING_QUEUE
from chalicelib.services.datazilla.ingest import queue_for_loading
from chalicelib.services.datazilla.loading import abandon
from chalicelib.store import blob_events, blobs, objectstore, queues

# A row still pending after this long lost its processing message.
STALE_AFTER_SECONDS = 600
# Re-queued this many times and still not loaded: give up and say so on the row.
MAX_REQUEUES = 3


def sweep(now: int | None = None) -> None:
    """Re-queue each row pending since before ``now - STALE_AFTER_SECONDS``, or abandon it; rescue stranded blobs."""
    cutoff = (now or int(time.time())) - STALE_AFTER_SECONDS
    for row in objectstore.pending_before(cutoff):
        if (row.requeues or 0) >= MAX_REQUEUES:
            message = f"Unknown error: not loaded after {MAX_REQUEUES} re-queues (see the processing dead-letter queue)"
            if row.last_error:
                message += f"; last failure: {row.last_error}"
            abandon(row.project, int(row.id), message)
        elif objectstore.count_requeue(row.project, int(row.id)):
            queue_for_loading(row.project, int(row.id))
    rescue_stranded_blobs()


def rescue_stranded_blobs() -> int:
    """Send dead-lettered bucket notifications whose rows were never made back to be loaded; how many."""
    rescued = 0
    for body, receipt in queues.dead_letters(PROCESSING_QUEUE):
        try:
            message = safe_json.loads(body)
            stored = blob_events.stored_objects(message) if blob_events.from_bucket(message) else []
        except (safe_json.UnsafeJson, blob_events.NotABucketEvent, AttributeError, TypeError):
            continue  # not a bucket notification: the sweeper's own message, or a poison one; left there
        rows = [row for row in (blobs.row_of_key(o.key) for o in stored) if row is not None]
        if any(objectstore.get(project, row_id) is None for project, row_id in rows):
            queues.send(PROCESSING_QUEUE, message)
            queues.forget_dead_letter(PROCESSING_QUEUE, receipt)
            rescued += 1
    return rescued

"""Re-queueing the stored blobs whose processing message was lost, and giving up on hopeless ones.

The upload answers "stored" once the row exists, even if the processing
message could not be sent; this schedule is what makes that promise true. A
row re-queued ``MAX_REQUEUES`` times and still not loaded is marked as an
error, with its last failure.
"""

from __future__ import annotations

import time

from chalicelib.services.datazilla.ingest import queue_for_loading
from chalicelib.services.datazilla.loading import abandon
from chalicelib.store import objectstore

# A row still pending after this long lost its processing message.
STALE_AFTER_SECONDS = 600
# Re-queued this many times and still not loaded: give up and say so on the row.
MAX_REQUEUES = 3


def sweep(now: int | None = None) -> None:
    """Re-queue each row pending since before ``now - STALE_AFTER_SECONDS``, or abandon it."""
    cutoff = (now or int(time.time())) - STALE_AFTER_SECONDS
    for row in objectstore.pending_before(cutoff):
        if (row.requeues or 0) >= MAX_REQUEUES:
            message = f"Unknown error: not loaded after {MAX_REQUEUES} re-queues (see the processing dead-letter queue)"
            if row.last_error:
                message += f"; last failure: {row.last_error}"
            abandon(row.project, int(row.id), message)
        elif objectstore.count_requeue(row.project, int(row.id)):
            queue_for_loading(row.project, int(row.id))

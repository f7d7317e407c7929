"""Asking for a run's metrics: one message on the metrics FIFO queue.

The message group is the run's series group, so SQS hands a group's runs to
one worker at a time and the replay in ``metrics_job`` never races with
itself. The deduplication id is the run: a send retried within SQS's
five-minute window is delivered once (and a second delivery is harmless).
"""

from __future__ import annotations

from chalicelib.config import METRICS_QUEUE
from chalicelib.perf.series import SeriesGroup
from chalicelib.store import queues


def request_metrics(group: SeriesGroup, test_run_id: int) -> None:
    queues.send_ordered(METRICS_QUEUE, {"project": group.project, "test_run_id": test_run_id},
                        group=group.queue_group, dedup_id=f"{group.project}:{test_run_id}")

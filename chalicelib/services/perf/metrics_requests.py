"""Asking for a run's metrics: one message on the metrics FIFO queue.

The message group is the run's series group, so SQS hands a group's runs to
one worker at a time and the replay in ``metrics_job`` never races with
itself. The deduplication id is the run: a send retried within SQS's
five-minute window is delivered once (and a second delivery is harmless).

The loader, which has just read the run's replicates, sends their per-page
summaries along (``pages``): the metrics job then reads no replicates at all.
Summaries up to ``CARRIED_BYTES`` of JSON travel (a tp5 run's hundred pages
are ~9 KB; SQS takes 256 KB a message); a run with more, and a run asked for
when its push is synced, is summarised from its replicates in S3.
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib.config import METRICS_QUEUE
from chalicelib.perf.series import SeriesGroup
from chalicelib.store import queues

CARRIED_BYTES = 200_000  # of summaries' JSON: the message stays under SQS's 256 KB whatever the page names


def can_carry(pages: dict[str, dict[str, Any]]) -> bool:
    """Whether these summaries may travel in the metrics message."""
    return len(json.dumps(pages, separators=(",", ":")).encode()) <= CARRIED_BYTES


def request_metrics(group: SeriesGroup, test_run_id: int, pages: dict[str, dict[str, Any]] | None = None) -> None:
    message: dict[str, Any] = {"project": group.project, "test_run_id": test_run_id}
    if pages is not None:
        message["pages"] = pages
    queues.send_ordered(METRICS_QUEUE, message, group=group.queue_group, dedup_id=f"{group.project}:{test_run_id}")

"""The metrics worker: a run's page statistics, and its group's replay."""

from __future__ import annotations

import logging

from chalice import Blueprint
from chalice.app import SQSEvent

from chalicelib import config
from chalicelib.perf.series import SeriesGroup
from chalicelib.services.perf import alerts_job
from chalicelib.services.perf.metrics_job import compute_run, register_series
from chalicelib.workers.messages import BatchResponse, batch_failures, message_id, parse

log = logging.getLogger(__name__)

bp = Blueprint(__name__)


@bp.on_sqs_message(queue=config.queue_name(config.METRICS_QUEUE), batch_size=10)
def compute_metrics(event: SQSEvent) -> BatchResponse:
    """Each record names a run; the FIFO group keeps a series group's runs in one line.

    Then each group touched by the batch has its series registered (the
    pages and newest push its runs reached, one write for the batch) and its
    alerts detected once, on its metrics as they now stand (inside the same
    message group, so never concurrently with itself). A record that failed,
    and every record of a group whose registration or alerts failed, is named
    in the partial batch response: SQS redelivers those alone. The others may
    go ahead of a failed one of their group because order does not matter
    here, only exclusion: computing a run recomputes every later run of its
    group, and computing a run, registering its series or detecting its
    group's alerts again writes the same values.
    """
    failed: list[str] = []
    touched: dict[str, SeriesGroup] = {}
    by_group: dict[str, list[str]] = {}
    reached: dict[str, tuple[set[str], int]] = {}  # group key -> (pages, newest push date) of its runs
    for record in event:
        mid = message_id(record)
        try:
            message = parse(record.body, "project", "test_run_id")
            pages = message.get("pages")  # the run's replicate summaries, when the loader sent them along
            done = compute_run(str(message["project"]), int(message["test_run_id"]),
                               pages if isinstance(pages, dict) else None)
        except Exception as err:  # noqa: BLE001 - reported as a batch item failure, retried by SQS
            log.error("metrics message %s failed: %s: %s", mid, type(err).__name__, err)
            failed.append(mid)
            continue
        log.info("metrics for %s/%s: %d run(s) written", message["project"], message["test_run_id"],
                 0 if done is None else done.written)
        if done is not None:
            key = done.group.key
            touched[key] = done.group
            by_group.setdefault(key, []).append(mid)
            pages_so_far, newest = reached.get(key, (set(), done.newest_push_date))
            reached[key] = (pages_so_far.union(done.pages), max(newest, done.newest_push_date))
    for key, group in touched.items():
        try:
            pages_reached, newest = reached[key]
            register_series(group, sorted(pages_reached), newest)
            alerts_job.detect(group)
        except Exception as err:  # noqa: BLE001 - the group's runs are redelivered, both run again
            log.error("series or alerts of a group failed (messages %s): %s: %s", ",".join(by_group[key]),
                      type(err).__name__, err)
            failed.extend(by_group[key])
    return batch_failures(failed)

"""The metrics worker: a run's page statistics, and its group's replay."""

from __future__ import annotations

import logging

from chalice import Blueprint
from chalice.app import SQSEvent

from chalicelib import config
from chalicelib.perf import alerts_job
from chalicelib.perf.metrics_job import compute_run
from chalicelib.perf.series import SeriesGroup
from chalicelib.workers.messages import parse

log = logging.getLogger(__name__)

bp = Blueprint(__name__)


@bp.on_sqs_message(queue=config.queue_name(config.METRICS_QUEUE), batch_size=10)
def compute_metrics(event: SQSEvent) -> None:
    """Each record names a run; the FIFO group keeps a series group's runs in one line.

    Then each group touched by the batch has its alerts detected once, on
    its metrics as they now stand (inside the same message group, so never
    concurrently with itself). A failure raises, so SQS redelivers the
    batch; computing a run or its group's alerts again writes the same values.
    """
    touched: dict[str, SeriesGroup] = {}
    for record in event:
        message = parse(record.body, "project", "test_run_id")
        group, written = compute_run(str(message["project"]), int(message["test_run_id"]))
        log.info("metrics for %s/%s: %d run(s) written", message["project"], message["test_run_id"], written)
        if group is not None:
            touched[group.key] = group
    for group in touched.values():
        alerts_job.detect(group)

"""The metrics worker: a run's page statistics, and its group's replay."""

from __future__ import annotations

import logging

from chalice import Blueprint
from chalice.app import SQSEvent

from chalicelib import config
from chalicelib.perf.metrics_job import compute
from chalicelib.workers.messages import parse

log = logging.getLogger(__name__)

bp = Blueprint(__name__)


@bp.on_sqs_message(queue=config.queue_name(config.METRICS_QUEUE), batch_size=10)
def compute_metrics(event: SQSEvent) -> None:
    """Each record names a run; the FIFO group keeps a series group's runs in one line.

    A failure raises, so SQS redelivers the batch; computing a run again
    writes the same values.
    """
    for record in event:
        message = parse(record.body, "project", "test_run_id")
        written = compute(str(message["project"]), int(message["test_run_id"]))
        log.info("metrics for %s/%s: %d run(s) written", message["project"], message["test_run_id"], written)

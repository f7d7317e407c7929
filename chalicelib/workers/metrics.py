"""The metrics worker: a run's page statistics, and its group's replay."""

from __future__ import annotations

import logging
from typing import Any

from chalice import Blueprint
from chalice.app import SQSEvent

from chalicelib import config
from chalicelib.perf.series import SeriesGroup
from chalicelib.services.perf import alerts_job
from chalicelib.services.perf.metrics_job import compute_group, locate, register_series
from chalicelib.workers.messages import BatchResponse, batch_failures, message_id, parse

log = logging.getLogger(__name__)

bp = Blueprint(__name__)


@bp.on_sqs_message(queue=config.queue_name(config.METRICS_QUEUE), batch_size=10)
def compute_metrics(event: SQSEvent) -> BatchResponse:
    """Each record names a run; the FIFO group keeps a series group's runs in one line.

    A batch's runs of one group are computed in one replay from the
    earliest of them (``compute_group``: each item written at most once,
    however out of push order they came); then the group has its series
    registered (the pages and newest push its runs reached, one write for
    the batch) and its alerts detected once, on its metrics as they now
    stand (inside the same message group, so never concurrently with
    itself). A record that failed, and every record of a group whose
    replay, registration or alerts failed, is named in the partial batch
    response: SQS redelivers those alone. The others may go ahead of a
    failed one of their group because order does not matter here, only
    exclusion: computing a run recomputes every later run of its group, and
    computing a run, registering its series or detecting its group's alerts
    again writes the same values.
    """
    failed: list[str] = []
    arrivals: dict[str, list[tuple[str, Any, dict[str, Any] | None]]] = {}  # group key -> (message, run, pages)
    groups: dict[str, SeriesGroup] = {}
    for record in event:
        mid = message_id(record)
        try:
            message = parse(record.body, "project", "test_run_id")
            pages = message.get("pages")  # the run's replicate summaries, when the loader sent them along
            found = locate(str(message["project"]), int(message["test_run_id"]))
        except Exception as err:  # noqa: BLE001 - reported as a batch item failure, retried by SQS
            log.error("metrics message %s failed: %s: %s", mid, type(err).__name__, err)
            failed.append(mid)
            continue
        if found is None:
            log.info("metrics for %s/%s: not linked to a push yet (or gone)", message["project"],
                     message["test_run_id"])
            continue
        run, group = found
        groups[group.key] = group
        arrivals.setdefault(group.key, []).append((mid, run, pages if isinstance(pages, dict) else None))
    for key, group in groups.items():
        mids = [mid for mid, _, _ in arrivals[key]]
        try:
            done, failures = compute_group(group, [(run, pages) for _, run, pages in arrivals[key]])
            for index, err in failures.items():
                log.error("metrics message %s failed: %s: %s", mids[index], type(err).__name__, err)
                failed.append(mids[index])
            if done is None:
                continue
            log.info("metrics of %s: %d run(s) arrived, %d item(s) written", key, len(mids) - len(failures),
                     done.written)
            register_series(group, done.pages, done.newest_push_date)
            alerts_job.detect(group)
        except Exception as err:  # noqa: BLE001 - the group's runs are redelivered, all of it runs again
            log.error("metrics, series or alerts of a group failed (messages %s): %s: %s", ",".join(mids),
                      type(err).__name__, err)
            failed.extend(mid for mid in mids if mid not in failed)
    return batch_failures(failed)

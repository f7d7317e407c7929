"""The scheduled Mercurial pushlog sync (every 5 minutes, as Datazilla's was)."""

from __future__ import annotations

import logging
import time

from chalice import Blueprint, Rate
from chalice.app import CloudWatchEvent

from chalicelib.services.pushlog import sync

log = logging.getLogger(__name__)

bp = Blueprint(__name__)


def _deadline(event: CloudWatchEvent) -> float | None:
    """When this run must stop starting requests: Lambda kills it at its timeout."""
    context = getattr(event, "context", None)
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    return None if remaining is None else time.monotonic() + remaining() / 1000.0


@bp.schedule(Rate(5, unit=Rate.MINUTES))
def sync_pushlogs(event: CloudWatchEvent) -> None:
    """Sync every branch; a failing branch is counted on itself and retried next tick.

    The handler does not raise for a branch's failure: a retry of the whole
    run would only repeat the branches that succeeded.
    """
    summaries = sync.sync_all(deadline=_deadline(event))
    failed = [s.branch for s in summaries if s.error]
    log.info("pushlog sync: %d branch(es), %d new push(es), failed: %s", len(summaries),
             sum(s.stored for s in summaries), ", ".join(failed) or "none")

"""The Balrog agent's tick: enact due, signed-off scheduled changes once a minute."""

from __future__ import annotations

import logging

from chalice import Blueprint, Rate
from chalice.app import CloudWatchEvent

from chalicelib.services.balrog import agent

log = logging.getLogger(__name__)

bp = Blueprint(__name__)


@bp.schedule(Rate(1, unit=Rate.MINUTES))
def enact_scheduled_changes(event: CloudWatchEvent) -> None:
    tick = agent.run_once()
    log.info("balrog agent: %d enacted, %d waiting for signoffs, %d refused", len(tick.enacted),
             len(tick.waiting), len(tick.failed))

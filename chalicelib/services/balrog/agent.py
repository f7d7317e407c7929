"""Balrog's agent: enact the scheduled changes whose time has come and whose signoffs are in.

Balrog runs a separate agent that polls the admin API every 30 seconds and
enacts each ready change (``agent/src/balrogagent/cmd.py``). Here the same
decision runs as a scheduled worker, reading only the waiting changes (the
store's sparse ``due`` index) and enacting each in one transaction that also
marks it complete: a tick that overlaps another, or a retried tick, finds the
change complete or fails its condition, never enacting it twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from chalicelib.balrog.errors import BalrogError
from chalicelib.services.balrog import scheduled_changes as sc
from chalicelib.services.balrog.scheduled_kinds import KINDS
from chalicelib.store.versioned import now_ms

log = logging.getLogger(__name__)


@dataclass
class Tick:
    """What one run did: changes enacted, and changes due but not enacted (waiting, or refused)."""

    enacted: list[tuple[str, int]] = field(default_factory=list)
    waiting: list[tuple[str, int]] = field(default_factory=list)
    failed: list[tuple[str, int, str]] = field(default_factory=list)


def run_once(now: int | None = None) -> Tick:
    """Enact every ready change, as the agent does: by time, and rules by priority, highest first."""
    now = now_ms() if now is None else now
    tick = Tick()
    for base, kind in KINDS.items():
        due = sorted(kind.table.due(now), key=lambda c: (c["when"], -(c["change"].get("priority") or 0)))
        for change in due:
            if not sc.ready(kind, change, now):
                tick.waiting.append((base, change["sc_id"]))
                continue
            try:
                sc.enact(kind, change["sc_id"], None)
            except BalrogError as err:
                # Stale base row, a merge the scheduler must redo, a change completed by a racing tick:
                # logged and left, as Balrog's agent leaves it; the next tick sees it again if still due.
                log.warning("scheduled change %s/%s not enacted: %s %s", base, change["sc_id"], err.detail,
                            err.exception or "")
                tick.failed.append((base, change["sc_id"], err.detail))
                continue
            tick.enacted.append((base, change["sc_id"]))
    return tick

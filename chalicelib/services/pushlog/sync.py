"""Sync each branch's pushes from Mercurial's json-pushes into the pushes store.

Each branch keeps its position (``last_push_id``, the newest hg push id known
stored). A sync asks for ``startID=<position>&endID=<position + PAGE_SIZE>``
page after page, so it only ever fetches what is new, and:

- **idempotent**: ``pushes.store`` keeps the first copy of a push, and pushes at
  or before the position are not stored again (a page that arrives twice or
  overlaps the last one is counted as duplicates);
- **resumable**: the position advances after each stored page, never before,
  so a failure mid-branch keeps what was stored and the next tick goes on
  from there (a half-stored page is fetched again; its stored pushes are
  duplicates);
- **bounded**: at most ``MAX_PAGES`` pages per branch per tick, each request
  with ``config.hg_timeout()``, and no new page once a Lambda run's deadline
  is near; the rest continues on the next tick (``backfill`` has no page
  limit, for the CLI);
- **isolated**: a branch that fails (HTTP error, timeout, malformed page) is
  logged with its name, counted on the branch (``failures``, ``last_error``)
  and skipped; the other branches sync, and it is retried on the next tick.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass
from typing import Any, Callable

from chalicelib import config
from chalicelib.pushlog import json_pushes
from chalicelib.pushlog.json_pushes import PushlogFormatError
from chalicelib.services.datazilla import push_links
from chalicelib.services.treeherder import job_ingest
from chalicelib.store import branches, pushes
from chalicelib.store.branches import Branch
from chalicelib.upstream import hg_client
from chalicelib.upstream.hg_client import HgError

log = logging.getLogger(__name__)

PAGE_SIZE = 200
MAX_PAGES = 10
# Seconds kept free at the end of a Lambda run, besides one request's timeout.
DEADLINE_MARGIN_SECONDS = 5.0

# progress(pushes walked since the start, pushes to walk in all or None when the host did not say)
Progress = Callable[[int, "int | None"], None]


class UnknownBranch(LookupError):
    pass


class PushlogStalled(Exception):
    """The host keeps answering without the pushes it says exist."""


@dataclass
class BranchSummary:
    branch: str
    fetched: int = 0  # pushes in the host's answers
    stored: int = 0  # new pushes stored
    duplicates: int = 0  # pushes already stored (page twice, overlap)
    pages: int = 0
    last_push_id: int = 0  # the branch's position after this run
    host_last_push_id: int | None = None
    complete: bool = False  # caught up with the host
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _out_of_time(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() + config.hg_timeout() + DEADLINE_MARGIN_SECONDS > deadline


def _walk(branch: Branch, summary: BranchSummary, *, page_size: int, max_pages: int | None,
          deadline: float | None, progress: Progress | None) -> None:
    start = position = branch.last_push_id
    base = json_pushes.branch_url(branch.uri, config.hg_host())
    stalled = 0
    while max_pages is None or summary.pages < max_pages:
        if _out_of_time(deadline):
            log.info("pushlog %s: stopping at push %d, the run's time is nearly up", branch.name, position)
            return
        end = position + page_size
        page = json_pushes.parse(hg_client.fetch(json_pushes.by_id_url(base, position, end)))
        summary.pages += 1
        summary.fetched += len(page.pushes)
        if page.last_push_id is not None:
            summary.host_last_push_id = page.last_push_id

        newest = position
        for record in page.pushes:
            if record.push_id <= position:
                summary.duplicates += 1
                continue
            push, is_new = pushes.store(branch.name, record.push_id, record.date, record.user,
                                        [cs.as_stored() for cs in record.changesets])
            # Also for a push stored by an earlier, interrupted run: linking is idempotent.
            push_links.link_waiting_runs(push)
            job_ingest.land_waiting(push)  # Treeherder job messages that arrived before their push
            summary.stored += is_new
            summary.duplicates += not is_new
            newest = max(newest, record.push_id)
        if not page.pushes and page.last_push_id is not None and page.last_push_id > position:
            newest = min(end, page.last_push_id)  # ids in the range without visible pushes: step over

        progressed = newest > position
        if progressed:
            branches.advance(branch.name, newest)
            position = summary.last_push_id = newest
            stalled = 0
        if progress is not None:
            total = None if summary.host_last_push_id is None else max(0, summary.host_last_push_id - start)
            progress(position - start, total)

        if page.last_push_id is None:  # version 1 answer: an answer without new pushes is the end
            if not progressed:
                summary.complete = True
                return
        elif position >= page.last_push_id:
            summary.complete = True
            return
        elif not progressed:
            stalled += 1  # a page again or out of order: ask once more, then give up until the next tick
            if stalled >= 2:
                raise PushlogStalled(f"no pushes after {position} although the host's last push is "
                                     f"{page.last_push_id}")


def _record(name: str, error: str | None) -> None:
    try:
        branches.record_sync(name, error)
    except Exception as err:  # noqa: BLE001 - the sync result is logged either way
        log.error("pushlog %s: could not record the sync result: %s", name, type(err).__name__)


def sync_branch(branch: Branch, *, deadline: float | None = None, max_pages: int | None = -1,
                progress: Progress | None = None) -> BranchSummary:
    """Sync one branch from its position; never raises (the error is in the summary).

    ``max_pages``: -1 (default) for ``MAX_PAGES``, None for no limit.
    ``deadline``: a ``time.monotonic()`` value after which no page is started.
    """
    summary = BranchSummary(branch.name, last_push_id=branch.last_push_id)
    limit = MAX_PAGES if max_pages == -1 else max_pages
    try:
        _walk(branch, summary, page_size=PAGE_SIZE, max_pages=limit, deadline=deadline, progress=progress)
    except (HgError, PushlogFormatError, PushlogStalled) as err:
        summary.error = f"{type(err).__name__}: {err}"
        log.warning("pushlog %s: sync failed at push %d (%d new stored): %s", branch.name,
                    summary.last_push_id, summary.stored, summary.error)
    except Exception as err:  # noqa: BLE001 - one branch's failure must not stop the others
        summary.error = f"{type(err).__name__}: {err}"[:500]
        log.exception("pushlog %s: sync failed at push %d (%d new stored)", branch.name,
                      summary.last_push_id, summary.stored)
    _record(branch.name, summary.error)
    return summary


def _resolve(name: str) -> Branch:
    found = branches.resolve(name)
    if found is None:
        raise UnknownBranch(f"no branch {name!r}")
    return found


def sync_all(names: list[str] | None = None, *, deadline: float | None = None) -> list[BranchSummary]:
    """Sync the named branches (default: all), least recently synced first.

    That order keeps a tick cut short by its deadline from starving the same
    branches every time.
    """
    targets = [_resolve(n) for n in names] if names else branches.all_branches()
    targets.sort(key=lambda b: (b.last_sync or 0, b.name))
    return [sync_branch(branch, deadline=deadline) for branch in targets]


def backfill(name: str, progress_callback: Progress | None = None) -> BranchSummary:
    """Walk a branch from its position to the host's last push, without a page limit."""
    return sync_branch(_resolve(name), max_pages=None, progress=progress_callback)

"""Linking test runs to the push of their revision.

A run names a branch (possibly an alternative name, such as
``Mozilla-Inbound-Non-PGO``) and a 12-character revision; its push is the push
of the changeset whose node starts with that revision on the canonical
branch. Runs often arrive before the pushlog sync has seen their push: they
wait in an index and are linked when the push is stored.
"""

from __future__ import annotations

import logging

from chalicelib.datazilla.blob import PerfRun
from chalicelib.perf.series import SeriesGroup
from chalicelib.services.perf.metrics_requests import request_metrics
from chalicelib.store import branches, pushes, test_runs
from chalicelib.store.pushes import Push
from chalicelib.store.test_runs import PushLink

log = logging.getLogger(__name__)


def canonical_branch(name: str) -> str:
    """The branch a run's branch name denotes; an unknown name stands for itself."""
    found = branches.resolve(name)
    return found.name if found is not None else name


def branch_names(name: str) -> list[str]:
    """Every name runs of this branch may carry: the branch and its alternatives."""
    found = branches.resolve(name)
    return [name] if found is None else [found.name, *found.alternatives]


def link_for(branch: str, revision: str) -> PushLink | None:
    """The push of ``revision`` on ``branch`` (canonical), if it is synced."""
    push = pushes.push_for_revision(branch, revision)
    return None if push is None else as_link(push)


def as_link(push: Push) -> PushLink:
    return PushLink(push.branch, push.push_id, push.pushlog_id, push.date)


def run_group(project: str, branch: str, run: PerfRun) -> SeriesGroup:
    """The series group of a parsed run on its canonical branch."""
    return SeriesGroup(project, branch, run.product, run.os_name, run.os_version, run.processor,
                       run.build_type, run.test_name)


def link_waiting_runs(push: Push) -> int:
    """Link every run that was waiting for this push, and ask for its metrics."""
    linked = 0
    link = as_link(push)
    for changeset in push.changesets:
        for project, run_id in test_runs.waiting_for(push.branch, changeset["node"]):
            if test_runs.link(project, run_id, link):
                linked += 1
                record = test_runs.get(project, run_id)
                if record is not None:
                    request_metrics(SeriesGroup(project, push.branch, record.product, record.os_name,
                                                record.os_version, record.processor, record.build_type,
                                                record.test_name), run_id)
    if linked:
        log.info("linked %d waiting run(s) to push %s of %s", linked, push.push_id, push.branch)
    return linked

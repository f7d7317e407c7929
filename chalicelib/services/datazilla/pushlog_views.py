"""Datazilla's pushlog reference views: the pushes of a date window, and which of them a project's runs name.

Each branch's window is one Query on the pushes' date index; whether runs
name a push is one Query per branch on the project's runs (the window's push
id range), whatever the size of either table.
"""

from __future__ import annotations

from typing import Any

from chalicelib.store import branches, pushes, test_runs
from chalicelib.store.branches import Branch

SHORT = 12  # Datazilla shows revisions as 12 hex characters


class UnknownBranch(LookupError):
    """A branch name that no synced branch has (Datazilla's 404); the name is the message."""


def selected_branches(names: list[str]) -> list[Branch]:
    """The branches named (canonical, each once, in the order given); every branch when none is named."""
    if not names:
        return branches.all_branches()
    selected = []
    for name in names:
        found = branches.resolve(name)
        if found is None:
            raise UnknownBranch(name)
        if found not in selected:
            selected.append(found)
    return selected


def pushes_in_window(start: int, end: int, chosen: list[Branch]) -> dict[str, Any]:
    """The branches' pushes dated within [start, end], by pushlog id."""
    found: dict[str, Any] = {}
    for branch in chosen:
        for push in pushes.between_dates(branch.name, start, end):
            found[str(push.pushlog_id)] = {
                "branch_name": branch.name,
                "push_id": push.push_id,
                "date": push.date,
                "revisions": [c["node"][:SHORT] for c in push.changesets],
            }
    return found


def not_referenced(project: str, start: int, end: int, chosen: list[Branch]) -> dict[str, dict[str, Any]]:
    """Pushes of the window, split by whether a test run of the project names them."""
    out: dict[str, dict[str, Any]] = {"with_matching_test_run": {}, "without_matching_test_run": {}}
    for branch in chosen:
        window = list(pushes.between_dates(branch.name, start, end))
        if not window:
            continue
        ids = [p.push_id for p in window]
        with_runs = test_runs.pushes_with_runs(project, branch.name, min(ids), max(ids))
        for push in sorted(window, key=lambda p: p.push_id):
            side = "with_matching_test_run" if push.push_id in with_runs else "without_matching_test_run"
            entry = {"push_id": push.push_id, "pushlog_id": push.pushlog_id,
                     "revisions": [c["node"][:SHORT] for c in push.changesets]}
            out[side].setdefault(branch.name, {"pushlogs": []})["pushlogs"].append(entry)
    return out

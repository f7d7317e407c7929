"""Storing test results: a group with its inline cases, or one case added to a group, with their regressions.

A regression is a case failing on this kernel that passed on the series'
previous run (the same group on the kernel before). The group, its cases and
its new regressions are written in as few transactions as they fit, so a
retried POST finds them there and counts nothing twice. A case added on its
own is stored first, then its id appended to its group's list; a group that
keeps changing under the append leaves the case stored and says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chalicelib.kernelci import keys, regressions
from chalicelib.kernelci.documents import derived_id, is_object_id, job_id
from chalicelib.kernelci.test_results import case_document, group_documents
from chalicelib.store import kernelci as store
from chalicelib.store import kernelci_listings as listings

REPLACE_ATTEMPTS = 5


class GroupNotFound(Exception):
    """The case names a test group that does not exist (nothing was written)."""


class GroupContended(Exception):
    """The case is stored; its group changed under every attempt to list it there."""


@dataclass(frozen=True)
class Stored:
    """What a POST created: the document, the regressions it showed, notes for the answer's ``errors``."""

    document: dict[str, Any]
    regressions: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)


def store_group(body: dict[str, Any], created_on: int) -> Stored:
    """Store a test group with its inline cases (:class:`InvalidResults` if they do not check)."""
    body, id_notes = _with_parent_ids(body)
    group, cases, notes = group_documents(body, created_on)
    found = _with_regressions(group, cases, created_on)
    store.insert([(keys.TEST_GROUP, group), *((keys.TEST_CASE, c) for c in cases),
                  *((keys.TEST_REGRESSION, r) for r in found)])
    return Stored(group, found, [*id_notes, *notes])


def add_case(fields: dict[str, Any], group_id: str, created_on: int) -> Stored:
    """Store one checked case under an existing group and list it there."""
    group = store.get(keys.TEST_GROUP, group_id)
    if group is None:
        raise GroupNotFound(group_id)
    case = case_document(fields, group, created_on)
    found = _with_regressions(group, [case], created_on)
    store.insert([(keys.TEST_CASE, case), *((keys.TEST_REGRESSION, r) for r in found)])
    for _ in range(REPLACE_ATTEMPTS):
        try:
            store.replace(keys.TEST_GROUP, {**group, "test_cases": [*(group.get("test_cases") or []), case["_id"]]},
                          expected=group)
            return Stored(case, found)
        except store.Conflict:
            group = store.get(keys.TEST_GROUP, group_id) or group
    raise GroupContended(group_id)


def _with_regressions(group: dict[str, Any], cases: list[dict[str, Any]], created_on: int) -> list[dict[str, Any]]:
    """The new regressions of these cases (not yet stored), each case pointing at its own."""
    previous = listings.latest_in_series(group, other_kernel_than=group["kernel"])
    if previous is None:
        return []
    previous_cases = store.get_many(keys.TEST_CASE, [c for c in previous.get("test_cases") or []
                                                     if isinstance(c, str)])
    failing_before = {c["name"] for c in previous_cases if c.get("status") == "FAIL"}
    earlier_ids = [regressions.regression_id(group, c["name"], previous["kernel"])
                   for c in cases if c.get("status") == "FAIL" and c["name"] in failing_before]
    earlier = {d["_id"]: d for d in store.get_many(keys.TEST_REGRESSION, earlier_ids)}
    found = regressions.find(group, cases, previous, previous_cases, earlier.get, created_on)
    stored = {d["_id"] for d in store.get_many(keys.TEST_REGRESSION, [d["_id"] for d in found])}
    by_name = {d["hierarchy"][-1]: d["_id"] for d in found}
    for case in cases:
        if case["name"] in by_name:
            case["regression_id"] = by_name[case["name"]]
    return [d for d in found if d["_id"] not in stored]


def _with_parent_ids(body: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The group's job and build ids found from what it describes, as the backend finds them.

    The backend looks the job up by tree, branch and kernel and the build by
    those and arch, defconfig and build environment, whatever ids the body
    carries; Shipyard's ids derive from those same values, so that is two
    reads by key. An id given that names nothing found is kept if it is an
    id at all; one that is not is dropped (with a note), not refused.
    """
    out, notes = dict(body), []
    for parent in ("build_id", "job_id"):
        if parent in out and not (isinstance(out[parent], str) and is_object_id(out[parent])):
            notes.append(f"'{parent}' {str(out.pop(parent))[:80]!r} is not an id: ignored")
    try:
        jid = job_id(out["job"], out["git_branch"], out["kernel"])
        bid = derived_id("build", *(str(v) for v in (out["job"], out["git_branch"], out["kernel"], out["arch"],
                                                     out.get("defconfig_full") or out["defconfig"],
                                                     out["build_environment"])))
    except (KeyError, TypeError):
        return out, notes
    if store.get(keys.JOB, jid) is not None:
        out["job_id"] = jid
    if store.get(keys.BUILD, bid) is not None:
        out["build_id"] = bid
    return out, notes

"""Deleting a KernelCI document with what hangs from it, as the backend did before it dropped DELETE.

A job goes with its builds and a test group with its cases, children first,
a page at a time: the calls grow with the parent's own children, never with
the table, and an interrupted DELETE leaves the parent there, so a DELETE
again finishes the work. A case removed on its own is also taken out of its
group's ``test_cases`` (the backend's ``$pullAll``).
"""

from __future__ import annotations

from typing import Any

from chalicelib.kernelci import keys
from chalicelib.store import kernelci as store
from chalicelib.store import kernelci_listings as listings

REPLACE_ATTEMPTS = 5
CHILDREN = {keys.JOB: keys.BUILD, keys.TEST_GROUP: keys.TEST_CASE}


class NotFound(Exception):
    """No such document (or another DELETE removed it first)."""


class GroupContended(Exception):
    """The case is deleted; its group changed under every attempt to unlist it."""


def delete(coll: str, doc_id: str) -> None:
    """Remove one document of ``coll`` and what belongs to it."""
    doc = store.get(coll, doc_id)
    if doc is None:
        raise NotFound(doc_id)
    if coll in CHILDREN:
        _remove_children(CHILDREN[coll], doc)
    try:
        store.remove([(coll, doc)])
    except store.Gone:
        raise NotFound(doc_id) from None
    if coll == keys.TEST_CASE:
        _unlist_case(doc)


def _remove_children(coll: str, parent: dict[str, Any]) -> None:
    for docs in listings.children(coll, parent["_id"]):
        if docs:
            try:
                store.remove([(coll, d) for d in docs])
            except store.Gone:  # removed meanwhile by another DELETE: remove what is left
                for doc in docs:
                    try:
                        store.remove([(coll, doc)])
                    except store.Gone:
                        pass


def _unlist_case(case: dict[str, Any]) -> None:
    group_id = case.get("test_group_id")
    for _ in range(REPLACE_ATTEMPTS):
        group = store.get(keys.TEST_GROUP, group_id) if isinstance(group_id, str) else None
        if group is None or case["_id"] not in (group.get("test_cases") or []):
            return
        try:
            store.replace(keys.TEST_GROUP, {**group, "test_cases": [c for c in group["test_cases"]
                                                                    if c != case["_id"]]}, expected=group)
            return
        except store.Conflict:
            continue
    raise GroupContended(group_id)

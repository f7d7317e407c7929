"""Pushlog branches: name, repository URI, alternative names, sync position.

All branches share one partition (``registry = "branch"``): the full list is a
single Query, and a name (or an alternative name, stored as an alias item
pointing at its branch) is a single GetItem.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError, UpdateError
from pynamodb.models import Model

from chalicelib.store.base import table_meta

REGISTRY = "branch"


class BranchRecord(Model):
    Meta = table_meta("branches")
    registry = UnicodeAttribute(hash_key=True, default=REGISTRY)
    name = UnicodeAttribute(range_key=True)
    alias_of = UnicodeAttribute(null=True)  # set on alternative-name items only
    uri = UnicodeAttribute(null=True)
    alternatives = ListAttribute(of=UnicodeAttribute, default=list)
    last_push_id = NumberAttribute(default=0)
    failures = NumberAttribute(default=0)
    last_error = UnicodeAttribute(null=True)
    last_sync = NumberAttribute(null=True)


@dataclass(frozen=True)
class Branch:
    name: str
    uri: str
    alternatives: list[str] = field(default_factory=list)
    last_push_id: int = 0
    failures: int = 0
    last_error: str | None = None
    last_sync: int | None = None


class BranchConflict(Exception):
    pass


def _branch(rec: BranchRecord) -> Branch:
    return Branch(rec.name, rec.uri or "", list(rec.alternatives or []), int(rec.last_push_id or 0),
                  int(rec.failures or 0), rec.last_error, None if rec.last_sync is None else int(rec.last_sync))


def all_branches() -> list[Branch]:
    """Every branch (aliases excluded), in name order: one Query."""
    return [_branch(r) for r in BranchRecord.query(REGISTRY) if r.alias_of is None]


def resolve(name: str) -> Branch | None:
    """The branch a name or alternative name denotes (one or two GetItems)."""
    try:
        rec = BranchRecord.get(REGISTRY, name)
    except BranchRecord.DoesNotExist:
        return None
    if rec.alias_of is not None:
        try:
            rec = BranchRecord.get(REGISTRY, rec.alias_of)
        except BranchRecord.DoesNotExist:
            return None
    return _branch(rec)


def put(name: str, uri: str, alternatives: list[str] | tuple[str, ...] = ()) -> Branch:
    """Create or update a branch and its alternative names; its sync position is kept."""
    for alt in alternatives:
        existing = resolve(alt)
        if existing is not None and existing.name != name:
            raise BranchConflict(f"{alt!r} already names branch {existing.name!r}")
    current = resolve(name)
    if current is not None and current.name != name:
        raise BranchConflict(f"{name!r} is an alternative name of {current.name!r}")
    rec = BranchRecord(REGISTRY, name)
    rec.update(actions=[BranchRecord.uri.set(uri), BranchRecord.alternatives.set(list(alternatives))])
    for alt in alternatives:
        BranchRecord(REGISTRY, alt, alias_of=name).save()
    if current is not None:
        for stale in set(current.alternatives) - set(alternatives):
            BranchRecord(REGISTRY, stale).delete(condition=BranchRecord.alias_of == name)
    return resolve(name)  # type: ignore[return-value]


def advance(name: str, push_id: int) -> bool:
    """Move the sync position forward to ``push_id`` (never backwards)."""
    rec = BranchRecord(REGISTRY, name)
    try:
        rec.update(
            actions=[BranchRecord.last_push_id.set(push_id), BranchRecord.last_sync.set(int(time.time()))],
            condition=BranchRecord.name.exists() & (
                BranchRecord.last_push_id.does_not_exist() | (BranchRecord.last_push_id < push_id)),
        )
    except UpdateError as err:
        if err.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def record_sync(name: str, error: str | None) -> None:
    """Count a failed sync with its reason, or note a clean one."""
    rec = BranchRecord(REGISTRY, name)
    if error is None:
        rec.update(actions=[BranchRecord.last_sync.set(int(time.time())), BranchRecord.last_error.remove()])
    else:
        rec.update(actions=[BranchRecord.failures.add(1), BranchRecord.last_error.set(error[:1000])])


def seed(reference: dict[str, tuple[str, list[str]]]) -> int:
    """Create the reference branches that do not exist yet; returns how many."""
    created = 0
    for name, (uri, alternatives) in reference.items():
        try:
            BranchRecord(REGISTRY, name, uri=uri, alternatives=list(alternatives)).save(
                condition=BranchRecord.name.does_not_exist())
        except PutError as err:
            if err.cause_response_code == "ConditionalCheckFailedException":
                continue
            raise
        for alt in alternatives:
            BranchRecord(REGISTRY, alt, alias_of=name).save()
        created += 1
    return created

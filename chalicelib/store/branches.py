"""Pushlog branches: name, repository URI, alternative names, sync position.

All branches share one partition (``registry = "branch"``): the full list is a
single Query, and a name (or an alternative name, stored as an alias item
pointing at its branch) is a single GetItem.

A branch is also a Treeherder repository: it carries a stable integer
``repository_id`` (from an atomic counter, set once) and a ``repository`` name
(Treeherder's lower-case name, by default the last segment of the URI:
``integration/mozilla-inbound`` -> ``mozilla-inbound``). The repository name
is an alias item in its own partition (``registry = "repository"``), so a
Treeherder project resolves with two GetItems and never collides with the
Datazilla names.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError
from pynamodb.models import Model

from chalicelib.store import counters
from chalicelib.store.base import table_meta
from chalicelib.store.errors import write_unless_refused

REGISTRY = "branch"
REPOSITORIES = "repository"
REPOSITORY_ID_COUNTER = "repository_id"


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
    repository = UnicodeAttribute(null=True)  # Treeherder's name of the branch
    repository_id = NumberAttribute(null=True)  # Treeherder's id, never reused


@dataclass(frozen=True)
class Branch:
    name: str
    uri: str
    alternatives: list[str] = field(default_factory=list)
    last_push_id: int = 0
    failures: int = 0
    last_error: str | None = None
    last_sync: int | None = None
    repository: str | None = None
    repository_id: int | None = None


class BranchConflict(Exception):
    pass


def _branch(rec: BranchRecord) -> Branch:
    return Branch(rec.name, rec.uri or "", list(rec.alternatives or []), int(rec.last_push_id or 0),
                  int(rec.failures or 0), rec.last_error, None if rec.last_sync is None else int(rec.last_sync),
                  rec.repository, None if rec.repository_id is None else int(rec.repository_id))


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


def put(name: str, uri: str, alternatives: list[str] | tuple[str, ...] = (), repository: str | None = None) -> Branch:
    """Create or update a branch and its alternative names; its sync position is kept.

    ``repository`` names it for Treeherder when it has no repository name yet
    (default: :func:`default_repository_name`); once given, a name is kept.
    """
    for alt in alternatives:
        existing = resolve(alt)
        if existing is not None and existing.name != name:
            raise BranchConflict(f"{alt!r} already names branch {existing.name!r}")
    current = resolve(name)
    if current is not None and current.name != name:
        raise BranchConflict(f"{name!r} is an alternative name of {current.name!r}")
    if repository is not None:
        owner = _repository_owner(repository)
        if owner is not None and owner != name:
            raise BranchConflict(f"repository name {repository!r} already names branch {owner!r}")
    rec = BranchRecord(REGISTRY, name)
    rec.update(actions=[BranchRecord.uri.set(uri), BranchRecord.alternatives.set(list(alternatives))])
    for alt in alternatives:
        BranchRecord(REGISTRY, alt, alias_of=name).save()
    if current is not None:
        for stale in set(current.alternatives) - set(alternatives):
            BranchRecord(REGISTRY, stale).delete(condition=BranchRecord.alias_of == name)
    return ensure_repository(resolve(name), repository)  # type: ignore[arg-type]


def advance(name: str, push_id: int) -> bool:
    """Move the sync position forward to ``push_id`` (never backwards)."""
    rec = BranchRecord(REGISTRY, name)
    return write_unless_refused(
        rec.update,
        actions=[BranchRecord.last_push_id.set(push_id), BranchRecord.last_sync.set(int(time.time()))],
        condition=BranchRecord.name.exists() & (
            BranchRecord.last_push_id.does_not_exist() | (BranchRecord.last_push_id < push_id)),
    )


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
        if not write_unless_refused(BranchRecord(REGISTRY, name, uri=uri, alternatives=list(alternatives)).save,
                                    condition=BranchRecord.name.does_not_exist()):
            continue
        for alt in alternatives:
            BranchRecord(REGISTRY, alt, alias_of=name).save()
        ensure_repository(resolve(name))  # type: ignore[arg-type]
        created += 1
    return created


# --- the Treeherder face: repositories ------------------------------------------------------


def default_repository_name(name: str, uri: str) -> str:
    """Treeherder's name for a branch: its URI's last path segment, lower case."""
    path = uri.split("?", 1)[0].rstrip("/").removesuffix("/json-pushes").rstrip("/")
    segment = path.rsplit("/", 1)[-1] if path else ""
    return (segment or name).lower()


def _repository_owner(repository: str) -> str | None:
    try:
        return BranchRecord.get(REPOSITORIES, repository).alias_of
    except BranchRecord.DoesNotExist:
        return None


def _claim_repository_name(repository: str, branch: str, repository_id: int) -> None:
    try:
        BranchRecord(REPOSITORIES, repository, alias_of=branch, repository_id=repository_id).save(
            condition=BranchRecord.name.does_not_exist() | (BranchRecord.alias_of == branch))
    except PutError as err:
        if err.cause_response_code == "ConditionalCheckFailedException":
            raise BranchConflict(f"repository name {repository!r} already names another branch") from err
        raise


def ensure_repository(branch: Branch, repository: str | None = None) -> Branch:
    """Give a branch its Treeherder id and name if it has none yet (idempotent).

    Both are set with conditions (only where missing), so concurrent callers
    agree on one id; a counter value lost to such a race is never reused.
    """
    if branch.repository_id is not None and branch.repository is not None:
        return branch
    name = branch.repository or repository or default_repository_name(branch.name, branch.uri)
    rec = BranchRecord(REGISTRY, branch.name)
    if branch.repository_id is None:
        write_unless_refused(rec.update,  # refused: another caller gave it its id first
                             actions=[BranchRecord.repository_id.set(counters.next_value(REPOSITORY_ID_COUNTER))],
                             condition=BranchRecord.name.exists() & BranchRecord.repository_id.does_not_exist())
    current = resolve(branch.name)
    if current is None:
        raise BranchConflict(f"branch {branch.name!r} is gone")
    if current.repository is None:
        try:
            _claim_repository_name(name, branch.name, int(current.repository_id))  # type: ignore[arg-type]
        except BranchConflict:
            if repository is not None or name == branch.name.lower():
                raise
            name = branch.name.lower()  # two URIs ending alike: the second takes its own name
            _claim_repository_name(name, branch.name, int(current.repository_id))  # type: ignore[arg-type]
        write_unless_refused(rec.update, actions=[BranchRecord.repository.set(name)],  # refused: named meanwhile
                             condition=BranchRecord.repository.does_not_exist())
        current = resolve(branch.name)
    return current  # type: ignore[return-value]


def resolve_repository(name: str) -> Branch | None:
    """The branch a Treeherder project name denotes: its repository name, or a branch name.

    Two GetItems for a repository name; a branch (or alternative) name that
    has no repository yet gets one on the way.
    """
    try:
        alias = BranchRecord.get(REPOSITORIES, name)
    except BranchRecord.DoesNotExist:
        alias = None
    if alias is not None and alias.alias_of is not None:
        found = resolve(alias.alias_of)
        if found is not None:
            return found
    found = resolve(name)
    if found is None:
        return None
    return ensure_repository(found)

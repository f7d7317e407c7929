"""Reference data per project: machines, operating systems, options, tests,
pages and products, each name with a stable integer id (as Datazilla's
``ref_data`` endpoint shows them).

Key: (``<project>#<kind>``, name). Listing a kind is one Query; registering a
run's names is one BatchGetItem plus a conditional put per name never seen,
and no call at all for names this container already found registered: a
registered name is never deleted nor renumbered, so remembering that it
exists cannot go stale (a tp5 run names ~106, which cost ~50 read units a
run to look up again).
"""

from __future__ import annotations

from typing import Iterable

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.store import clients, counters
from chalicelib.store.base import table_meta
from chalicelib.store.errors import write_unless_refused

KINDS = ("machines", "operating_systems", "options", "tests", "pages", "products")
_BATCH = 100  # BatchGetItem's limit
_KNOWN_LIMIT = 100_000  # names remembered per container (~10 MB at most); then it starts again

_known: set[tuple[str, str]] = set()  # (partition, name) found registered by this container


class RefdataRecord(Model):
    Meta = table_meta("refdata")
    kind = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute(range_key=True)
    id = NumberAttribute()


def _partition(project: str, kind: str) -> str:
    return f"{project}#{kind}"


def register(project: str, names: dict[str, Iterable[str]]) -> int:
    """Give every new name of each kind an id; returns how many were new."""
    wanted = {(_partition(project, kind), name) for kind, values in names.items() for name in values if name}
    keys = sorted(wanted - _known)
    known: set[tuple[str, str]] = set()
    for start in range(0, len(keys), _BATCH):
        for rec in RefdataRecord.batch_get(keys[start:start + _BATCH], attributes_to_get=["kind", "name"]):
            known.add((rec.kind, rec.name))
    created = 0
    for partition, name in keys:
        if (partition, name) in known:
            continue
        new_id = counters.next_value(f"refdata#{partition}")
        if write_unless_refused(RefdataRecord(partition, name, id=new_id).save,
                                condition=RefdataRecord.name.does_not_exist()):
            created += 1
        known.add((partition, name))  # registered now, by this call or by the one it raced
    _remember(known)
    return created


def _remember(names: set[tuple[str, str]]) -> None:
    if len(_known) + len(names) > _KNOWN_LIMIT:
        _known.clear()
    _known.update(names)


def _forget_known() -> None:
    _known.clear()


clients.on_reset(_forget_known)  # tests switch between embedded AWS worlds


def listing(project: str, kind: str) -> dict[str, int]:
    """All names of a kind with their ids (one Query, paged by DynamoDB)."""
    return {rec.name: int(rec.id) for rec in RefdataRecord.query(_partition(project, kind))}


class LatestVersion(Model):
    """The most recent version of a product on a branch (what metrics default to)."""

    Meta = table_meta("refdata")
    kind = UnicodeAttribute(hash_key=True)  # "<project>#latest_version"
    name = UnicodeAttribute(range_key=True)  # "<branch>#<product>"
    version = UnicodeAttribute()
    date_run = NumberAttribute()


def note_version(project: str, branch: str, product: str, version: str, date_run: int) -> None:
    """Remember ``version`` if it is the newest run of the product on the branch.

    A conditional PutItem: the item holds nothing but its key, the version and
    the date (nothing else writes it), so the put leaves what an UpdateItem
    setting both would, at the same write units; every loaded run makes this
    call, and the local stack's UpdateItem costs three times a PutItem's CPU
    (moto validates update expressions action by action).
    """
    record = LatestVersion(_partition(project, "latest_version"), f"{branch}#{product}", version=version,
                           date_run=date_run)
    write_unless_refused(  # refused: a newer run's version is already noted
        record.save, condition=LatestVersion.date_run.does_not_exist() | (LatestVersion.date_run <= date_run))


def latest_version(project: str, branch: str, product: str) -> str | None:
    try:
        return LatestVersion.get(_partition(project, "latest_version"), f"{branch}#{product}").version
    except LatestVersion.DoesNotExist:
        return None


def ids_for(project: str, names: dict[str, str]) -> dict[str, int]:
    """The ids of one name per kind (``{kind: name}`` -> ``{kind: id}``), registering new ones.

    One BatchGetItem; a name never seen costs a counter update, a conditional
    put and (after a lost race) one GetItem.
    """
    keys = {kind: (_partition(project, kind), name) for kind, name in names.items()}
    found = {(rec.kind, rec.name): int(rec.id) for rec in RefdataRecord.batch_get(list(set(keys.values())))}
    missing = {kind: key for kind, key in keys.items() if key not in found}
    if missing:
        register(project, {kind: [name] for kind, (_, name) in missing.items()})
        for key in set(missing.values()):
            rec = RefdataRecord.get(*key, consistent_read=True)
            found[key] = int(rec.id)
    return {kind: found[key] for kind, key in keys.items()}

"""The Perfherder signatures of each repository's performance series.

In the ``treeherder`` table:

- ``sig#<branch>`` / ``<signature hash>``: the series (its group's fields and
  page, so the series can be read from the metrics table), its stable integer
  id and ``last_updated`` (the newest push time with a value). A repository's
  signatures are one Query; a set of hashes one BatchGetItem;
- ``sigid#<id>`` / ``signature``: which (branch, hash) an id names.

Written by the metrics worker after each run's metrics. The metrics FIFO
queue hands a series group's runs to one worker at a time and a signature
belongs to exactly one group, so the read-then-write here never races.
"""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.perf.series import SeriesGroup
from chalicelib.perf.signatures import Signature
from chalicelib.store import counters
from chalicelib.store.base import table_meta

ID_COUNTER = "perf_signature_id"
ID_SORT = "signature"
_BATCH = 100


class SignatureRecord(Model):
    Meta = table_meta("treeherder")
    pk = UnicodeAttribute(hash_key=True)  # sig#<branch>
    sk = UnicodeAttribute(range_key=True)  # signature hash
    signature_id = NumberAttribute()
    project = UnicodeAttribute()
    branch = UnicodeAttribute()
    product = UnicodeAttribute()
    os_name = UnicodeAttribute()
    os_version = UnicodeAttribute()
    processor = UnicodeAttribute()
    build_type = UnicodeAttribute()
    test_name = UnicodeAttribute()
    page = UnicodeAttribute()
    last_updated = NumberAttribute()


class SignatureIdRecord(Model):
    Meta = table_meta("treeherder")
    pk = UnicodeAttribute(hash_key=True)  # sigid#<id>
    sk = UnicodeAttribute(range_key=True, default=ID_SORT)
    branch = UnicodeAttribute()
    signature_hash = UnicodeAttribute()


@dataclass(frozen=True)
class StoredSignature:
    id: int
    hash: str
    signature: Signature
    last_updated: int


def _pk(branch: str) -> str:
    return f"sig#{branch}"


def _stored(rec: SignatureRecord) -> StoredSignature:
    group = SeriesGroup(rec.project, rec.branch, rec.product, rec.os_name, rec.os_version, rec.processor,
                        rec.build_type, rec.test_name)
    return StoredSignature(int(rec.signature_id), rec.sk, Signature(group, rec.page), int(rec.last_updated))


def register(group: SeriesGroup, pages: list[str], push_date: int) -> int:
    """Record the group's pages as series with data up to ``push_date``; returns how many are new."""
    by_hash = {Signature(group, page).hash: page for page in pages}
    if not by_hash:
        return 0
    known = {h: rec for h, rec in _get_records(group.branch, list(by_hash)).items()}
    new = [h for h in by_hash if h not in known]
    first_id = counters.next_value(ID_COUNTER, len(new)) - len(new) + 1 if new else 0
    with SignatureRecord.batch_write() as batch:
        for offset, h in enumerate(new):
            new_id = first_id + offset
            batch.save(SignatureRecord(
                _pk(group.branch), h, signature_id=new_id, project=group.project, branch=group.branch,
                product=group.product, os_name=group.os_name, os_version=group.os_version,
                processor=group.processor, build_type=group.build_type, test_name=group.test_name,
                page=by_hash[h], last_updated=push_date))
            batch.save(SignatureIdRecord(f"sigid#{new_id}", ID_SORT, branch=group.branch, signature_hash=h))
        for rec in known.values():
            if int(rec.last_updated) < push_date:
                rec.last_updated = push_date
                batch.save(rec)
    return len(new)


def _get_records(branch: str, hashes: list[str]) -> dict[str, SignatureRecord]:
    keys = [(_pk(branch), h) for h in dict.fromkeys(hashes)]
    found: dict[str, SignatureRecord] = {}
    for start in range(0, len(keys), _BATCH):
        for rec in SignatureRecord.batch_get(keys[start:start + _BATCH]):
            found[rec.sk] = rec
    return found


def in_repository(branch: str) -> list[StoredSignature]:
    """Every signature of a repository (one paged Query)."""
    return [_stored(r) for r in SignatureRecord.query(_pk(branch))]


def by_hashes(branch: str, hashes: list[str]) -> list[StoredSignature]:
    """The signatures among ``hashes`` that the repository has (BatchGetItem)."""
    return [_stored(r) for r in _get_records(branch, hashes).values()]


def by_ids(branch: str, ids: list[int]) -> list[StoredSignature]:
    """The repository's signatures with these ids (two BatchGetItems)."""
    keys = [(f"sigid#{i}", ID_SORT) for i in dict.fromkeys(ids)]
    hashes = []
    for start in range(0, len(keys), _BATCH):
        hashes += [r.signature_hash for r in SignatureIdRecord.batch_get(keys[start:start + _BATCH])
                   if r.branch == branch]
    return by_hashes(branch, hashes)

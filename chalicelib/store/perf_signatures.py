"""The Perfherder signatures of each repository's performance series.

In the ``treeherder`` table:

- ``sig#<branch>`` / ``<signature hash>``: the series (its group's fields and
  page, so the series can be read from the metrics table) and its stable
  integer id. A set of hashes is one BatchGetItem;
- ``sig#<branch>`` / ``group#<sha1 of the group key>``: ``last_updated`` (the
  newest push time of the group's runs), and ``pages#<sha1 ...>``: the group's
  pages already registered, kept per group so that a run costs one
  BatchGetItem and one UpdateItem however many pages it has (the UpdateItem
  alone once this container has seen the group's pages registered: pages are
  only ever added, so what it saw stays true). Two items, because every run
  rewrites ``last_updated`` and a write is billed on the whole item: with a
  tp5 group's hundred page names beside it, that was two write units a run,
  alone it is one. Groups registered before the split keep their pages on the
  ``group#`` item until a container first reads them, which moves them;
- ``sigid#<id>`` / ``signature``: which (branch, hash) an id names.

A repository's signatures are two Queries on its partition (signatures,
whose sort keys are hex, and groups). Written by the metrics worker after
each run's metrics. The metrics FIFO queue hands a series group's runs to one
worker at a time and a signature belongs to exactly one group, so the
read-then-write here never races.
"""

from __future__ import annotations

import hashlib

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.models import Model

from chalicelib.perf.series import SeriesGroup
from chalicelib.perf.signatures import Signature, StoredSignature
from chalicelib.store import clients, counters
from chalicelib.store.base import table_meta
from chalicelib.store.series_fields import SeriesGroupFields, group_fields

ID_COUNTER = "perf_signature_id"
ID_SORT = "signature"
_BATCH = 100
_KNOWN_GROUPS = 10_000  # groups remembered per container; then it starts again

# (branch, group sort key) -> (pages seen registered, the last_updated this container read or wrote)
_known: dict[tuple[str, str], tuple[frozenset[str], int]] = {}


class SignatureRecord(SeriesGroupFields, Model):
    Meta = table_meta("treeherder")
    pk = UnicodeAttribute(hash_key=True)  # sig#<branch>
    sk = UnicodeAttribute(range_key=True)  # signature hash
    signature_id = NumberAttribute()
    project = UnicodeAttribute()
    page = UnicodeAttribute()
    group_sk = UnicodeAttribute()


class SeriesGroupRecord(Model):
    Meta = table_meta("treeherder")
    pk = UnicodeAttribute(hash_key=True)  # sig#<branch>
    sk = UnicodeAttribute(range_key=True)  # group#<sha1 of the group key>
    pages = UnicodeSetAttribute(default=set)  # on a pages# item (and on group# items written before the split)
    last_updated = NumberAttribute(null=True)  # on a group# item


class SignatureIdRecord(Model):
    Meta = table_meta("treeherder")
    pk = UnicodeAttribute(hash_key=True)  # sigid#<id>
    sk = UnicodeAttribute(range_key=True, default=ID_SORT)
    branch = UnicodeAttribute()
    signature_hash = UnicodeAttribute()


def _pk(branch: str) -> str:
    return f"sig#{branch}"


def _group_sk(group: SeriesGroup) -> str:
    return "group#" + hashlib.sha1(group.key.encode("utf-8")).hexdigest()  # noqa: S324 - an identifier


def _pages_sk(group: SeriesGroup) -> str:
    return "pages#" + _group_sk(group).removeprefix("group#")


def _stored(rec: SignatureRecord, last_updated: int = 0) -> StoredSignature:
    return StoredSignature(int(rec.signature_id), rec.sk, Signature(rec.series_group(rec.project), rec.page),
                           last_updated)


def register(group: SeriesGroup, pages: list[str], push_date: int) -> int:
    """Record the group's pages as series with data up to ``push_date``; returns how many are new.

    ``push_date`` is the newest push of the group's runs (the metrics job
    replays a group up to its newest run), so it never moves backwards.
    """
    if not pages:
        return 0
    seen = _known.get((group.branch, _group_sk(group)))
    if seen is not None and seen[0].issuperset(pages):
        if seen[1] != push_date:
            SeriesGroupRecord(_pk(group.branch), _group_sk(group)).update(
                actions=[SeriesGroupRecord.last_updated.set(push_date)])
            _remember(group, seen[0], push_date)
        return 0
    pk, group_sk, pages_sk = _pk(group.branch), _group_sk(group), _pages_sk(group)
    found = {r.sk: r for r in SeriesGroupRecord.batch_get([(pk, group_sk), (pk, pages_sk)], consistent_read=True)}
    known, listed = found.get(group_sk), found.get(pages_sk)
    legacy = set(known.pages or ()) if known is not None else set()  # pages kept on the group# item
    registered = legacy | (set(listed.pages or ()) if listed is not None else set())
    new = sorted(set(pages) - registered)
    if new:
        first_id = counters.next_value(ID_COUNTER, len(new)) - len(new) + 1
        with SignatureRecord.batch_write() as batch:
            for offset, page in enumerate(new):
                new_id, signature_hash = first_id + offset, Signature(group, page).hash
                batch.save(SignatureRecord(
                    _pk(group.branch), signature_hash, signature_id=new_id, project=group.project, page=page,
                    group_sk=_group_sk(group), **group_fields(group)))
                batch.save(SignatureIdRecord(f"sigid#{new_id}", ID_SORT, branch=group.branch,
                                             signature_hash=signature_hash))
    if new or legacy:  # the pages item first: a group# item never loses pages that are not yet on it
        SeriesGroupRecord(pk, pages_sk).update(actions=[SeriesGroupRecord.pages.add(set(new) | legacy)])
    if legacy or known is None or known.last_updated is None or int(known.last_updated) != push_date:
        actions = [SeriesGroupRecord.last_updated.set(push_date)]
        if legacy:
            actions.append(SeriesGroupRecord.pages.remove())
        SeriesGroupRecord(pk, group_sk).update(actions=actions)
    _remember(group, frozenset(registered.union(new)), push_date)
    return len(new)


def _remember(group: SeriesGroup, pages: frozenset[str], last_updated: int) -> None:
    if len(_known) >= _KNOWN_GROUPS:
        _known.clear()
    _known[(group.branch, _group_sk(group))] = (pages, last_updated)


clients.on_reset(_known.clear)  # tests switch between embedded AWS worlds


def _get_records(branch: str, hashes: list[str]) -> dict[str, SignatureRecord]:
    keys = [(_pk(branch), h) for h in dict.fromkeys(hashes)]
    found: dict[str, SignatureRecord] = {}
    for start in range(0, len(keys), _BATCH):
        for rec in SignatureRecord.batch_get(keys[start:start + _BATCH]):
            found[rec.sk] = rec
    return found


def in_repository(branch: str) -> list[StoredSignature]:
    """Every signature of a repository, with its group's ``last_updated`` (two paged Queries)."""
    updated = {r.sk: int(r.last_updated or 0)
               for r in SeriesGroupRecord.query(_pk(branch), SeriesGroupRecord.sk.startswith("group#"))}
    signatures = SignatureRecord.query(_pk(branch), SignatureRecord.sk < "g")  # hex hashes sort before "group#"
    return [_stored(r, updated.get(r.group_sk, 0)) for r in signatures]


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

"""Perftest records: one item per loaded test run (its replicates are in S3: ``store.replicates``).

``by_revision`` and ``by_push`` (``*_v2`` on AWS: the ALL-projected indexes they
replace had the plain names; docs/deployment.md) project what the metrics views show of a run
(``RUN_FIELDS``), not its page names: those are most of a tp5 run's item (a
hundred names, ~1.3 KB), and every index copy costs as many write units as it
holds. A view takes a run's page names from its metrics item, which it reads
anyway and which names every page; only runs without metrics yet (no push, or
still queued) have them read from the table (``page_names_of``, one BatchGetItem).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.exceptions import PutError
from pynamodb.indexes import GlobalSecondaryIndex, IncludeProjection, KeysOnlyProjection
from pynamodb.models import Model

from chalicelib.store.base import table_meta
from chalicelib.store.errors import write_unless_refused
from chalicelib.store.item_size import item_bytes

# What the metrics views read of a run besides the keys (chalicelib.datazilla.metrics_view.RunLike).
RUN_FIELDS = ["date_run", "test_name", "product", "branch", "branch_version", "os_name", "os_version", "machine",
              "build_id", "revision", "processor", "build_type", "canonical_branch", "pushlog_id", "push_date"]


class ByRevision(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_revision_v2"  # a new name: CloudFormation cannot change an index's projection in place
        projection = IncludeProjection([*RUN_FIELDS, "push_id"])

    branch_key = UnicodeAttribute(hash_key=True)
    revision_key = UnicodeAttribute(range_key=True)


class ByDate(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_date"
        projection = IncludeProjection(
            ["branch", "revision", "test_name", "product", "branch_version", "machine", "build_id",
             "test_version", "pushlog_id"])

    project = UnicodeAttribute(hash_key=True)
    date_run = NumberAttribute(range_key=True)


class ByPush(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_push_v2"
        projection = IncludeProjection(RUN_FIELDS)

    push_branch_key = UnicodeAttribute(hash_key=True)
    push_id = NumberAttribute(range_key=True)


class Unlinked(GlobalSecondaryIndex):
    class Meta:
        index_name = "unlinked"
        projection = KeysOnlyProjection()

    unlinked_branch = UnicodeAttribute(hash_key=True)
    unlinked_key = UnicodeAttribute(range_key=True)


class TestRunRecord(Model):
    Meta = table_meta("test-runs")

    project = UnicodeAttribute(hash_key=True)
    test_run_id = NumberAttribute(range_key=True)
    objectstore_id = NumberAttribute()
    date_run = NumberAttribute()
    test_name = UnicodeAttribute()
    test_version = NumberAttribute()
    product = UnicodeAttribute()
    branch = UnicodeAttribute()
    branch_version = UnicodeAttribute()
    os_name = UnicodeAttribute()
    os_version = UnicodeAttribute()
    machine = UnicodeAttribute()
    build_id = UnicodeAttribute()
    revision = UnicodeAttribute()
    processor = UnicodeAttribute()
    build_type = UnicodeAttribute()
    options = MapAttribute(default=dict)
    # page name -> replicate values, on runs loaded before replicates moved to S3 (store.replicates); now empty
    pages = MapAttribute(default=dict)
    # aux name -> values, on runs loaded before it stayed in the blob alone (nothing reads it: the raw
    # endpoint serves the blob)
    aux_data = MapAttribute(default=dict)
    page_names = ListAttribute(of=UnicodeAttribute, default=list)
    branch_key = UnicodeAttribute()
    revision_key = UnicodeAttribute()

    # The run's push, once known; until then the run waits in ``unlinked``.
    canonical_branch = UnicodeAttribute(null=True)
    push_branch_key = UnicodeAttribute(null=True)
    push_id = NumberAttribute(null=True)
    pushlog_id = NumberAttribute(null=True)
    push_date = NumberAttribute(null=True)
    unlinked_branch = UnicodeAttribute(null=True)
    unlinked_key = UnicodeAttribute(null=True)

    by_revision = ByRevision()
    by_date = ByDate()
    by_push = ByPush()
    unlinked = Unlinked()

    __test__ = False  # not a pytest class


@dataclass(frozen=True)
class PushLink:
    """Where a run belongs in its branch's push order."""

    branch: str  # canonical branch name
    push_id: int
    pushlog_id: int
    push_date: int


class RunNotStorable(Exception):
    """The run cannot be written as one DynamoDB item (too large, or a value DynamoDB refuses)."""


def _unlinked_key(revision: str, project: str, test_run_id: int) -> str:
    return f"{revision}#{project}#{test_run_id:012d}"


def save(project: str, test_run_id: int, run: dict[str, Any], canonical_branch: str,
         link: PushLink | None) -> int:
    """Write the run and return its item's billable bytes; writing the same run again leaves one record.

    ``link`` is the run's push when it is already synced; otherwise the run is
    indexed as waiting for a push of ``canonical_branch``.
    """
    record = TestRunRecord(
        project,
        test_run_id,
        objectstore_id=test_run_id,
        branch_key=f"{project}#{run['branch']}",
        revision_key=f"{run['revision']}#{test_run_id:012d}",
        **{k: v for k, v in run.items() if k not in ("pages", "aux_data")},
    )
    record.canonical_branch = canonical_branch
    if link is None:
        record.unlinked_branch = canonical_branch
        record.unlinked_key = _unlinked_key(run["revision"], project, test_run_id)
    else:
        _apply_link(record, project, link)
    try:
        record.save()
        return item_bytes(record.serialize())
    except PutError as err:
        if err.cause_response_code == "ValidationException":
            raise RunNotStorable(f"RunNotStorable: {err.cause_response_message}") from err
        raise
    except (ValueError, TypeError) as err:  # a value PynamoDB cannot serialise
        raise RunNotStorable(f"RunNotStorable: {err}") from err


def page_names_of(project: str, test_run_ids: list[int]) -> dict[int, list[str]]:
    """Each run's page names, read from the table (the indexes leave them out): BatchGetItem, 100 runs a call."""
    found: dict[int, list[str]] = {}
    for start in range(0, len(test_run_ids), 100):
        keys = [(project, run_id) for run_id in test_run_ids[start:start + 100]]
        for rec in TestRunRecord.batch_get(keys, attributes_to_get=["test_run_id", "page_names"]):
            found[int(rec.test_run_id)] = list(rec.page_names or ())
    return found


def get(project: str, test_run_id: int) -> TestRunRecord | None:
    try:
        return TestRunRecord.get(project, test_run_id)
    except TestRunRecord.DoesNotExist:
        return None


def _apply_link(record: TestRunRecord, project: str, link: PushLink) -> None:
    record.push_branch_key = f"{project}#{link.branch}"
    record.push_id = link.push_id
    record.pushlog_id = link.pushlog_id
    record.push_date = link.push_date


def waiting_for(branch: str, node: str) -> Iterator[tuple[str, int]]:
    """(project, test_run_id) of runs on ``branch`` waiting for the push of ``node``.

    One Query on the ``unlinked`` index: run revisions are at least 12
    characters, so ``node[:12]`` narrows to the candidates, and a run matches
    when its revision is a prefix of the node.
    """
    for rec in TestRunRecord.unlinked.query(branch, TestRunRecord.unlinked_key.startswith(node[:12])):
        revision, project, run_id = rec.unlinked_key.rsplit("#", 2)
        if node.startswith(revision):
            yield project, int(run_id)


def link(project: str, test_run_id: int, push: PushLink) -> bool:
    """Attach a waiting run to its push; False if it was linked meanwhile or is gone."""
    record = TestRunRecord(project, test_run_id)
    return write_unless_refused(
        record.update,
        actions=[
            TestRunRecord.push_branch_key.set(f"{project}#{push.branch}"),
            TestRunRecord.push_id.set(push.push_id),
            TestRunRecord.pushlog_id.set(push.pushlog_id),
            TestRunRecord.push_date.set(push.push_date),
            TestRunRecord.unlinked_branch.remove(),
            TestRunRecord.unlinked_key.remove(),
        ],
        condition=TestRunRecord.unlinked_key.exists(),
    )


def run_between_dates(project: str, start: int, end: int) -> Iterator[TestRunRecord]:
    """Runs of a project by run date (the ``by_date`` index's projection)."""
    return TestRunRecord.by_date.query(project, TestRunRecord.date_run.between(start, end))


def pushes_with_runs(project: str, branch: str, first_push_id: int, last_push_id: int) -> set[int]:
    """Push ids in a range that have at least one run of the project (one Query)."""
    found = TestRunRecord.by_push.query(
        f"{project}#{branch}", TestRunRecord.push_id.between(first_push_id, last_push_id),
        attributes_to_get=["push_id"])
    return {int(r.push_id) for r in found}


def for_revision(project: str, branch: str, revision: str) -> Iterator[TestRunRecord]:
    """Runs of a branch name whose revision starts with ``revision`` (one paged Query)."""
    return TestRunRecord.by_revision.query(f"{project}#{branch}", TestRunRecord.revision_key.startswith(revision))


def on_pushes(project: str, branch: str, first_push_id: int, last_push_id: int) -> Iterator[TestRunRecord]:
    """Runs linked to the pushes of a range on a canonical branch (one paged Query)."""
    return TestRunRecord.by_push.query(f"{project}#{branch}",
                                       TestRunRecord.push_id.between(first_push_id, last_push_id))

"""Perftest records: one item per loaded test run, with its pages' replicates."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.exceptions import PutError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.store.base import table_meta


class ByRevision(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_revision"
        projection = AllProjection()

    branch_key = UnicodeAttribute(hash_key=True)
    revision_key = UnicodeAttribute(range_key=True)


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
    pages = MapAttribute(default=dict)  # page name -> list of replicate values
    aux_data = MapAttribute(default=dict)  # aux name -> list of values
    page_names = ListAttribute(of=UnicodeAttribute, default=list)
    branch_key = UnicodeAttribute()
    revision_key = UnicodeAttribute()

    by_revision = ByRevision()


class RunNotStorable(Exception):
    """The run cannot be written as one DynamoDB item (too large, or a value DynamoDB refuses)."""


def save(project: str, test_run_id: int, run: dict[str, Any]) -> None:
    """Write the run; writing the same run again leaves one record (same key)."""
    record = TestRunRecord(
        project,
        test_run_id,
        objectstore_id=test_run_id,
        branch_key=f"{project}#{run['branch']}",
        revision_key=f"{run['revision']}#{test_run_id:012d}",
        **{k: v for k, v in run.items() if k not in ("pages", "aux_data")},
    )
    record.pages = dict(run["pages"])
    record.aux_data = dict(run["aux_data"])
    try:
        record.save()
    except PutError as err:
        if err.cause_response_code == "ValidationException":
            raise RunNotStorable(f"RunNotStorable: {err.cause_response_message}") from err
        raise
    except (ValueError, TypeError) as err:  # a value PynamoDB cannot serialise
        raise RunNotStorable(f"RunNotStorable: {err}") from err


def get(project: str, test_run_id: int) -> TestRunRecord | None:
    try:
        return TestRunRecord.get(project, test_run_id)
    except TestRunRecord.DoesNotExist:
        return None

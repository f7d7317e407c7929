"""Perftest records: one item per loaded test run, with its pages' replicates."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pynamodb.exceptions import PutError
from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
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


class RunTooLarge(Exception):
    """The run does not fit in one DynamoDB item (400 KB)."""


def _numeric(values: list[Any]) -> list[Any]:
    return [Decimal(str(v)) if isinstance(v, (int, float)) and not isinstance(v, bool) else v for v in values]


def save(project: str, test_run_id: int, run: dict[str, Any]) -> None:
    """Write the run; writing the same run again leaves one record (same key)."""
    record = TestRunRecord(
        project,
        test_run_id,
        branch_key=f"{project}#{run['branch']}",
        revision_key=f"{run['revision']}#{test_run_id:012d}",
        **{k: v for k, v in run.items() if k not in ("pages", "aux_data")},
    )
    record.pages = {page: _numeric(values) for page, values in run["pages"].items()}
    record.aux_data = {name: _numeric(values) for name, values in run["aux_data"].items()}
    try:
        record.save()
    except PutError as err:
        if err.cause_response_code == "ValidationException" and "size" in str(err.cause_response_message):
            raise RunTooLarge(f"RunTooLarge: {err.cause_response_message}") from err
        raise


def get(project: str, test_run_id: int) -> TestRunRecord | None:
    try:
        return TestRunRecord.get(project, test_run_id)
    except TestRunRecord.DoesNotExist:
        return None

"""The series group's fields, as every record about a group stores them (beside its own keys)."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import UnicodeAttribute

from chalicelib.perf.series import SeriesGroup

GROUP_FIELDS = ("branch", "product", "os_name", "os_version", "processor", "build_type", "test_name")


class SeriesGroupFields:
    """Mixed into a PynamoDB model: the group's branch, product, platform and test."""

    branch = UnicodeAttribute()
    product = UnicodeAttribute()
    os_name = UnicodeAttribute()
    os_version = UnicodeAttribute()
    processor = UnicodeAttribute()
    build_type = UnicodeAttribute()
    test_name = UnicodeAttribute()

    def series_group(self, project: str) -> SeriesGroup:
        return SeriesGroup(project, *(getattr(self, name) for name in GROUP_FIELDS))


def group_fields(group: SeriesGroup) -> dict[str, str]:
    """The keyword arguments that store ``group``'s fields in a record."""
    return {name: getattr(group, name) for name in GROUP_FIELDS}


def platform(of: Any) -> dict[str, str]:
    """The platform as the API shows it, from a group or a record carrying its fields."""
    return {"os": of.os_name, "osversion": of.os_version, "processor": of.processor, "build_type": of.build_type}

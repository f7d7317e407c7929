"""Which series groups a project has, and their pages: what the graph page offers to choose from.

Items live in the refdata table (kind ``<project>#series``, name = the group
key), next to the other per-project reference data. Listing a project's
groups is one paged Query; the alerts job keeps an item current with one
conditional write, made only when the group's pages changed.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import ListAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.perf.series import SeriesGroup
from chalicelib.store.base import table_meta
from chalicelib.store.series_fields import SeriesGroupFields, group_fields, platform


class SeriesEntry(SeriesGroupFields, Model):
    Meta = table_meta("refdata")
    kind = UnicodeAttribute(hash_key=True)  # "<project>#series"
    name = UnicodeAttribute(range_key=True)  # the group key
    pages = ListAttribute(of=UnicodeAttribute, default=list)


def _kind(project: str) -> str:
    return f"{project}#series"


def note(group: SeriesGroup, pages: list[str], known: list[str] | None) -> bool:
    """Record the group with these pages unless ``known`` (what the caller read) already says so."""
    pages = sorted(set(pages) | set(known or ()))
    if known is not None and pages == sorted(known):
        return False
    entry = SeriesEntry(_kind(group.project), group.key, pages=pages, **group_fields(group))
    entry.save()
    return True


def pages_of(group: SeriesGroup) -> list[str] | None:
    try:
        return list(SeriesEntry.get(_kind(group.project), group.key).pages or [])
    except SeriesEntry.DoesNotExist:
        return None


def groups(project: str) -> list[dict[str, Any]]:
    """Every group of the project with its pages (one paged Query)."""
    return [{"series": e.name, "branch": e.branch, "product": e.product, "test": e.test_name,
             "platform": platform(e), "pages": list(e.pages or [])}
            for e in SeriesEntry.query(_kind(project))]


def group_of(project: str, key: str) -> SeriesGroup | None:
    """The group a key names, if the project has it (one GetItem)."""
    try:
        return SeriesEntry.get(_kind(project), key).series_group(project)
    except SeriesEntry.DoesNotExist:
        return None

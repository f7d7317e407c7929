"""Balrog's ``/rules/history``, ``/permissions/history`` and ``/required_signoffs/{product,permissions}/history``:
a table's versions and its scheduled changes' versions.

Balrog (``auslib/web/common/history_all.py``) answers two lists side by
side, each ``{"count", "revisions"}`` newest first and paged alike: the
table's own history (only versions; for rules only rows with a product and
a channel) and the history of its scheduled changes, shaped as a scheduled
change's revisions. The same filters apply to both: a time window,
``changed_by``, ``change_id``, ``data_version`` and, where the table has the
column, ``product`` and ``channel`` (and a requirement's ``role``). A
required signoffs table lists its own versions under ``required_signoffs``,
as Balrog's ``get_all_rs_revisions`` does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from chalicelib.services.balrog import scheduled_changes as sc
from chalicelib.services.balrog.scheduled_kinds import (
    PERMISSIONS,
    PERMISSIONS_REQUIRED_SIGNOFFS,
    PRODUCT_REQUIRED_SIGNOFFS,
    RULES,
)
from chalicelib.store import balrog_table_history as history
from chalicelib.store.balrog_required_signoffs import permissions_required_signoffs, product_required_signoffs
from chalicelib.store.balrog_rules import render as render_rule
from chalicelib.store.balrog_table_history import HistoryFilter

CHANGE_FIELDS = ("change_id", "changed_by", "timestamp")


@dataclass(frozen=True)
class Table:
    """One table's history as Balrog answers it."""

    history_name: str  # the table's name in balrog-history
    titles: tuple[str, str]  # Balrog's keys: the table's list, its scheduled changes' list
    kind: sc.Kind
    render: Callable[[dict[str, Any]], dict[str, Any]]  # a version of a row, every column present
    row_columns: tuple[str, ...]  # the row's columns a query parameter of the same name filters
    present: tuple[str, ...] = ()  # the columns a listed version must have (Balrog's ``!= null``)
    own_list: str = "revisions"  # the key of the table's own versions in its list


def _permission(row: dict[str, Any]) -> dict[str, Any]:
    return {c: row.get(c) for c in ("permission", "username", "options", "data_version")}


TABLES = {
    "rules": Table("rules", ("Rules", "Rules scheduled change"), RULES, render_rule, ("product", "channel"),
                   ("product", "channel")),
    "permissions": Table("permissions", ("Permissions", "Permissions Scheduled Change"), PERMISSIONS, _permission,
                         ()),
    "required_signoffs/product": Table(
        product_required_signoffs.history_name,
        ("Product Required Signoffs", "Product Required Signoffs Scheduled Change"), PRODUCT_REQUIRED_SIGNOFFS,
        product_required_signoffs.render, ("product", "channel", "role"), ("product",), "required_signoffs"),
    "required_signoffs/permissions": Table(
        permissions_required_signoffs.history_name,
        ("Permissions Required Signoffs", "Permissions Required Signoffs Scheduled Change"),
        PERMISSIONS_REQUIRED_SIGNOFFS, permissions_required_signoffs.render, ("product", "role"), ("product",),
        "required_signoffs"),
}


def _listing(table_name: str, wanted: HistoryFilter, page: int, limit: int,
             shown: Callable[[dict[str, Any]], dict[str, Any]], key: str = "revisions") -> dict[str, Any]:
    rows = history.page(table_name, wanted, page, limit)
    return {"count": history.count(table_name, wanted),
            key: [{**shown(r), **{f: r[f] for f in CHANGE_FIELDS}} for r in rows]}


def of_table(name: str, wanted: HistoryFilter, row_values: dict[str, str], page: int,
             limit: int) -> dict[str, Any]:
    """Both lists of one table (a key of ``TABLES``); ``row_values``: the row columns asked for, where it has them."""
    table = TABLES[name]
    row = {k: v for k, v in row_values.items() if k in table.row_columns}
    own = replace(wanted, row=row, row_present=table.present)
    scheduled = replace(wanted, row=row, row_path=("row", "change"))
    return {
        table.titles[0]: _listing(table.history_name, own, page, limit, table.render, table.own_list),
        table.titles[1]: _listing(table.kind.table.history_name, scheduled, page, limit,
                                  lambda r: sc.render_revision(table.kind, r)),
    }

"""``/history/view|diff/<table>/<change_id>/<field>``: one field of one change, or its diff; and
``/rules/history``, ``/permissions/history``, ``/required_signoffs/{product,permissions}/history``: a whole
table's versions (current Balrog).

The admin UI shows what a change did: ``view`` answers the field's value at
that change as text (objects as indented JSON, NULL as ``NULL``), ``diff`` a
unified diff against the same object's previous version. Balrog served these
for releases, whose ``data`` (the blob) is what reviewers read; Shipyard
serves rules and permissions the same way.
"""

from __future__ import annotations

import difflib
import json
from typing import Any

from chalice import Response

from chalicelib.api.balrog.common import BalrogError, answer, int_value, page_and_limit, query_params
from chalicelib.api.balrog.family import admin, blueprint
from chalicelib.api.balrog.openapi import READ_ERRORS, admin_op, table_history_op
from chalicelib.api.balrog.openapi_signoffs import KIND
from chalicelib.api.kit import openapi_parts as oa
from chalicelib.services.balrog import scheduled_changes, table_history
from chalicelib.services.balrog.scheduled_kinds import RELEASES
from chalicelib.store.balrog_permissions import permissions
from chalicelib.store.balrog_releases import releases
from chalicelib.store.balrog_rules import COLUMNS, rules
from chalicelib.store.balrog_table_history import HistoryFilter
from chalicelib.store.versioned import VersionedTable, find_change

bp = blueprint(__name__)

CHANGE_FIELDS = ("change_id", "changed_by", "timestamp", "data_version")
# URL name → (table, the fields a change of it shows)
TABLES: dict[str, tuple[VersionedTable, tuple[str, ...]]] = {
    "release": (releases, ("name", "product", "read_only", "data", *CHANGE_FIELDS)),
    "rule": (rules, tuple(dict.fromkeys((*COLUMNS, *CHANGE_FIELDS)))),
    "permission": (permissions, ("username", "permission", "options", *CHANGE_FIELDS)),
}


HISTORY_PARAMETERS = [
    oa.path_param("table", "A versioned table; another is 404.",
                  oa.segment(enum=sorted(name + plural for name in TABLES for plural in ("", "s"))), example="rule"),
    oa.path_param("change_id", "A change of that table.", {"type": "integer", "minimum": 1}, example=1),
    oa.path_param("field", "A field of that table; another is 400.", example="priority")]
HISTORY_ERRORS = {400: oa.response_ref("BadRequest"), **READ_ERRORS}


def _table(name: str) -> tuple[VersionedTable, tuple[str, ...]]:
    found = TABLES.get(name.removesuffix("s"))
    if found is None:
        raise BalrogError(404, f"No history of '{name}': one of {', '.join(sorted(TABLES))}.")
    return found


def _revision(table: VersionedTable, raw_change_id: str) -> dict[str, Any]:
    change_id = int_value(raw_change_id, "change_id", required=True)
    found = find_change(change_id)
    if found is None or found[0] != table.history_name:
        raise BalrogError(400, f"Bad change_id: no change {change_id} of a {table.history_name[:-1]}.")
    return found[1]


def _value(table: VersionedTable, revision: dict[str, Any], field: str) -> Any:
    if field == "data" and table is releases:
        return releases.blob(revision) if "blob_key" in revision else None
    return revision.get(field)


def _text(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, dict | list):
        return json.dumps(value, indent=2, sort_keys=True)
    return str(value)


def _field(fields: tuple[str, ...], field: str) -> str:
    if field not in fields:
        raise BalrogError(400, f"Bad field '{field}': one of {', '.join(fields)}.")
    return field


def _plain(text: str) -> Response:
    return Response(body=text, status_code=200, headers={"Content-Type": "text/plain; charset=utf-8"})


@admin(
    bp, "/history/view/{table}/{change_id}/{field}", ["GET"],
    admin_op("history_view", "A field's value at a change", {
        200: oa.answer("The value as text (objects as indented JSON, NULL as `NULL`).", {"type": "string"},
                       media="text/plain"), **HISTORY_ERRORS}, HISTORY_PARAMETERS),
)
def view_field(table: str, change_id: str, field: str, changed_by: str) -> Response:
    versioned, fields = _table(table)
    revision = _revision(versioned, change_id)
    return _plain(_text(_value(versioned, revision, _field(fields, field))))


@admin(
    bp, "/history/diff/{table}/{change_id}/{field}", ["GET"],
    admin_op("history_diff", "A unified diff of a field against the object's previous change", {
        200: oa.answer("The diff.", {"type": "string"}, media="text/plain"), **HISTORY_ERRORS}, HISTORY_PARAMETERS),
)
def diff_field(table: str, change_id: str, field: str, changed_by: str) -> Response:
    versioned, fields = _table(table)
    revision = _revision(versioned, change_id)
    _field(fields, field)
    previous = versioned.previous_version(versioned.key_of(revision), revision["change_id"])
    before = _text(_value(versioned, previous, field)) if previous else ""
    lines = difflib.unified_diff(
        before.splitlines(), _text(_value(versioned, revision, field)).splitlines(),
        fromfile=f"Data Version {previous['data_version'] if previous else ''}",
        tofile=f"Data Version {revision.get('data_version') or ''}", lineterm="",
    )
    return _plain("\n".join(lines))


def _history_filter() -> tuple[HistoryFilter, dict[str, str]]:
    """Balrog's history parameters: integers where its spec says so (400 otherwise), the rest as given."""
    params = query_params(bp)
    change: dict[str, Any] = {}
    for name in ("change_id", "data_version"):
        value = int_value(params.get(name), name)
        if value is not None:
            change[name] = value
    if params.get("changed_by"):
        change["changed_by"] = params["changed_by"]
    wanted = HistoryFilter(timestamp_from=int_value(params.get("timestamp_from"), "timestamp_from"),
                           timestamp_to=int_value(params.get("timestamp_to"), "timestamp_to"), change=change)
    return wanted, {c: params[c] for c in ("product", "channel", "role") if params.get(c)}


def _table_history(name: str) -> Response:
    page, limit = page_and_limit(bp)
    wanted, product_channel = _history_filter()
    return answer(table_history.of_table(name, wanted, product_channel, page, limit))


@admin(bp, "/rules/history", ["GET"], table_history_op("rules", "Rules", "Rules scheduled change",
                                                      product_channel=True))
def rules_history(changed_by: str) -> Response:
    """Every rule's versions and every rule scheduled change's versions, newest first (current Balrog)."""
    return _table_history("rules")


@admin(bp, "/permissions/history", ["GET"], table_history_op("permissions", "Permissions",
                                                            "Permissions Scheduled Change"))
def permissions_history(changed_by: str) -> Response:
    """Every permission's versions and every permission scheduled change's versions, newest first."""
    return _table_history("permissions")


@admin(bp, "/required_signoffs/{kind}/history", ["GET"],
       table_history_op("required_signoffs", "", "", requirements=KIND))
def required_signoffs_history(kind: str, changed_by: str) -> Response:
    """Every requirement's versions of a kind and every scheduled change of one's versions, newest first."""
    if f"required_signoffs/{kind}" not in table_history.TABLES:
        raise BalrogError(404, f"No required signoffs of kind '{kind}'.")
    return _table_history(f"required_signoffs/{kind}")


@admin(
    bp, "/scheduled_change/diff/release/{sc_id}", ["GET"],
    admin_op("scheduled_release_diff", "A release scheduled change's blob against the release's, as a unified diff",
             {200: oa.answer("The diff.", {"type": "string"}, media="text/plain"), **HISTORY_ERRORS},
             [oa.path_param("sc_id", "A release scheduled change.", {"type": "integer", "minimum": 1}, example=1)]),
)
def scheduled_release_diff(sc_id: str, changed_by: str) -> Response:
    """A release scheduled change's blob against the release's current blob, as a unified diff (Balrog's
    ``get_scheduled_change_diff``); 404 for an unknown change or release (Balrog answers 500)."""
    number = int_value(sc_id, "sc_id", required=True)
    assert number is not None
    change = scheduled_changes.shown_change(RELEASES, scheduled_changes.found(RELEASES, number)["change"])
    current = releases.get({"name": change["name"]})
    if current is None:
        raise BalrogError(404, f"Release '{change['name']}' does not exist.")
    lines = difflib.unified_diff(
        json.dumps(releases.blob(current), indent=2, sort_keys=True).splitlines(),
        json.dumps(change.get("data"), indent=2, sort_keys=True).splitlines(),
        fromfile=f"Current Version (Data Version {current['data_version']})",
        tofile=f"Scheduled Update (sc_id {number})", lineterm="",
    )
    return _plain("\n".join(lines))

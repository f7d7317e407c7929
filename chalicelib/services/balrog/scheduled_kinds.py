"""The base tables whose changes can be scheduled, each a :class:`~chalicelib.services.balrog.scheduled_changes.Kind`.

Per table, what Balrog's base table does when a scheduled change is
validated (its permission check, dry-run) and enacted (its write, made as
the scheduler): rules, permissions, emergency shutoffs (deletion only:
turning updates back on) and both kinds of required signoffs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.balrog import errors
from chalicelib.balrog.domains import contains_forbidden_domain
from chalicelib.balrog.errors import BalrogError
from chalicelib.balrog.release_input import FORBIDDEN_DOMAIN
from chalicelib.services.balrog import gates
from chalicelib.services.balrog.access import require
from chalicelib.services.balrog.allowlist import domain_allowlist
from chalicelib.services.balrog.scheduled_changes import CONDITIONS, Kind, follow_columns
from chalicelib.store import counters
from chalicelib.store.balrog_permissions import permissions
from chalicelib.store.balrog_releases import put_scheduled_blob, releases, scheduled_blob
from chalicelib.store.balrog_required_signoffs import (
    RequiredSignoffs,
    permissions_required_signoffs,
    product_required_signoffs,
)
from chalicelib.store.balrog_roles import roles
from chalicelib.store.balrog_rules import COLUMNS as RULE_COLUMNS
from chalicelib.store.balrog_rules import mapped_count, rules
from chalicelib.store.balrog_shutoffs import shutoffs
from chalicelib.store.versioned import SideEffect

ACTION = {"insert": "create", "update": "modify", "delete": "delete"}


# --- rules ---------------------------------------------------------------------------------------

def _rule(change: Mapping[str, Any]) -> dict[str, Any] | None:
    try:
        return rules.get({"rule_id": int(change["rule_id"])})
    except (TypeError, ValueError):
        return None


def _check_rule(username: str, change_type: str, change: dict[str, Any], current: dict[str, Any] | None) -> None:
    if change_type == "insert":
        require(username, "rule", "create", change.get("product"))
        return
    require(username, "rule", ACTION[change_type], (current or {}).get("product"))
    if change_type == "update" and change.get("product") != (current or {}).get("product"):
        require(username, "rule", "modify", change.get("product"))


def _rule_signoffs(change_type: str, change: dict[str, Any], current: dict[str, Any] | None) -> dict[str, int]:
    return gates.for_rule(current if change_type != "insert" else None, change if change_type != "delete" else None)


def _enact_rule(sc: dict[str, Any], change: dict[str, Any], extra: list[SideEffect]) -> None:
    by = sc["scheduled_by"]
    fields = {c: change.get(c) for c in RULE_COLUMNS if c not in ("rule_id", "data_version")}
    if sc["change_type"] == "insert":
        rules.create({k: v for k, v in fields.items() if v is not None}, by, extra)
    elif sc["change_type"] == "update":
        rules.update({"rule_id": change["rule_id"]}, fields, change["data_version"], by, extra)
    else:
        rules.delete({"rule_id": change["rule_id"]}, change["data_version"], by, extra)


RULES = Kind(base="rules", columns=tuple(c for c in RULE_COLUMNS if c != "data_version"), keys=("rule_id",),
             current=_rule, check=_check_rule, required=_rule_signoffs, enact=_enact_rule,
             generated_keys=frozenset({"rule_id"}), conditions=CONDITIONS)


# --- releases ------------------------------------------------------------------------------------

def _release(change: Mapping[str, Any]) -> dict[str, Any] | None:
    return releases.get({"name": change["name"]})


def current_blob(name: str | None) -> dict[str, Any] | None:
    """The release's blob now (a scheduled flag change keeps it), None when there is no such release."""
    record = releases.get({"name": name}) if name else None
    return releases.blob(record) if record is not None else None


def read_only_error(name: str) -> BalrogError:
    """Balrog's ``ReadOnlyError`` answered by its handler: 400 "Read only"."""
    return BalrogError(400, "Read only", f"Release '{name}' is read only")


def _read_only_change(change: Mapping[str, Any], current: Mapping[str, Any] | None) -> bool:
    """Whether the change turns the flag (Balrog's ``is_readonly_change``): given, and not the current value."""
    return change.get("read_only") is not None and bool(change["read_only"]) != bool((current or {}).get("read_only"))


def _check_release(username: str, change_type: str, change: dict[str, Any], current: dict[str, Any] | None) -> None:
    """Balrog's ``Releases.insert/update/delete`` in dry run: the checks the change will meet when enacted."""
    name = change["name"]
    if change_type == "insert":
        if not change.get("product") or change.get("data") is None:
            raise errors.value_error("name, product, and data are all required")
        _check_blob(name, change["data"], change["product"])
        require(username, "release", "create", change["product"])
        return
    assert current is not None
    if change_type == "delete":
        if counters.current_value(mapped_count(name)):
            raise errors.value_error(f"{name} has rules pointing to it. Hence it cannot be deleted.")
        if current.get("read_only"):
            raise read_only_error(name)
        require(username, "release", "delete", current.get("product"))
        return
    if _read_only_change(change, current):
        action = "set" if change["read_only"] else "unset"
        require(username, "release_read_only", action, current.get("product"))
        return
    if current.get("read_only"):
        raise read_only_error(name)
    if change.get("data") is not None:
        _check_blob(name, change["data"], change.get("product") or current.get("product"))
    require(username, "release", "modify", current.get("product"))
    if change.get("product") not in (None, current.get("product")):
        require(username, "release", "modify", change["product"])


def _check_blob(name: str, blob: Mapping[str, Any], product: str | None) -> None:
    """What ``Releases.insert/update`` check of a blob when the change is enacted, checked when it is scheduled."""
    if contains_forbidden_domain(blob, product or "", domain_allowlist()):
        raise errors.value_error(FORBIDDEN_DOMAIN)
    if blob.get("name") != name:
        raise errors.value_error(f"name in database ({name}) does not match name in blob ({blob.get('name')})")


def _release_signoffs(change_type: str, change: dict[str, Any], current: dict[str, Any] | None) -> dict[str, int]:
    """The rules mapping to the release gate it; making a read-only release writable falls back to its product's
    requirements when no rule does (Balrog's ``set_required_signoffs_for_product``)."""
    if change_type == "update" and current is not None and current.get("read_only") and not change.get("read_only"):
        return gates.for_read_write(change["name"], current.get("product"))
    return gates.for_release(change["name"])


def _enact_release(sc: dict[str, Any], change: dict[str, Any], extra: list[SideEffect]) -> None:
    by, name = sc["scheduled_by"], change["name"]
    if sc["change_type"] == "insert":
        releases.create(name, change["product"], change["data"], by, extra)
        return
    if sc["change_type"] == "delete":
        releases.delete({"name": name}, change["data_version"], by, extra)
        return
    current = _release(change) or {}
    changes: dict[str, Any] = {"product": change.get("product") or current.get("product")}
    # An unset flag is Balrog's column default, False: enacted on a read-only release, it makes it writable.
    if bool(change.get("read_only")) != bool(current.get("read_only")):
        changes["read_only"] = bool(change.get("read_only"))
    releases.replace(name, changes, change["data_version"], by, blob=change.get("data"), extra=extra)


def _persist_release(change: dict[str, Any]) -> dict[str, Any]:
    stored = {k: v for k, v in change.items() if k != "data"}
    if change.get("data") is not None:
        stored["data_key"] = put_scheduled_blob(change["data"])
    return stored


def _expand_release(stored: Mapping[str, Any]) -> dict[str, Any]:
    shown = {k: v for k, v in stored.items() if k != "data_key"}
    shown["data"] = scheduled_blob(stored["data_key"]) if stored.get("data_key") else None
    shown["read_only"] = bool(stored.get("read_only"))
    return shown


def follow_release(current: Mapping[str, Any], changes: Mapping[str, Any]) -> list[SideEffect]:
    """Balrog's ``mergeUpdate`` for a direct release write (``changes``: ``product``, ``read_only``, ``data``).

    The release's pending change takes the columns the write changes (a blob
    it does not itself change), or the write is 400 ``UpdateMergeError``. One
    GetItem when no change is pending; the blobs are read only when one is.
    """
    if RELEASES.table.scheduled_for(current["name"]) is None:
        return []
    now = {"name": current["name"], "product": current.get("product"), "read_only": bool(current.get("read_only"))}
    if "data" in changes:
        now["data"] = releases.blob(current)
    changed = {c: v for c, v in changes.items() if v != now.get(c)}
    return follow_columns(RELEASES, now, changed, current["data_version"] + 1)


RELEASES = Kind(base="releases", columns=("name", "product", "read_only", "data"), keys=("name",),
                current=_release, check=_check_release, required=_release_signoffs, enact=_enact_release,
                persist=_persist_release, expand=_expand_release, renamable_insert=True)


# --- permissions ---------------------------------------------------------------------------------

def _permission(change: Mapping[str, Any]) -> dict[str, Any] | None:
    return permissions.get({"username": change["username"], "permission": change["permission"]})


def _check_permission(username: str, change_type: str, change: dict[str, Any], current: dict[str, Any] | None) -> None:
    require(username, "permission", ACTION[change_type])


def _permission_signoffs(change_type: str, change: dict[str, Any], current: dict[str, Any] | None) -> dict[str, int]:
    return gates.for_permission(current if change_type != "insert" else None,
                                change if change_type != "delete" else None)


def _enact_permission(sc: dict[str, Any], change: dict[str, Any], extra: list[SideEffect]) -> None:
    by, key = sc["scheduled_by"], {"username": change["username"], "permission": change["permission"]}
    if sc["change_type"] == "insert":
        permissions.insert({**key, "options": change.get("options")}, by, extra)
    elif sc["change_type"] == "update":
        permissions.update(key, {"options": change.get("options")}, change["data_version"], by, extra)
    else:
        permissions.delete(key, change["data_version"], by, extra)


PERMISSIONS = Kind(base="permissions", columns=("permission", "username", "options"), keys=("permission", "username"),
                   current=_permission, check=_check_permission, required=_permission_signoffs,
                   enact=_enact_permission)


# --- emergency shutoffs --------------------------------------------------------------------------

def _shutoff(change: Mapping[str, Any]) -> dict[str, Any] | None:
    return shutoffs.get({"product": change["product"], "channel": change["channel"]})


def _check_shutoff(username: str, change_type: str, change: dict[str, Any], current: dict[str, Any] | None) -> None:
    require(username, "emergency_shutoff", ACTION[change_type], change.get("product"))


def _shutoff_signoffs(change_type: str, change: dict[str, Any], current: dict[str, Any] | None) -> dict[str, int]:
    return gates.for_shutoff(current or change)


def _enact_shutoff(sc: dict[str, Any], change: dict[str, Any], extra: list[SideEffect]) -> None:
    current = _shutoff(change)
    version = change.get("data_version") or (current or {}).get("data_version") or 0
    shutoffs.delete({"product": change["product"], "channel": change["channel"]}, version, sc["scheduled_by"], extra)


EMERGENCY_SHUTOFF = Kind(base="emergency_shutoff", columns=("product", "channel", "comment"),
                         keys=("product", "channel"), current=_shutoff, check=_check_shutoff,
                         required=_shutoff_signoffs, enact=_enact_shutoff, change_types=frozenset({"delete"}))


# --- required signoffs ---------------------------------------------------------------------------

def check_holders(table: RequiredSignoffs, row: Mapping[str, Any]) -> None:
    """Balrog refuses to require more signoffs of a role than users hold it."""
    missing = [c for c in (*table.decision_columns, "role") if row.get(c) in (None, "")]
    if missing:
        raise errors.value_error(f"{list(table.decision_columns)} are required.")
    held = roles.holders(row["role"])
    if held < int(row["signoffs_required"]):
        what = ", ".join(str(row[c]) for c in table.decision_columns)
        raise errors.value_error(f"Cannot require {row['signoffs_required']} signoffs for {what} - only {held} "
                                 f"users hold the {row['role']} role")


def _rs_kind(base: str, table: RequiredSignoffs) -> Kind:
    def current(change: Mapping[str, Any]) -> dict[str, Any] | None:
        return table.get(table.key(change))

    def check(username: str, change_type: str, change: dict[str, Any], current: dict[str, Any] | None) -> None:
        if change_type != "delete":
            if change.get("signoffs_required") is None:
                raise BalrogError(400, "Missing field: signoffs_required is missing")
            check_holders(table, change)
        require(username, "required_signoff", ACTION[change_type], change.get("product"))

    def required(change_type: str, change: dict[str, Any], current: dict[str, Any] | None) -> dict[str, int]:
        return gates.for_required_signoff(table.kind, current or change)

    def enact(sc: dict[str, Any], change: dict[str, Any], extra: list[SideEffect]) -> None:
        by, key = sc["scheduled_by"], table.key(change)
        row = {c: change[c] for c in (*table.decision_columns, "role")}
        if sc["change_type"] == "insert":
            table.insert({**key, **row, "signoffs_required": int(change["signoffs_required"])}, by, extra)
        elif sc["change_type"] == "update":
            table.update(key, {"signoffs_required": int(change["signoffs_required"])}, change["data_version"], by,
                         extra)
        else:
            table.delete(key, change["data_version"], by, extra)

    return Kind(base=base, columns=(*table.decision_columns, "role", "signoffs_required"),
                keys=(*table.decision_columns, "role"), current=current, check=check, required=required,
                enact=enact)


PRODUCT_REQUIRED_SIGNOFFS = _rs_kind("required_signoffs/product", product_required_signoffs)
PERMISSIONS_REQUIRED_SIGNOFFS = _rs_kind("required_signoffs/permissions", permissions_required_signoffs)

KINDS: dict[str, Kind] = {k.base: k for k in (RULES, RELEASES, PERMISSIONS, EMERGENCY_SHUTOFF,
                                               PRODUCT_REQUIRED_SIGNOFFS, PERMISSIONS_REQUIRED_SIGNOFFS)}

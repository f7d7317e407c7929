"""Scheduled changes with required signoffs: Balrog's ``ScheduledChangeTable`` as a service.

What Balrog does (``auslib/db.py``, ``web/admin/views/scheduled_changes.py``):

- a change (insert, update or delete of one object of a base table) is
  scheduled for a time ``when`` (milliseconds, not in the past); scheduling it
  takes the permissions the change itself would take, checked now;
- an update names the object's current ``data_version``; an object has at
  most one incomplete change; an insert must not collide with an existing key;
- the required signoffs are those of the change's old and new rows; when
  the scheduler holds exactly one of the required roles, they sign off with
  it automatically; modifying a change resets everyone else's signoffs;
- enacting (the executor's job once ``when`` has passed and the signoffs are
  in, or a user's with ``scheduled_change``/``enact``) makes the change as
  its scheduler, with its signoffs, and marks it complete, in one transaction.

Each base table is a :class:`Kind` (``chalicelib.services.balrog.scheduled_kinds``):
its columns and keys, the permission check, the required signoffs, and the
write that enacts a change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from chalicelib.balrog import errors
from chalicelib.balrog import signoffs as so
from chalicelib.balrog.errors import BalrogError
from chalicelib.services.balrog import access
from chalicelib.store.balrog_roles import roles
from chalicelib.store.balrog_scheduled_changes import ChangeScheduled, ScheduledChanges, scheduled
from chalicelib.store.balrog_signoffs import change_key, signoffs
from chalicelib.store.versioned import SideEffect, StaleDataVersion, now_ms

log = logging.getLogger(__name__)

CONDITIONS = ("when", "telemetry_product", "telemetry_channel", "telemetry_uptake")
SC_FIELDS = ("sc_id", "scheduled_by", "complete", "change_type")


@dataclass(frozen=True)
class Kind:
    """One base table whose changes can be scheduled."""

    base: str  # the URL's name: rules, releases, permissions, emergency_shutoff, required_signoffs/product...
    columns: tuple[str, ...]  # the base row's columns, shown on every change (data_version excluded)
    keys: tuple[str, ...]  # the columns naming one object
    current: Callable[[Mapping[str, Any]], dict[str, Any] | None]  # the object a change names, now
    check: Callable[[str, str, dict[str, Any], dict[str, Any] | None], None]  # username, type, change, current
    required: Callable[[str, dict[str, Any], dict[str, Any] | None], dict[str, int]]  # type, change, current
    enact: Callable[[dict[str, Any], dict[str, Any], list[SideEffect]], None]  # sc, change, extra items
    change_types: frozenset[str] = frozenset({"insert", "update", "delete"})
    generated_keys: frozenset[str] = field(default_factory=frozenset)  # keys the insert assigns (rule_id)
    conditions: tuple[str, ...] = ("when",)  # the condition columns Balrog shows: time; rules add uptake
    # A change as stored (a release's blob goes to S3 and the change keeps its key) and as shown again.
    persist: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    expand: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None
    renamable_insert: bool = False  # an insert's keys may change while scheduled (a new release's name)

    @property
    def table(self) -> ScheduledChanges:
        return scheduled[self.base]

    def object_id(self, change: Mapping[str, Any]) -> str | None:
        if any(change.get(k) is None for k in self.keys):
            return None
        return "\x1f".join(str(change[k]) for k in self.keys)


def _now() -> int:
    return now_ms()


def _when(value: Any) -> int:
    if value is None or value == "":
        raise BalrogError(400, "'when' cannot be set to null when scheduling a new change")
    if isinstance(value, bool):
        raise errors.value_error("Cannot parse 'when' as a unix timestamp.")
    try:
        when = int(value)
    except (TypeError, ValueError, OverflowError):
        raise errors.value_error("Cannot parse 'when' as a unix timestamp.") from None
    if when < _now():
        raise BalrogError(400, "Changes may not be scheduled in the past")
    return when


def _conditions(body: Mapping[str, Any]) -> dict[str, Any]:
    """The time condition; Balrog's uptake condition needs telemetry Balrog never had, and is refused with ``when``."""
    telemetry = [c for c in CONDITIONS[1:] if body.get(c) not in (None, "")]
    if telemetry:
        raise errors.value_error(f"Invalid combination of conditions: {['when', *telemetry]}")
    return {"when": _when(body.get("when"))}


def _validate(kind: Kind, change_type: str, change: dict[str, Any], username: str,
              sc_id: int | None = None) -> dict[str, Any] | None:
    """Balrog's ``ScheduledChangeTable.validate``: keys, versions, duplicates, then the base permission."""
    missing = [k for k in kind.keys if change.get(k) is None and k not in kind.generated_keys]
    if change_type != "insert":
        missing = [k for k in kind.keys if change.get(k) is None]
    if missing:
        raise errors.value_error(f"Missing field: {', '.join(missing)} is missing")
    current = kind.current(change) if kind.object_id(change) is not None else None
    if change_type == "update":
        if current is None:
            raise errors.value_error("Cannot create scheduled change with data_version for non-existent row")
        if current["data_version"] != change.get("data_version"):
            raise errors.outdated("Wrong data_version given for base table, cannot create scheduled change.")
    elif change_type == "delete":
        if current is None:
            raise errors.value_error("Cannot schedule the deletion of a row that does not exist")
        if change.get("data_version") is not None and current["data_version"] != change["data_version"]:
            raise errors.outdated("Wrong data_version given for base table, cannot create scheduled change.")
    elif current is not None:
        raise errors.value_error("Cannot schedule change for duplicate PK")
    if sc_id is None and kind.object_id(change) is not None and kind.table.scheduled_for(kind.object_id(change)):
        raise errors.change_scheduled("Cannot schedule a change for a row with one already scheduled")
    kind.check(username, change_type, change, current)
    return current


def _auto_signoff(kind: Kind, required: Mapping[str, int], username: str) -> str | None:
    """The one required role the scheduler holds, if exactly one (Balrog's ``auto_signoff``)."""
    held = [r["role"] for r in roles.of_user(username) if r["role"] in required]
    return held[0] if len(held) == 1 else None


def _stored_change(kind: Kind, change: Mapping[str, Any]) -> dict[str, Any]:
    stored = {c: change[c] for c in (*kind.columns, "data_version") if change.get(c) is not None}
    return kind.persist(stored) if kind.persist is not None else stored


def shown_change(kind: Kind, stored: Mapping[str, Any]) -> dict[str, Any]:
    """A stored change as its columns again (a release's blob read back from S3)."""
    return kind.expand(stored) if kind.expand is not None else dict(stored)


def schedule(kind: Kind, body: Mapping[str, Any], change: dict[str, Any], username: str) -> dict[str, Any]:
    """A new scheduled change: ``{"sc_id", "signoffs"}`` as Balrog answers."""
    change_type = body.get("change_type")
    if change_type not in kind.change_types:
        raise BalrogError(400, "Invalid or missing change_type")
    if "sc_id" in body:
        raise BalrogError(400, "sc_id cannot be set when scheduling a new change")
    conditions = _conditions(body)
    current = _validate(kind, change_type, change, username)
    required = kind.required(change_type, change, current)
    role = _auto_signoff(kind, required, username)
    fields = {"change_type": change_type, "change": _stored_change(kind, change), **conditions}
    try:
        sc = kind.table.schedule(fields, kind.object_id(change), username)
    except ChangeScheduled:
        raise errors.change_scheduled("Cannot schedule a change for a row with one already scheduled") from None
    if role is not None:
        signoffs.grant(kind.base, sc["sc_id"], username, role)
    return {"sc_id": sc["sc_id"], "signoffs": signoffs.of_change(kind.base, sc["sc_id"])}


def found(kind: Kind, sc_id: int) -> dict[str, Any]:
    sc = kind.table.find(sc_id)
    if sc is None:
        raise BalrogError(404, "Scheduled change does not exist")
    return sc


def _incomplete(sc: Mapping[str, Any], verb: str) -> None:
    if sc.get("complete"):
        raise errors.value_error(f"Scheduled change already completed. Cannot {verb} now.")


def modify(kind: Kind, sc_id: int, body: Mapping[str, Any], changes: dict[str, Any], username: str,
           sc_data_version: int | None) -> dict[str, Any]:
    """Change a scheduled change (its columns and ``when``); others' signoffs are reset."""
    sc = found(kind, sc_id)
    if sc_data_version is None:
        raise BalrogError(400, "Missing field: sc_data_version is missing")
    _incomplete(sc, "update")
    before = shown_change(kind, sc["change"])
    change = {**{c: before.get(c) for c in (*kind.columns, "data_version")}, **changes}
    renaming = kind.renamable_insert and sc["change_type"] == "insert"
    for key in kind.keys:  # an object's identity is fixed once scheduled (a new release may be renamed)
        if not renaming or change.get(key) is None:
            change[key] = before.get(key)
    when = sc.get("when") if body.get("when") in (None, "") else _when(body.get("when"))
    current = _validate(kind, sc["change_type"], change, username, sc_id=sc_id)
    required = kind.required(sc["change_type"], change, current)
    cleared = [u for u in signoffs.of_change(kind.base, sc_id) if u != username]
    fields: dict[str, Any] = {"change": _stored_change(kind, change), "when": when, "scheduled_by": username}
    claims: list[SideEffect] = []
    if kind.object_id(change) != sc.get("object_id"):  # the claim on the object moves with its new name
        fields["object_id"] = kind.object_id(change)
        claims = kind.table.reclaim(sc, fields["object_id"])
    try:
        new = kind.table.update(kind.table.key_of(sc), fields, sc_data_version, username, claims)
    except StaleDataVersion:
        raise errors.outdated() from None
    except ChangeScheduled:
        raise errors.change_scheduled("Cannot schedule a change for a row with one already scheduled") from None
    for other in cleared:
        signoffs.revoke(kind.base, sc_id, other, username)
    role = _auto_signoff(kind, required, username)
    if role is not None and signoffs.of_change(kind.base, sc_id).get(username) is None:
        signoffs.grant(kind.base, sc_id, username, role)
    return {"new_data_version": new["data_version"], "signoffs": signoffs.of_change(kind.base, sc_id)}


def remove(kind: Kind, sc_id: int, data_version: int | None, username: str) -> None:
    sc = found(kind, sc_id)
    if data_version is None:
        raise BalrogError(400, "data_version is missing")
    _incomplete(sc, "delete")
    change = dict(sc["change"])
    kind.check(username, sc["change_type"], change, kind.current(change) if kind.object_id(change) else None)
    try:
        kind.table.remove(sc, data_version, username)
    except StaleDataVersion:
        raise errors.outdated() from None


def required_of(kind: Kind, sc: Mapping[str, Any]) -> dict[str, int]:
    change = dict(sc["change"])
    current = kind.current(change) if kind.object_id(change) and sc["change_type"] != "insert" else None
    return kind.required(sc["change_type"], change, current)


def render(kind: Kind, sc: Mapping[str, Any]) -> dict[str, Any]:
    """A scheduled change as Balrog lists it: its base columns unprefixed, ``sc_data_version``, signoffs."""
    shown = render_revision(kind, sc)
    shown["signoffs"] = signoffs.of_change(kind.base, sc["sc_id"])
    shown["required_signoffs"] = {} if sc.get("complete") else required_of(kind, sc)
    return shown


def render_revision(kind: Kind, revision: Mapping[str, Any]) -> dict[str, Any]:
    """One history row of a scheduled change, shaped as :func:`render` without signoffs."""
    change = shown_change(kind, revision.get("change") or {})
    shown: dict[str, Any] = {f: revision.get(f) for f in SC_FIELDS}
    shown["complete"] = bool(revision.get("complete"))
    shown.update({c: None for c in kind.conditions})
    shown["when"] = revision.get("when")
    shown.update({c: change.get(c) for c in kind.columns})
    shown["data_version"] = change.get("data_version")
    shown["sc_data_version"] = revision["data_version"]
    return shown


def enact(kind: Kind, sc_id: int, username: str | None) -> None:
    """Make the change as its scheduler did ask, with its signoffs; mark it complete in the same transaction.

    ``username`` None is the executor itself (it runs with the app's own
    authority, as Balrog's agent runs with its account's ``enact`` permission).
    The scheduler's permission for the change is checked again now, as Balrog's
    base table checks it when the change is made.
    """
    if username is not None:
        access.require(username, "scheduled_change", "enact")
    sc = found(kind, sc_id)
    _incomplete(sc, "enact")
    stored = shown_change(kind, sc["change"])
    change = {c: stored.get(c) for c in (*kind.columns, "data_version")}
    # Made as its scheduler, so with the scheduler's permission as it is now (Balrog's base table checks
    # ``changed_by=scheduled_by`` when the change is enacted): a permission revoked since it was scheduled
    # does not live on in it.
    current = kind.current(change) if kind.object_id(change) is not None else None
    kind.check(sc["scheduled_by"], sc["change_type"], change, current)
    given = signoffs.of_change(kind.base, sc_id)
    try:
        so.verify(required_of(kind, sc), given)
    except so.SignoffRequired as err:
        raise errors.signoff_required(str(err)) from None
    try:
        kind.enact(sc, change, kind.table.completion(sc))
    except StaleDataVersion:
        raise errors.outdated() from None


def follow_update(kind: Kind, current: Mapping[str, Any], new: Mapping[str, Any]) -> list[SideEffect]:
    """Balrog's ``mergeUpdate``: a direct update of an object carries over into its incomplete scheduled change.

    The scheduled change replaces the whole row when enacted, so the direct
    change is copied into it (with the new ``data_version``), in the same
    transaction as the update; a column both change is a conflict (400
    ``UpdateMergeError``). As any modification of a scheduled change, it
    resets the signoffs of everyone but its scheduler.
    """
    changed = {c: new.get(c) for c in kind.columns if new.get(c) != current.get(c)}
    return follow_columns(kind, current, changed, new["data_version"])


def follow_columns(kind: Kind, current: Mapping[str, Any], changed: Mapping[str, Any],
                   new_data_version: int) -> list[SideEffect]:
    """:func:`follow_update` given the object's values now and the columns a direct write changes, as the
    scheduled change shows them (a release's blob as ``data``)."""
    object_id = kind.object_id(current)
    sc_id = kind.table.scheduled_for(object_id) if object_id is not None else None
    sc = kind.table.find(sc_id) if sc_id is not None else None
    if sc is None or sc.get("complete"):
        return []
    change = shown_change(kind, sc["change"])
    if any(change.get(c) != current.get(c) for c in changed):
        raise BalrogError(400, "UpdateMergeError", "Couldn't perform the request due to merge error. Is there a "
                                                   "scheduled change that conflicts with yours?")
    merged = {k: v for k, v in {**change, **changed, "data_version": new_data_version}.items() if v is not None}
    items = kind.table.change_items(sc, {**sc, "change": _stored_change(kind, merged),
                                         "data_version": sc["data_version"] + 1}, sc["scheduled_by"])
    for username, role in signoffs.of_change(kind.base, sc["sc_id"]).items():
        if username != sc["scheduled_by"]:
            row = {"sc_key": change_key(kind.base, sc["sc_id"]), "username": username, "role": role,
                   "data_version": 1}
            items += signoffs.change_items(row, None, sc["scheduled_by"])
    return items


def refuse_if_scheduled(kind: Kind, current: Mapping[str, Any]) -> list[SideEffect]:
    """A direct delete of an object with an incomplete change is refused (Balrog's ``ChangeScheduledError``).

    Checked now for the answer, and again as a condition of the delete's transaction.
    """
    object_id = kind.object_id(current)
    if object_id is None:
        return []
    if kind.table.scheduled_for(object_id) is not None:
        raise errors.change_scheduled("Cannot delete rows that have changes scheduled.")
    return [kind.table.none_pending(object_id)]


def ready(kind: Kind, sc: Mapping[str, Any], now: int) -> bool:
    """Whether the executor should enact ``sc`` now: its time has come and its signoffs are in."""
    if sc.get("complete") or sc.get("when") is None or sc["when"] > now:
        return False
    return so.satisfied(required_of(kind, sc), signoffs.of_change(kind.base, sc["sc_id"]))


def sign(kind: Kind, sc_id: int, role: Any, username: str) -> None:
    """Balrog's ``SignoffsTable.insert``: with a role the signer holds, one role per change."""
    if not isinstance(role, str) or not role:
        raise errors.value_error("'role' is required.")
    sc = found(kind, sc_id)
    _incomplete(sc, "sign off")
    access.require_role(username, role)
    existing = signoffs.of_change(kind.base, sc_id).get(username)
    if existing is not None:
        if existing != role:
            raise errors.permission_denied("Cannot signoff with a second role")
        return
    signoffs.grant(kind.base, sc_id, username, role)


def revoke(kind: Kind, sc_id: int, whose: str, username: str) -> dict[str, Any]:
    """Revoke a signoff: one's own, or another's with the same role or as an admin."""
    found(kind, sc_id)
    role = signoffs.of_change(kind.base, sc_id).get(whose)
    if role is None:
        return {"error": f"{username} has no signoff to revoke"}
    if not roles.holds(username, role) and not access.is_admin(username):
        raise errors.permission_denied("Cannot revoke a signoff made by someone in a group you do not belong to")
    signoffs.revoke(kind.base, sc_id, whose, username)
    return {}



"""``/users``: who has permissions, and each user's permission rows (versioned)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.balrog.common import (
    BODY_TYPES,
    BalrogError,
    answer,
    balrog_route,
    int_value,
    json_body,
    nested,
    query_params,
    require,
)
from chalicelib.balrog import errors
from chalicelib.balrog.permissions import canonical, validate_options
from chalicelib.services.balrog import gates, scheduled_changes
from chalicelib.services.balrog.scheduled_kinds import PERMISSIONS
from chalicelib.store.balrog_permissions import permissions
from chalicelib.store.balrog_roles import roles

bp = Blueprint(__name__)


def _key(username: str, permission: str) -> dict[str, str]:
    return {"username": username, "permission": canonical(permission)}


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    return {"data_version": row["data_version"], "options": row.get("options")}


def _options(body: dict[str, Any], permission: str) -> dict[str, list[str]] | None:
    return validate_options(permission, nested(body.get("options"), "options"))


@bp.route("/users", methods=["GET"])
@balrog_route(bp)
def list_users(changed_by: str) -> Response:
    """Balrog's ``get_users``: ``{username: {"roles": [...], "permissions": {...}}}`` for every user with a
    permission (two paged Queries: all permission rows, all role rows)."""
    users: dict[str, dict[str, Any]] = {}
    for row in sorted(permissions.all_rows(), key=lambda r: (r["username"], r["permission"])):
        entry = users.setdefault(row["username"], {"roles": [], "permissions": {}})
        entry["permissions"][row["permission"]] = _shown(row)
    for row in sorted(roles.all_rows(), key=lambda r: (r["username"], r["role"])):
        if row["username"] in users:
            users[row["username"]]["roles"].append({"role": row["role"], "data_version": row["data_version"]})
    return answer(users)


@bp.route("/users/{username}", methods=["GET"])
@balrog_route(bp)
def get_user(username: str, changed_by: str) -> Response:
    """Balrog's ``get_user``: a user's permissions and roles; 404 for a user without permissions."""
    held = permissions.of_user(username)
    if not held:
        raise BalrogError(404, f"No permission found for username {username}")
    user_roles = {r["role"]: {"data_version": r["data_version"]} for r in roles.of_user(username)}
    return answer({"username": username, "permissions": held, "roles": user_roles})


@bp.route("/users/{username}/permissions", methods=["GET"])
@balrog_route(bp)
def user_permissions(username: str, changed_by: str) -> Response:
    return answer(permissions.of_user(username))


@bp.route("/users/{username}/permissions/{permission}", methods=["GET", "HEAD"])
@balrog_route(bp)
def get_permission(username: str, permission: str, changed_by: str) -> Response:
    row = permissions.get(_key(username, permission))
    if row is None:
        raise BalrogError(404, f"{username} has no '{permission}' permission")
    return answer(_shown(row), headers={"X-Data-Version": str(row["data_version"])})


@bp.route("/users/{username}/permissions/{permission}", methods=["PUT"], content_types=BODY_TYPES)
@balrog_route(bp)
def put_permission(username: str, permission: str, changed_by: str) -> Response:
    """Create (201) or, given the data_version, overwrite (200) a permission."""
    key = _key(username, permission)
    body = json_body(bp)
    options = _options(body, key["permission"])
    current = permissions.get(key)
    if current is None:
        require(changed_by, "permission", "create")
        gates.verify(gates.for_permission(None, {**key, "options": options}), None)
        permissions.insert({**key, "options": options}, changed_by)
        return answer({"new_data_version": 1}, 201)
    data_version = int_value(body.get("data_version"), "data_version")
    if data_version is None:
        raise BalrogError(400, "'data_version' is required when updating an existing permission.")
    return _update(current, options, data_version, changed_by)


def _update(current: dict[str, Any], options: dict[str, list[str]] | None, data_version: int,
            changed_by: str) -> Response:
    require(changed_by, "permission", "modify")
    gates.verify(gates.for_permission(current, {**current, "options": options}), None)
    new = permissions.update(_key(current["username"], current["permission"]), {"options": options}, data_version,
                             changed_by)
    return answer({"new_data_version": new["data_version"]})


@bp.route("/users/{username}/permissions/{permission}", methods=["POST"], content_types=BODY_TYPES)
@balrog_route(bp)
def post_permission(username: str, permission: str, changed_by: str) -> Response:
    """Overwrite an existing permission; data_version is required."""
    key = _key(username, permission)
    body = json_body(bp)
    options = _options(body, key["permission"])
    data_version = int_value(body.get("data_version"), "data_version", required=True)
    current = permissions.get(key)
    if current is None:
        raise BalrogError(404, f"{username} has no '{permission}' permission")
    assert data_version is not None
    return _update(current, options, data_version, changed_by)


@bp.route("/users/{username}/permissions/{permission}", methods=["DELETE"])
@balrog_route(bp)
def delete_permission(username: str, permission: str, changed_by: str) -> Response:
    key = _key(username, permission)
    data_version = int_value(query_params(bp).get("data_version"), "data_version", required=True)
    current = permissions.get(key)
    if current is None:
        raise BalrogError(404, f"{username} has no '{permission}' permission")
    require(changed_by, "permission", "delete")
    gates.verify(gates.for_permission(current, None), None)
    pending = scheduled_changes.refuse_if_scheduled(PERMISSIONS, current)
    permissions.delete(key, data_version, changed_by, pending)
    return Response(body="", status_code=200)


# --- roles: what a user may sign off scheduled changes as ----------------------------------------

@bp.route("/users/{username}/roles", methods=["GET"])
@balrog_route(bp)
def user_roles(username: str, changed_by: str) -> Response:
    return answer({"roles": roles.of_user(username)})


@bp.route("/users/{username}/roles/{role}", methods=["PUT"], content_types=BODY_TYPES)
@balrog_route(bp)
def grant_role(username: str, role: str, changed_by: str) -> Response:
    """Grant a role: 201 when new, 200 (a no-op) when the user holds it already, as Balrog answers."""
    held = roles.get({"username": username, "role": role})
    if held is not None:
        return answer({"new_data_version": held["data_version"]})
    require(changed_by, "permission", "create")
    if not permissions.of_user(username):
        raise errors.value_error("Cannot grant a role to a user without any permissions")
    roles.insert({"username": username, "role": role}, changed_by)
    return answer({"new_data_version": 1}, 201)


@bp.route("/users/{username}/roles/{role}", methods=["DELETE"])
@balrog_route(bp)
def revoke_role(username: str, role: str, changed_by: str) -> Response:
    data_version = int_value(query_params(bp).get("data_version"), "data_version", required=True)
    if roles.get({"username": username, "role": role}) is None:
        raise BalrogError(404, "Role not found", f"No role '{role}' found for username '{username}'")
    require(changed_by, "permission", "delete")
    roles.delete({"username": username, "role": role}, data_version, changed_by)
    return Response(body="", status_code=200)

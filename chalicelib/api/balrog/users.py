"""``/users``: who has permissions, and each user's permission rows (versioned)."""

from __future__ import annotations

from typing import Any

from chalice import Response

from chalicelib.api.balrog.common import (
    BODY_TYPES,
    BalrogError,
    answer,
    int_value,
    json_body,
    nested,
    query_params,
    require,
)
from chalicelib.api.balrog.family import admin, blueprint
from chalicelib.api.balrog.openapi import (
    DATA_VERSION,
    DELETE_VERSION,
    DELETED,
    PERMISSION,
    READ_ERRORS,
    USERNAME,
    WRITE_ERRORS,
    admin_op,
    head_op,
    json_content,
    new_version,
    obj,
)
from chalicelib.api.balrog.openapi_signoffs import ROLE
from chalicelib.api.kit import openapi_parts as oa
from chalicelib.balrog import errors
from chalicelib.balrog.permissions import canonical, validate_options
from chalicelib.services.balrog import gates, scheduled_changes
from chalicelib.services.balrog.scheduled_kinds import PERMISSIONS
from chalicelib.store.balrog_permissions import permissions
from chalicelib.store.balrog_roles import roles

bp = blueprint(__name__)

ONE_PERMISSION = [USERNAME, PERMISSION]
PERMISSION_BODY = json_content(oa.schema_ref("PermissionChange"), "Options and, to change one, `data_version`.",
                               {"options": {"products": ["Firefox"], "actions": ["create", "modify"]},
                                "data_version": 1})


def _key(username: str, permission: str) -> dict[str, str]:
    return {"username": username, "permission": canonical(permission)}


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    return {"data_version": row["data_version"], "options": row.get("options")}


def _options(body: dict[str, Any], permission: str) -> dict[str, list[str]] | None:
    return validate_options(permission, nested(body.get("options"), "options"))


@admin(
    bp, "/users", ["GET"],
    admin_op("list_users", "Users with at least one permission, with roles and permissions", {
        200: oa.answer("username → its roles and permissions.", {"type": "object", "additionalProperties": obj({
            "roles": {"type": "array", "items": obj({"role": {"type": "string"},
                                                     "data_version": {"type": "integer"}})},
            "permissions": {"type": "object", "additionalProperties": oa.schema_ref("Permission")}})}),
        401: oa.response_ref("Unauthorized"), 503: oa.response_ref("ServiceUnavailable")}),
)
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


@admin(
    bp, "/users/{username}", ["GET"],
    admin_op("get_user", "One user's permissions and roles", {
        200: oa.answer("The user.", obj({"username": {"type": "string"}, "permissions": {
            "type": "object", "additionalProperties": oa.schema_ref("Permission")}, "roles": {"type": "object"}})),
        **READ_ERRORS}, [USERNAME]),
)
def get_user(username: str, changed_by: str) -> Response:
    """Balrog's ``get_user``: a user's permissions and roles; 404 for a user without permissions."""
    held = permissions.of_user(username)
    if not held:
        raise BalrogError(404, f"No permission found for username {username}")
    user_roles = {r["role"]: {"data_version": r["data_version"]} for r in roles.of_user(username)}
    return answer({"username": username, "permissions": held, "roles": user_roles})


@admin(
    bp, "/users/{username}/permissions", ["GET"],
    admin_op("user_permissions", "A user's permissions", {
        200: oa.answer("Permission → row.", {"type": "object", "additionalProperties": oa.schema_ref("Permission")}),
        401: oa.response_ref("Unauthorized"), 503: oa.response_ref("ServiceUnavailable")}, [USERNAME]),
)
def user_permissions(username: str, changed_by: str) -> Response:
    return answer(permissions.of_user(username))


@admin(
    bp, "/users/{username}/permissions/{permission}", ["GET", "HEAD"],
    admin_op("get_permission", "One permission of a user", {
        200: oa.answer("The row.", oa.schema_ref("Permission"), headers=DATA_VERSION),
        400: oa.response_ref("BadRequest"), **READ_ERRORS}, ONE_PERMISSION),
    also={"HEAD": head_op("head_permission", "A permission's data_version", ONE_PERMISSION, DATA_VERSION,
                     bad_request=True)},
)
def get_permission(username: str, permission: str, changed_by: str) -> Response:
    row = permissions.get(_key(username, permission))
    if row is None:
        raise BalrogError(404, f"{username} has no '{permission}' permission")
    return answer(_shown(row), headers={"X-Data-Version": str(row["data_version"])})


@admin(
    bp, "/users/{username}/permissions/{permission}", ["PUT"],
    admin_op("put_permission", "Create or overwrite a permission", {
        200: new_version("Changed."), 201: new_version("Created."), **WRITE_ERRORS},
        ONE_PERMISSION, PERMISSION_BODY, writes=True),
    content_types=BODY_TYPES,
)
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


@admin(
    bp, "/users/{username}/permissions/{permission}", ["POST"],
    admin_op("post_permission", "Overwrite a permission", {200: new_version("Changed."), **WRITE_ERRORS},
             ONE_PERMISSION, PERMISSION_BODY, writes=True),
    content_types=BODY_TYPES,
)
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


@admin(
    bp, "/users/{username}/permissions/{permission}", ["DELETE"],
    admin_op("delete_permission", "Delete a permission", {200: DELETED, **WRITE_ERRORS},
             [*ONE_PERMISSION, DELETE_VERSION], writes=True),
)
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

@admin(
    bp, "/users/{username}/roles", ["GET"],
    admin_op("user_roles", "A user's roles", {
        200: oa.answer("The roles.", obj({"roles": {"type": "array", "items": obj({
            "role": {"type": "string"}, "data_version": {"type": "integer"}})}})),
        401: oa.response_ref("Unauthorized"), 503: oa.response_ref("ServiceUnavailable")}, [USERNAME]),
)
def user_roles(username: str, changed_by: str) -> Response:
    return answer({"roles": roles.of_user(username)})


@admin(
    bp, "/users/{username}/roles/{role}", ["PUT"],
    admin_op("grant_role", "Grant a role (200 when held already)", {
        200: new_version("Held already."), 201: new_version("Granted."), **WRITE_ERRORS},
        [USERNAME, ROLE], writes=True),
    content_types=BODY_TYPES,
)
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


@admin(
    bp, "/users/{username}/roles/{role}", ["DELETE"],
    admin_op("revoke_role", "Revoke a role", {200: oa.answer("Revoked (no body)."), **WRITE_ERRORS},
             [USERNAME, ROLE, DELETE_VERSION], writes=True),
)
def revoke_role(username: str, role: str, changed_by: str) -> Response:
    data_version = int_value(query_params(bp).get("data_version"), "data_version", required=True)
    if roles.get({"username": username, "role": role}) is None:
        raise BalrogError(404, "Role not found", f"No role '{role}' found for username '{username}'")
    require(changed_by, "permission", "delete")
    roles.delete({"username": username, "role": role}, data_version, changed_by)
    return Response(body="", status_code=200)

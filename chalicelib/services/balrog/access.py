"""Who may do what in the Balrog admin API: permission rows and roles, read from the store.

The decision itself is pure (``chalicelib.balrog.permissions.allowed``);
this module fetches a user's rows and raises Balrog's 403.
"""

from __future__ import annotations

from chalicelib.balrog import errors
from chalicelib.balrog import permissions as perms
from chalicelib.store.balrog_permissions import permissions
from chalicelib.store.balrog_roles import roles


def require(username: str, thing: str, action: str, product: str | None = None) -> None:
    """403 unless ``username`` may do ``action`` on ``thing`` for ``product``."""
    if not perms.allowed(permissions.of_user(username), thing, action, product):
        target = f" for product '{product}'" if product else ""
        raise errors.permission_denied(f"{username} is not allowed to {action} {thing}{target}")


def is_admin(username: str) -> bool:
    return "admin" in permissions.of_user(username)


def require_role(username: str, role: str) -> None:
    if not roles.holds(username, role):
        raise errors.permission_denied(f"{username} cannot signoff with role '{role}'")

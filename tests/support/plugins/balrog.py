"""Balrog fixtures shared across folders: users with permission rows, and the admin."""

from __future__ import annotations

import pytest


@pytest.fixture
def balrog_user(aws):
    """Makes a Balrog user with permission rows (``rule={"products": [...]}``); returns its request headers."""
    from chalicelib.auth import bearer
    from chalicelib.store.balrog_permissions import permissions

    def _user(username: str, **rows: dict | None) -> dict[str, str]:
        for permission, options in rows.items():
            permissions.insert({"username": username, "permission": permission, "options": options}, "setup")
        return {"Authorization": f"Bearer {bearer.create_token(username)}", "Content-Type": "application/json"}

    return _user


@pytest.fixture
def balrog_admin(balrog_user) -> dict[str, str]:
    """Headers of user ``admin`` holding the unrestricted ``admin`` permission."""
    return balrog_user("admin", admin=None)

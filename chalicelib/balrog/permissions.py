"""Balrog's permission model, pure: names, option validation and the allow/deny decision.

The decision follows Balrog's ``Permissions.hasPermission``: an ``admin`` row
allows everything, limited to its products when it names some; otherwise the
row for the thing must exist, and when its options name actions or products,
they must include the request's. A restricted row denies a request that names
no product (nothing proves the product is allowed).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Each permission and the options it may carry.
OPTIONS: dict[str, frozenset[str]] = {
    "admin": frozenset({"products"}),
    "emergency_shutoff": frozenset({"actions", "products"}),
    "release": frozenset({"actions", "products"}),
    "release_locale": frozenset({"actions", "products"}),
    "release_read_only": frozenset({"actions", "products"}),
    "rule": frozenset({"actions", "products"}),
    "permission": frozenset({"actions"}),
    "required_signoff": frozenset({"products"}),
    "scheduled_change": frozenset({"actions"}),
}
ACTIONS = frozenset({"create", "modify", "delete", "set", "unset", "enact"})

# URL-style names from the 2016 admin API wiki, accepted as aliases.
ALIASES = {
    "/releases/:name": "release",
    "/releases/:name/read_only": "release_read_only",
    "/releases/:name/builds/:platform/:locale": "release_locale",
    "/rules": "rule",
    "/rules/:id": "rule",
    "/users/:id/permissions/:permission": "permission",
}


class InvalidPermission(ValueError):
    """An unknown permission name or option, or an option of the wrong shape."""


def canonical(name: str) -> str:
    """The permission's canonical name; InvalidPermission if it is none of them."""
    name = ALIASES.get(name, name)
    if name not in OPTIONS:
        raise InvalidPermission(f"unknown permission '{name}'")
    return name


# The 2016 admin API document's option spelling: ``{"method": "POST", "product": [...]}``.
OLD_OPTION_NAMES = {"product": "products", "method": "actions"}
METHOD_ACTIONS = {"POST": "create", "PUT": "modify", "DELETE": "delete"}


def _current_spelling(options: Mapping[str, Any]) -> dict[str, Any]:
    """Options in Balrog's current spelling; the document's ``product``/``method`` are accepted and translated.

    A method is an HTTP verb (POST creates, PUT modifies, DELETE deletes) or
    already an action; a single value becomes a one-item list.
    """
    current: dict[str, Any] = {}
    for name, values in options.items():
        new_name = OLD_OPTION_NAMES.get(name, name)
        if name in OLD_OPTION_NAMES:
            values = [values] if isinstance(values, str) else values
            if name == "method" and isinstance(values, list):
                values = [METHOD_ACTIONS.get(v.upper(), v) if isinstance(v, str) else v for v in values]
        if new_name in current:
            raise InvalidPermission(f"'{name}' and '{new_name}' name the same option")
        current[new_name] = values
    return current


def validate_options(permission: str, options: Any) -> dict[str, list[str]] | None:
    """Checked options for ``permission`` (None or {} means unrestricted), in Balrog's current spelling."""
    if options is None:
        return None
    if not isinstance(options, Mapping):
        raise InvalidPermission("options must be an object")
    options = _current_spelling(options)
    allowed = OPTIONS[canonical(permission)]
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise InvalidPermission(f"unknown option(s) for '{permission}': {', '.join(unknown)}")
    checked: dict[str, list[str]] = {}
    for option, values in options.items():
        if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
            raise InvalidPermission(f"'{option}' must be a list of strings")
        if option == "actions" and set(values) - ACTIONS:
            raise InvalidPermission(f"unknown action(s): {', '.join(sorted(set(values) - ACTIONS))}")
        checked[option] = values
    return checked


def allowed(user_permissions: Mapping[str, Mapping[str, Any]], thing: str, action: str,
            product: str | None = None) -> bool:
    """Whether a user with these permission rows may do ``action`` on ``thing`` for ``product``.

    ``user_permissions`` is ``{permission: {"options": {...} | None, ...}}`` as stored.
    """
    if "admin" in user_permissions:
        products = (user_permissions["admin"].get("options") or {}).get("products")
        return not products or product in products
    row = user_permissions.get(canonical(thing))
    if row is None:
        return False
    options = row.get("options") or {}
    if options.get("actions") and action not in options["actions"]:
        return False
    if options.get("products") and product not in options["products"]:
        return False
    return True

"""Balrog's signoff rules, pure: which requirements apply to a change, and whether signoffs meet them.

Facts from Balrog (``auslib/db.py`` ``verify_signoffs``,
``auslib/util/signoffs.py``): a change is gated by every requirement whose
product matches the changed row's and whose channel the row's channel
matches (a row with no product is gated by all requirements; a row with no
channel by all of its product's); the number needed per role is the highest
any applicable requirement asks; signoffs count per role.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from chalicelib.balrog.matching import channel_pattern_matches


class SignoffRequired(Exception):
    """A direct change, or an enactment, that its required signoffs do not cover."""


def product_requirements(row: Mapping[str, Any] | None,
                         requirements: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The product requirements that gate a change of ``row`` (a rule, a shutoff, a rule a release is mapped by)."""
    if not row:
        return []
    product, channel = row.get("product"), row.get("channel")
    return [rs for rs in requirements
            if (not product or rs["product"] == product)
            and (not channel or channel_pattern_matches(channel, rs["channel"]))]


def permission_requirements(row: Mapping[str, Any] | None, products_option: bool,
                            requirements: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The permissions requirements that gate a change of a permission row.

    A permission restricted to products is gated by those products'
    requirements; one that is not (or cannot be) restricted, by all of them.
    """
    if not row:
        return []
    products = (row.get("options") or {}).get("products") if products_option else None
    if products:
        return [rs for rs in requirements if rs["product"] in products]
    return list(requirements)


def needed(requirements: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """``{role: signoffs needed}``: the highest number any requirement asks of each role."""
    roles: dict[str, int] = {}
    for rs in requirements:
        roles[rs["role"]] = max(roles.get(rs["role"], 0), int(rs["signoffs_required"]))
    return roles


def satisfied(required: Mapping[str, int], signoffs: Mapping[str, str]) -> bool:
    """Whether ``signoffs`` (``{username: role}``) give every role the number it needs."""
    given = Counter(signoffs.values())
    return all(given[role] >= count for role, count in required.items())


def verify(required: Mapping[str, int], signoffs: Mapping[str, str] | None) -> None:
    """Raise SignoffRequired as Balrog words it, unless the signoffs cover ``required``."""
    if not required:
        return
    if not signoffs:
        raise SignoffRequired("No Signoffs given")
    given = Counter(signoffs.values())
    for role, count in required.items():
        if given[role] < count:
            raise SignoffRequired(f"Not enough signoffs for role '{role}'")

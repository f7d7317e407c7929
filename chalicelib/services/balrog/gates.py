"""Which signoffs a change needs: Balrog's ``getPotentialRequiredSignoffs``, per kind of object.

Reads the requirements (and, for a release, the rules that map to it) from
the store and hands them to the pure rules of ``chalicelib.balrog.signoffs``.
A direct write (no scheduled change) has no signoffs, so any requirement
refuses it with Balrog's 400 "Signoff Required".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.balrog import errors
from chalicelib.balrog import signoffs as so
from chalicelib.balrog.permissions import OPTIONS
from chalicelib.store.balrog_required_signoffs import permissions_required_signoffs, product_required_signoffs
from chalicelib.store.balrog_rules import mapping_rules

Row = Mapping[str, Any] | None


def for_rule(old: Row, new: Row) -> dict[str, int]:
    """A rule's old and new (product, channel) are both gated: a change may move it out of a gated channel."""
    requirements = product_required_signoffs.rows()
    return so.needed([*so.product_requirements(old, requirements), *so.product_requirements(new, requirements)])


def for_shutoff(row: Row) -> dict[str, int]:
    return so.needed(so.product_requirements(row, product_required_signoffs.rows((row or {}).get("product"))))


def for_release(name: str | None) -> dict[str, int]:
    """A release gates nothing itself: the rules that map to it do (their product and channel).

    The rules are named on the release's reference item (one read), never found by reading the rules.
    """
    if not name:
        return {}
    mapping = rules_mapping([name])[name]
    if not mapping:
        return {}
    requirements = product_required_signoffs.rows()
    return so.needed([rs for rule in mapping for rs in so.product_requirements(rule, requirements)])


def rules_mapping(names: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Each release's mapping rules (``rule_id``, ``product``, ``channel``), from the releases' reference items."""
    return mapping_rules(names)


def needed_for_rules(mapping_rules: list[dict[str, Any]], requirements: list[dict[str, Any]]) -> dict[str, int]:
    """What a change of a release those rules map to needs (``GET /releases``'s ``required_signoffs``)."""
    return so.needed([rs for rule in mapping_rules for rs in so.product_requirements(rule, requirements)])


def for_read_write(name: str, product: str | None) -> dict[str, int]:
    """Making a read-only release writable again: its rules' requirements, else its product's (Balrog's
    ``validate_readonly_change``)."""
    by_rules = for_release(name)
    if by_rules or not product:
        return by_rules
    return so.needed(product_required_signoffs.rows(product))


def for_permission(old: Row, new: Row) -> dict[str, int]:
    requirements = permissions_required_signoffs.rows()
    found = []
    for row in (old, new):
        if row:
            has_products = "products" in OPTIONS.get(row["permission"], frozenset())
            found += so.permission_requirements(row, has_products, requirements)
    return so.needed(found)


def for_required_signoff(kind: str, row: Row) -> dict[str, int]:
    """A requirement is gated by the requirements of its own product (and channel)."""
    if not row:
        return {}
    table = product_required_signoffs if kind == "product" else permissions_required_signoffs
    same = [rs for rs in table.rows(row.get("product"))
            if all(rs.get(c) == row.get(c) for c in table.decision_columns)]
    return so.needed(same)


def verify(required: Mapping[str, int], signoffs: Mapping[str, str] | None) -> None:
    """400 "Signoff Required" unless ``signoffs`` meet ``required``."""
    try:
        so.verify(required, signoffs)
    except so.SignoffRequired as err:
        raise errors.signoff_required(str(err)) from None

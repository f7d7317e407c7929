"""Whether a rule's fields are ones Balrog's admin API accepts: the messages of a 400, before any write.

The update matcher (``matching``) trusts what this let through: a version
column it parses, an operator it understands, a background rate in 0–100.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from chalicelib.balrog.matching import ALIAS_RE, UPDATE_TYPES, split_operator
from chalicelib.balrog.query_errors import InvalidVersion
from chalicelib.balrog.versions import GLOB_RE, MozillaVersion


def _is_blank(value: Any) -> bool:
    return value is None or value == ""


def _as_int(value: Any) -> int | None:
    """``value`` as an int if it is one (or a string of one); bools are not ints."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return None


def _check_int(fields: Mapping[str, Any], name: str, low: int | None, high: int | None) -> list[str]:
    value = fields.get(name)
    if _is_blank(value):
        return []
    number = _as_int(value)
    if number is None:
        return [f"{name} must be an integer, got {value!r}"]
    if low is not None and number < low:
        return [f"{name} must be >= {low}, got {number}"]
    if high is not None and number > high:
        return [f"{name} must be <= {high}, got {number}"]
    return []


def _check_version(value: str) -> list[str]:
    parts = value.split(",")
    errors: list[str] = []
    for part in parts:
        if part.endswith("*"):
            if not GLOB_RE.match(part):
                errors.append(f"version {part!r}: a glob must look like '52.*' or '52.0.*' and carry no operator")
            continue
        op, operand = split_operator(part)
        if op and len(parts) > 1:
            errors.append(f"version {value!r}: comparison operators are not allowed in a list of versions")
            break
        try:
            MozillaVersion.parse(operand)
        except InvalidVersion:
            errors.append(f"version {part!r}: {operand!r} is not a valid Mozilla version")
    return errors


def _check_build_id(value: str) -> list[str]:
    _, operand = split_operator(value)
    if not operand.isdigit():
        return [f"buildID {value!r}: expected digits with an optional operator (<, <=, >, >=, =)"]
    return []


def _check_memory(value: Any) -> list[str]:
    _, operand = split_operator(str(value))
    if not operand.isdigit():
        return [f"memory {value!r}: expected an integer with an optional operator (<, <=, >, >=, =)"]
    return []


def validate_rule(fields: Mapping[str, Any], *, partial: bool = False) -> list[str]:
    """Problems with a rule's fields, as messages for a 400 body; ``[]`` when valid.

    ``partial=True`` is for updates that carry only the changed columns; a new
    rule (``partial=False``) must state ``priority``, ``backgroundRate`` and
    ``update_type``, as Balrog's admin API requires.
    """
    errors: list[str] = []
    if not partial:
        for name in ("priority", "backgroundRate", "update_type"):
            if _is_blank(fields.get(name)):
                errors.append(f"{name} is required")
    alias = fields.get("alias")
    if not _is_blank(alias) and not (isinstance(alias, str) and ALIAS_RE.match(alias)):
        errors.append(f"alias {alias!r} must start with a letter and contain only letters, digits and '-'")
    errors += _check_int(fields, "priority", 0, None)
    errors += _check_int(fields, "backgroundRate", 0, 100)
    update_type = fields.get("update_type")
    if not _is_blank(update_type) and update_type not in UPDATE_TYPES:
        errors.append(f"update_type must be one of {', '.join(UPDATE_TYPES)}, got {update_type!r}")
    for name, check in (("version", _check_version), ("buildID", _check_build_id), ("memory", _check_memory)):
        value = fields.get(name)
        if _is_blank(value):
            continue
        if name != "memory" and not isinstance(value, str):
            errors.append(f"{name} must be a string, got {value!r}")
            continue
        errors += check(value)
    for name in ("mig64", "jaws"):
        value = fields.get(name)
        if value is not None and not isinstance(value, bool):
            errors.append(f"{name} must be true, false or null, got {value!r}")
    return errors

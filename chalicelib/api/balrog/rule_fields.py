"""Rule fields from a request body: types coerced here, meaning checked by the matcher.

Clients send numbers and booleans as strings (forms, older balrogclients), so
this module coerces types; whether a version or buildID expression is one the
matcher understands is ``chalicelib.balrog.matching.validate_rule``'s call, so
the admin API never stores a rule the update endpoint cannot evaluate.
"""

from __future__ import annotations

from typing import Any

from chalicelib.api.balrog.common import BalrogError, int_value
from chalicelib.balrog.matching import validate_rule
from chalicelib.store.balrog_rules import ALIAS, COLUMNS

INT_COLUMNS = frozenset({"priority", "backgroundRate"})
BOOL_COLUMNS = frozenset({"mig64", "jaws"})
# Set by the table, never by a client.
SYSTEM_COLUMNS = frozenset({"rule_id", "data_version"})
WRITABLE = tuple(c for c in COLUMNS if c not in SYSTEM_COLUMNS)
REQUIRED_ON_CREATE = ("priority", "backgroundRate", "update_type")
UPDATE_TYPES = frozenset({"minor", "major"})
MAX_LENGTH = 1024
_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no"}


def _bool(value: Any, column: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | str) and str(value).strip().lower() in _TRUE | _FALSE:
        return str(value).strip().lower() in _TRUE
    raise BalrogError(400, f"'{column}' must be true or false.")


def _value(column: str, value: Any) -> Any:
    if value is None or (isinstance(value, str) and value.strip() == "" and column not in INT_COLUMNS):
        return None
    if column in INT_COLUMNS:
        number = int_value(value, column, required=True)
        if column == "backgroundRate" and not 0 <= number <= 100:
            raise BalrogError(400, "'backgroundRate' must be between 0 and 100.")
        return number
    if column in BOOL_COLUMNS:
        return _bool(value, column)
    if column == "memory" and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or len(value) > MAX_LENGTH:
        raise BalrogError(400, f"'{column}' must be a string of at most {MAX_LENGTH} characters.")
    if column == "update_type" and value not in UPDATE_TYPES:
        raise BalrogError(400, "'update_type' must be 'minor' or 'major'.")
    if column == "alias" and not ALIAS.match(value):
        raise BalrogError(400, "'alias' must match ^[a-zA-Z][a-zA-Z0-9-]*$.")
    return value


def parse(body: dict[str, Any], creating: bool) -> dict[str, Any]:
    """The rule columns present in ``body``, checked; other fields (csrf_token, ...) are ignored."""
    fields = {column: _value(column, body[column]) for column in WRITABLE if column in body}
    if creating:
        missing = [c for c in REQUIRED_ON_CREATE if fields.get(c) is None]
        if missing:
            raise BalrogError(400, f"Missing required field(s): {', '.join(missing)}.")
    errors = validate_rule(fields, partial=not creating)
    if errors:
        raise BalrogError(400, "; ".join(errors))
    return fields

"""Rule fields from a request body: types coerced here, meaning checked by the matcher.

Clients send numbers and booleans as strings (forms, older balrogclients), so
this module coerces types; whether a version or buildID expression is one the
matcher understands is ``chalicelib.balrog.rule_validation.validate_rule``'s call, so
the admin API never stores a rule the update endpoint cannot evaluate.
"""

from __future__ import annotations

from typing import Any

from chalicelib.api.balrog.common import BalrogError, int_value
from chalicelib.balrog.rule_validation import validate_rule
from chalicelib.store.balrog_rules import ALIAS, COLUMNS

INT_COLUMNS = frozenset({"priority", "backgroundRate"})
BOOL_COLUMNS = frozenset({"mig64", "jaws"})
# Set by the table, never by a client.
SYSTEM_COLUMNS = frozenset({"rule_id", "data_version"})
WRITABLE = tuple(c for c in COLUMNS if c not in SYSTEM_COLUMNS)
REQUIRED_ON_CREATE = ("priority", "backgroundRate", "update_type")
UPDATE_TYPES = frozenset({"minor", "major"})
# Balrog's column sizes (its rule schema's ``maxLength``); every string column is ASCII there.
MAX_LENGTHS = {"alias": 50, "mapping": 100, "fallbackMapping": 100, "update_type": 15, "product": 15, "version": 75,
               "channel": 75, "buildTarget": 75, "buildID": 20, "locale": 200, "osVersion": 1000, "memory": 100,
               "instructionSet": 1000, "distribution": 2000, "distVersion": 100, "headerArchitecture": 10,
               "comment": 500, "whitelist": 100}
# Comma lists Balrog stores without any whitespace ("de, fr ,en-US" → "de,fr,en-US").
CSV_COLUMNS = frozenset({"locale", "distribution"})
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
    limit = MAX_LENGTHS.get(column, 1000)
    if not isinstance(value, str) or len(value) > limit:
        raise BalrogError(400, f"'{column}' must be a string of at most {limit} characters.")
    if not value.isascii():
        raise BalrogError(400, f"'{column}': value must be ascii")
    value = "".join(value.split()) if column in CSV_COLUMNS else value.strip()
    if column == "update_type" and value not in UPDATE_TYPES:
        raise BalrogError(400, "'update_type' must be 'minor' or 'major'.")
    if column == "alias" and not ALIAS.match(value):
        raise BalrogError(400, "'alias' must match ^[a-zA-Z][a-zA-Z0-9-]*$.")
    return value


def parse(body: dict[str, Any], creating: bool) -> dict[str, Any]:
    """The rule columns present in ``body``, checked; other fields (csrf_token, ...) are ignored."""
    fields = {column: _value(column, body[column]) for column in WRITABLE if column in body}
    if creating and any(body.get(c) is not None for c in SYSTEM_COLUMNS):
        raise BalrogError(400, "rule_id and data_version are set by Balrog, not by a new rule's body.")
    if creating:
        missing = [c for c in REQUIRED_ON_CREATE if fields.get(c) is None]
        if missing:
            raise BalrogError(400, f"Missing required field(s): {', '.join(missing)}.")
    errors = validate_rule(fields, partial=not creating)
    if errors:
        raise BalrogError(400, "; ".join(errors))
    return fields

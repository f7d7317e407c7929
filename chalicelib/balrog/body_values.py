"""Values of an admin request's body as Balrog reads them: integers sent as digits, objects sent as JSON text.

Balrog's forms and its JSON clients send the same fields in both shapes, so the
routes and the use cases read them with the same two rules (and refuse with
the same 400s).
"""

from __future__ import annotations

from typing import Any

from chalicelib import safe_json
from chalicelib.balrog.errors import BalrogError


def nested(value: Any, field: str) -> Any:
    """A nested field that may travel as a JSON-encoded string or as the object itself."""
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            return safe_json.loads(value)
        except ValueError:
            raise BalrogError(400, f"'{field}' is not valid JSON.") from None
    return value


def int_value(value: Any, field: str, required: bool = False) -> int | None:
    """An integer field from a body or query string (strings of digits accepted).

    A JSON number with a fraction is refused, not truncated: ``backgroundRate``
    2.5 is not 2.
    """
    if value is None or value == "":
        if required:
            raise BalrogError(400, f"'{field}' is required.")
        return None
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise BalrogError(400, f"'{field}' must be an integer.")
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        raise BalrogError(400, f"'{field}' must be an integer.") from None

"""What a release write must carry, checked before anything is read or written (Balrog's 400s and 403s).

Shared by the ``/releases`` routes and the release use cases, so a blob is
refused with the same words whichever path it took.
"""

from __future__ import annotations

from typing import Any

from chalicelib.balrog.blob_schema import blob_errors
from chalicelib.balrog.body_values import nested
from chalicelib.balrog.domains import Allowlist, contains_forbidden_domain
from chalicelib.balrog.errors import BalrogError

MAX_NAME = 200


def json_string(body: dict[str, Any], field: str) -> Any:
    """A field Balrog's spec types as a JSON string (``JSONStringField``: ``blob``, ``data``), parsed; the object
    itself is refused, as connexion refuses it, with 400."""
    value = body.get(field)
    if value is not None and not isinstance(value, str):
        raise BalrogError(400, f"{value!r} is not of type 'string' - '{field}'")
    return nested(value, field)


FORBIDDEN_DOMAIN = "Blob contains forbidden domain(s)"


def valid_blob(blob: dict[str, Any], product: str, allowlist: Allowlist,
               refusal: str = "Couldn't update release") -> dict[str, Any]:
    """Balrog's ``Blob.validate(product, allowlistedDomains)``: 400 "Invalid Blob" with the schema's complaints,
    then 400 ``refusal`` (the view's words) when a download URL's host is not allowlisted for ``product``."""
    errors = blob_errors(blob)
    if errors:
        raise BalrogError(400, "Invalid Blob", errors)
    if contains_forbidden_domain(blob, product, allowlist):
        raise BalrogError(400, refusal, [FORBIDDEN_DOMAIN])
    return blob


def product_of(body: dict[str, Any]) -> str:
    product = body.get("product")
    if not isinstance(product, str) or not product.strip():
        raise BalrogError(400, "'product' is required.")
    return product


def release_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
        raise BalrogError(400, f"'name' is required (at most {MAX_NAME} characters).")
    return name


def writable(record: dict[str, Any]) -> None:
    if record.get("read_only"):
        raise BalrogError(403, "Couldn't update release. Release is marked read only",
                          f"Release '{record['name']}' is read only")


def names_of(body: dict[str, Any], field: str) -> list[str]:
    """A list of names (``copyTo``, ``alias``), sent as a JSON string or a list."""
    value = nested(body.get(field), field)
    if value in (None, ""):
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise BalrogError(400, f"'{field}' must be a JSON list of names.")
    return list(dict.fromkeys(value))

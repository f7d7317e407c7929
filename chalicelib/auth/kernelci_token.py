"""``Authorization: <token>``, as KernelCI clients send it (the raw value, no scheme word).

Values are UUID4s shown once when made (``POST /token``, ``shipyard kernelci
token create``); only their SHA-256 is stored, so checking a request is one
GetItem by hash. The rules a token must pass are in chalicelib/kernelci/tokens.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from chalicelib.kernelci import tokens as rules
from chalicelib.kernelci.documents import new_id, now_ms
from chalicelib.store import kernelci_tokens as store


def create(body: dict[str, Any], value: str | None = None) -> tuple[str, dict[str, Any]]:
    """Make and store a token from a checked body; returns its value (shown once) and its record.

    ``value`` None mints a UUID4; the local stack passes its documented
    development value, and making it again finds the same token.
    :class:`rules.InvalidToken` when the body cannot make a token.
    """
    record = rules.apply(body)
    value = value or rules.new_value()
    token_hash = rules.token_hash(value)
    existing = store.token_by_hash(token_hash)
    if existing is not None:
        return value, existing
    record.update({"_id": new_id(), "created_on": now_ms(), "version": "1.0"})
    if store.put_token(token_hash, record):
        return value, record
    found = store.token_by_hash(token_hash)
    if found is None:  # the random id was taken, not the value: mint another
        return create(body, value)
    return value, found


def authorize(headers: Mapping[str, str], method: str, remote_ip: str | None,
              rule: Callable[[rules.Token, str], bool]) -> dict[str, Any] | None:
    """The token record a request's ``Authorization`` carries, if it may do ``method`` here."""
    value = (headers.get("authorization") or "").strip()
    if not value:
        return None
    record = store.token_by_hash(rules.token_hash(value))
    return record if rules.permits(record, method, remote_ip, rule, now_ms()) else None

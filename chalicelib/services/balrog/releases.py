"""Changing a release's blob in place and copying the change to other releases (Balrog's ``changeRelease``).

The ``POST /releases/<name>`` and ``PUT /releases/<name>/builds/<platform>/<locale>``
routes differ only in how the change applies to a blob; the checks of every
target, the creation of missing releases and the writes are this one use case.
"""

from __future__ import annotations

import copy
from typing import Any, Callable

from chalicelib.balrog.body_values import int_value
from chalicelib.balrog.errors import BalrogError
from chalicelib.balrog.release_input import (
    FORBIDDEN_DOMAIN,
    json_string,
    names_of,
    product_of,
    release_name,
    valid_blob,
    writable,
)
from chalicelib.services.balrog import gates
from chalicelib.services.balrog.access import require
from chalicelib.services.balrog.allowlist import domain_allowlist
from chalicelib.services.balrog.scheduled_kinds import follow_release
from chalicelib.store.balrog_releases import releases

Blob = dict[str, Any]


def require_any(username: str, things: tuple[str, ...], action: str, product: str | None) -> None:
    """403 unless ``username`` may do ``action`` on at least one of ``things`` (the last refusal is raised)."""
    for thing in things[:-1]:
        try:
            require(username, thing, action, product)
            return
        except BalrogError:
            continue
    require(username, things[-1], action, product)


def change_release(name: str, body: dict[str, Any], apply: Callable[[Blob, Blob], Blob],
                   is_new: Callable[[Blob], bool], changed_by: str, locale_change: bool = False) -> tuple[int, int]:
    """Apply one change to the named release and to each of ``copyTo``; returns (status, new data_version).

    A release that does not exist yet is created first (from ``schema_version``
    and ``hashFunction``). The release in the URL is the primary one: its
    ``data_version`` is required and checked (a stale one goes through the
    3-way merge), its product must match, and its answer decides the status
    (201 when ``is_new(blob)`` says the change adds something, or the release
    was created; else 200). ``copyTo`` releases are written at their current
    version. Every permission and product check of every target is made
    before the first write, so a refusal writes nothing.
    ``apply(blob, data)`` returns the new blob.
    """
    product = product_of(body)
    data = json_string(body, "data")
    if not isinstance(data, dict):
        raise BalrogError(400, "'data' is required and must be a JSON object.")
    copy_to = [n for n in names_of(body, "copyTo") if n != name]
    schema_version = body.get("schema_version") or data.get("schema_version")
    hash_function = body.get("hashFunction") or data.get("hashFunction")
    targets: list[tuple[str, dict[str, Any] | None, int | None]] = []
    for target in [name, *copy_to]:
        release_name(target)
        record = releases.get({"name": target})
        if record is None:
            require(changed_by, "release", "create", product)
            if not schema_version:
                raise BalrogError(400, "schema_version is required")
            targets.append((target, None, None))
            continue
        if target == name:
            data_version = int_value(body.get("data_version"), "data_version")
            if data_version is None:
                raise BalrogError(400, "Release exists, data_version must be provided")
            if product != record.get("product"):
                raise BalrogError(400, f"Product name '{product}' doesn't match the release's "
                                       f"('{record.get('product')}')")
        else:
            data_version = record["data_version"]
        if locale_change:
            require_any(changed_by, ("release", "release_locale"), "modify", record.get("product"))
        else:
            require(changed_by, "release", "modify", record.get("product"))
        writable(record)
        gates.verify(gates.for_release(target), None)
        targets.append((target, record, data_version))

    # Every new blob is built and checked before the first write: Balrog rolls the whole request back on a
    # refusal, so a refused blob must leave no release created and no copy written.
    planned = []
    for target, record, data_version in targets:
        if record is None:
            current: Blob = {"name": target, "schema_version": int_value(schema_version, "schema_version")}
            if hash_function:
                current["hashFunction"] = hash_function
        else:
            current = releases.blob(record)
            if hash_function and current.get("hashFunction") not in (None, hash_function):
                raise BalrogError(400, f"hashFunction '{hash_function}' doesn't match the release's")
        new = record is None or is_new(current)
        blob = valid_blob(apply(copy.deepcopy(current), data), product, domain_allowlist(),
                          f"Couldn't update release: {FORBIDDEN_DOMAIN}")
        planned.append((target, record, data_version, current, blob, new))

    status = 200
    primary_version = 0
    for target, record, data_version, current, blob, new in planned:
        if record is None:
            record, data_version = releases.create(target, product, current, changed_by), 1
        follow = follow_release(record, {"data": blob}) if record["data_version"] == data_version else []
        written = releases.write_blob(target, blob, data_version, changed_by, extra=follow)
        if target == name:
            status, primary_version = (201 if new else 200), written["data_version"]
    return status, primary_version

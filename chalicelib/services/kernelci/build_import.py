"""Importing a KernelCI build that ``POST /build`` accepted: stored with its job.

Each message is ``{"build": <checked POST body>, "received_on": ms}``. The
build's ``bmeta.json``, when its artifacts were uploaded first (as
``kci_build push_kernel`` does before ``publish_kernel``), fills in status,
commit, compiler and artifact names. Job and build ids derive from what they
describe, so a redelivered message, or the same build published again, finds
the documents already there: the job is kept, the build updated, nothing
counted twice.
"""

from __future__ import annotations

import logging
from typing import Any

from chalicelib.kernelci import keys
from chalicelib.kernelci.documents import build_documents, build_fields
from chalicelib.store import kernelci as store
from chalicelib.store import kernelci_storage as storage
from chalicelib.store.errors import TRANSIENT, refused_values

log = logging.getLogger(__name__)


class UnimportableBuild(ValueError):
    """A build message no retry can fix (its body fails the checks POST /build made)."""


REPLACE_ATTEMPTS = 5


def _checked_build(message: dict[str, Any]) -> dict[str, Any]:
    checked = keys.check_body(message["build"], keys.POST_KEYS[keys.BUILD])
    if not checked.ok:
        raise UnimportableBuild("; ".join(checked.errors))
    body = checked.body
    wrong = keys.wrong_text_values(body, (*keys.POST_KEYS[keys.BUILD].mandatory, "defconfig_full"))
    if wrong:
        raise UnimportableBuild(f"not non-empty strings: {', '.join(wrong)}")
    if not isinstance(message.get("received_on"), int):
        raise UnimportableBuild("received_on is not a time in ms")
    too_long = store.oversized_index_keys(keys.BUILD, build_fields(body))
    if too_long:  # POST /build refuses these now; one queued before that is noted, never retried
        raise UnimportableBuild(f"index keys too long to be kept: {', '.join(too_long)}")
    return body


def import_build(message: dict[str, Any]) -> dict[str, Any]:
    """Store one accepted build (and its job if new); returns the build as stored.

    The bmeta.json comes from an upload token: values of it that DynamoDB refuses (a build past an item's
    400 KB) would fail the import on every delivery, so the build is then stored as without it.
    """
    body = _checked_build(message)
    meta = storage.build_meta(body["file_server_resource"])
    try:
        return _store(body, meta, message["received_on"])
    except TRANSIENT as err:
        if meta is None or not refused_values(err):
            raise
        log.warning("build %s: its bmeta.json cannot be stored (%s); imported without it",
                    body["file_server_resource"][:200], type(err).__name__)
        return _store(body, None, message["received_on"])


def _store(body: dict[str, Any], meta: dict[str, Any] | None, received_on: int) -> dict[str, Any]:
    job, build = build_documents(body, meta, received_on)
    try:
        store.insert([(keys.JOB, job)])
    except store.AlreadyExists:
        pass  # the job of an earlier build of this kernel
    try:
        store.insert([(keys.BUILD, build)])
        return build
    except store.AlreadyExists:
        pass
    for _ in range(REPLACE_ATTEMPTS):
        existing = store.get(keys.BUILD, build["_id"])
        if existing is None:
            raise RuntimeError(f"build {build['_id']} vanished while being replaced")
        updated = {**build, "created_on": existing["created_on"]}
        if updated == existing:
            return existing
        try:
            store.replace(keys.BUILD, updated, expected=existing)
            return updated
        except store.Conflict:
            continue
    raise RuntimeError(f"build {build['_id']} kept changing; left for redelivery")

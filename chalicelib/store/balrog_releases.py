"""Balrog releases: the versioned record in DynamoDB, the blob (up to megabytes) in S3.

A DynamoDB item is at most 400 KB and a release blob can be several MB, so
the record (name, product, read_only, data_version) carries only ``blob_key``.
Each version's blob is written to a fresh, never-overwritten S3 key *before*
the conditional record write: a writer that loses the data_version race leaves
an orphan object, never a record pointing at someone else's blob, and history
rows keep pointing at the blob of their version (the ancestor a 3-way merge
needs).

Two refusals are conditions of the write itself, not checks before it: a
read-only release is not changed (only its flag may be), and a release that a
rule maps to is not deleted (the rules' reference count, kept by
``balrog_rules``, must be 0 in the delete's transaction).
"""

from __future__ import annotations

import hashlib
import json
import random
import time
import uuid
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from chalicelib import config
from chalicelib.balrog.merge import merge
from chalicelib.store import blobs
from chalicelib.store.balrog_rules import mapped_count
from chalicelib.store.clients import client
from chalicelib.store.versioned import NotFound, SideEffect, StaleDataVersion, VersionedTable, deserialize

# Rounds of "merge onto the tip, write at the tip's version" before giving up.
# Each lost round means another writer committed in between, so every round
# someone wins: N racing writers need at most N rounds (a nightly's ~100
# locale uploads rarely overlap more than a few at a time).
MERGE_ATTEMPTS = 30
MERGE_BACKOFF_SECONDS = 0.02


class ReleaseReadOnly(Exception):
    """The release is marked read only: only the flag itself may change."""


class ReleaseMapped(Exception):
    """A rule still maps to the release (as mapping or fallbackMapping)."""


def blob_key(name: str, data_version: int) -> str:
    return f"balrog/releases/{quote(name, safe='')}/{data_version:08d}-{uuid.uuid4().hex}.json"


class Releases(VersionedTable):
    table = "balrog-releases"
    history_name = "releases"
    keys = ("name",)

    def write_condition(self, current: dict[str, Any], changes: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        if "read_only" in changes:
            return "", {}
        return "attribute_not_exists(read_only) OR read_only = :writable", {":writable": {"BOOL": False}}

    def side_effects(self, old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[SideEffect]:
        if new is not None or old is None:
            return []
        return [SideEffect({"ConditionCheck": {
            "TableName": config.table_name("counters"), "Key": {"name": {"S": mapped_count(old["name"])}},
            "ConditionExpression": "attribute_not_exists(#v) OR #v = :none",
            "ExpressionAttributeNames": {"#v": "value"}, "ExpressionAttributeValues": {":none": {"N": "0"}},
        }}, ReleaseMapped(old["name"]))]

    def update(self, key: dict[str, Any], changes: dict[str, Any], old_data_version: int,
               changed_by: str, extra: Sequence[SideEffect] = ()) -> dict[str, Any]:
        try:
            return super().update(key, changes, old_data_version, changed_by, extra)
        except StaleDataVersion:
            if "read_only" not in changes:  # the flag itself may change on a read-only release: stale is stale
                self._refuse_if_read_only(key)
            raise

    def delete(self, key: dict[str, Any], old_data_version: int, changed_by: str,
               extra: Sequence[SideEffect] = ()) -> None:
        try:
            super().delete(key, old_data_version, changed_by, extra)
        except StaleDataVersion:
            self._refuse_if_read_only(key)
            raise

    def _refuse_if_read_only(self, key: dict[str, Any]) -> None:
        """A refused write names the real reason: read-only wins over a stale data_version."""
        current = self.get(key)
        if current is not None and current.get("read_only"):
            raise ReleaseReadOnly(key["name"]) from None

    def create(self, name: str, product: str, blob: dict[str, Any], changed_by: str,
               extra: Sequence[SideEffect] = ()) -> dict[str, Any]:
        key = blob_key(name, 1)
        blobs.put(key, json.dumps(blob, sort_keys=True).encode())
        return self.insert({"name": name, "product": product, "read_only": False, "blob_key": key}, changed_by,
                           extra)

    def replace(self, name: str, changes: dict[str, Any], old_data_version: int, changed_by: str,
                blob: dict[str, Any] | None = None, extra: Sequence[SideEffect] = ()) -> dict[str, Any]:
        """Update the record (and, given one, the blob) if still at ``old_data_version``."""
        changes = dict(changes)
        if blob is not None:
            changes["blob_key"] = blob_key(name, old_data_version + 1)
            blobs.put(changes["blob_key"], json.dumps(blob, sort_keys=True).encode())
        return self.update({"name": name}, changes, old_data_version, changed_by, extra)

    def write_blob(self, name: str, blob: dict[str, Any], old_data_version: int, changed_by: str,
                   changes: dict[str, Any] | None = None, extra: Sequence[SideEffect] = ()) -> dict[str, Any]:
        """Write a new blob; when stale, 3-way merge it onto the current one (version may jump).

        The ancestor is the blob at ``old_data_version`` from history; a
        conflicting change raises ``MergeConflict``; an unknown old version
        (never existed) stays ``StaleDataVersion``. ``extra`` items (made for
        ``old_data_version``) go with the first attempt only.
        """
        changes = changes or {}
        try:
            return self.replace(name, changes, old_data_version, changed_by, blob=blob, extra=extra)
        except StaleDataVersion:
            pass
        base = next((r for r in self._history({"name": name}) if r.get("data_version") == old_data_version), None)
        if base is None or "blob_key" not in base:
            raise StaleDataVersion(name)
        ancestor = self.blob(base)
        for attempt in range(MERGE_ATTEMPTS):
            if attempt:
                time.sleep(random.uniform(0, MERGE_BACKOFF_SECONDS))  # spread the racers out
            tip = self.get({"name": name})
            if tip is None:
                raise NotFound(name)
            merged = merge(ancestor, self.blob(tip), blob)
            try:
                return self.replace(name, changes, tip["data_version"], changed_by, blob=merged)
            except StaleDataVersion:
                continue
        raise StaleDataVersion(name)

    def blob(self, record: dict[str, Any]) -> dict[str, Any]:
        return json.loads(blobs.get(record["blob_key"]))

    def records(self, product: str | None = None, name_prefix: str | None = None) -> list[dict[str, Any]]:
        """Release records (never blobs), by name.

        A product filter is a Query on ``by_product``; unfiltered, a Query on
        the ``listing`` index.
        """
        if product is None:
            found = self.all_rows()
        else:
            pages = client("dynamodb").get_paginator("query").paginate(
                TableName=config.table_name(self.table), IndexName="by_product",
                KeyConditionExpression="product = :p", ExpressionAttributeValues={":p": {"S": product}},
            )
            found = [deserialize(item) for page in pages for item in page["Items"]]
        if name_prefix:
            found = [r for r in found if r["name"].startswith(name_prefix)]
        return sorted(found, key=lambda r: r["name"])


def put_scheduled_blob(blob: dict[str, Any]) -> str:
    """Store the blob a scheduled change would write; its key names its content.

    A blob can be megabytes, more than a DynamoDB item holds, so a scheduled
    change keeps only this key. Named by content, the object is never
    overwritten with anything else, every revision of the change keeps the
    blob it had, and two changes carrying the same blob compare equal by key.
    """
    text = json.dumps(blob, sort_keys=True).encode()
    key = f"balrog/scheduled_changes/releases/{hashlib.sha256(text).hexdigest()}.json"
    blobs.put(key, text)
    return key


def scheduled_blob(key: str) -> dict[str, Any]:
    return json.loads(blobs.get(key))


releases = Releases()

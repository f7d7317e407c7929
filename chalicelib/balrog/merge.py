"""Three-way merge of release blobs, pure.

Balrog lets a stale blob write succeed when it does not conflict with what
happened since: with the blob at the writer's old data_version as the
ancestor, the current blob as ``tip`` and the incoming one, every key changed
on only one side takes that side's value; nested objects merge recursively;
a key changed differently on both sides is a conflict. This is what lets
many locale uploads to one release race safely.
"""

from __future__ import annotations

from typing import Any

_MISSING = object()


class MergeConflict(ValueError):
    """Both sides changed the same key to different values."""


def merge(ancestor: dict[str, Any], tip: dict[str, Any], incoming: dict[str, Any], path: str = "") -> dict[str, Any]:
    """``tip`` with the changes ``incoming`` made relative to ``ancestor``."""
    result: dict[str, Any] = {}
    for key in dict.fromkeys([*tip, *incoming, *ancestor]):
        base, ours, theirs = ancestor.get(key, _MISSING), tip.get(key, _MISSING), incoming.get(key, _MISSING)
        if ours == theirs:
            value = ours
        elif theirs == base:
            value = ours
        elif ours == base:
            value = theirs
        elif isinstance(ours, dict) and isinstance(theirs, dict):
            # Both sides changed an object: merge inside it (no common object → empty ancestor).
            value = merge(base if isinstance(base, dict) else {}, ours, theirs, f"{path}{key}.")
        else:
            raise MergeConflict(f"'{path}{key}' was changed by another writer")
        if value is not _MISSING:
            result[key] = value
    return result

"""Treeherder's fixed reference data and the hashes it derives from names. Pure."""

from __future__ import annotations

import hashlib

# Treeherder's failure classifications (id 6 was retired there and stays unused).
FAILURE_CLASSIFICATIONS: tuple[tuple[int, str], ...] = (
    (1, "not classified"),
    (2, "fixed by commit"),
    (3, "expected fail"),
    (4, "intermittent"),
    (5, "infra"),
    (7, "autoclassified intermittent"),
)
NOT_CLASSIFIED = 1

# The option collections jobs and performance series are built with.
OPTION_COLLECTIONS: tuple[tuple[str, ...], ...] = (
    ("opt",), ("debug",), ("pgo",), ("asan",), ("tsan",), ("ccov",), ("addon",), ("all",),
)


def option_collection_hash(options: list[str] | tuple[str, ...]) -> str:
    """Treeherder's hash of a set of build options: SHA-1 of the sorted names, concatenated."""
    joined = "".join(sorted(set(options)))
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()  # noqa: S324 - an identifier, not a secret


OPTION_COLLECTION_HASHES: dict[str, tuple[str, ...]] = {
    option_collection_hash(options): options for options in OPTION_COLLECTIONS
}


def option_names(collection_hash: str) -> tuple[str, ...]:
    """The options of a known collection hash; an unknown hash has none."""
    return OPTION_COLLECTION_HASHES.get(collection_hash, ())


def reference_signature(*parts: object) -> str:
    """A job's reference-data signature: SHA-1 over the fields that make its kind of job."""
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()  # noqa: S324 - an identifier, not a secret

"""Perfherder signatures of Shipyard's performance series. Pure: no I/O.

A series is one page of one test in a :class:`~chalicelib.perf.series.SeriesGroup`
(the identity ``series.py`` defines; nothing here redefines it). Perfherder
names a series by a *signature hash*: a SHA-1 over what makes the series —
suite (the test), test (the page), machine platform (OS, OS version,
processor), option collection (from the build type) and, since Shipyard
serves several Datazilla projects and products, those too. As in Perfherder
the repository (branch) is *not* part of the hash: a series is identified by
(repository, signature hash), and the same test on two repositories has the
same hash. The hash is stable: it depends only on those values, in a fixed
order, with a version tag so a future change of recipe cannot collide.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from chalicelib.perf.series import SeriesGroup
from chalicelib.treeherder.reference import option_collection_hash

TALOS_FRAMEWORK_ID = 1
FRAMEWORKS = {TALOS_FRAMEWORK_ID: "talos"}
_RECIPE = "shipyard-signature-v1"


def build_options(build_type: str) -> tuple[str, ...]:
    """The Treeherder option collection of a Datazilla build type."""
    lowered = build_type.lower()
    if "pgo" in lowered:
        return ("pgo",)
    if "debug" in lowered:
        return ("debug",)
    return ("opt",)


def machine_platform(group: SeriesGroup) -> str:
    return "-".join(part for part in (group.os_name, group.os_version, group.processor) if part)


def signature_hash(group: SeriesGroup, page: str) -> str:
    """The series' Perfherder signature hash (40 hex characters)."""
    identity = [_RECIPE, group.project, group.product, group.test_name, page, group.os_name, group.os_version,
                group.processor, option_collection_hash(build_options(group.build_type))]
    text = json.dumps(identity, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha1(text.encode("utf-8")).hexdigest()  # noqa: S324 - an identifier, not a secret


@dataclass(frozen=True)
class Signature:
    """A series as Perfherder describes it."""

    group: SeriesGroup
    page: str

    @property
    def hash(self) -> str:
        return signature_hash(self.group, self.page)

    @property
    def repository_branch(self) -> str:
        return self.group.branch

    def properties(self) -> dict[str, object]:
        """Perfherder's signature fields, without the id (which the store assigns)."""
        return {
            "framework_id": TALOS_FRAMEWORK_ID,
            "option_collection_hash": option_collection_hash(build_options(self.group.build_type)),
            "machine_platform": machine_platform(self.group),
            "suite": self.group.test_name,
            "test": self.page,
            "lower_is_better": True,  # Talos page load times
            "has_subtests": False,
            "extra_options": [],
            "parent_signature": None,
        }


@dataclass(frozen=True)
class StoredSignature:
    """A signature with what the store gave it: Perfherder's numeric id and the newest data's push date."""

    id: int
    hash: str
    signature: Signature
    last_updated: int

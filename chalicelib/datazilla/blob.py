"""Reading a Talos result blob into a perftest run.

Error messages keep Datazilla's wording (``Missing data: ['testrun']['suite'].``)
because the people reading ``error_list`` learned to grep for them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from chalicelib import safe_json

# Datazilla capped the replicates stored per run; the blob keeps them all.
REPLICATE_LIMIT = 5000
REVISION_LENGTH = 16
# Datazilla's widest name column (perftest ``pages.url``, ``machine.name``: varchar(255)); a longer name was
# refused by its loader. 255 characters are at most 1020 UTF-8 bytes: a name always fits a DynamoDB sort key.
NAME_LENGTH = 255


class TestDataError(Exception):
    """The blob is well-formed JSON but not a usable test run."""

    __test__ = False  # a Datazilla name, not a pytest test class


class MalformedJson(Exception):
    """The blob is not JSON at all."""


def decode(raw: bytes | str) -> Any:
    """Parse a received blob; the parser's own message explains a failure."""
    try:
        return safe_json.loads(raw)
    except safe_json.UnsafeJson as err:
        raise MalformedJson(str(err)) from err


def _path(keys: tuple[str, ...]) -> str:
    return "".join(f"['{k}']" for k in keys)


def _require(data: Any, *keys: str) -> Any:
    node = data
    for depth, key in enumerate(keys):
        if not isinstance(node, dict) or key not in node or node[key] is None:
            raise TestDataError(f"Missing data: {_path(keys[: depth + 1])}.")
        node = node[key]
    return node


def _text(data: Any, *keys: str) -> str:
    value = _require(data, *keys)
    if isinstance(value, (dict, list)):
        raise TestDataError(f"Bad value: {_path(keys)} is not a string.")
    return str(value)


def _integer(value: Any, keys: tuple[str, ...]) -> int:
    if isinstance(value, bool):
        raise TestDataError(f"Bad value: {_path(keys)} is not an integer.")
    try:
        as_float = float(value)
        as_int = int(as_float)
    except (TypeError, ValueError, OverflowError):
        raise TestDataError(f"Bad value: {_path(keys)} is not an integer.") from None
    if as_int != as_float:
        raise TestDataError(f"Bad value: {_path(keys)} is not an integer.")
    return as_int


_PLAIN_NUMBERS = frozenset((int, float))


def _numbers(values: Any, keys: tuple[str, ...]) -> list[float | int]:
    if not isinstance(values, list):
        raise TestDataError(f"Bad value: {_path(keys)} is not a list of numbers.")
    # A decoded blob's replicates are plain ints and floats: checked in C-level passes over the list. Anything
    # else (a bool, a subclass, a NaN) is decided value by value below.
    if _PLAIN_NUMBERS.issuperset(map(type, values)) and not any(map(math.isnan, values)):
        return list(values)
    out: list[float | int] = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
            raise TestDataError(f"Bad value: {_path(keys)} is not a list of numbers.")
        out.append(value)
    return out


@dataclass
class PerfRun:
    """One Talos run as Shipyard stores it (reference data plus replicates)."""

    test_name: str
    test_version: int
    date_run: int
    product: str
    branch: str
    branch_version: str
    os_name: str
    os_version: str
    machine: str
    build_id: str
    revision: str
    processor: str
    build_type: str
    options: dict[str, Any] = field(default_factory=dict)
    pages: dict[str, list[float | int]] = field(default_factory=dict)
    aux_data: dict[str, list[Any]] = field(default_factory=dict)

    def reference(self) -> dict[str, Any]:
        """The fields the raw endpoint filters on."""
        return {
            "branch": self.branch,
            "revision": self.revision,
            "product": self.product,
            "os_name": self.os_name,
            "os_version": self.os_version,
            "branch_version": self.branch_version,
            "processor": self.processor,
            "build_type": self.build_type,
            "test_name": self.test_name,
            "page_names": sorted(self.pages),
        }

    def reference_names(self) -> dict[str, list[str]]:
        """Names this run adds to the project's reference data, by kind.

        Operating systems and products are their parts concatenated, as
        Datazilla's ``ref_data`` listed them (``linuxFedora 12``).
        """
        return {
            "machines": [self.machine],
            "operating_systems": [f"{self.os_name}{self.os_version}"],
            "options": sorted(self.options),
            "tests": [self.test_name],
            "pages": sorted(self.pages),
            "products": [f"{self.product}{self.branch}{self.branch_version}"],
        }

    def as_record(self) -> dict[str, Any]:
        return {
            "test_name": self.test_name,
            "test_version": self.test_version,
            "date_run": self.date_run,
            "product": self.product,
            "branch": self.branch,
            "branch_version": self.branch_version,
            "os_name": self.os_name,
            "os_version": self.os_version,
            "machine": self.machine,
            "build_id": self.build_id,
            "revision": self.revision,
            "processor": self.processor,
            "build_type": self.build_type,
            "options": self.options,
            "pages": self.pages,
            "aux_data": self.aux_data,
            "page_names": sorted(self.pages),
        }


def partial_reference(data: Any) -> dict[str, Any]:
    """Branch and revision of a blob that failed to load, when it names them.

    They let the raw endpoint show the failure as ``bad_test_data`` for the
    revision the harness meant to report.
    """
    build = data.get("test_build") if isinstance(data, dict) else None
    if not isinstance(build, dict):
        return {}
    branch, revision = build.get("branch"), build.get("revision")
    if isinstance(branch, str) and isinstance(revision, str) and branch and revision:
        return {"branch": branch, "revision": revision[:REVISION_LENGTH]}
    return {}


def parse_run(data: Any) -> PerfRun:
    """Validate a decoded blob and extract its run; raises TestDataError."""
    if not isinstance(data, dict):
        raise TestDataError("Bad value: the blob is not a JSON object.")
    suite_version = data.get("testrun", {}).get("suite_version", 1) if isinstance(data.get("testrun"), dict) else 1
    run = PerfRun(
        test_name=_text(data, "testrun", "suite"),
        test_version=_integer(suite_version, ("testrun", "suite_version")),
        date_run=_integer(_require(data, "testrun", "date"), ("testrun", "date")),
        product=_text(data, "test_build", "name"),
        branch=_text(data, "test_build", "branch"),
        branch_version=_text(data, "test_build", "version"),
        os_name=_text(data, "test_machine", "os"),
        os_version=_text(data, "test_machine", "osversion"),
        machine=_text(data, "test_machine", "name"),
        build_id=_text(data, "test_build", "id"),
        revision=_text(data, "test_build", "revision")[:REVISION_LENGTH],
        processor=_text(data, "test_machine", "platform"),
        build_type=str(data["test_build"].get("type") or "opt"),
    )
    options = data["testrun"].get("options") or {}
    if not isinstance(options, dict):
        raise TestDataError("Bad value: ['testrun']['options'] is not an object.")
    run.options = options
    results = _require(data, "results")
    if not isinstance(results, dict) or not results:
        raise TestDataError("Missing data: ['results'].")
    total = 0
    for page, values in results.items():
        numbers = _numbers(values, ("results", page))
        room = REPLICATE_LIMIT - total
        run.pages[page] = numbers[: max(room, 0)]
        total += len(numbers)
    aux = data.get("results_aux") or {}
    if not isinstance(aux, dict):
        raise TestDataError("Bad value: ['results_aux'] is not an object.")
    for name, values in aux.items():
        if not isinstance(values, list):
            raise TestDataError(f"Bad value: ['results_aux']['{name}'] is not a list.")
        run.aux_data[name] = values
    for kind, names in run.reference_names().items():
        too_long = [name for name in names if len(name) > NAME_LENGTH]
        if too_long:
            raise TestDataError(f"Bad value: a name of {kind} is longer than {NAME_LENGTH} characters "
                                f"({too_long[0][:40]!r}...).")
    return run

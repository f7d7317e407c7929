"""Test regressions: a case that passed on the previous kernel of its series and fails now.

A series is one test group run again and again: same tree, branch, arch,
device type, defconfig, build environment and group name; only the kernel
changes. When a group is imported, each failing case is compared with the
case of the same name in the series' previous group (the latest earlier one
on another kernel):

- it passed there: a new regression, holding both results;
- it failed there too, and that failure was a tracked regression: the
  regression goes on, a new document for this kernel with the results so far
  plus this one (one document per kernel revision, as the backend keeps them);
- otherwise (no earlier result, or a failure nobody tracked): nothing.

Regression ids derive from series, case and kernel, so importing the same
results twice finds the same regressions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib.kernelci.documents import derived_id

SERIES_KEYS = ("job", "git_branch", "arch", "device_type", "defconfig_full", "build_environment", "name")
REGRESSION_KEYS = ("job", "git_branch", "arch", "device_type", "defconfig_full", "build_environment")
EXTRA_KEYS = ("git_url", "compiler", "compiler_version", "lab_name")


def series(group: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(group.get(k) or "") for k in SERIES_KEYS)


def regression_id(group: dict[str, Any], case_name: str, kernel: str) -> str:
    return derived_id("test_regression", *series(group), case_name, kernel)


def _result(case: dict[str, Any], group: dict[str, Any]) -> dict[str, Any]:
    return {"test_case_id": case["_id"], "created_on": case["created_on"], "status": case.get("status"),
            "kernel": group["kernel"], "git_commit": group.get("git_commit"), "lab_name": group.get("lab_name"),
            "build_id": group.get("build_id")}


def find(group: dict[str, Any], cases: list[dict[str, Any]], previous: dict[str, Any] | None,
         previous_cases: list[dict[str, Any]], tracked: Callable[[str], dict[str, Any] | None],
         created_on: int) -> list[dict[str, Any]]:
    """The regression documents this group's results make; ``tracked(id)`` fetches an earlier regression."""
    if previous is None:
        return []
    before = {c["name"]: c for c in previous_cases}
    found = []
    for case in cases:
        last = before.get(case["name"])
        if last is None or case.get("status") != "FAIL":
            continue
        path = f"{group['name']}.{case['name']}"
        if last.get("status") == "PASS":
            history = [_result(last, previous)]
        elif last.get("status") == "FAIL":
            earlier = tracked(regression_id(group, case["name"], previous["kernel"]))
            if earlier is None:
                continue
            history = list(earlier.get("regressions") or [])
        else:
            continue
        doc = {k: group.get(k) for k in (*REGRESSION_KEYS, *EXTRA_KEYS)}
        doc.update({
            "_id": regression_id(group, case["name"], group["kernel"]), "kernel": group["kernel"],
            "hierarchy": [group["name"], case["name"]], "test_case_path": path, "plan": group["name"],
            "regressions": [*history, _result(case, group)], "created_on": created_on,
        })
        found.append(doc)
    return found

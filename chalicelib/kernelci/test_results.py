"""Test groups and their cases, from the bodies labs POST.

A group arrives with its cases inline (``test_cases``: objects) or gets cases
one by one through ``/test/case``. Each case copies the group fields it is
searched by (tree, branch, kernel, arch, device type...), so a case query
needs no join.
"""

from __future__ import annotations

from typing import Any

from chalicelib.kernelci.documents import new_id
from chalicelib.kernelci.keys import EMBEDDED_CASE_KEYS, TEST_CASE_STATUSES, check_body, wrong_text_values

# Group fields each of its cases carries; ``plan`` is the group's name.
CASE_FROM_GROUP = ("job", "git_branch", "kernel", "git_commit", "arch", "defconfig_full", "build_environment",
                   "device_type", "lab_name", "mach", "job_id", "build_id")
GROUP_TEXT_KEYS = ("arch", "build_environment", "defconfig", "device_type", "git_branch", "git_commit", "job",
                   "kernel", "lab_name", "name")


class InvalidResults(ValueError):
    """Results that cannot be stored as given; ``errors`` says why, one line each."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def _upper_status(case: dict[str, Any]) -> None:
    """The backend stores a case's status upper-cased (``pass`` is ``PASS``)."""
    if isinstance(case.get("status"), str):
        case["status"] = case["status"].upper()


def _check_case(case: dict[str, Any], where: str) -> list[str]:
    _upper_status(case)
    errors = [f"{where}: '{k}' must be a non-empty string" for k in wrong_text_values(case, ("name",))]
    status = case.get("status")
    if status is not None and status not in TEST_CASE_STATUSES:
        errors.append(f"{where}: status {status!r} is not one of {list(TEST_CASE_STATUSES)}")
    return errors


def case_document(fields: dict[str, Any], group: dict[str, Any], created_on: int) -> dict[str, Any]:
    case = {k: group[k] for k in CASE_FROM_GROUP if group.get(k) is not None}
    case.update(fields)
    case.update({"_id": new_id(), "test_group_id": group["_id"], "plan": group["name"], "created_on": created_on})
    if case.get("status") is None:  # not given, or given as null
        case["status"] = "UNKNOWN"
    return case


def check_case(fields: dict[str, Any]) -> None:
    errors = _check_case(fields, "test case")
    if errors:
        raise InvalidResults(errors)


def group_documents(body: dict[str, Any], created_on: int) -> tuple[dict[str, Any], list[dict[str, Any]], list[str]]:
    """The group and its cases a checked POST /test/group body makes, plus non-fatal notes.

    Raises :class:`InvalidResults` when a field or an inline case is wrong.
    """
    errors = [f"'{k}' must be a non-empty string" for k in wrong_text_values(body, GROUP_TEXT_KEYS)]
    inline = body.get("test_cases")
    if inline is None:
        inline = []
    if not isinstance(inline, list):
        errors.append("'test_cases' must be a list of test case objects")
        inline = []
    notes: list[str] = []
    checked_cases = []
    for i, item in enumerate(inline):
        checked = check_body(item, EMBEDDED_CASE_KEYS)
        if not checked.ok:
            errors.extend(f"test_cases[{i}]: {e}" for e in checked.errors)
            continue
        errors.extend(_check_case(checked.body, f"test_cases[{i}]"))
        notes.extend(f"test_cases[{i}]: {e}" for e in checked.errors)
        checked_cases.append(checked.body)
    if errors:
        raise InvalidResults(errors)
    group = {k: v for k, v in body.items() if k != "test_cases"}
    group.setdefault("defconfig_full", group["defconfig"])
    group.update({"_id": new_id(), "created_on": created_on})
    cases = [case_document(fields, group, created_on) for fields in checked_cases]
    group["test_cases"] = [c["_id"] for c in cases]
    return group, cases, notes

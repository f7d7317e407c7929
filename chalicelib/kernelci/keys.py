"""Which keys each KernelCI resource accepts, and the check every POST body goes through.

The backend declares, per resource and verb, the keys a request may carry: a
GET lists the filterable fields, a POST the mandatory and the accepted keys.
A body missing a mandatory key is refused; a key nobody declared is dropped
and reported, without failing the request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JOB, BUILD, TEST_GROUP, TEST_CASE, TEST_REGRESSION, TOKEN = (
    "job", "build", "test_group", "test_case", "test_regression", "token")
# What /count counts, in the order it lists them.
COUNTED = (BUILD, JOB, TEST_CASE, TEST_GROUP, TEST_REGRESSION)

# The resources answer at the host root (``publish_kernel`` joins "/build" as an
# absolute path), singular and plural: these first path segments are theirs, so
# no Datazilla project may take one of these names.
ROOT_RESOURCES = ("job", "build", "test", "count", "token", "upload", "version")
RESERVED_ROOT_NAMES = frozenset(name + suffix for name in ROOT_RESOURCES for suffix in ("", "s"))

JOB_STATUSES = ("BUILD", "FAIL", "PASS", "UNKNOWN")
DEFAULT_JOB_STATUS = "PASS"  # what POST /job sets when the body gives no status (or null)
BUILD_STATUSES = JOB_STATUSES
TEST_CASE_STATUSES = ("ERROR", "FAIL", "PASS", "SKIP", "UNKNOWN")

# Filter values that are numbers in the documents (query strings are text).
INTEGER_KEYS = frozenset({"retries", "warnings", "errors"})

_BUILD_FIELDS = (
    "arch", "build_environment", "build_log", "build_time", "build_type", "compiler", "compiler_version",
    "compiler_version_full", "created_on", "defconfig", "defconfig_full", "errors", "file_server_resource",
    "git_branch", "git_commit", "git_describe", "git_url", "_id", "job", "job_id", "kconfig_fragments",
    "kernel", "kernel_config", "kernel_image", "kernel_version", "modules", "status", "system_map",
    "text_offset", "warnings",
)

GET_KEYS: dict[str, frozenset[str]] = {
    JOB: frozenset({"created_on", "git_branch", "git_commit", "git_describe", "_id", "job", "kernel",
                    "kernel_version", "private", "status", "compiler", "git_url"}),
    BUILD: frozenset(_BUILD_FIELDS),
    TEST_GROUP: frozenset({"arch", "board", "board_instance", "build_environment", "build_id", "created_on",
                           "defconfig", "defconfig_full", "device_type", "file_server_resource", "git_branch",
                           "git_commit", "git_url", "index", "job", "job_id", "kernel", "lab_name", "mach",
                           "name", "status", "time", "version"}),
    TEST_CASE: frozenset({"arch", "build_environment", "created_on", "defconfig_full", "device_type",
                          "git_branch", "index", "job", "kernel", "lab_name", "mach", "name", "plan",
                          "regression_id", "status", "test_group_id", "time", "version"}),
    TEST_REGRESSION: frozenset({"job", "git_branch", "kernel", "plan", "device_type", "lab_name",
                                "build_environment", "defconfig_full", "arch", "test_case_path"}),
    TOKEN: frozenset({"created_on", "email", "expired", "expires_on", "_id", "ip_address", "username"}),
}
# /count filters on any key a counted collection knows.
COUNT_KEYS = frozenset().union(*(GET_KEYS[c] for c in COUNTED))


# The fields ``GET /<resource>/distinct/<field>`` lists the values of (the backend's DISTINCT_VALID_FIELDS).
_GIT = ("git_branch", "git_commit", "git_describe", "git_describe_v", "git_url", "job", "kernel", "kernel_version")
_COMPILER = ("compiler", "compiler_version", "compiler_version_ext")
DISTINCT_FIELDS: dict[str, tuple[str, ...]] = {
    JOB: (*_COMPILER, *_GIT),
    BUILD: ("arch", "build_environment", *_COMPILER, "defconfig", "defconfig_full", *_GIT),
    TEST_GROUP: ("arch", "board_instance", "build_environment", "build_id", "defconfig", "defconfig_full",
                 "device_type", "git_branch", "initrd", "initrd_info", "job", "job_id", "kernel", "lab_name", "name"),
    TEST_CASE: ("device_type", "job", "mach", "test_group_id"),
}


@dataclass(frozen=True)
class BodyKeys:
    mandatory: tuple[str, ...]
    accepted: frozenset[str]


_TOKEN_BODY = frozenset({"admin", "delete", "email", "expired", "expires_on", "get", "ip_address",
                         "ip_restricted", "lab", "post", "superuser", "test_lab", "upload", "username", "version"})

POST_KEYS: dict[str, BodyKeys] = {
    JOB: BodyKeys(("job", "kernel", "git_branch"),
                  frozenset({"git_branch", "git_commit", "git_describe", "job", "kernel", "kernel_version",
                             "status"})),
    BUILD: BodyKeys(("arch", "build_environment", "defconfig", "file_server_resource", "git_branch", "job",
                     "kernel"),
                    frozenset({"arch", "build_environment", "defconfig_full", "defconfig", "file_server_resource",
                               "git_branch", "job", "kernel", "kernel_version", "version"})),
    TEST_GROUP: BodyKeys(("arch", "build_environment", "defconfig", "device_type", "git_branch", "git_commit",
                          "job", "kernel", "lab_name", "name"),
                         frozenset({"arch", "board", "board_instance", "build_environment", "build_id",
                                    "defconfig", "defconfig_full", "device_type", "endian", "file_server_resource",
                                    "git_branch", "git_commit", "git_describe", "git_url", "index", "initrd",
                                    "initrd_info", "job", "job_id", "kernel", "lab_name", "mach", "name",
                                    "plan_variant", "status", "test_cases", "time", "version", "compiler",
                                    "compiler_version"})),
    TEST_CASE: BodyKeys(("name", "test_group_id"),
                        frozenset({"definition_uri", "index", "measurements", "name", "status", "test_group_id",
                                   "time", "version"})),
    TOKEN: BodyKeys((), _TOKEN_BODY),
}
PUT_KEYS: dict[str, BodyKeys] = {TOKEN: BodyKeys((), _TOKEN_BODY)}
# A case inside a group's ``test_cases`` carries its group's id implicitly.
EMBEDDED_CASE_KEYS = BodyKeys(("name",), POST_KEYS[TEST_CASE].accepted - {"test_group_id"})


@dataclass
class Checked:
    """The outcome of checking a body: the kept keys, or why it was refused; non-fatal notes."""

    ok: bool
    body: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def check_body(body: Any, keys: BodyKeys) -> Checked:
    """Mandatory keys present, unknown keys dropped (and said so), something left to act on."""
    if not isinstance(body, dict):
        return Checked(False, errors=["Provided data is not a JSON object"])
    missing = sorted(k for k in keys.mandatory if k not in body)
    if missing:
        return Checked(False, errors=[f"One or more mandatory keys are missing: {missing}"])
    unknown = sorted(k for k in body if k not in keys.accepted)
    kept = {k: v for k, v in body.items() if k in keys.accepted}
    errors = [f"Unknown keys dropped: {', '.join(unknown)}"] if unknown else []
    if not kept:
        return Checked(False, errors=[*errors, "No valid or acceptable keys in the JSON data"])
    return Checked(True, kept, errors)


def wrong_text_values(body: dict[str, Any], names: tuple[str, ...]) -> list[str]:
    """Keys among ``names`` whose value is not a non-empty string (they name things: trees, kernels...)."""
    return [k for k in names if k in body and not (isinstance(body[k], str) and body[k].strip())]

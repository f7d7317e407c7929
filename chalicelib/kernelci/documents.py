"""KernelCI documents: their ids, how a build and its job come from a POST, how they are shown.

Ids keep the backend's shape, 24 hex digits shown as ``{"$oid": ...}``. A job
and a build are identified by what they describe (tree, branch, kernel; then
arch, defconfig, build environment), so their ids are derived from those
values: importing the same build twice finds the same documents. Other
documents get random ids. Dates are stored as milliseconds since the epoch
and shown as ``{"$date": ms}``.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from typing import Any

OID = re.compile(r"[A-Za-z0-9]{24}")  # what the backend's routes take as an id
OBJECT_ID = re.compile(r"[0-9a-fA-F]{24}")
ID_FIELDS = frozenset({"_id", "job_id", "build_id", "test_group_id", "test_case_id", "regression_id"})
DATE_FIELDS = frozenset({"created_on", "expires_on", "updated_on"})

# Build fields a kernel build's bmeta.json (uploaded next to its artifacts) can fill in.
BMETA_FIELDS = (
    "build_time", "status", "compiler", "compiler_version", "compiler_version_full", "build_log",
    "kernel_image", "kernel_config", "system_map", "modules", "git_url", "git_commit", "git_describe",
    "git_describe_v", "text_offset", "kconfig_fragments", "dtb_dir", "vmlinux_file_size", "cross_compile",
)
BUILD_IDENTITY = ("job", "git_branch", "kernel", "arch", "defconfig_full", "build_environment")
JOB_IDENTITY = ("job", "git_branch", "kernel")


def now_ms() -> int:
    return int(time.time() * 1000)


def new_id() -> str:
    return secrets.token_hex(12)


def derived_id(kind: str, *parts: str) -> str:
    """A stable 24-hex id for the document of ``kind`` that these values identify."""
    material = "\x1f".join((kind, *parts)).encode("utf-8")
    return hashlib.sha256(material).hexdigest()[:24]


def is_oid(value: str) -> bool:
    return bool(OID.fullmatch(value))


def is_object_id(value: str) -> bool:
    """24 hex digits: what BSON's ObjectId takes (the backend answers 400 for anything else)."""
    return bool(OBJECT_ID.fullmatch(value))


def job_id(job: str, git_branch: str, kernel: str) -> str:
    return derived_id("job", job, git_branch, kernel)


def build_fields(body: dict[str, Any]) -> dict[str, Any]:
    """A checked POST /build body with its defaults: ``defconfig_full`` is the defconfig when not given."""
    fields = dict(body)
    fields.setdefault("defconfig_full", fields["defconfig"])
    return fields


def build_documents(body: dict[str, Any], bmeta: dict[str, Any] | None,
                    received_on: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The job and the build a POST /build describes, enriched by the build's bmeta.json if uploaded.

    Without bmeta.json the build is kept with status UNKNOWN: what the client
    sent is never dropped for lack of its artifacts.
    """
    fields = build_fields(body)
    jid = job_id(fields["job"], fields["git_branch"], fields["kernel"])
    build = {**fields, "_id": derived_id("build", *(str(fields[k]) for k in BUILD_IDENTITY)), "job_id": jid,
             "build_type": "kernel", "status": "UNKNOWN", "created_on": received_on}
    for key in BMETA_FIELDS:
        if bmeta and bmeta.get(key) is not None:
            build[key] = bmeta[key]
    if build["status"] not in ("PASS", "FAIL", "BUILD", "UNKNOWN"):
        build["status"] = "UNKNOWN"
    job = {"_id": jid, "job": fields["job"], "git_branch": fields["git_branch"], "kernel": fields["kernel"],
           "status": "BUILD", "created_on": received_on}
    for key, source in (("git_commit", "git_commit"), ("git_describe", "git_describe"), ("git_url", "git_url"),
                        ("kernel_version", "kernel_version"), ("compiler", "compiler")):
        if build.get(source) is not None:
            job[key] = build[source]
    job.setdefault("git_describe", fields["kernel"])
    return job, build


def shown(doc: dict[str, Any]) -> dict[str, Any]:
    """A stored document as the API shows it: ids as ``{"$oid"}``, dates as ``{"$date"}``."""
    out: dict[str, Any] = {}
    for key, value in doc.items():
        if key in ID_FIELDS and isinstance(value, str):
            out[key] = {"$oid": value}
        elif key in DATE_FIELDS and isinstance(value, int | float) and not isinstance(value, bool):
            out[key] = {"$date": int(value)}
        elif key == "test_cases" and isinstance(value, list):
            out[key] = [{"$oid": v} if isinstance(v, str) else v for v in value]
        else:
            out[key] = value
    return out

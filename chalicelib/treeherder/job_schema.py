"""The job message CI systems send, as a JSON schema, and its validation. Pure.

Shaped after Treeherder's job submissions: the push's repository
(``project``) and tip ``revision``, and the ``job`` itself — its guid, display
(name, symbol, group), state and result, build system, the machine and the
build/machine platforms, the option collection, the three timestamps, reason,
who, tier, log references and job details::

    {"project": "mozilla-inbound", "revision": "<12-40 hex>",
     "job": {"job_guid": "...", "name": "Mochitest", "job_symbol": "M1",
             "group_name": "Mochitest", "group_symbol": "M", "state": "completed",
             "result": "success", "build_system_type": "buildbot",
             "machine": "tst-linux64-ec2-001",
             "build_platform": {"os_name": "linux", "platform": "linux64", "architecture": "x86_64"},
             "machine_platform": {...}, "option_collection": {"opt": true},
             "submit_timestamp": 1550000000, "start_timestamp": ..., "end_timestamp": ...,
             "reason": "scheduler", "who": "sendchange-unittest", "tier": 1,
             "log_references": [{"name": "buildbot_text", "url": "https://...", "parse_status": "pending"}],
             "job_details": [{"title": "artifact uploaded", "value": "log.txt", "url": "https://..."}]}}

A completed job must say its result; a pending or running one may not claim
one other than ``unknown``. The reason a message is refused names the field
(a JSON path) and never echoes its value.
"""

from __future__ import annotations

import functools
from typing import Any

from chalicelib.treeherder.reference import OPTION_COLLECTIONS

STATES = ("pending", "running", "completed")
RESULTS = ("success", "testfailed", "busted", "exception", "retry", "usercancel", "superseded", "unknown")
PARSE_STATUSES = ("pending", "parsed", "failed", "skipped-size")
MAX_LOGS = 100  # log ids are derived from the job id with room for this many
MAX_DETAILS = 500

_TEXT = {"type": "string", "maxLength": 255}
_SHORT = {"type": "string", "maxLength": 50}
_URL = {"type": "string", "maxLength": 2048, "pattern": "^https?://"}
_TIMESTAMP = {"type": "integer", "minimum": 0, "maximum": 32503680000}  # seconds, before year 3000
_PLATFORM = {
    "type": "object",
    "required": ["os_name", "platform", "architecture"],
    "properties": {"os_name": _SHORT, "platform": {"type": "string", "minLength": 1, "maxLength": 100},
                   "architecture": _SHORT},
    "additionalProperties": False,
}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Shipyard Treeherder job message",
    "type": "object",
    "required": ["project", "revision", "job"],
    "properties": {
        "project": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"},
        "revision": {"type": "string", "pattern": "^[0-9a-fA-F]{12,40}$"},
        "job": {
            "type": "object",
            "required": ["job_guid", "name", "job_symbol", "state", "machine_platform", "submit_timestamp"],
            "properties": {
                "job_guid": {"type": "string", "minLength": 1, "maxLength": 50, "pattern": "^[^\\s#]+$"},
                "name": {"type": "string", "minLength": 1, "maxLength": 100},
                "job_symbol": {"type": "string", "minLength": 1, "maxLength": 25},
                "group_name": {"type": "string", "maxLength": 100},
                "group_symbol": {"type": "string", "maxLength": 25},
                "desc": _TEXT,
                "state": {"enum": list(STATES)},
                "result": {"enum": list(RESULTS)},
                "build_system_type": {"type": "string", "minLength": 1, "maxLength": 25},
                "product_name": _SHORT,
                "machine": _TEXT,
                "build_platform": _PLATFORM,
                "machine_platform": _PLATFORM,
                "option_collection": {
                    "type": "object",
                    "propertyNames": {"enum": [o for (o,) in OPTION_COLLECTIONS]},
                    "additionalProperties": {"const": True},
                    "minProperties": 1,
                    "maxProperties": 1,
                },
                "submit_timestamp": _TIMESTAMP,
                "start_timestamp": _TIMESTAMP,
                "end_timestamp": _TIMESTAMP,
                "reason": _TEXT,
                "who": _TEXT,
                "tier": {"type": "integer", "minimum": 1, "maximum": 3},
                "log_references": {
                    "type": "array",
                    "maxItems": MAX_LOGS,
                    "items": {
                        "type": "object",
                        "required": ["name", "url"],
                        "properties": {"name": _SHORT, "url": _URL, "parse_status": {"enum": list(PARSE_STATUSES)}},
                        "additionalProperties": False,
                    },
                },
                "job_details": {
                    "type": "array",
                    "maxItems": MAX_DETAILS,
                    "items": {
                        "type": "object",
                        "required": ["title"],
                        "properties": {"title": {"type": "string", "minLength": 1, "maxLength": 70},
                                       "value": {"type": "string", "maxLength": 125}, "url": _URL,
                                       "content_type": _SHORT},
                        "additionalProperties": False,
                    },
                },
            },
            "additionalProperties": False,
            "allOf": [
                {"if": {"required": ["state"], "properties": {"state": {"const": "completed"}}},
                 "then": {"required": ["result"]}},
                {"if": {"required": ["state"], "properties": {"state": {"enum": ["pending", "running"]}}},
                 "then": {"properties": {"result": {"const": "unknown"}}}},
            ],
        },
    },
    "additionalProperties": False,
}


@functools.cache
def _validator() -> Any:
    """Built on first use: jsonschema's import is a tenth of the API function's cold start."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(SCHEMA)


class InvalidJobMessage(ValueError):
    """The message does not follow the schema; retrying cannot fix it."""


def _where(path: Any) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)


_VALUE_FREE = {
    "enum": lambda e: f"must be one of {', '.join(map(str, e.validator_value))}",
    "const": lambda e: f"must be {e.validator_value!r}",
    "type": lambda e: f"must be of type {e.validator_value}",
    "pattern": lambda e: "does not match the expected form",
}


def _message(error: Any) -> str:
    """The error without the offending value (messages may carry anything)."""
    if error.validator == "required":
        missing = [k for k in error.validator_value if isinstance(error.instance, dict) and k not in error.instance]
        return f"missing {', '.join(missing)}"
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {}))
        extra = sorted(k for k in error.instance if k not in allowed)
        return f"unexpected propert{'y' if len(extra) == 1 else 'ies'} {', '.join(extra)[:200]}"
    describe = _VALUE_FREE.get(error.validator)
    if describe is not None:
        return describe(error)
    return f"fails '{error.validator}' ({error.validator_value!r})"[:200]


def validate(message: Any) -> dict[str, Any]:
    """The message if it follows the schema; :class:`InvalidJobMessage` with every reason otherwise."""
    errors = sorted(_validator().iter_errors(message), key=lambda e: (list(e.absolute_path), e.validator))
    if errors:
        reasons = dict.fromkeys(f"{_where(e.absolute_path)}: {_message(e)}" for e in errors)
        raise InvalidJobMessage("; ".join(list(reasons)[:10]))
    return message

"""Treeherder's published Pulse job message (``schemas/pulse-job.yml``, ``version: 1``) as a job message. Pure.

A CI that publishes Treeherder jobs over Pulse today (Taskcluster and the
like) sends ``{"taskId", "origin": {"kind", "project", "revision"},
"buildSystem", "display": {"jobName", "jobSymbol", "groupSymbol"...},
"state", "jobKind", "result", "timeScheduled"..., "version": 1}``. Pointed
at Shipyard's job queue (or the Hawk ``POST .../jobs/``), the same message
is checked against that schema and turned into Shipyard's job message the
way Treeherder's ``etl/job_loader.py`` turned it into a job:

- the guid is ``taskId``; name, symbol (``jobSymbol`` + ``chunkId``) and
  group from ``display``; ``owner`` is ``who``; ``labels`` the options;
- a completed job's result through the result maps: ``fail`` is
  ``testfailed`` for a test (``jobKind``) and ``busted`` otherwise,
  ``canceled`` is ``usercancel``, a retried job is ``retry``; any job not
  completed is ``unknown``;
- the ISO times become the three timestamps; ``buildMachine`` /
  ``runMachine`` the platforms (one standing for both when only one is
  given) and the machine name;
- ``logs`` the log references (``parsed`` when steps came with them), the
  ``jobInfo`` links the job details, an ``..._errorsummary.log`` link also
  an ``errorsummary_json`` log;
- an ``unscheduled`` job is not stored, as Treeherder skips it.

Where Shipyard's message is narrower (one build option per job), the
converted message is refused by Shipyard's own schema, naming the field.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from typing import Any

from chalicelib.treeherder.job_schema import InvalidJobMessage

UNSCHEDULED = "unscheduled"
TEST_RESULTS = {"success": "success", "fail": "testfailed", "exception": "exception", "canceled": "usercancel",
                "superseded": "superseded", "unknown": "unknown"}
BUILD_RESULTS = {**TEST_RESULTS, "fail": "busted"}
TIMES = {"submit_timestamp": "timeScheduled", "start_timestamp": "timeStarted", "end_timestamp": "timeCompleted"}

_WORD = "^[\\w-]+$"


def _text(low: int, high: int, pattern: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "minLength": low, "maxLength": high}
    if pattern:
        schema["pattern"] = pattern
    return schema


_MACHINE = {"type": "object", "required": ["platform", "os", "architecture"],
            "properties": {"name": _text(1, 50, _WORD), "platform": _text(1, 100, _WORD), "os": _text(1, 25, _WORD),
                           "architecture": _text(1, 25, _WORD)}}
_TIME = {"type": "string", "format": "date-time"}
_STEP = {"type": "object", "additionalProperties": False,
         "required": ["name", "timeStarted", "lineStarted", "lineFinished", "timeFinished", "result"],
         "properties": {"name": _text(1, 255), "timeStarted": _TIME, "timeFinished": _TIME,
                        "lineStarted": {"type": "integer", "minimum": 0},
                        "lineFinished": {"type": "integer", "minimum": 0},
                        "result": {"enum": ["success", "fail", "exception", "canceled", "unknown"]},
                        "errors": {"type": "array", "items": {
                            "type": "object", "additionalProperties": False,
                            "properties": {"line": _text(1, 255), "linenumber": {"type": "integer", "minimum": 0}}}}}}

# The facts of Treeherder's pulse-job schema (draft 6/7), as Shipyard checks them.
SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["taskId", "origin", "buildSystem", "display", "state", "jobKind", "version"],
    "properties": {
        "taskId": _text(1, 50, "^[A-Za-z0-9/+-]+$"),
        "retryId": {"type": "integer", "minimum": 0},
        "isRetried": {"type": "boolean"},
        "buildSystem": _text(1, 25, "^[\\w-]+$"),
        "origin": {"oneOf": [
            {"type": "object", "additionalProperties": False, "required": ["kind", "project", "revision"],
             "properties": {"kind": {"enum": ["hg.mozilla.org"]}, "project": _text(1, 50, _WORD),
                            "revision": _text(40, 40, "^[0-9a-f]+$"), "pushLogID": {"type": "integer"}}},
            {"type": "object", "additionalProperties": False, "required": ["kind", "project", "revision"],
             "properties": {"kind": {"enum": ["github.com"]}, "owner": _text(1, 50, _WORD),
                            "project": _text(1, 50, _WORD), "revision": _text(40, 40),
                            "pullRequestID": {"type": "integer"}}},
        ]},
        "display": {"type": "object", "additionalProperties": False,
                    "required": ["jobName", "jobSymbol", "groupSymbol"],
                    "properties": {"jobSymbol": _text(0, 25), "chunkId": {"type": "integer", "minimum": 1},
                                   "chunkCount": {"type": "integer", "minimum": 1}, "groupSymbol": _text(1, 25),
                                   "jobName": _text(1, 100), "groupName": _text(1, 100)}},
        "state": {"enum": [UNSCHEDULED, "pending", "running", "completed"]},
        "result": {"enum": list(TEST_RESULTS)},
        "jobKind": {"enum": ["build", "test", "other"]},
        "tier": {"type": "integer", "minimum": 1, "maximum": 3},
        "coalesced": {"type": "array", "items": _text(1, 50, "^[\\w/+-]+$")},
        "timeScheduled": _TIME, "timeStarted": _TIME, "timeCompleted": _TIME,
        "labels": {"type": "array", "items": _text(1, 50, _WORD)},
        "owner": _text(1, 50),
        "reason": _text(1, 125),
        "productName": _text(1, 125),
        "buildMachine": _MACHINE,
        "runMachine": _MACHINE,
        "jobInfo": {"type": "object", "additionalProperties": False, "properties": {
            "summary": {"type": "string"},
            "links": {"type": "array", "items": {
                "type": "object", "additionalProperties": False, "required": ["url", "linkText", "label"],
                "properties": {"url": {"type": "string", "format": "uri", "maxLength": 512},
                               "linkText": _text(1, 125), "label": _text(1, 70)}}}}},
        "logs": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["url", "name"],
            "properties": {"url": {"type": "string", "format": "uri", "minLength": 1, "maxLength": 255},
                           "name": _text(1, 50), "steps": {"type": "array", "items": _STEP},
                           "errorsTruncated": {"type": "boolean"}}}},
        "extra": {"type": "object"},
        "version": {"enum": [1]},
    },
}


@functools.cache
def _validator() -> Any:
    """Built on first use: jsonschema's import is a tenth of the API function's cold start."""
    from jsonschema import Draft7Validator, FormatChecker

    return Draft7Validator(SCHEMA, format_checker=FormatChecker())


def is_pulse_job(message: Any) -> bool:
    """A Pulse job message (rather than Shipyard's ``{"project", "revision", "job"}``)."""
    return isinstance(message, dict) and "job" not in message and ("taskId" in message or "origin" in message)


def _where(path: Any) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)


def _check(message: dict[str, Any]) -> None:
    errors = sorted(_validator().iter_errors(message), key=lambda e: list(e.absolute_path))
    if errors:
        reasons = dict.fromkeys(f"{_where(e.absolute_path)}: fails '{e.validator}' of the pulse-job schema"
                                for e in errors)
        raise InvalidJobMessage("; ".join(list(reasons)[:10]))


def _timestamp(text: str) -> int:
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return calendar.timegm(moment.utctimetuple())


def _platform(machine: dict[str, Any] | None) -> dict[str, str] | None:
    if not machine:
        return None
    return {"platform": machine["platform"], "os_name": machine["os"], "architecture": machine["architecture"]}


def _result(pulse: dict[str, Any]) -> str:
    if pulse["state"] != "completed":
        return "unknown"
    if pulse.get("isRetried", False):
        return "retry"
    results = TEST_RESULTS if pulse["jobKind"] == "test" else BUILD_RESULTS
    return results[pulse.get("result", "unknown")]


def _logs(pulse: dict[str, Any]) -> list[dict[str, str]]:
    logs = [{"name": log["name"], "url": log["url"], "parse_status": "parsed" if "steps" in log else "pending"}
            for log in pulse.get("logs", [])]
    for link in (pulse.get("jobInfo") or {}).get("links", []):
        if link.get("linkText", "").endswith("_errorsummary.log"):
            logs.append({"name": "errorsummary_json", "url": link["url"], "parse_status": "pending"})
    return logs


def to_job_message(pulse: dict[str, Any]) -> dict[str, Any] | None:
    """Shipyard's job message for a Pulse job; None for an unscheduled one (not stored).

    :class:`InvalidJobMessage` when the message does not follow the pulse-job schema.
    """
    _check(pulse)
    if pulse["state"] == UNSCHEDULED:
        return None
    display = pulse["display"]
    build = _platform(pulse.get("buildMachine") or pulse.get("runMachine"))
    run = _platform(pulse.get("runMachine") or pulse.get("buildMachine"))
    machine = (pulse.get("buildMachine") or pulse.get("runMachine") or {}).get("name", "unknown")
    job: dict[str, Any] = {
        "job_guid": pulse["taskId"],
        "name": display.get("jobName", "unknown"),
        "job_symbol": f"{display.get('jobSymbol', '')}{display.get('chunkId', '')}" or "?",
        "group_name": display.get("groupName", "unknown"),
        "group_symbol": display["groupSymbol"],
        "product_name": pulse.get("productName", "unknown")[:50],
        "state": pulse["state"],
        "result": _result(pulse),
        "reason": pulse.get("reason", "unknown"),
        "who": pulse.get("owner", "unknown"),
        "build_system_type": pulse["buildSystem"],
        "tier": pulse.get("tier", 1),
        "machine": machine,
        "option_collection": {label: True for label in pulse.get("labels", ["opt"])},
        "log_references": _logs(pulse),
        "job_details": [{"title": link["label"], "value": link["linkText"], "url": link["url"],
                         "content_type": "link"} for link in (pulse.get("jobInfo") or {}).get("links", [])],
    }
    times = {field: _timestamp(pulse[source]) for field, source in TIMES.items() if source in pulse}
    job.update(times)
    job.setdefault("submit_timestamp", min(times.values()) if times else 0)
    if build is not None:
        job["build_platform"] = build
    if run is not None:
        job["machine_platform"] = run
    return {"project": pulse["origin"]["project"], "revision": pulse["origin"]["revision"], "job": job}

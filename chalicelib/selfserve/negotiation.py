"""Which format a self-serve answer takes, and which method a request really is. Pure.

As BuildAPI: ``?format=json|html`` wins; else an ``Accept`` naming
``application/json`` means JSON; else HTML. A POST may stand for a PUT or a
DELETE with ``_method`` in its query string or its form body, for clients
(and HTML forms) that cannot send those verbs.
"""

from __future__ import annotations

from collections.abc import Mapping

JSON = "json"
HTML = "html"
FORMATS = (JSON, HTML)
OVERRIDABLE = ("PUT", "DELETE")


class BadFormat(ValueError):
    """``format`` names neither json nor html."""


def answer_format(query: Mapping[str, str], accept: str | None) -> str:
    if "format" in query:
        chosen = query["format"]
        if chosen not in FORMATS:
            raise BadFormat(f"Bad format {chosen[:40]!r}: use json or html")
        return chosen
    return JSON if "application/json" in (accept or "").lower() else HTML


def effective_method(method: str, query: Mapping[str, str], form: Mapping[str, str]) -> str:
    """The method a request stands for: a POST's ``_method`` (query first, then form) when it is PUT or DELETE."""
    method = method.upper()
    if method != "POST":
        return method
    override = (query.get("_method") or form.get("_method") or "").strip().upper()
    return override if override in OVERRIDABLE else method

"""Which clients Treeherder answers: the User-Agent rule and the ``Accept`` version. Pure.

Treeherder refuses the default agents of generic HTTP libraries, so that
every client names itself; no User-Agent at all is allowed. A client that
asks for an API version in ``Accept`` (``application/json; version=1.0``)
must ask for one that exists.
"""

from __future__ import annotations

FORBIDDEN_USER_AGENT_PREFIXES = ("Go-http-client/", "Go 1.1 package http", "libcurl/", "Python-urllib/",
                                 "python-requests/")
SUPPORTED_VERSIONS = ("1.0",)
FORBIDDEN_USER_AGENT = "Forbidden user agent"
INVALID_VERSION = 'Invalid version in "Accept" header.'


def user_agent_refusal(user_agent: str | None) -> str | None:
    """Why this User-Agent is refused, or None (prefixes are case-sensitive)."""
    if user_agent and user_agent.startswith(FORBIDDEN_USER_AGENT_PREFIXES):
        return FORBIDDEN_USER_AGENT
    return None


def requested_versions(accept: str | None) -> list[str]:
    """The ``version`` parameters of an Accept header's media ranges."""
    found = []
    for media_range in (accept or "").split(","):
        for param in media_range.split(";")[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "version":
                found.append(value.strip().strip('"'))
    return found


def accept_refusal(accept: str | None) -> str | None:
    """Why the requested API version cannot be served, or None."""
    if any(v not in SUPPORTED_VERSIONS for v in requested_versions(accept)):
        return INVALID_VERSION
    return None

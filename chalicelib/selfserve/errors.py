"""What a self-serve use case raises when the thing a request names does not exist (BuildAPI's 404)."""

from __future__ import annotations


class NotFound(LookupError):
    """A build, request, job or revision not found on the branch; the message is BuildAPI's."""

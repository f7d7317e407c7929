"""What a ``shipyard`` command takes from its user: secrets read safely, and the error it reports.

A :class:`CliError` is printed as ``{"error": ...}`` on stderr with exit status 1.
A secret is generated unless given; ``-`` reads it from stdin, so it never
lands in shell history or ``ps``.
"""

from __future__ import annotations

import secrets
import sys
from typing import Any

MAX_SECRET_LENGTH = 256
# Usernames of the admin APIs: LDAP names or e-mail addresses.
USERNAME = r"[A-Za-z0-9._@+-]{1,128}"


class CliError(Exception):
    """A failure reported as ``{"error": ...}`` with exit status 1."""

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.extra = extra


def read_secret(given: str | None) -> str:
    if given is None:
        return secrets.token_urlsafe(32)
    value = sys.stdin.readline().rstrip("\r\n") if given == "-" else given
    if not value or len(value) > MAX_SECRET_LENGTH:
        raise CliError(f"the secret must be 1-{MAX_SECRET_LENGTH} characters")
    return value

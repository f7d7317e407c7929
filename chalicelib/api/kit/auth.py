"""A family's auth: the security schemes its document declares and how a request's user is found."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalice.app import Request


@dataclass(frozen=True)
class Auth:
    """``identify`` returns who sends the request or raises a :class:`~chalicelib.api.kit.refusal.Refusal`
    (401/403 in the family's words); ``schemes`` are the OpenAPI security schemes it accepts, by name."""

    schemes: dict[str, dict[str, Any]]
    identify: Callable[[Request], str]

    @property
    def security(self) -> list[dict[str, list[str]]]:
        """An operation's ``security`` when it needs a user: any one of the schemes."""
        return [{name: []} for name in self.schemes]


# An operation's ``security`` when it needs nobody.
PUBLIC: list[dict[str, list[str]]] = []

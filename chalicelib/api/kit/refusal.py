"""The error answer: one name for every family's "not this request" (the family's envelope gives it a body)."""

from __future__ import annotations

from typing import Any


class Refusal(Exception):
    """An answer other than success, raised from anywhere below a handler.

    ``status`` and ``message`` are what every family's error body carries in
    some form; ``extra`` holds what only one family's body has (Balrog's
    ``exception``, KernelCI's ``errors``), for its envelope to place.
    """

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.message, self.extra = status, message, extra

    def __repr__(self) -> str:
        return f"Refusal({self.status}, {self.message!r})"

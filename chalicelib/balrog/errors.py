"""The one error every Balrog admin layer raises: an answer other than success, with its status.

Services (scheduled changes, signoffs, shutoffs) and routes alike raise it;
the admin API turns it into Balrog's problem body.
"""

from __future__ import annotations

from typing import Any


class BalrogError(Exception):
    """An answer other than success, raised from deep inside a handler."""

    def __init__(self, status: int, detail: str, exception: str | list[str] | None = None,
                 extra: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.exception = status, detail, exception
        self.extra = extra or {}  # more fields of the problem body, where Balrog adds them (``data``)


# Balrog's error handlers (``auslib/web/admin/base.py``) answer an exception
# with its kind in ``detail`` and its message in ``exception``; a view's own
# refusals put the message in ``detail``. These build the former.

def outdated(detail: str = "Outdated Data Version. old_data_version doesn't match current data_version") -> BalrogError:
    return BalrogError(400, "OutdatedDataError", f"Couldn't perform the request. {detail}")


def change_scheduled(message: str) -> BalrogError:
    return BalrogError(400, "ChangeScheduledError",
                       f"Couldn't perform the request due a conflict with a scheduled change. {message}")


def signoff_required(message: str) -> BalrogError:
    return BalrogError(400, "Signoff Required", message)


def permission_denied(message: str) -> BalrogError:
    return BalrogError(403, "Permission Denied", message)


def value_error(message: str) -> BalrogError:
    """A row the database layer refuses (Balrog's ``ValueError`` handler)."""
    return BalrogError(400, "Unknown error", message)

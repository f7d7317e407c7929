"""The CI's result of a job request, as it arrives on the results queue, checked. Pure.

::

    {"request_id": 12, "status": "OK", "msg": "2 build request(s) made",
     "job_guids": ["ref-ci-12-0", "ref-ci-12-1"], "completed_at": 1700000000}

``status`` is ``OK`` or ``FAILED``; ``job_guids`` names the Treeherder jobs
the action made (the new build requests), when it made some; the rest of the
message is kept as the job request's ``complete_data``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

STATUSES = ("OK", "FAILED")
MAX_GUIDS = 200


class InvalidResult(ValueError):
    """The message is not a result; retrying cannot fix it."""


@dataclass(frozen=True)
class Result:
    request_id: int
    status: str
    job_guids: list[str]
    completed_at: int | None
    data: dict[str, Any]

    @property
    def ok(self) -> bool:
        return self.status == "OK"


def check(message: Any) -> Result:
    if not isinstance(message, dict):
        raise InvalidResult("$: must be an object")
    request_id = message.get("request_id")
    if isinstance(request_id, bool) or not isinstance(request_id, int) or request_id <= 0:
        raise InvalidResult("$.request_id: must be a positive integer")
    if message.get("status") not in STATUSES:
        raise InvalidResult("$.status: must be OK or FAILED")
    if not isinstance(message.get("msg", ""), str):
        raise InvalidResult("$.msg: must be a string")
    guids = message.get("job_guids", [])
    if not isinstance(guids, list) or len(guids) > MAX_GUIDS or not all(
            isinstance(g, str) and 0 < len(g) <= 50 for g in guids):
        raise InvalidResult(f"$.job_guids: must be a list of at most {MAX_GUIDS} job guids")
    completed_at = message.get("completed_at")
    if completed_at is not None and (isinstance(completed_at, bool) or not isinstance(completed_at, int)):
        raise InvalidResult("$.completed_at: must be an integer (seconds)")
    data = {k: v for k, v in message.items() if k not in ("request_id", "completed_at")}
    return Result(request_id, message["status"], guids, completed_at, data)

"""Self-serve parameters: integers as BuildAPI validated them, and the messages it answered. Pure."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from chalicelib import safe_json

MAX_PRIORITY = 1_000_000
MAX_COUNT = 20
MAX_ID = 10**15
MAX_PROPERTIES_BYTES = 8_000
MAX_FILES = 50
INTEGER = re.compile(r"-?[0-9]{1,19}")


class BadParameter(ValueError):
    """A missing or malformed parameter; the message is the answer's ``msg``."""


def _int(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    text = str(raw)
    return int(text) if INTEGER.fullmatch(text) else None


def required_id(raw: Any, message: str) -> int:
    """A positive id (``Bad build_id``, ``Non-integer build_id``... as ``message``)."""
    value = _int(raw) if raw is not None else None
    if value is None or not 0 < value < MAX_ID:
        raise BadParameter(message)
    return value


def priority(form: Mapping[str, Any], required: bool = False) -> int:
    """``priority``: an integer, 0 when absent or empty unless required ("Bad priority")."""
    raw = form.get("priority")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            raise BadParameter("Bad priority")
        return 0
    value = _int(raw)
    if value is None or abs(value) > MAX_PRIORITY:
        raise BadParameter("Bad priority")
    return value


def count(form: Mapping[str, Any]) -> int:
    """``count``: how many times to run, 1 when absent ("Bad count")."""
    raw = form.get("count")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return 1
    value = _int(raw)
    if value is None or not 1 <= value <= MAX_COUNT:
        raise BadParameter("Bad count")
    return value


def _json_field(raw: Any, name: str) -> Any:
    if not isinstance(raw, str):
        return raw
    if len(raw.encode()) > MAX_PROPERTIES_BYTES:
        raise BadParameter(f"Bad {name}: longer than {MAX_PROPERTIES_BYTES} bytes")
    try:
        return safe_json.loads(raw)
    except safe_json.UnsafeJson as err:
        raise BadParameter(f"Bad {name}: not JSON" if err.not_json else f"Bad {name}: {err}") from None


def properties(form: Mapping[str, Any]) -> dict[str, Any]:
    """``properties``: a JSON object of build properties, {} when absent."""
    raw = form.get("properties")
    if raw is None or raw == "":
        return {}
    value = _json_field(raw, "properties")
    if not isinstance(value, dict):
        raise BadParameter("Bad properties: must be a JSON object")
    if len(json.dumps(value).encode()) > MAX_PROPERTIES_BYTES:
        raise BadParameter(f"Bad properties: longer than {MAX_PROPERTIES_BYTES} bytes")
    return value


def files(form: Mapping[str, Any]) -> list[str]:
    """``files``: a JSON list of file URLs, [] when absent."""
    raw = form.get("files")
    if raw is None or raw == "":
        return []
    value = _json_field(raw, "files")
    if not isinstance(value, list) or not all(isinstance(f, str) and 0 < len(f) <= 2048 for f in value):
        raise BadParameter("Bad files: must be a JSON list of strings")
    if len(value) > MAX_FILES:
        raise BadParameter(f"Bad files: at most {MAX_FILES}")
    return value


def revision(raw: str) -> str:
    """A changeset id, 12 to 40 hex digits, lower-cased ("Bad revision")."""
    text = raw.strip().lower()
    if not 12 <= len(text) <= 40 or any(c not in "0123456789abcdef" for c in text):
        raise BadParameter("Bad revision: 12 to 40 hexadecimal digits")
    return text


def paging(query: Mapping[str, str]) -> tuple[int, int]:
    """``num`` (1-1000, default 100) and ``offset`` (0-10000) of the job request list."""
    num, offset = _int(query.get("num", "100")), _int(query.get("offset", "0"))
    if num is None or not 1 <= num <= 1000:
        raise BadParameter("Bad num")
    if offset is None or not 0 <= offset <= 10_000:
        raise BadParameter("Bad offset")
    return num, offset

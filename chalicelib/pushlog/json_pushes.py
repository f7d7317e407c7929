"""Mercurial json-pushes: request URLs and typed parsing of the answer. Pure: no I/O.

Two answer shapes exist in the wild:

- ``version=2``: ``{"lastpushid": N, "pushes": {"<id>": {"date", "user", "changesets"}}}``;
- version 1 (older hg, or no ``version``): ``{"<id>": {"date", "user", "changesets"}}``.

With ``full=1`` each changeset is an object (``node``, ``author``, ``desc``,
``branch``, ``tags``, ``files``, ...); without it older hg sends bare node
strings. Both are accepted: a bare node becomes a changeset with an empty
author and description, since refusing it would stall a branch on a host we
cannot change, and the node is what revision lookups need.

Everything the host sends is checked before anything is stored, so a
malformed page is rejected whole (:class:`PushlogFormatError`) and retried,
never half-stored. Error messages name the push and field, never the body.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

NODE = re.compile(r"[0-9a-fA-F]{40}")
JSON_PUSHES = "json-pushes"


class PushlogFormatError(ValueError):
    """The host's answer is not a json-pushes document we can trust."""


@dataclass(frozen=True)
class Changeset:
    node: str
    author: str = ""
    desc: str = ""
    branch: str | None = None
    tags: tuple[str, ...] = ()
    files: tuple[str, ...] = ()

    def as_stored(self) -> dict[str, Any]:
        """The fields the pushes store keeps (``files`` is not one of them)."""
        return {"node": self.node, "author": self.author, "desc": self.desc, "branch": self.branch,
                "tags": list(self.tags)}


@dataclass(frozen=True)
class PushRecord:
    push_id: int
    date: int
    user: str
    changesets: tuple[Changeset, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Page:
    """One json-pushes answer: pushes by ascending id, and the host's newest id when it said."""

    pushes: list[PushRecord]
    last_push_id: int | None = None


# --- URLs --------------------------------------------------------------------------------------


def pushes_url(base: str) -> str:
    """The json-pushes endpoint of a repository URL (which may already name it)."""
    base = base.rstrip("/")
    return base if base.endswith("/" + JSON_PUSHES) else f"{base}/{JSON_PUSHES}"


def branch_url(uri: str, hg_host: str) -> str:
    """A branch URI as a repository URL: absolute as is, otherwise under the hg host."""
    if uri.startswith(("http://", "https://")):
        return uri
    return f"{hg_host}/{uri.strip('/')}"


def by_id_url(base: str, start_id: int, end_id: int) -> str:
    """Pushes with ``start_id < id <= end_id``, full changesets, version 2 shape."""
    if start_id < 0 or end_id < start_id:
        raise ValueError(f"bad push id range ({start_id}, {end_id}]")
    query = urlencode({"version": 2, "full": 1, "startID": start_id, "endID": end_id})
    return f"{pushes_url(base)}?{query}"


def since_date_url(base: str, start: dt.date) -> str:
    """The older form Datazilla used: every push since a day (``MM/DD/YYYY``)."""
    query = urlencode({"full": 1, "startdate": start.strftime("%m/%d/%Y")}, safe="/")
    return f"{pushes_url(base)}?{query}"


def recent_url(base: str, hours: int) -> str:
    """The older form Datazilla's 5-minute sync used: the last ``hours`` hours."""
    if hours <= 0:
        raise ValueError("hours must be positive")
    return f"{pushes_url(base)}?{urlencode({'full': 1, 'maxhours': hours})}"


# --- parsing -----------------------------------------------------------------------------------


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 50 else text[:47] + "..."


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise PushlogFormatError(f"{what} is not an integer: {_short(value)}")
    return value


def _str(value: Any, what: str, default: str = "") -> str:
    if value is None:
        return default
    if not isinstance(value, str):
        raise PushlogFormatError(f"{what} is not a string: {_short(value)}")
    return value


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PushlogFormatError(f"{what} is not a list of strings")
    return tuple(value)


def _node(value: Any, what: str) -> str:
    if not isinstance(value, str) or not NODE.fullmatch(value):
        raise PushlogFormatError(f"{what} is not a 40-hex node: {_short(value)}")
    return value.lower()


def _changeset(raw: Any, where: str) -> Changeset:
    if isinstance(raw, str):  # older hg without full=1: bare nodes
        return Changeset(_node(raw, f"{where} node"))
    if not isinstance(raw, dict):
        raise PushlogFormatError(f"{where} is neither an object nor a node string")
    return Changeset(
        node=_node(raw.get("node"), f"{where} node"),
        author=_str(raw.get("author"), f"{where} author"),
        desc=_str(raw.get("desc"), f"{where} desc"),
        branch=_str(raw.get("branch"), f"{where} branch", default="") or None,
        tags=_strings(raw.get("tags"), f"{where} tags"),
        files=_strings(raw.get("files"), f"{where} files"),
    )


def _push(key: Any, raw: Any) -> PushRecord:
    try:
        push_id = int(key)
    except (TypeError, ValueError):
        raise PushlogFormatError(f"push id {_short(key)} is not an integer") from None
    if push_id <= 0:
        raise PushlogFormatError(f"push id {push_id} is not positive")
    where = f"push {push_id}"
    if not isinstance(raw, dict):
        raise PushlogFormatError(f"{where} is not an object")
    changesets = raw.get("changesets", [])
    if not isinstance(changesets, list):
        raise PushlogFormatError(f"{where} changesets is not a list")
    return PushRecord(
        push_id=push_id,
        date=_int(raw.get("date"), f"{where} date"),
        user=_str(raw.get("user"), f"{where} user"),
        changesets=tuple(_changeset(cs, f"{where} changeset {i}") for i, cs in enumerate(changesets)),
    )


def parse_document(document: Any) -> Page:
    """A decoded json-pushes document (either shape) as a :class:`Page`."""
    if not isinstance(document, dict):
        raise PushlogFormatError("json-pushes answer is not a JSON object")
    last_push_id = None
    if "pushes" in document or "lastpushid" in document:
        if "pushes" not in document or "lastpushid" not in document:
            raise PushlogFormatError("version 2 answer needs both 'lastpushid' and 'pushes'")
        last_push_id = _int(document["lastpushid"], "lastpushid")
        raw_pushes = document["pushes"]
        if not isinstance(raw_pushes, dict):
            raise PushlogFormatError("'pushes' is not an object")
    else:
        raw_pushes = document
    pushes = sorted((_push(k, v) for k, v in raw_pushes.items()), key=lambda p: p.push_id)
    return Page(pushes, last_push_id)


def parse(body: bytes | str) -> Page:
    """A json-pushes response body as a :class:`Page` of pushes sorted by id."""
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as err:
        # JSONDecodeError's message gives a position, not the content.
        raise PushlogFormatError(f"not JSON: {type(err).__name__}: {str(err)[:120]}") from None
    return parse_document(document)

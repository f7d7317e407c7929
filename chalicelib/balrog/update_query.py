"""From an update URL to an :class:`UpdateQuery`, the way Balrog reads it.

Firefox has asked in six URL shapes over the years ("query versions" 1–6);
each names a different set of path segments. What Balrog does with them, and
Shipyard with it: non-ASCII characters become ``?``; Avast's ``force=1?avast=1``
is repaired; Avast's ``x86 `` locale prefix is dropped; version 6's
``systemCapabilities`` is split into instruction set, memory and JAWS; the
CPU architecture comes from the User-Agent; ``force`` and ``mig64`` are read
from the query string.
"""

from __future__ import annotations

from collections.abc import Mapping

from chalicelib.balrog.matching import UpdateQuery

# The path segments of each query version, in URL order (before "update.xml").
SEGMENTS: dict[int, tuple[str, ...]] = {
    1: ("product", "version", "buildID", "buildTarget", "locale", "channel"),
    2: ("product", "version", "buildID", "buildTarget", "locale", "channel", "osVersion"),
    3: ("product", "version", "buildID", "buildTarget", "locale", "channel", "osVersion", "distribution",
        "distVersion"),
    4: ("product", "version", "buildID", "buildTarget", "locale", "channel", "osVersion", "distribution",
        "distVersion", "platformVersion"),
    5: ("product", "version", "buildID", "buildTarget", "locale", "channel", "osVersion", "distribution",
        "distVersion", "IMEI"),
    6: ("product", "version", "buildID", "buildTarget", "locale", "channel", "osVersion", "systemCapabilities",
        "distribution", "distVersion"),
}

# Query-string parameters each version accepts; Balrog answers 400 to any other.
QUERY_PARAMETERS: dict[int, frozenset[str]] = {
    version: frozenset({"avast", "force", "mig64"} | ({"pin"} if version != 2 else set()))
    for version in SEGMENTS
}


def system_capabilities(raw: str) -> dict[str, object]:
    """``ISET:SSE4_2,MEM:16384,JAWS:0`` (or the old ``SSE3,8095``) → instructionSet/memory/jaws.

    Unparseable parts are skipped and unparseable numbers become ``None``, as
    Balrog does: real clients send surprising things here.
    """
    caps: dict[str, object] = {"instructionSet": None, "memory": None, "jaws": None}
    if raw.startswith("ISET:"):
        for part in raw.split(","):
            if ":" not in part:
                continue
            key, value = part.split(":", 1)
            if key == "ISET":
                caps["instructionSet"] = value
            elif key == "MEM":
                caps["memory"] = _int_or_none(value)
            elif key == "JAWS":
                number = _int_or_none(value)
                caps["jaws"] = None if number is None else bool(number)
        return caps
    parts = raw.split(",")
    if len(parts) in (1, 2):
        caps["instructionSet"] = parts[0]
    if len(parts) == 2:
        caps["memory"] = _int_or_none(parts[1])
    return caps


def _int_or_none(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def header_architecture(build_target: str, user_agent: str | None) -> str:
    """``PPC`` for a Darwin build whose User-Agent says PPC, ``Intel`` for everything else."""
    if build_target.startswith("Darwin") and user_agent and "PPC" in user_agent:
        return "PPC"
    return "Intel"


def _ascii(text: str) -> str:
    return text.encode("ascii", "replace").decode()


def repaired_force(raw: str | None) -> str | None:
    """``force`` as the client meant it: Avast appends ``?avast=1`` to ``force=1``; cut that off."""
    if raw is None or "avast" not in raw:
        return raw
    head, sep, _ = raw.partition("?")
    if not sep:
        head, sep, _ = raw.partition("%3F")
    return head if sep else raw


def parse_update_query(version: int, segments: Mapping[str, str], params: Mapping[str, str],
                       user_agent: str | None) -> UpdateQuery:
    """The query of an update URL of ``version`` (1–6), already percent-decoded."""
    fields = {name: _ascii(segments[name]) for name in SEGMENTS[version]}
    force = repaired_force(_ascii(params["force"])) if "force" in params else None
    caps = system_capabilities(segments["systemCapabilities"]) if version == 6 else {}
    mig64 = None if "mig64" not in params else params["mig64"] == "1"
    return UpdateQuery(
        product=fields["product"],
        version=fields["version"],
        buildID=fields["buildID"],
        buildTarget=fields["buildTarget"],
        locale=fields["locale"].replace("x86 ", ""),
        channel=fields["channel"],
        osVersion=fields.get("osVersion", ""),
        distribution=fields.get("distribution"),
        distVersion=fields.get("distVersion"),
        force=force if force in ("1", "-1") else None,
        headerArchitecture=header_architecture(fields["buildTarget"], user_agent),
        instructionSet=caps.get("instructionSet"),  # type: ignore[arg-type]
        memory=caps.get("memory"),  # type: ignore[arg-type]
        jaws=caps.get("jaws"),  # type: ignore[arg-type]
        mig64=mig64,
        pin=params.get("pin"),
    )


# The JSON endpoint's URL versions (Guardian / Mozilla VPN clients), and the one query parameter they take.
JSON_SEGMENTS: dict[int, tuple[str, ...]] = {
    1: ("product", "version", "buildTarget", "channel"),
    2: ("product", "version", "buildTarget", "channel", "osVersion"),
}
JSON_QUERY_PARAMETERS = frozenset({"force"})


def parse_json_query(version: int, segments: Mapping[str, str], params: Mapping[str, str]) -> UpdateQuery:
    """The query of a ``/json/{1,2}/…/update.json`` URL: no buildID, locale, architecture or distribution."""
    force = params.get("force")
    return UpdateQuery(
        product=segments["product"], version=segments["version"], buildID="", buildTarget=segments["buildTarget"],
        locale="", channel=segments["channel"], osVersion=segments.get("osVersion", ""),
        force=force if force in ("1", "-1") else None, headerArchitecture=None,
    )

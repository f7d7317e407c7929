"""The reference branches of Datazilla's pushlog: name -> (hg URI, alternative names).

Talos results name a branch the way the build system did ("Firefox",
"Mozilla-Inbound"), and non-PGO builds of a branch reported as
"<name>-Non-PGO": each branch answers to that alternative name too. URIs are
relative to ``config.hg_host()``. The project branches are those the
original tools (Datazilla's and TBPL's branch lists) mapped under
``projects/`` and ``services/``; repositories retired on the host simply fail
their sync, which is counted on the branch and harms no other.

The shape is what ``chalicelib.store.branches.seed`` takes.
"""

from __future__ import annotations

_URIS: dict[str, str] = {
    "Firefox": "mozilla-central",
    "Try": "try",
    "Mozilla-Aurora": "releases/mozilla-aurora",
    "Mozilla-Beta": "releases/mozilla-beta",
    "Mozilla-Release": "releases/mozilla-release",
    "Mozilla-Inbound": "integration/mozilla-inbound",
    "Fx-Team": "integration/fx-team",
    "Build-System": "projects/build-system",
    "Ionmonkey": "projects/ionmonkey",
    "Jaegermonkey": "projects/jaegermonkey",
    "Graphics": "projects/graphics",
    "Profiling": "projects/profiling",
    "UX": "projects/ux",
    "Services-Central": "services/services-central",
}


def alternative_names(name: str) -> list[str]:
    return [f"{name}-Non-PGO"]


REFERENCE_BRANCHES: dict[str, tuple[str, list[str]]] = {
    name: (uri, alternative_names(name)) for name, uri in _URIS.items()
}

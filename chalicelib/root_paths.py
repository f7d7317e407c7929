"""The first path segments the API families own, which no Datazilla project may be named.

Datazilla serves ``/<project>/...``; every other family is mounted under a
literal first segment (``/balrog``, ``/treeherder``, ...) or, for KernelCI,
answers at the host root (``publish_kernel`` joins ``/build`` as an absolute
path). Chalice prefers a literal segment over the ``{project}`` capture, so a
project with one of these names would be unreachable.
"""

from __future__ import annotations

from chalicelib.kernelci.keys import RESERVED_ROOT_NAMES as KERNELCI_ROOT_NAMES

MOUNTS = frozenset({"balrog", "treeherder", "self-serve", "openapi", "refdata", "static"})
RESERVED = frozenset(KERNELCI_ROOT_NAMES | MOUNTS)


def owner_of(name: str) -> str | None:
    """Which family owns ``/<name>`` (None: free for a project)."""
    lowered = name.lower()
    if lowered in KERNELCI_ROOT_NAMES:
        return "the KernelCI API"
    if lowered in MOUNTS:
        return f"the /{lowered} mount"
    return None

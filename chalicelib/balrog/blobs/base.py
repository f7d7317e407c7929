"""What every blob kind offers the update endpoint, and what they share.

Balrog assembles update.xml from a blob in three parts: a header line, the
inner lines, a footer line, wrapped in ``<updates>``. Each blob kind renders
its parts here exactly as Balrog's would. Where Balrog's own code fails on a
blob (an exception that is not the client's fault, a 500 there), the kind
raises :class:`BalrogWouldFail` and the endpoint answers "no update" instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from chalicelib.balrog.domains import PRODUCTION_ALLOWLIST, PRODUCTION_SPECIAL_FORCE_HOSTS, Allowlist
from chalicelib.balrog.matching import UpdateQuery

BlobData = Mapping[str, Any]


class BalrogWouldFail(Exception):
    """The blob is one Balrog itself fails to render for this query (its 500)."""


@dataclass(frozen=True)
class RenderContext:
    """What rendering needs beyond the blob and the query.

    ``lookup_release(name)`` returns a release's blob data (or ``None``): the
    "from" release of a partial is looked up through it.
    """

    allowlist: Allowlist = field(default_factory=lambda: PRODUCTION_ALLOWLIST)
    special_force_hosts: Sequence[str] = PRODUCTION_SPECIAL_FORCE_HOSTS
    lookup_release: Callable[[str], BlobData | None] = lambda name: None


class XMLBlob:
    """A blob Balrog answers update queries with (every kind but Guardian's JSON)."""

    def __init__(self, data: BlobData) -> None:
        self.data = data

    def should_serve(self, query: UpdateQuery) -> bool:
        """Is this blob an update for ``query``? Kinds that always answer say yes."""
        return True

    def header(self, query: UpdateQuery, update_type: str, ctx: RenderContext) -> str:
        raise NotImplementedError

    def inner(self, query: UpdateQuery, update_type: str, ctx: RenderContext) -> list[str]:
        raise NotImplementedError

    def footer(self, query: UpdateQuery, update_type: str, ctx: RenderContext) -> str:
        raise NotImplementedError

    def response_products(self) -> list[str] | None:
        """Products whose own rules supply the inner lines (a GMP superblob), or ``None``."""
        return None

    def response_blobs(self) -> list[str] | None:
        """Releases that supply the inner lines (a system add-ons superblob), or ``None``."""
        return None

"""Balrog's ``update.xml`` document, assembled from the blob that answers a query.

A document is the XML declaration, ``<updates>``, the answering blob's header
line, the inner lines of every blob that contributes (the blob itself, or the
products/releases a superblob names), the answering blob's footer, and
``</updates>``, joined by newlines, as Balrog builds it. Values are made safe
where they are formatted (see :mod:`chalicelib.balrog.blobs.xml_text`), so the
document is well-formed whatever a release contains.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chalicelib.balrog.blobs import RenderContext, XMLBlob
from chalicelib.balrog.matching import UpdateQuery

XML_DECLARATION = '<?xml version="1.0"?>'

# Bug 1517743: two Firefox nightlies cannot parse an update.xml with newlines or indentation.
_SQUASHED_RELEASE = "Firefox-mozilla-central-nightly-latest"
_SQUASHED_BUILD_IDS = ("20190103220533", "20190104093221")


@dataclass(frozen=True)
class Contribution:
    """A blob whose inner lines go into the document, with the query and update type it answers."""

    blob: XMLBlob
    query: UpdateQuery
    update_type: str | None


def empty_update_xml() -> str:
    """The answer when there is no update: always valid XML, always 200."""
    return f"{XML_DECLARATION}\n<updates>\n</updates>"


def render_document(release: XMLBlob, query: UpdateQuery, update_type: str | None,
                    contributions: Sequence[Contribution], ctx: RenderContext, *, squash: bool = False) -> str:
    """The whole document for ``release`` (the blob the rules chose) and what contributes to it."""
    kind = update_type or "None"
    lines = [XML_DECLARATION, "<updates>", release.header(query, kind, ctx)]
    for part in contributions:
        lines.extend(part.blob.inner(part.query, part.update_type or "None", ctx))
    lines.append(release.footer(query, kind, ctx))
    lines.append("</updates>")
    document = "\n".join(lines)
    if squash:
        document = document.replace("\n", "").replace("    ", "")
    return document


def is_squashed(release_name: object, query: UpdateQuery) -> bool:
    """Is this one of the two nightlies that need a squashed document (bug 1517743)?"""
    return release_name == _SQUASHED_RELEASE and query.buildID in _SQUASHED_BUILD_IDS

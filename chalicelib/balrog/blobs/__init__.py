"""Balrog's blob kinds, as the update endpoint renders them (validation on write lives with the admin API)."""

from __future__ import annotations

from chalicelib.balrog.blobs.addons import GMP, SuperBlob, SystemAddons
from chalicelib.balrog.blobs.apprelease import SCHEMAS, AppRelease
from chalicelib.balrog.blobs.base import BalrogWouldFail, BlobData, RenderContext, XMLBlob
from chalicelib.balrog.blobs.desupport import Desupport
from chalicelib.balrog.blobs.guardian import SCHEMA as GUARDIAN_SCHEMA
from chalicelib.balrog.blobs.guardian import Guardian

__all__ = ["BalrogWouldFail", "BlobData", "Guardian", "RenderContext", "XMLBlob", "any_blob", "xml_blob"]


def any_blob(data: BlobData) -> XMLBlob | Guardian:
    """The blob kind of a stored blob, by its ``schema_version`` (update.xml kinds and Guardian's JSON)."""
    if data.get("schema_version") == GUARDIAN_SCHEMA:
        return Guardian(data)
    return xml_blob(data)


def xml_blob(data: BlobData) -> XMLBlob:
    """The update.xml renderer for a stored blob, by its ``schema_version``.

    A schema Balrog does not know (or Guardian's, which has no update.xml
    form) cannot be rendered; it fails like Balrog's would.
    """
    schema = data.get("schema_version")
    if isinstance(schema, bool) or not isinstance(schema, int):
        raise BalrogWouldFail(f"schema_version {schema!r} is unknown")
    if schema in SCHEMAS:
        return AppRelease(data, schema)
    kinds = {50: Desupport, 1000: GMP, 4000: SuperBlob, 5000: SystemAddons}
    if schema in kinds:
        return kinds[schema](data)
    raise BalrogWouldFail(f"schema_version {schema!r} is unknown")

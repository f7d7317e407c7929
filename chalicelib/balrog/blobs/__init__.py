"""Balrog's blob kinds, as the update endpoint renders them (validation on write lives with the admin API)."""

from __future__ import annotations

from chalicelib.balrog.blobs.addons import GMP, SuperBlob, SystemAddons
from chalicelib.balrog.blobs.apprelease import SCHEMAS, AppRelease
from chalicelib.balrog.blobs.base import BalrogWouldFail, BlobData, RenderContext, XMLBlob
from chalicelib.balrog.blobs.desupport import Desupport
from chalicelib.balrog.matching import BadUpdateQuery

GUARDIAN_SCHEMA = 10000
__all__ = ["BalrogWouldFail", "BlobData", "RenderContext", "XMLBlob", "xml_blob"]


def xml_blob(data: BlobData) -> XMLBlob:
    """The renderer for a stored blob, by its ``schema_version``.

    A Guardian (VPN) blob has no update.xml form: Balrog answers such a
    mapping with a 400 "Wrong blob type", and so does Shipyard. A schema
    Balrog does not know cannot have been stored; it fails like Balrog's would.
    """
    schema = data.get("schema_version")
    if isinstance(schema, bool) or not isinstance(schema, int):
        raise BalrogWouldFail(f"schema_version {schema!r} is unknown")
    if schema in SCHEMAS:
        return AppRelease(data, schema)
    kinds = {50: Desupport, 1000: GMP, 4000: SuperBlob, 5000: SystemAddons}
    if schema in kinds:
        return kinds[schema](data)
    if schema == GUARDIAN_SCHEMA:
        raise BadUpdateQuery("Wrong blob type")
    raise BalrogWouldFail(f"schema_version {schema!r} is unknown")

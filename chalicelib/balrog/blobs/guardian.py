"""Guardian / Mozilla VPN releases (schema 10000): answered as JSON, never as update.xml.

A client on a platform the release has, with a lower (loosely compared)
version, gets the version, the installer's URL and hash, and whether the
update is required; an installer on a host not allowlisted for the product
gives an empty object, as in Balrog.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.balrog.blobs.base import BlobData
from chalicelib.balrog.domains import Allowlist, is_forbidden_url
from chalicelib.balrog.matching import UpdateQuery, loose_compare

SCHEMA = 10000


class Guardian:
    def __init__(self, data: BlobData) -> None:
        self.data = data

    def _platform(self, build_target: str) -> Mapping[str, Any]:
        return (self.data.get("platforms") or {}).get(build_target) or {}

    def should_serve(self, query: UpdateQuery) -> bool:
        if query.buildTarget not in (self.data.get("platforms") or {}):
            return False
        return loose_compare("<", query.version, str(self.data.get("version")))

    def response(self, query: UpdateQuery, allowlist: Allowlist) -> dict[str, Any]:
        platform = self._platform(query.buildTarget)
        url = platform.get("fileUrl")
        if not url or is_forbidden_url(str(url), query.product, allowlist):
            return {}
        return {"version": self.data.get("version"), "url": url, "required": self.data.get("required"),
                "hashFunction": self.data.get("hashFunction"), "hashValue": platform.get("hashValue")}

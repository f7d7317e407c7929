"""Add-on blobs: GMP plugins (schema 1000), system add-ons (5000) and the superblobs (4000) that bundle them.

A GMP blob lists vendors (OpenH264, Widevine, …) with a file per platform or
a ``default``; a system add-ons blob lists add-ons the same way and may be an
"uninstall" blob with none. Both are always served (the client decides), and
both leave out any file whose host is not allowlisted for the product. A
superblob only names the products (GMP) or releases (system add-ons) whose
blobs supply its lines.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.balrog.blobs.base import BalrogWouldFail, RenderContext, XMLBlob
from chalicelib.balrog.blobs.xml_text import text
from chalicelib.balrog.domains import is_forbidden_url
from chalicelib.balrog.matching import UpdateQuery
from chalicelib.balrog.query_errors import BadUpdateQuery


def _platform_entry(platforms: Mapping[str, Any], platform: str, owner: str, *,
                    dangling_alias_is_bad_query: bool = False) -> Mapping[str, Any]:
    """The platform's entry (one alias hop), else ``default``.

    An alias to a platform that is not there is a 400 for a GMP blob and a
    failure for a system add-ons blob, as in Balrog.
    """
    if platform in platforms:
        resolved = platforms[platform].get("alias", platform)
    elif "default" in platforms:
        resolved = "default"
    else:
        raise BadUpdateQuery("No platform '%s' or default in vendor '%s'", platform, owner)
    entry = platforms.get(resolved)
    if entry is None and dangling_alias_is_bad_query:
        raise BadUpdateQuery("No platform '%s' in vendor '%s'", resolved, owner)
    if not isinstance(entry, Mapping) or "fileUrl" not in entry:
        raise BalrogWouldFail(f"{owner}: platform {resolved!r} has no file")
    return entry


def _addon_line(addon_id: str, url: str, blob: Mapping[str, Any], entry: Mapping[str, Any], version: Any,
                close: str) -> str:
    return (f'        <addon id="{text(addon_id)}" URL="{text(url)}" hashFunction="{text(blob.get("hashFunction"))}"'
            f' hashValue="{text(entry.get("hashValue"))}" size="{text(entry.get("filesize"))}"'
            f' version="{text(version)}"{close}>')


class GMP(XMLBlob):
    """Gecko Media Plugins: one ``<addon>`` per vendor that has a file for the platform."""

    def header(self, query: UpdateQuery, update_type: str, ctx: RenderContext) -> str:
        return "    <addons>"

    def footer(self, query: UpdateQuery, update_type: str, ctx: RenderContext) -> str:
        return "    </addons>"

    def inner(self, query: UpdateQuery, update_type: str, ctx: RenderContext) -> list[str]:
        vendors = self.data.get("vendors") or {}
        lines: list[str] = []
        for vendor in sorted(vendors):
            platforms = vendors[vendor].get("platforms") or {}
            if query.buildTarget not in platforms and "default" not in platforms:
                continue
            entry = _platform_entry(platforms, query.buildTarget, vendor, dangling_alias_is_bad_query=True)
            url = str(entry["fileUrl"])
            if is_forbidden_url(url, query.product, ctx.allowlist):
                continue
            mirrors = [str(mirror) for mirror in entry.get("mirrorUrls") or []
                       if not is_forbidden_url(str(mirror), query.product, ctx.allowlist)]
            lines.append(_addon_line(vendor, url, self.data, entry, vendors[vendor].get("version"),
                                     "" if mirrors else "/"))
            if mirrors:
                lines.extend(f'            <mirror URL="{text(mirror)}"/>' for mirror in mirrors)
                lines.append("        </addon>")
        return lines


class SystemAddons(XMLBlob):
    """System add-ons: ``<addons>`` only when there is something to install, or to uninstall."""

    def _served(self, query: UpdateQuery, ctx: RenderContext) -> list[tuple[str, str, Mapping[str, Any]]]:
        addons = self.data.get("addons") or {}
        served = []
        for addon in sorted(addons):
            platforms = (addons.get(addon) or {}).get("platforms") or {}
            if query.buildTarget not in platforms and "default" not in platforms:
                continue
            entry = _platform_entry(platforms, query.buildTarget, addon)
            url = str(entry["fileUrl"])
            if not is_forbidden_url(url, query.product, ctx.allowlist):
                served.append((addon, url, entry))
        return served

    def _wrapped(self, query: UpdateQuery, ctx: RenderContext) -> bool:
        return bool(self.data.get("uninstall", False)) or bool(self._served(query, ctx))

    def header(self, query: UpdateQuery, update_type: str, ctx: RenderContext) -> str:
        return "    <addons>" if self._wrapped(query, ctx) else ""

    def footer(self, query: UpdateQuery, update_type: str, ctx: RenderContext) -> str:
        return "    </addons>" if self._wrapped(query, ctx) else ""

    def inner(self, query: UpdateQuery, update_type: str, ctx: RenderContext) -> list[str]:
        if self.data.get("addons") is None:
            return []
        addons = self.data["addons"]
        return [_addon_line(addon, url, self.data, entry, addons[addon].get("version"), "/")
                for addon, url, entry in self._served(query, ctx)]


class SuperBlob(XMLBlob):
    """Names the products (``products``) or releases (``blobs``) whose blobs fill its ``<addons>``."""

    def header(self, query: UpdateQuery, update_type: str, ctx: RenderContext) -> str:
        return "    <addons>"

    def footer(self, query: UpdateQuery, update_type: str, ctx: RenderContext) -> str:
        return "    </addons>"

    def inner(self, query: UpdateQuery, update_type: str, ctx: RenderContext) -> list[str]:
        return []

    def response_products(self) -> list[str] | None:
        return self.data.get("products")

    def response_blobs(self) -> list[str] | None:
        return self.data.get("blobs")

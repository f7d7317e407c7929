"""Balrog's domain allowlist: which hosts may serve a product's files.

Balrog never points a client at a host that is not allowlisted for the
requesting product; a patch or add-on whose URL fails the check is left out of
update.xml. An entry maps a host either to the products it serves, or to
path patterns (full-match regular expressions), each with its products.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import urlparse

log = logging.getLogger(__name__)

Products = Sequence[str]
Allowlist = Mapping[str, Products | Mapping[str, Products]]

# Balrog's production list (its public app's configuration).
PRODUCTION_ALLOWLIST: dict[str, Products | dict[str, Products]] = {
    "download.mozilla.org": ("Firefox", "Fennec", "Devedition", "Thunderbird"),
    "archive.mozilla.org": ("Firefox", "Fennec", "Devedition", "Thunderbird", "FirefoxVPN", "SystemAddons"),
    "download.cdn.mozilla.net": ("Firefox", "Fennec"),
    "ciscobinary.openh264.org": ("OpenH264",),
    "cdmdownload.adobe.com": ("CDM",),
    "clients2.googleusercontent.com": ("Widevine",),
    "edgedl.me.gvt1.com": ("Widevine", "Widevine-L1"),
    "redirector.gvt1.com": ("Widevine", "Widevine-L1"),
    "www.google.com": {r"/dl/release2/chrome_component/[\w\.]+/[\w\.]+\.crx3": ("Widevine", "Widevine-L1")},
    "ftp.mozilla.org": ("SystemAddons",),
    "fpn.firefox.com": ("FirefoxVPN", "Guardian"),
    "vpn.mozilla.org": ("FirefoxVPN", "Guardian"),
}

# Hosts that get the client's force=1/-1 passed on (download.mozilla.org counts forced downloads).
PRODUCTION_SPECIAL_FORCE_HOSTS: tuple[str, ...] = ("http://download.mozilla.org",)


def is_forbidden_url(url: str, product: str, allowlist: Allowlist) -> bool:
    """May ``product`` be sent to ``url``? ``True`` means no: the host, or its path, is not allowed."""
    parsed = urlparse(url)
    entry = allowlist.get(parsed.netloc)
    if entry is None:
        log.warning("forbidden domain: %s", parsed.netloc)
        return True
    if isinstance(entry, Mapping):
        for pattern, products in entry.items():
            if re.fullmatch(pattern, parsed.path):
                return product not in products
        return True
    if isinstance(entry, (list, tuple)):
        return product not in entry
    log.warning("malformed allowlist entry for %s", parsed.netloc)
    return True


def with_force(url: str, force: str | None, special_hosts: Sequence[str]) -> str:
    """``url`` with ``force=…`` appended when the client forced and the host counts forced downloads."""
    if force and any(url.startswith(host) for host in special_hosts):
        return f"{url}{'&' if '?' in url else '?'}force={force}"
    return url


def _blob_urls(blob: Mapping[str, Any]) -> Iterator[str]:
    """Every URL of ``blob`` a client may be sent to download from, by Balrog's ``containsForbiddenDomain``.

    A desupport blob's ``detailsURL`` and a v9 ``updateLine``'s links are
    pages, not downloads: Balrog leaves them out, and so does this.
    """
    version = blob.get("schema_version")
    if version == 1000:  # GMP: each vendor's platforms, and their mirrors
        for vendor in (blob.get("vendors") or {}).values():
            for platform in (vendor.get("platforms") or {}).values():
                if "fileUrl" in platform:
                    yield platform["fileUrl"]
                yield from platform.get("mirrorUrls") or ()
        return
    if version == 5000:  # system add-ons
        for addon in (blob.get("addons") or {}).values():
            for platform in (addon.get("platforms") or {}).values():
                if "fileUrl" in platform:
                    yield platform["fileUrl"]
        return
    if version == 10000:  # Guardian
        for platform in (blob.get("platforms") or {}).values():
            yield platform.get("fileUrl", "")
        return
    if version in (50, 4000):  # desupport and superblobs carry no download URL
        return
    for by_channel in (blob.get("fileUrls") or {}).values():
        if isinstance(by_channel, Mapping):  # v4+: channel -> partials/completes -> from -> URL
            for by_from in by_channel.values():
                yield from by_from.values()
        else:
            yield by_channel
    for platform in (blob.get("platforms") or {}).values():
        for locale in (platform.get("locales") or {}).values():
            for kind in ("partial", "complete"):
                if "fileUrl" in (locale.get(kind) or {}):
                    yield locale[kind]["fileUrl"]
            for kind in ("partials", "completes"):
                for update in locale.get(kind) or ():
                    if "fileUrl" in update:
                        yield update["fileUrl"]


def contains_forbidden_domain(blob: Mapping[str, Any], product: str, allowlist: Allowlist) -> bool:
    """Whether a release write must be refused: one of the blob's download URLs is not allowed for ``product``.

    Balrog checks this on every release write (``Blob.validate``), so a
    release can never hold a URL its updates would have to leave out.
    """
    return any(is_forbidden_url(str(url), product, allowlist) for url in _blob_urls(blob))

"""Balrog's ``update.xml`` for an app release blob, as Firefox's updater reads it.

Supported blob shapes are the "apprelease" schemas 4, 5, 6, 8 and 9 (Gecko 4+
with ``completes``/``partials`` lists and the unified ``fileUrls`` block).
Anything else (schema 1–3, 7, desupport, GMP, system add-ons, superblobs)
renders as "no update" rather than as a guess; :data:`SUPPORTED_SCHEMA_VERSIONS`
is the single place that says so.

Pure: a partial's ``from`` release is fetched through a caller-supplied
``lookup_release`` so this module never touches storage.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any
from urllib.parse import urlparse
from xml.sax.saxutils import escape

from chalicelib.balrog.matching import (
    InvalidVersion,
    MozillaVersion,
    UpdateQuery,
    build_id_matches,
    channel_matches,
    fallback_channel,
    version_matches,
)

Blob = Mapping[str, Any]
ReleaseLookup = Callable[[str], Blob | None]

SUPPORTED_SCHEMA_VERSIONS = frozenset({4, 5, 6, 8, 9})

XML_DECLARATION = '<?xml version="1.0"?>'

# Optional <update> attributes copied from the blob's top level, per schema
# (v6 dropped billboardURL; v8 added the binary-transparency fields).
_V4_OPTIONAL = ("billboardURL", "showPrompt", "showNeverForVersion", "actions", "openURL", "notificationURL",
                "alertURL")
_V6_OPTIONAL = ("showPrompt", "showNeverForVersion", "actions", "openURL", "notificationURL", "alertURL",
                "promptWaitTime")
_OPTIONAL_ATTRIBUTES: dict[int, tuple[str, ...]] = {
    4: _V4_OPTIONAL,
    5: (*_V4_OPTIONAL, "promptWaitTime"),
    6: _V6_OPTIONAL,
    8: (*_V6_OPTIONAL, "binTransMerkleRoot", "binTransCertificate", "binTransSCTList"),
}
# Attributes in which %LOCALE% is replaced by the requesting locale.
_INTERPOLABLE: dict[int, tuple[str, ...]] = {
    4: ("billboardURL", "openURL", "notificationURL", "alertURL"),
    5: ("billboardURL", "openURL", "notificationURL", "alertURL"),
    6: ("openURL", "notificationURL", "alertURL"),
    8: ("openURL", "notificationURL", "alertURL"),
    9: ("openURL", "notificationURL", "alertURL", "detailsURL"),
}


def empty_update_xml() -> str:
    """The answer when there is no update: always valid XML, always 200."""
    return f"{XML_DECLARATION}\n<updates>\n</updates>"


def _attr(value: Any) -> str:
    """An attribute value, escaped and double-quoted; booleans as true/false like Balrog."""
    if isinstance(value, bool):
        value = str(value).lower()
    return '"' + escape(str(value), {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}) + '"'


def _attributes(pairs: list[tuple[str, Any]]) -> str:
    return "".join(f" {name}={_attr(value)}" for name, value in pairs)


def _localise(text: str, locale: str) -> str:
    return text.replace("%LOCALE%", locale).replace("%locale%", locale)


# --------------------------------------------------------------------------
# Looking things up in a blob
# --------------------------------------------------------------------------

def schema_version(blob: Blob) -> int | None:
    """The blob's schema version as an int, or ``None`` if it has none that makes sense."""
    value = blob.get("schema_version")
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _platform(blob: Blob, build_target: str) -> Mapping[str, Any] | None:
    """The platform entry, following one ``alias`` hop as Balrog does."""
    platforms = blob.get("platforms") or {}
    entry = platforms.get(build_target)
    if entry is None:
        return None
    alias = entry.get("alias")
    return platforms.get(alias) if alias else entry


def _locale(blob: Blob, build_target: str, locale: str) -> Mapping[str, Any] | None:
    platform = _platform(blob, build_target)
    if platform is None:
        return None
    return (platform.get("locales") or {}).get(locale)


def build_id(blob: Blob, build_target: str, locale: str) -> str | None:
    """The release's buildID for that platform/locale (locale first, then platform), or ``None``."""
    platform = _platform(blob, build_target)
    locale_data = _locale(blob, build_target, locale)
    if platform is None or locale_data is None:
        return None
    value = locale_data.get("buildID", platform.get("buildID"))
    return None if value is None else str(value)


def _locale_or_top(blob: Blob, locale_data: Mapping[str, Any], key: str) -> Any:
    return locale_data[key] if key in locale_data else blob.get(key)


def should_serve_update(blob: Blob, query: UpdateQuery) -> bool:
    """Is this release newer than the requesting build?

    Balrog's rule, kept: a higher ``appVersion`` wins whatever the buildIDs;
    the same version needs a strictly newer buildID; an older version never
    updates. Unknown platform/locale, no ``appVersion`` or an unparseable
    version mean "no update".
    """
    if schema_version(blob) not in SUPPORTED_SCHEMA_VERSIONS:
        return False
    locale_data = _locale(blob, query.buildTarget, query.locale)
    release_build_id = build_id(blob, query.buildTarget, query.locale)
    if locale_data is None or release_build_id is None:
        return False
    app_version = _locale_or_top(blob, locale_data, "appVersion")
    if not app_version:
        return False
    try:
        release_version = MozillaVersion.parse(str(app_version))
        query_version = MozillaVersion.parse(query.version)
    except InvalidVersion:
        return False
    if query_version > release_version:
        return False
    if query_version == release_version:
        return query.buildID < release_build_id
    return True


# --------------------------------------------------------------------------
# <update> line
# --------------------------------------------------------------------------

def _update_line_v4_to_v8(blob: Blob, query: UpdateQuery, update_type: str, version: int) -> str:
    locale_data = _locale(blob, query.buildTarget, query.locale) or {}
    pairs: list[tuple[str, Any]] = [
        ("type", update_type),
        ("displayVersion", _locale_or_top(blob, locale_data, "displayVersion")),
        ("appVersion", _locale_or_top(blob, locale_data, "appVersion")),
        ("platformVersion", _locale_or_top(blob, locale_data, "platformVersion")),
        ("buildID", build_id(blob, query.buildTarget, query.locale)),
    ]
    # Balrog prints "None" for a missing platformVersion (schema 6 dropped it);
    # Shipyard leaves absent attributes out instead.
    pairs = [(name, value) for name, value in pairs if value is not None]
    if "detailsUrl" in blob:
        pairs.append(("detailsURL", _localise(str(blob["detailsUrl"]), query.locale)))
    if "licenseUrl" in blob:
        pairs.append(("licenseURL", _localise(str(blob["licenseUrl"]), query.locale)))
    if locale_data.get("isOSUpdate"):
        pairs.append(("isOSUpdate", True))
    for name in _OPTIONAL_ATTRIBUTES[version]:
        if name in blob:
            value = blob[name]
            if name in _INTERPOLABLE[version]:
                value = _localise(str(value), query.locale)
            pairs.append((name, value))
    return f"    <update{_attributes(pairs)}>"


def _update_line_group_applies(conditions: Mapping[str, Any], query: UpdateQuery) -> bool:
    """Does a schema-9 ``updateLine`` group's ``for`` block cover this query? (Empty = always.)"""
    for condition, values in conditions.items():
        if condition == "channels":
            ok = any(channel_matches(value, query.channel) for value in values)
        elif condition == "locales":
            ok = query.locale in values
        elif condition == "versions":
            ok = any(version_matches(value, query.version) for value in values)
        elif condition == "buildIDs":
            ok = any(build_id_matches(value, query.buildID) for value in values)
        else:
            ok = False  # an unknown condition never holds, as in Balrog
        if not ok:
            return False
    return True


def _update_line_v9(blob: Blob, query: UpdateQuery, update_type: str) -> str:
    locale_data = _locale(blob, query.buildTarget, query.locale) or {}
    attrs: dict[str, Any] = {
        "appVersion": _locale_or_top(blob, locale_data, "appVersion"),
        "displayVersion": _locale_or_top(blob, locale_data, "displayVersion"),
        "buildID": build_id(blob, query.buildTarget, query.locale),
        "type": update_type,  # an updateLine group may override the rule's type
    }
    for group in blob.get("updateLine") or []:
        if _update_line_group_applies(group.get("for") or {}, query):
            attrs.update(group.get("fields") or {})
    for name in _INTERPOLABLE[9]:
        if name in attrs and attrs[name] is not None:
            attrs[name] = _localise(str(attrs[name]), query.locale)
    pairs = [(name, attrs[name]) for name in sorted(attrs) if attrs[name] is not None]
    return f"    <update{_attributes(pairs)}>"


# --------------------------------------------------------------------------
# <patch> lines
# --------------------------------------------------------------------------

def _was_built_from(from_blob: Blob, query: UpdateQuery) -> bool:
    """Is the requesting build the ``from`` release of a partial (same buildID)?"""
    if query.buildTarget not in (from_blob.get("platforms") or {}):
        return False
    return build_id(from_blob, query.buildTarget, query.locale) == query.buildID


def _file_url(blob: Blob, query: UpdateQuery, patch_key: str, patch: Mapping[str, Any]) -> str | None:
    """The MAR URL: the patch's own ``fileUrl``, else ``fileUrls`` by channel.

    Channel preference is the query channel, its ``-cck-`` fallback, then
    ``*``; the first channel block that exists is used even if it lacks this
    patch (Balrog's rule, so a channel can opt out of the catch-all).
    """
    if patch.get("fileUrl"):
        return str(patch["fileUrl"])
    file_urls = blob.get("fileUrls") or {}
    url = None
    for channel in (query.channel, fallback_channel(query.channel), "*"):
        block = file_urls.get(channel)
        if block:
            url = (block.get(patch_key) or {}).get(patch.get("from"))
            break
    if not url:
        return None
    url = _localise(str(url), query.locale)
    platform = _platform(blob, query.buildTarget) or {}
    for key in ("OS_FTP", "OS_BOUNCER"):
        if key in platform:
            url = url.replace(f"%{key}%", str(platform[key])).replace(f"%{key.lower()}%", str(platform[key]))
    return url


def _patch_line(
    blob: Blob,
    query: UpdateQuery,
    patch_key: str,
    patch_type: str,
    patch: Mapping[str, Any],
    lookup_release: ReleaseLookup | None,
    allowed_domains: Collection[str] | None,
) -> str | None:
    from_name = patch.get("from")
    if from_name != "*":
        # A named "from" release must exist and be exactly the requesting build.
        from_blob = lookup_release(from_name) if (lookup_release and from_name) else None
        if from_blob is None or not _was_built_from(from_blob, query):
            return None
    url = _file_url(blob, query, patch_key, patch)
    if url is None or "hashValue" not in patch or "filesize" not in patch:
        return None
    if allowed_domains is not None and urlparse(url).netloc not in allowed_domains:
        return None
    pairs: list[tuple[str, Any]] = [
        ("type", patch_type),
        ("URL", url),
        ("hashFunction", blob.get("hashFunction")),
        ("hashValue", patch["hashValue"]),
        ("size", patch["filesize"]),
    ]
    if schema_version(blob) in (8, 9) and "binTransInclusionProof" in patch:
        pairs.append(("binTransInclusionProof", patch["binTransInclusionProof"]))
    return f"        <patch{_attributes(pairs)}/>"


def _patch_lines(
    blob: Blob, query: UpdateQuery, lookup_release: ReleaseLookup | None, allowed_domains: Collection[str] | None
) -> list[str]:
    """At most one complete and one partial: the first of each list that applies."""
    locale_data = _locale(blob, query.buildTarget, query.locale) or {}
    lines = []
    for patch_key, patch_type in (("completes", "complete"), ("partials", "partial")):
        for patch in locale_data.get(patch_key) or []:
            line = _patch_line(blob, query, patch_key, patch_type, patch, lookup_release, allowed_domains)
            if line:
                lines.append(line)
                break
    return lines


def render_update_xml(
    blob: Blob | None,
    query: UpdateQuery,
    update_type: str = "minor",
    *,
    lookup_release: ReleaseLookup | None = None,
    allowed_domains: Collection[str] | None = None,
) -> str:
    """The full ``update.xml`` for ``query`` against the release ``blob``.

    ``update_type`` is the chosen rule's. ``lookup_release(name)`` returns a
    release blob (or ``None``) so partials ``from`` a named release can be
    offered; without it only ``from: "*"`` patches are. ``allowed_domains``,
    when given, drops patches whose URL host is not listed (Balrog's domain
    allowlist). No blob, an unsupported schema, a release that is not newer,
    an unknown platform/locale, or no usable patch → the empty document
    (Balrog would emit an <update> without patches or fail in the last case).
    """
    if blob is None or not should_serve_update(blob, query):
        return empty_update_xml()
    patches = _patch_lines(blob, query, lookup_release, allowed_domains)
    if not patches:
        return empty_update_xml()
    version = schema_version(blob)
    if version == 9:
        update_line = _update_line_v9(blob, query, update_type)
    else:
        update_line = _update_line_v4_to_v8(blob, query, update_type, version or 4)
    return "\n".join([XML_DECLARATION, "<updates>", update_line, *patches, "    </update>", "</updates>"])

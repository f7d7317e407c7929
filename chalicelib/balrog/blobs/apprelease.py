"""Firefox/Thunderbird app releases, schemas 1–9: the ``<update>`` line and its ``<patch>`` lines.

The schemas differ in three places, each modelled as Balrog splits them:
how the version is named (schema 1: ``appv``/``extv``; later ``appVersion``
and friends; schema 9 moves most ``<update>`` attributes into ``updateLine``
groups), where patches live (one ``complete``/``partial`` per locale up to
schema 2, lists since 3), and where MAR URLs come from (one template per
channel up to schema 3, a channel → patch → from table since 4).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from chalicelib.balrog.blobs.base import BalrogWouldFail, BlobData, RenderContext, XMLBlob
from chalicelib.balrog.blobs.xml_text import attribute, lowered, text
from chalicelib.balrog.domains import is_forbidden_url, with_force
from chalicelib.balrog.matching import UpdateQuery, build_id_matches, channel_matches, fallback_channel, version_matches
from chalicelib.balrog.query_errors import BadUpdateQuery
from chalicelib.balrog.versions import MozillaVersion

_PIN_RE = re.compile(r"^(\d+)\.((\d+)\.)?$")

# Optional <update> attributes copied from the blob's top level, per schema.
_V2_OPTIONAL = ("billboardURL", "showPrompt", "showNeverForVersion", "actions", "openURL", "notificationURL",
                "alertURL")
_V6_OPTIONAL = ("showPrompt", "showNeverForVersion", "actions", "openURL", "notificationURL", "alertURL",
                "promptWaitTime")
OPTIONAL_ATTRIBUTES: dict[int, tuple[str, ...]] = {
    2: _V2_OPTIONAL, 3: _V2_OPTIONAL, 4: _V2_OPTIONAL,
    5: (*_V2_OPTIONAL, "promptWaitTime"),
    6: _V6_OPTIONAL,
    8: (*_V6_OPTIONAL, "binTransMerkleRoot", "binTransCertificate", "binTransSCTList"),
}
# Attributes in which %LOCALE% is replaced by the requesting locale.
_V2_INTERPOLABLE = ("billboardURL", "openURL", "notificationURL", "alertURL")
INTERPOLABLE: dict[int, tuple[str, ...]] = {
    2: _V2_INTERPOLABLE, 3: _V2_INTERPOLABLE, 4: _V2_INTERPOLABLE, 5: _V2_INTERPOLABLE,
    6: ("openURL", "notificationURL", "alertURL"),
    8: ("openURL", "notificationURL", "alertURL"),
    9: ("openURL", "notificationURL", "alertURL", "detailsURL"),
}
SCHEMAS = (1, 2, 3, 4, 5, 6, 8, 9)


def localised(value: str, locale: str) -> str:
    return value.replace("%LOCALE%", locale).replace("%locale%", locale)


class AppRelease(XMLBlob):
    """One app release blob; ``schema`` picks the rendering Balrog uses for it."""

    def __init__(self, data: BlobData, schema: int) -> None:
        super().__init__(data)
        self.schema = schema

    # ------------------------------------------------------------------
    # Looking things up (Balrog's 400s where it blames the query)
    # ------------------------------------------------------------------

    @property
    def platforms(self) -> Mapping[str, Any]:
        platforms = self.data.get("platforms")
        return platforms if isinstance(platforms, Mapping) else {}

    def resolved_platform(self, platform: str) -> str:
        if platform not in self.platforms:
            raise BadUpdateQuery("Can't find platform '%s'", platform)
        return self.platforms[platform].get("alias", platform)

    def platform_data(self, platform: str) -> Mapping[str, Any]:
        resolved = self.resolved_platform(platform)
        if resolved not in self.platforms:
            raise BadUpdateQuery("Can't find platform '%s'", resolved)
        return self.platforms[resolved]

    def locale_data(self, platform: str, locale: str) -> Mapping[str, Any]:
        locales = self.platform_data(platform).get("locales") or {}
        if locale not in locales:
            raise BadUpdateQuery("Can't find locale '%s' in '%s'", locale, platform)
        return locales[locale]

    def locale_or_top(self, platform: str, locale: str, param: str) -> Any:
        """The locale's value, else the blob's top-level one, else ``None``."""
        try:
            locale_data = self.platforms[self.resolved_platform(platform)]["locales"][locale]
            return locale_data[param]
        except (BadUpdateQuery, KeyError, TypeError):
            return self.data.get(param)

    def build_id(self, platform: str, locale: str) -> Any:
        resolved = self.resolved_platform(platform)
        platform_entry = self.platforms.get(resolved) or {}
        if locale not in (platform_entry.get("locales") or {}):
            raise BadUpdateQuery(f"No such locale '{locale}' in platform '{resolved}'")
        locale_entry = platform_entry["locales"][locale]
        if "buildID" in locale_entry:
            return locale_entry["buildID"]
        if "buildID" not in platform_entry:
            raise BadUpdateQuery(f"No buildID for platform '{resolved}'")
        return platform_entry["buildID"]

    def application_version(self, platform: str, locale: str) -> Any:
        return self.locale_or_top(platform, locale, "extv" if self.schema == 1 else "appVersion")

    # ------------------------------------------------------------------
    # Is it an update?
    # ------------------------------------------------------------------

    def should_serve(self, query: UpdateQuery) -> bool:
        """Newer version, or the same version with a newer buildID; pins validated."""
        release_version_text = self.application_version(query.buildTarget, query.locale)
        if not release_version_text:
            return False
        release_version = MozillaVersion.parse(release_version_text)
        query_version = MozillaVersion.parse(query.version)
        if query_version > release_version:
            return False
        if release_version == query_version:  # the release on the left, as Balrog compares
            # Balrog compares the buildIDs as they are stored; a JSON-number
            # buildID makes it fail there, Shipyard compares it as text.
            if query.buildID >= str(self.build_id(query.buildTarget, query.locale)):
                return False
        if query.buildTarget not in self.platforms:
            return False
        if query.pin is not None and not _PIN_RE.match(query.pin):
            raise BadUpdateQuery(f"Version Pin String '{query.pin}' is invalid.")
        return True

    def matches_build(self, query: UpdateQuery, platforms: list[str]) -> bool:
        """Was the requesting build this release (the "from" of a partial) on any of ``platforms``?"""
        for platform in platforms:
            if platform in self.platforms:
                try:
                    if query.buildID == self.build_id(platform, query.locale):
                        return True
                except BadUpdateQuery:
                    continue
        return False

    # ------------------------------------------------------------------
    # <update>
    # ------------------------------------------------------------------

    def header(self, query: UpdateQuery, update_type: str, ctx: RenderContext) -> str:
        if self.schema == 1:
            return self._update_line_v1(query, update_type)
        if self.schema == 9:
            return self._update_line_v9(query, update_type)
        return self._update_line_new_style(query, update_type)

    def footer(self, query: UpdateQuery, update_type: str, ctx: RenderContext) -> str:
        return "    </update>"

    def _details_and_license(self, locale: str) -> str:
        line = ""
        if "detailsUrl" in self.data:
            line += attribute("detailsURL", localised(str(self.data["detailsUrl"]), locale))
        if "licenseUrl" in self.data:
            line += attribute("licenseURL", localised(str(self.data["licenseUrl"]), locale))
        return line

    def _update_line_v1(self, query: UpdateQuery, update_type: str) -> str:
        bt, locale = query.buildTarget, query.locale
        appv = text(self.locale_or_top(bt, locale, "appv"))
        extv = text(self.locale_or_top(bt, locale, "extv"))
        build_id = self.build_id(bt, locale)
        line = (f'    <update type="{text(update_type)}" version="{appv}" extensionVersion="{extv}"'
                f' buildID="{text(build_id)}"' + self._details_and_license(locale) + ">")
        if self.data.get("oldVersionSpecialCases"):
            # Firefox 2.0–3.6 must not prompt for add-on compatibility: they
            # get their own version back, or no extensionVersion (bug 998721).
            asked = MozillaVersion.parse(query.version)
            own = text(query.version)
            if MozillaVersion.parse("2.0") <= asked < MozillaVersion.parse("3.5"):
                line = line.replace(f'version="{appv}"', f'version="{own}"')
                line = line.replace(f'extensionVersion="{extv}" ', "")
            elif MozillaVersion.parse("3.5") <= asked < MozillaVersion.parse("3.6"):
                line = line.replace(f'extensionVersion="{extv}" ', "")
            elif MozillaVersion.parse("3.6") <= asked < MozillaVersion.parse("4.0"):
                line = line.replace(f'extensionVersion="{extv}"', f'extensionVersion="{own}"')
        return line

    def _update_line_new_style(self, query: UpdateQuery, update_type: str) -> str:
        bt, locale = query.buildTarget, query.locale
        display_version = self.locale_or_top(bt, locale, "displayVersion")
        app_version = self.locale_or_top(bt, locale, "appVersion")
        platform_version = self.locale_or_top(bt, locale, "platformVersion")
        build_id = self.build_id(bt, locale)
        locale_data = self.locale_data(bt, locale)
        # A missing value prints as "None", as Balrog's formatting does.
        line = (f'    <update type="{text(update_type)}" displayVersion="{text(display_version)}"'
                f' appVersion="{text(app_version)}" platformVersion="{text(platform_version)}"'
                f' buildID="{text(build_id)}"')
        line += self._details_and_license(locale)
        if locale_data.get("isOSUpdate"):
            line += ' isOSUpdate="true"'
        for name in OPTIONAL_ATTRIBUTES[self.schema]:
            if name in self.data:
                value = self.data[name]
                if name in INTERPOLABLE[self.schema]:
                    value = localised(str(value), locale)
                line += attribute(name, lowered(value))
        return line + ">"

    def _update_line_group_applies(self, conditions: Mapping[str, Any], query: UpdateQuery) -> bool:
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

    def _update_line_v9(self, query: UpdateQuery, update_type: str) -> str:
        bt, locale = query.buildTarget, query.locale
        attrs: dict[str, Any] = {
            "appVersion": self.locale_or_top(bt, locale, "appVersion"),
            "displayVersion": self.locale_or_top(bt, locale, "displayVersion"),
            "buildID": self.build_id(bt, locale),
            "type": update_type,  # an updateLine group may override the rule's type
        }
        for group in self.data.get("updateLine") or []:
            if self._update_line_group_applies(group.get("for") or {}, query):
                attrs.update(group.get("fields") or {})
        for name in INTERPOLABLE[9]:
            if name in attrs:
                attrs[name] = localised(str(attrs[name]), locale)
        names = sorted(name for name in attrs if isinstance(name, str))
        return "    <update" + "".join(attribute(name, lowered(attrs[name])) for name in names) + ">"

    # ------------------------------------------------------------------
    # <patch>
    # ------------------------------------------------------------------

    def inner(self, query: UpdateQuery, update_type: str, ctx: RenderContext) -> list[str]:
        """At most one complete and one partial: the first of each that applies."""
        locale_data = self.locale_data(query.buildTarget, query.locale)
        lines = []
        if self.schema in (1, 2):
            for key in ("complete", "partial"):
                patch = locale_data.get(key)
                if patch:
                    line = self._patch_line(key, key, patch, query, ctx)
                    if line:
                        lines.append(line)
            return lines
        for key, patch_type in (("completes", "complete"), ("partials", "partial")):
            for patch in locale_data.get(key) or []:
                line = self._patch_line(key, patch_type, patch, query, ctx)
                if line:
                    lines.append(line)
                    break
        return lines

    def _aliases(self, build_target: str) -> list[str]:
        """The requesting platform and every platform aliased to the same one (partials look for all)."""
        unaliased = self.platforms[build_target].get("alias", build_target)
        family = [unaliased] + [name for name, entry in self.platforms.items()
                                if entry.get("alias", "") == unaliased and name != unaliased]
        return [build_target, *family]

    def _patch_line(self, patch_key: str, patch_type: str, patch: Mapping[str, Any], query: UpdateQuery,
                    ctx: RenderContext) -> str | None:
        from_name = patch.get("from")
        if from_name != "*":
            from_data = ctx.lookup_release(str(from_name)) if from_name else None
            if from_data is None:
                return None  # the "from" release is not in the database
            from_release = release_blob(from_data)
            if from_release is None or not from_release.matches_build(query, self._aliases(query.buildTarget)):
                return None
        url = self._url(patch_key, patch_type, patch, query)
        if url is None or is_forbidden_url(url, query.product, ctx.allowlist):
            return None
        if query.force:
            url = with_force(url, query.force, ctx.special_force_hosts)
        line = (f'        <patch type="{text(patch_type)}" URL="{text(url)}"'
                f' hashFunction="{text(self.data.get("hashFunction"))}" hashValue="{text(patch.get("hashValue"))}"'
                f' size="{text(patch.get("filesize"))}"')
        if self.schema in (8, 9) and "binTransInclusionProof" in patch:
            line += attribute("binTransInclusionProof", patch["binTransInclusionProof"])
        return line + "/>"

    def _url(self, patch_key: str, patch_type: str, patch: Mapping[str, Any], query: UpdateQuery) -> str | None:
        """The MAR URL, or ``None`` when a partial has none (Balrog skips it too)."""
        if "fileUrl" in patch:
            return str(patch["fileUrl"])
        platform = self.platform_data(query.buildTarget)
        file_urls = self.data.get("fileUrls") or {}
        if self.schema <= 3:
            url = file_urls.get(query.channel, file_urls.get(fallback_channel(query.channel)))
            if url is None:
                raise BalrogWouldFail("no fileUrls entry for the channel")
            url = str(url)
            ftp_filename, bouncer_product = self._separated_names(patch_key, patch.get("from"))
            replacements = (("%LOCALE%", query.locale), ("%OS_FTP%", platform.get("OS_FTP")),
                            ("%FILENAME%", ftp_filename), ("%PRODUCT%", bouncer_product),
                            ("%OS_BOUNCER%", platform.get("OS_BOUNCER")))
        else:
            url = None
            for channel in (query.channel, fallback_channel(query.channel), "*"):
                block = file_urls.get(channel) or {}
                if block:
                    url = (block.get(patch_key) or {}).get(patch.get("from"))
                    break
            if not url:
                if patch_type == "partial":
                    return None
                raise BalrogWouldFail("no fileUrl for a complete update")
            url = str(url)
            replacements = (("%LOCALE%", query.locale), ("%OS_FTP%", platform.get("OS_FTP")),
                            ("%OS_BOUNCER%", platform.get("OS_BOUNCER")))
        for placeholders in (replacements, tuple((key.lower(), value) for key, value in replacements)):
            for placeholder, value in placeholders:
                if placeholder in url:
                    if value is None:
                        raise BalrogWouldFail(f"the platform has no value for {placeholder}")
                    url = url.replace(placeholder, str(value))
        return url

    def _separated_names(self, patch_key: str, from_name: Any) -> tuple[str, str]:
        """Schema 1–3 ``ftpFilenames``/``bouncerProducts``: per patch key, and per "from" since schema 3."""
        ftp = self.data.get("ftpFilenames") or {}
        bouncer = self.data.get("bouncerProducts") or {}
        if self.schema == 3:
            return (str((ftp.get(patch_key) or {}).get(from_name, "")),
                    str((bouncer.get(patch_key) or {}).get(from_name, "")))
        return str(ftp.get(patch_key, "")), str(bouncer.get(patch_key, ""))


def release_blob(data: BlobData) -> AppRelease | None:
    """``data`` as an app release, or ``None`` when it is some other kind of blob."""
    schema = data.get("schema_version")
    if isinstance(schema, bool) or schema not in SCHEMAS:
        return None
    return AppRelease(data, int(schema))

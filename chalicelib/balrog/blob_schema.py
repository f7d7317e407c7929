"""Release blobs checked on write, re-expressing the facts of Balrog's blob schemas (``auslib/blobs/schemas``).

What is checked, as Balrog's schemas have it: a known ``schema_version``
(app release 1–9, desupport 50, GMP 1000, superblob 4000, system add-ons
5000, Guardian 10000); only that version's top-level properties; platforms
either an alias (``{"alias": ...}``) or platform details with only
``OS_BOUNCER``, ``OS_FTP``, ``buildID`` and ``locales``; every locale an
object; a locale's partials and completes (``partial``/``complete`` in
version 1) objects with a ``filesize`` of digits.

Deliberately not (yet) checked: ``hashFunction`` being present, and each
version's locale-level property list.
"""

from __future__ import annotations

from typing import Any

import jsonschema

APP_RELEASE_PROPERTIES: dict[int, tuple[str, ...]] = {
    1: ("appv", "bouncerProducts", "detailsUrl", "extv", "fakePartials", "fileUrls", "ftpFilenames", "hashFunction",
        "licenseUrl", "name", "oldVersionSpecialCases", "platforms", "product", "schema_version"),
    2: ("actions", "alertURL", "appVersion", "billboardURL", "bouncerProducts", "detailsUrl", "displayVersion",
        "fileUrls", "ftpFilenames", "hashFunction", "licenseUrl", "name", "notificationURL", "openURL",
        "platformVersion", "platforms", "product", "schema_version", "showNeverForVersion", "showPrompt"),
    4: ("actions", "alertURL", "appVersion", "billboardURL", "detailsUrl", "displayVersion", "fileUrls",
        "hashFunction", "licenseUrl", "name", "notificationURL", "openURL", "platformVersion", "platforms", "product",
        "schema_version", "showNeverForVersion", "showPrompt"),
    6: ("actions", "alertURL", "appVersion", "detailsUrl", "displayVersion", "fileUrls", "hashFunction", "name",
        "notificationURL", "openURL", "platforms", "product", "promptWaitTime", "schema_version",
        "showNeverForVersion", "showPrompt"),
    9: ("appVersion", "binTransCertificate", "binTransMerkleRoot", "binTransSCTList", "displayVersion", "fileUrls",
        "hashFunction", "name", "platforms", "product", "schema_version", "updateLine"),
}
APP_RELEASE_PROPERTIES[3] = APP_RELEASE_PROPERTIES[2]
APP_RELEASE_PROPERTIES[5] = (*APP_RELEASE_PROPERTIES[4], "promptWaitTime")
APP_RELEASE_PROPERTIES[7] = APP_RELEASE_PROPERTIES[6]
APP_RELEASE_PROPERTIES[8] = (*APP_RELEASE_PROPERTIES[6], "binTransCertificate", "binTransMerkleRoot",
                             "binTransSCTList")

OTHER_PROPERTIES: dict[int, tuple[str, ...]] = {
    50: ("detailsUrl", "displayVersion", "name", "product", "schema_version"),
    1000: ("hashFunction", "name", "product", "schema_version", "vendors"),
    4000: ("blobs", "name", "product", "products", "schema_version"),
    5000: ("addons", "hashFunction", "name", "product", "schema_version", "uninstall"),
    10000: ("hashFunction", "name", "platforms", "product", "required", "schema_version", "version"),
}

DIGITS = {"oneOf": [{"type": "integer", "minimum": 0}, {"type": "string", "pattern": "^[0-9]+$"}]}
UPDATE = {"type": "object", "properties": {"filesize": DIGITS, "from": {"type": "string"},
                                           "hashValue": {"type": "string"}, "fileUrl": {"type": "string"}}}


def _locale(version: int) -> dict[str, Any]:
    if version == 1:
        return {"type": "object", "properties": {"partial": UPDATE, "complete": UPDATE}}
    return {"type": "object", "properties": {"partials": {"type": "array", "items": UPDATE},
                                             "completes": {"type": "array", "items": UPDATE}}}


def _app_release(version: int) -> dict[str, Any]:
    platform = {"oneOf": [
        {"type": "object", "required": ["alias"], "properties": {"alias": {"type": "string"}}},
        {"type": "object", "additionalProperties": False, "properties": {
            "OS_BOUNCER": {"type": "string"}, "OS_FTP": {"type": "string"},
            "buildID": {"oneOf": [{"type": "string", "pattern": "^[0-9]*$"}, {"type": "integer"}]},
            "locales": {"type": "object", "additionalProperties": _locale(version)}}},
    ]}
    return {"type": "object", "required": ["name", "schema_version"], "additionalProperties": False,
            "properties": {**{p: {} for p in APP_RELEASE_PROPERTIES[version]},
                           "platforms": {"type": "object", "additionalProperties": platform}}}


def _other(properties: tuple[str, ...]) -> dict[str, Any]:
    return {"type": "object", "required": ["name", "schema_version"], "additionalProperties": False,
            "properties": {p: {} for p in properties}}


SCHEMAS: dict[int, dict[str, Any]] = {**{v: _app_release(v) for v in APP_RELEASE_PROPERTIES},
                                      **{v: _other(p) for v, p in OTHER_PROPERTIES.items()}}


def blob_errors(blob: dict[str, Any]) -> list[str]:
    """What is wrong with ``blob`` by Balrog's schemas (empty: nothing)."""
    version = blob.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int) or version not in SCHEMAS:
        return [f"schema_version {version!r} is not one Balrog knows: {sorted(SCHEMAS)}"]
    validator = jsonschema.Draft7Validator(SCHEMAS[version])
    return [f"{'/'.join(str(p) for p in error.absolute_path) or '(blob)'}: {error.message}"
            for error in sorted(validator.iter_errors(blob), key=lambda e: list(e.absolute_path))]

"""Release blobs checked on write, re-expressing the facts of Balrog's blob schemas (``auslib/blobs/schemas``).

What Balrog checks (``auslib/blobs/base.py``: ``createBlob`` then
``Blob.validate``, JSON Schema draft 4), restated here as data:

- ``schema_version`` set and known: app release 1–6, 8 and 9 (Balrog has a
  v7 schema but no v7 blob class, so 7 is "unknown"), desupport 50, GMP
  1000, superblob 4000, system add-ons 5000, Guardian 10000;
- per version, the only top-level properties allowed, their types, and the
  required ones (``hashFunction`` for every app release, GMP and Guardian);
- app releases: a platform is an alias or platform details (``buildID``,
  ``OS_BOUNCER``, ``OS_FTP``, ``locales``); a locale has only its version's
  fields; a v1/v2 locale has one ``partial`` and one ``complete``, v3 and
  later lists ``partials`` and ``completes``; each needs ``filesize`` (a
  number or digits), ``from`` (``"*"`` for a v1/v2 complete) and
  ``hashValue``, v8 also ``binTransInclusionProof``; nothing else;
- ``fileUrls``, ``ftpFilenames``, ``bouncerProducts`` and v9's ``updateLine``
  in their version's shape; GMP vendors and system add-ons with their
  platforms (an alias, or ``filesize``/``hashValue``/``fileUrl``).

Not checked: ``format: uri`` (Balrog's checker only tests it when an
optional library is installed). The product's domain allowlist, which
Balrog checks next, is ``domains.contains_forbidden_domain``.
"""

from __future__ import annotations

from typing import Any

import jsonschema

STRING: dict[str, Any] = {"type": "string"}
BOOLEAN: dict[str, Any] = {"type": "boolean"}
NUMBER: dict[str, Any] = {"type": "number"}
NAME = {"type": "string", "minLength": 1, "maxLength": 100}
DIGITS = {"oneOf": [{"type": "number"}, {"type": "string", "pattern": "^[0-9]*$"}]}
BUILD_ID = {"oneOf": [{"type": "string", "pattern": "^[0-9]*$"}, {"type": "number"}]}


def _map(values: dict[str, Any], keys: str = "^.+$") -> dict[str, Any]:
    """An object whose keys match ``keys`` and whose values are ``values``; nothing else."""
    return {"type": "object", "additionalProperties": False, "patternProperties": {keys: values}}


def _strict(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "additionalProperties": False, "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


def _top(version: int, properties: dict[str, Any], required: tuple[str, ...]) -> dict[str, Any]:
    return _strict({"name": NAME, "product": NAME, "schema_version": {"type": "number", "enum": [version]},
                    **properties}, ("name", "schema_version", *required))


# --- app releases (schema_version 1–9) ----------------------------------------------------------

def _update(version: int, complete: bool) -> dict[str, Any]:
    """One partial or complete update of a locale."""
    properties = {"filesize": DIGITS, "from": STRING, "hashValue": STRING, "fileUrl": STRING}
    if version <= 2 and complete:
        properties["from"] = {"type": "string", "enum": ["*"]}
    required = ("filesize", "from", "hashValue")
    if version >= 8:
        properties["binTransInclusionProof"] = STRING
    if version == 8:
        required = (*required, "binTransInclusionProof")
    return _strict(properties, required)


LOCALE_FIELDS: dict[int, tuple[str, ...]] = {
    1: ("extv", "appv"),
    2: ("isOSUpdate", "appVersion", "platformVersion", "displayVersion"),
    6: ("isOSUpdate", "appVersion", "displayVersion"),
    9: ("appVersion", "displayVersion"),
}
for _v in (3, 4, 5):
    LOCALE_FIELDS[_v] = LOCALE_FIELDS[2]
for _v in (7, 8):
    LOCALE_FIELDS[_v] = LOCALE_FIELDS[6]


def _locale(version: int) -> dict[str, Any]:
    fields: dict[str, Any] = {f: BOOLEAN if f == "isOSUpdate" else STRING for f in LOCALE_FIELDS[version]}
    fields["buildID"] = BUILD_ID
    if version <= 2:
        fields.update(partial=_update(version, False), complete=_update(version, True))
    else:
        fields.update(partials={"type": "array", "items": _update(version, False)},
                      completes={"type": "array", "items": _update(version, True)})
    return _strict(fields)


def _platforms(version: int) -> dict[str, Any]:
    alias = {"type": "object", "required": ["alias"], "properties": {"alias": STRING}}
    details = _strict({"buildID": BUILD_ID, "OS_BOUNCER": STRING, "OS_FTP": STRING,
                       "locales": _map(_locale(version))})
    return _map({"oneOf": [alias, details]})


def _file_names(version: int) -> dict[str, Any]:
    """``ftpFilenames``/``bouncerProducts``: per update type (v1–2), or per type and release (v3)."""
    if version <= 2:
        return _map(STRING, "^(partial|complete)$")
    return {"type": "object", "properties": {"partials": _map(STRING, "^.*$"), "completes": _map(STRING, "^.*$")}}


def _file_urls(version: int) -> dict[str, Any]:
    if version <= 3:
        return _map(STRING, "^.*$")
    return _map(_map(_map(STRING), "^(partials|completes)$"))


UPDATE_LINE = {"type": "array", "items": _strict({
    "for": _strict({"locales": {"type": "array", "items": STRING}, "channels": {"type": "array", "items": STRING},
                    "versions": {"type": "array", "items": STRING}, "buildIDs": {"type": "array", "items": STRING}}),
    "fields": _strict({"type": {"type": "string", "enum": ["minor", "major"]}, "detailsURL": STRING,
                       "actions": STRING, "openURL": STRING, "notificationURL": STRING, "alertURL": STRING,
                       "showPrompt": BOOLEAN, "showNeverForVersion": BOOLEAN, "promptWaitTime": NUMBER,
                       "disableBITS": {"type": "boolean", "enum": [True]},
                       "disableBackgroundUpdates": {"type": "boolean", "enum": [True]}}),
})}

# Each app release version's own top-level fields, besides name, product, schema_version, hashFunction,
# fileUrls and platforms.
_V2_FIELDS = {**{f: STRING for f in ("appVersion", "platformVersion", "displayVersion", "detailsUrl", "licenseUrl",
                                     "actions", "billboardURL", "openURL", "notificationURL", "alertURL")},
              "showPrompt": BOOLEAN, "showNeverForVersion": BOOLEAN}
_V6_FIELDS = {**{f: STRING for f in ("appVersion", "displayVersion", "detailsUrl", "actions", "openURL",
                                     "notificationURL", "alertURL")},
              "showPrompt": BOOLEAN, "showNeverForVersion": BOOLEAN, "promptWaitTime": NUMBER}
_BIN_TRANS = {f: STRING for f in ("binTransMerkleRoot", "binTransCertificate", "binTransSCTList")}
APP_RELEASE_FIELDS: dict[int, dict[str, Any]] = {
    1: {**{f: STRING for f in ("extv", "appv", "detailsUrl", "licenseUrl")},
        "fakePartials": BOOLEAN, "oldVersionSpecialCases": BOOLEAN},
    2: _V2_FIELDS, 3: _V2_FIELDS, 4: _V2_FIELDS, 5: {**_V2_FIELDS, "promptWaitTime": NUMBER},
    6: _V6_FIELDS, 8: {**_V6_FIELDS, **_BIN_TRANS},
    9: {"appVersion": STRING, "displayVersion": STRING, **_BIN_TRANS, "updateLine": UPDATE_LINE},
}


def _app_release(version: int) -> dict[str, Any]:
    properties = {"hashFunction": STRING, **APP_RELEASE_FIELDS[version], "fileUrls": _file_urls(version),
                  "platforms": _platforms(version)}
    if version <= 3:
        properties.update(ftpFilenames=_file_names(version), bouncerProducts=_file_names(version))
    return _top(version, properties, ("hashFunction",))


# --- the other blob types -----------------------------------------------------------------------

def _addon_platforms(mirrors: bool) -> dict[str, Any]:
    alias = {"type": "object", "required": ["alias"], "properties": {"alias": STRING}}
    served = {"filesize": NUMBER, "hashValue": STRING, "fileUrl": STRING}
    if mirrors:
        served["mirrorUrls"] = {"type": "array", "items": STRING}
    return {"type": "object", "patternProperties": {"^.+$": {"oneOf": [
        alias, _strict(served, ("filesize", "hashValue", "fileUrl"))]}}}


def _addons(mirrors: bool) -> dict[str, Any]:
    return {"type": "object", "patternProperties": {"^.+$": _strict(
        {"version": STRING, "platforms": _addon_platforms(mirrors)}, ("version",))}}


def _superblob() -> dict[str, Any]:
    listing = {"type": "array", "items": NAME}
    return {"type": "object", "oneOf": [_top(4000, {"products": listing}, ("products",)),
                                        _top(4000, {"blobs": listing}, ("blobs",))]}


def _system_addons() -> dict[str, Any]:
    return {"type": "object", "oneOf": [
        _top(5000, {"hashFunction": STRING, "uninstall": BOOLEAN}, ("uninstall",)),
        _top(5000, {"hashFunction": STRING, "addons": _addons(False)}, ("addons",)),
    ]}


def _guardian() -> dict[str, Any]:
    platform = _strict({"fileUrl": STRING, "hashValue": STRING}, ("fileUrl", "hashValue"))
    return _top(10000, {"version": STRING, "required": BOOLEAN, "hashFunction": STRING,
                        "platforms": {"type": "object", "patternProperties": {"^.+$": platform}}},
                ("product", "platforms", "version", "hashFunction"))


SCHEMAS: dict[int, dict[str, Any]] = {
    **{v: _app_release(v) for v in APP_RELEASE_FIELDS},
    50: _top(50, {"detailsUrl": STRING, "displayVersion": STRING}, ("detailsUrl", "displayVersion")),
    1000: _top(1000, {"hashFunction": STRING, "vendors": _addons(True)}, ("hashFunction", "vendors")),
    4000: _superblob(),
    5000: _system_addons(),
    10000: _guardian(),
}


def blob_errors(blob: dict[str, Any]) -> list[str]:
    """What is wrong with ``blob`` by Balrog's schemas (empty: nothing), in Balrog's words where it has them."""
    version = blob.get("schema_version")
    if not version:
        return ["schema_version is not set"]
    if isinstance(version, bool) or not isinstance(version, int | float) or version not in SCHEMAS:
        return ["schema_version is unknown"]
    validator = jsonschema.Draft4Validator(SCHEMAS[int(version)])
    return [error.message for error in sorted(validator.iter_errors(blob), key=lambda e: list(e.absolute_path))]

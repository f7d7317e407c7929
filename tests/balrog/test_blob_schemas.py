"""Release blobs held to Balrog's schemas per ``schema_version`` (``auslib/blobs/schemas``), and ``blob``/``data``
as the JSON strings Balrog's spec requires.

Derived from Balrog's tests in mozilla-releng/balrog: ``tests/blobs/test_base.py`` (``testMissingSchemaVersion``,
``testBadSchemaVersion``), ``tests/blobs/test_apprelease.py`` (``testSchema2WithIsOSUpdate``,
``testSchema3MultipleUpdates``, ``testSchema9CanCreateValidBlobs``), ``tests/blobs/test_gmp.py``
(``testGMPLayoutMissingVersion``) and ``tests/admin/views/test_releases.py`` (``testReleasePostInvalidBlob``,
``testNewReleasePutBadInput``); the facts each case checks are the schemas'.
"""

from __future__ import annotations

import json

import pytest

from chalicelib.balrog.blob_schema import blob_errors

API = "/balrog/api"
UPDATE = {"filesize": 1, "from": "*", "hashValue": "h"}


def _app(version: int, **fields) -> dict:
    return {"name": "n", "schema_version": version, "hashFunction": "sha512", **fields}


def _locale(version: int, **locale) -> dict:
    return _app(version, platforms={"p": {"buildID": "2017", "locales": {"l": locale}}})


@pytest.mark.parametrize("blob, error", [
    ({"name": "n"}, "schema_version is not set"),
    ({"name": "n", "schema_version": 666}, "schema_version is unknown"),
    ({"name": "n", "schema_version": 7, "hashFunction": "sha512"}, "schema_version is unknown"),
])
def test_given_no_or_an_unknown_schema_version_then_balrogs_words(blob, error):
    """Upstream: testMissingSchemaVersion, testBadSchemaVersion; Balrog has a v7 schema but no v7 blob."""
    assert blob_errors(blob) == [error]


@pytest.mark.parametrize("version", [1, 2, 3, 4, 5, 6, 8, 9, 1000])
def test_given_an_app_release_or_gmp_blob_without_hash_function_then_invalid(version):
    """Every app release schema and GMP's require ``hashFunction``."""
    blob = {"name": "n", "schema_version": version, **({"vendors": {}} if version == 1000 else {})}
    assert blob_errors(blob) == ["'hashFunction' is a required property"]


@pytest.mark.parametrize("blob", [
    _locale(1, extv="1", appv="1", partial={**UPDATE, "from": "Firefox-1"}, complete=UPDATE),
    _locale(2, isOSUpdate=True, appVersion="2", platformVersion="2", displayVersion="2", complete=UPDATE),
    _locale(3, appVersion="3", partials=[{**UPDATE, "from": "a"}, {**UPDATE, "from": "b"}], completes=[UPDATE]),
    _locale(6, isOSUpdate=False, displayVersion="6", completes=[UPDATE]),
    _locale(8, completes=[{**UPDATE, "binTransInclusionProof": "p"}]),
    _locale(9, appVersion="9", completes=[UPDATE]),
    _app(3, ftpFilenames={"partials": {"a": "f"}, "completes": {"*": "f"}}),
    _app(4, fileUrls={"release": {"completes": {"*": "http://x/y"}}}),
    _app(9, updateLine=[{"for": {"locales": ["de"], "versions": ["<50.0"]}, "fields": {"type": "minor"}}]),
    {"name": "g", "schema_version": 1000, "hashFunction": "sha512", "vendors": {"c": {"version": "1", "platforms": {
        "p": {"filesize": 2, "hashValue": "h", "fileUrl": "http://x", "mirrorUrls": ["http://m"]},
        "q": {"alias": "p"}}}}},
    {"name": "s", "schema_version": 5000, "addons": {"a": {"version": "1", "platforms": {"default": {
        "filesize": 2, "hashValue": "h", "fileUrl": "http://x"}}}}},
])
def test_given_blobs_in_their_versions_shape_then_valid(blob):
    """Upstream: testSchema2WithIsOSUpdate, testSchema3MultipleUpdates, testSchema9CanCreateValidBlobs."""
    assert blob_errors(blob) == []


@pytest.mark.parametrize("blob", [
    _locale(1, displayVersion="1"),  # a v2 locale field in v1
    _locale(1, completes=[UPDATE]),  # lists are v3 and later
    _locale(3, complete=UPDATE),  # one update is v1 and v2
    _locale(2, complete={**UPDATE, "from": "Firefox-1"}),  # a v1/v2 complete is from "*"
    _locale(4, completes=[{"filesize": 1, "from": "*"}]),  # hashValue required
    _locale(4, completes=[{**UPDATE, "junk": 1}]),
    _locale(4, completes=[{**UPDATE, "filesize": "big"}]),
    _locale(6, platformVersion="6"),  # dropped in v6
    _locale(8, completes=[UPDATE]),  # v8 needs the inclusion proof
    _locale(9, isOSUpdate=True),  # dropped in v9
    _app(4, ftpFilenames={}),  # v4 dropped ftpFilenames
    _app(1, ftpFilenames={"partials": "f"}),
    _app(4, fileUrls={"release": "http://x"}),  # v4 file URLs are per update type
    _app(9, updateLine=[{"for": {}, "fields": {"type": "sideways"}}]),
    _app(1, showPrompt=True),  # a v2 field in v1
    _app(2, promptWaitTime=5),  # v5 and later
    {"name": "g", "schema_version": 1000, "hashFunction": "sha512", "vendors": {"c": {"platforms": {}}}},
    {"name": "s", "schema_version": 5000, "uninstall": "yes"},
])
def test_given_blobs_outside_their_versions_shape_then_invalid(blob):
    """Upstream: testGMPLayoutMissingVersion and the schemas' ``additionalProperties: false`` per level."""
    assert blob_errors(blob) != []


def test_given_extra_properties_when_posted_then_400_naming_them(app_client, balrog_admin, balrog_releases):
    """Upstream: testReleasePostInvalidBlob — 400 with "Additional properties are not allowed"."""
    balrog_releases("c")
    response = app_client.http.post(f"{API}/releases/c", headers=balrog_admin, body=json.dumps(
        {"data": json.dumps({"uehont": "uhetn", "schema_version": 1}), "product": "Firefox", "data_version": 1}))
    assert response.status_code == 400
    assert "Additional properties are not allowed" in response.body.decode()


@pytest.mark.parametrize("method, path, body", [
    ("post", "/releases", {"name": "n", "product": "a", "blob": {"name": "n", "schema_version": 1,
                                                                  "hashFunction": "sha512"}}),
    ("put", "/releases/n", {"name": "n", "product": "a", "blob": {"name": "n", "schema_version": 1,
                                                                   "hashFunction": "sha512"}}),
    ("post", "/releases/n", {"product": "a", "schema_version": 1, "data": {"appv": "1"}}),
])
def test_given_a_blob_sent_as_an_object_then_400_as_balrog_requires_a_json_string(
        app_client, balrog_admin, method, path, body):
    """Balrog's spec: ``blob`` and ``data`` are ``type: string, format: JSONStringField``; connexion refuses an
    object with 400 "... is not of type 'string'" (issue 21 item 3)."""
    response = getattr(app_client.http, method)(f"{API}{path}", headers=balrog_admin, body=json.dumps(body))
    assert response.status_code == 400
    assert "is not of type 'string'" in json.loads(response.body)["detail"]
    assert app_client.http.get(f"{API}/releases/n", headers=balrog_admin).status_code == 404

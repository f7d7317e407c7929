"""Release blobs checked against Balrog's blob schemas on every write (issue 21 item 2).

Derived from Balrog's ``tests/admin/views/test_releases.py``
(``testReleasePostInvalidBlob``, ``testNewReleasePutBadInput``) and the
schemas of ``auslib/blobs/schemas``: top-level properties per
``schema_version``, a known ``schema_version``, digits for a ``filesize``,
locales as objects, partials as lists of objects.
"""

from __future__ import annotations

import json

import pytest

from chalicelib.balrog.blob_schema import blob_errors

API = "/balrog/api"


@pytest.fixture
def put(app_client, balrog_admin):
    def _put(blob: dict, name: str = "ueohueo"):
        return app_client.http.put(f"{API}/releases/{name}", headers=balrog_admin, body=json.dumps(
            {"name": name, "product": "aa", "blob": json.dumps({"name": name, **blob})}))

    return _put


def test_given_an_unknown_top_level_property_when_put_then_400_invalid_blob(put):
    """Upstream: testNewReleasePutBadInput (``"borken": "yes"`` in a version 3 blob)."""
    response = put({"schema_version": 3, "hashFunction": "sha512", "borken": "yes"})
    body = json.loads(response.body)
    assert response.status_code == 400 and body["detail"] == "Invalid Blob"
    assert "Additional properties are not allowed" in body["exception"][0]


def test_given_a_post_merging_an_unknown_property_then_400(app_client, balrog_admin, put):
    """Upstream: testReleasePostInvalidBlob."""
    assert put({"schema_version": 1, "hashFunction": "sha512"}, name="c").status_code == 201
    response = app_client.http.post(f"{API}/releases/c", headers=balrog_admin, body=json.dumps(
        {"data": json.dumps({"uehont": "uhetn", "schema_version": 1}), "product": "aa", "data_version": 1}))
    assert response.status_code == 400 and "Additional properties are not allowed" in response.body.decode()


@pytest.mark.parametrize("blob", [
    {"hashFunction": "sha512"},
    {"schema_version": 77, "hashFunction": "sha512"},
    {"schema_version": "4", "hashFunction": "sha512"},
], ids=["missing", "unknown", "a string"])
def test_given_no_known_schema_version_then_400(put, blob):
    assert put(blob).status_code == 400


def test_given_bad_locale_data_then_400(put):
    """The locale level: objects, partials as lists of objects, a filesize of digits."""
    locale = {"buildID": "20170101000000", "completes": [{"from": "*", "filesize": "big", "hashValue": "abc"}]}
    platforms = {"linux": {"locales": {"en-US": locale}}}
    assert put({"schema_version": 4, "hashFunction": "sha512", "platforms": platforms}).status_code == 400
    platforms = {"linux": {"locales": {"en-US": "not an object"}}}
    assert put({"schema_version": 4, "hashFunction": "sha512", "platforms": platforms}).status_code == 400
    platforms = {"linux": {"locales": {"en-US": {"partials": {"from": "x"}}}}}
    assert put({"schema_version": 4, "hashFunction": "sha512", "platforms": platforms}).status_code == 400
    platforms = {"linux": {"buildID": "2017", "junk": 1}}
    assert put({"schema_version": 4, "hashFunction": "sha512", "platforms": platforms}).status_code == 400


def test_given_valid_blobs_of_every_kind_then_no_errors():
    """What Balrog's schemas accept passes: app releases, desupport, GMP, superblobs, system add-ons."""
    locale = {"buildID": "20170101000000", "completes": [{"from": "*", "filesize": 1234, "hashValue": "abc"}],
              "partials": [{"from": "Firefox-51.0-build1", "filesize": "99", "hashValue": "def"}]}
    assert blob_errors({"name": "a", "schema_version": 9, "hashFunction": "sha512", "appVersion": "52.0",
                        "platforms": {"linux": {"locales": {"en-US": locale}}, "linux64": {"alias": "linux"}}}) == []
    assert blob_errors({"name": "b", "schema_version": 1, "hashFunction": "sha512", "appv": "1",
                        "platforms": {"p": {"locales": {"l": {"complete": {"filesize": 5, "from": "*",
                                                                            "hashValue": "x"}}}}}}) == []
    assert blob_errors({"name": "d", "schema_version": 50, "detailsUrl": "u", "displayVersion": "1"}) == []
    assert blob_errors({"name": "g", "schema_version": 1000, "hashFunction": "sha512", "vendors": {}}) == []
    assert blob_errors({"name": "s", "schema_version": 4000, "products": ["a"]}) == []
    assert blob_errors({"name": "sa", "schema_version": 5000, "hashFunction": "sha512", "uninstall": False}) == []

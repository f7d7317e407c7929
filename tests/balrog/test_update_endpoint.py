"""GET /balrog/update/.../update.xml: the update server's hot path over the stored rules and releases."""

from __future__ import annotations

import json

import pytest

from chalicelib.store import balrog_update_cache
from tests.balrog.test_update_xml import blob

API = "/balrog/api"
# What Firefox sends today: URL version 6, with systemCapabilities.
URL = ("/balrog/update/6/Firefox/52.0/20170301000000/WINNT_x86-msvc/en-US/release/Windows_NT%2010.0.0.0.19045%20(x64)"
       "/ISET:SSE4_2,MEM:16384,JAWS:0/default/default/update.xml")
RULE = {"priority": 100, "backgroundRate": 100, "update_type": "minor", "product": "Firefox",
        "channel": "release", "mapping": "Firefox-53.0-build1"}


@pytest.fixture
def served(app_client, balrog_admin):
    """A release and the rule that maps release-channel Firefox to it."""
    balrog_update_cache.clear()
    release = blob()
    response = app_client.http.post(f"{API}/releases", headers=balrog_admin, body=json.dumps(
        {"name": release["name"], "product": "Firefox", "blob": json.dumps(release)}))
    assert response.status_code == 201, response.body
    response = app_client.http.post(f"{API}/rules", headers=balrog_admin, body=json.dumps(RULE))
    assert response.status_code == 200, response.body
    yield int(response.body)
    balrog_update_cache.clear()


def test_given_a_matching_rule_when_an_older_build_asks_then_the_update_is_served(app_client, served):
    response = app_client.http.get(URL)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/xml")
    assert 'appVersion="53.0"' in response.body.decode()
    assert 'type="complete"' in response.body.decode()


def test_given_no_matching_rule_then_an_empty_updates_document_with_200(app_client, served):
    response = app_client.http.get(URL.replace("/release/", "/nightly/"))
    assert response.status_code == 200
    assert response.body.decode() == '<?xml version="1.0"?>\n<updates>\n</updates>'


def test_given_a_cached_product_when_asked_again_then_rules_are_not_read_again(app_client, served, aws_calls):
    app_client.http.get(URL)
    aws_calls.clear()
    app_client.http.get(URL)
    operations = [op for service, op in aws_calls if service in ("dynamodb", "s3")]
    # rules generation, the release record, the partial's from-release; no Query, no S3 read
    assert operations == ["GetItem", "GetItem", "GetItem"]


def test_given_a_rule_change_when_asked_again_then_the_new_rules_apply(app_client, served, balrog_admin):
    app_client.http.get(URL)
    current = app_client.http.get(f"{API}/rules/{served}", headers=balrog_admin).json_body
    response = app_client.http.put(f"{API}/rules/{served}", headers=balrog_admin, body=json.dumps(
        {"channel": "beta", "data_version": current["data_version"]}))
    assert response.status_code == 200, response.body
    assert "<update " not in app_client.http.get(URL).body.decode()


BASE = "/balrog/update/{v}/Firefox/52.0/20170301000000/WINNT_x86-msvc/en-US/release"
# Each URL version Balrog routes (its public OpenAPI document), as real clients send them.
VERSION_URLS = {
    1: BASE.format(v=1) + "/update.xml",
    2: BASE.format(v=2) + "/Windows_NT%2010.0/update.xml",
    3: BASE.format(v=3) + "/Windows_NT%2010.0/default/default/update.xml",
    4: BASE.format(v=4) + "/Windows_NT%2010.0/default/default/53.0/update.xml",
    5: BASE.format(v=5) + "/Windows_NT%2010.0/default/default/123456789/update.xml",
    6: BASE.format(v=6) + "/Windows_NT%2010.0/SSE3,8095/default/default/update.xml",
}


@pytest.mark.parametrize("version", sorted(VERSION_URLS))
def test_given_any_url_version_when_firefox_asks_then_it_is_routed_and_answered(app_client, served, version):
    response = app_client.http.get(VERSION_URLS[version])
    assert response.status_code == 200
    assert 'type="complete"' in response.body.decode()
    assert response.headers["Rule-ID"] == str(served)


@pytest.mark.parametrize("url", [
    BASE.format(v=6) + "/Windows_NT%2010.0/default/default/update.xml",  # nine segments: no version-6 route
    BASE.format(v=7) + "/Windows_NT%2010.0/default/default/update.xml",
])
def test_given_a_shape_no_url_version_has_when_asked_then_no_update_as_balrogs_404_handler(app_client, served, url):
    response = app_client.http.get(url)
    assert response.status_code == 200
    assert response.body.decode() == '<?xml version="1.0"?>\n<updates>\n</updates>'


def test_given_a_query_parameter_balrog_does_not_take_when_asked_then_400_problem(app_client, served):
    """Balrog's OpenAPI layer is strict: version 2 takes no pin (tests/web/test_client.py, strict_validation)."""
    response = app_client.http.get(VERSION_URLS[2] + "?pin=52.")
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "pin" in response.json_body["detail"]


def test_given_a_locale_the_release_lacks_when_asked_then_400(app_client, served):
    """Balrog's BadDataError for an unknown locale is a 400 in plain text (test_client.py testUnknownLocale...)."""
    response = app_client.http.get(VERSION_URLS[3].replace("/en-US/", "/de/"))
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/plain")


def test_given_force_when_the_mar_is_on_download_mozilla_org_then_force_is_passed_on(app_client, served):
    body = app_client.http.get(VERSION_URLS[6] + "?force=1?avast=1").body.decode()
    assert "&amp;force=1" in body


GUARDIAN = {"name": "Guardian-1.0.0.0", "product": "Guardian", "schema_version": 10000, "version": "1.0.0.0",
            "required": True, "hashFunction": "sha512",
            "platforms": {"WINNT_x86_64": {"fileUrl": "https://vpn.mozilla.org/1.0.0.0.msi", "hashValue": "abcdef"}}}


@pytest.fixture
def guardian(app_client, balrog_admin):
    balrog_update_cache.clear()
    response = app_client.http.post(f"{API}/releases", headers=balrog_admin, body=json.dumps(
        {"name": GUARDIAN["name"], "product": "Guardian", "blob": json.dumps(GUARDIAN)}))
    assert response.status_code == 201, response.body
    response = app_client.http.post(f"{API}/rules", headers=balrog_admin, body=json.dumps(
        {"priority": 100, "backgroundRate": 100, "update_type": "minor", "product": "Guardian", "channel": "release",
         "mapping": GUARDIAN["name"]}))
    assert response.status_code == 200, response.body
    yield
    balrog_update_cache.clear()


def test_given_a_guardian_release_when_an_older_vpn_client_asks_the_json_endpoint_then_it_gets_the_update(
        app_client, guardian):
    """Balrog's tests/web/test_json.py test_get_update: version, url, required, hash."""
    response = app_client.http.get("/balrog/json/1/Guardian/0.5.0.0/WINNT_x86_64/release/update.json")
    assert response.status_code == 200
    assert response.json_body == {"version": "1.0.0.0", "url": "https://vpn.mozilla.org/1.0.0.0.msi",
                                  "required": True, "hashFunction": "sha512", "hashValue": "abcdef"}
    response = app_client.http.get("/balrog/json/2/Guardian/1.0.0.0/WINNT_x86_64/release/Windows%2010/update.json")
    assert response.status_code == 404


def test_given_a_guardian_release_when_asked_for_update_xml_then_wrong_blob_type(app_client, guardian):
    response = app_client.http.get("/balrog/update/3/Guardian/0.5.0.0/1/WINNT_x86_64/en-US/release/a/default/default"
                                   "/update.xml")
    assert response.status_code == 400
    assert response.body.decode() == "Wrong blob type"

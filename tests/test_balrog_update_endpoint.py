"""GET /balrog/update/.../update.xml: the update server's hot path over the stored rules and releases."""

from __future__ import annotations

import json

import pytest

from chalicelib.store import balrog_update_cache
from tests.test_balrog_update_xml import blob

API = "/balrog/api"
URL = ("/balrog/update/6/Firefox/52.0/20170301000000/WINNT_x86-msvc/en-US/release/Windows_NT%2010.0"
       "/default/default/update.xml")
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

"""What a rule's fields may be, as Balrog's admin API checks them.

Derived from Balrog's ``tests/admin/views/test_rules.py`` (``TestRuleViews``):
a mapping names an existing release, strings are ASCII within the column's
size, locale and distribution lists are stored without whitespace, and the
ids Balrog assigns are not taken from a new rule's body.
"""

from __future__ import annotations

import json

import pytest

API = "/balrog/api"


@pytest.fixture
def post(app_client, balrog_admin, balrog_releases):
    balrog_releases("a", "c", "d")

    def _post(path: str = "/rules", **fields):
        body = {"backgroundRate": 31, "mapping": "c", "priority": 33, "product": "Firefox", "update_type": "minor",
                **fields}
        return app_client.http.post(f"{API}{path}", headers=balrog_admin, body=json.dumps(body))

    return _post


def _rule(app_client, headers, rule_id):
    return json.loads(app_client.http.get(f"{API}/rules/{rule_id}", headers=headers).body)


def test_given_a_mapping_to_no_release_when_created_then_400_naming_the_mapping(post):
    """Upstream: testInvalidMapping."""
    response = post(mapping="random")
    assert response.status_code == 400
    assert json.loads(response.body)["detail"] == "Invalid mapping value. No release name found in DB"


def test_given_no_mapping_or_an_unknown_fallback_when_created_then_400(post):
    """Upstream: rules.create — "mapping value cannot be set to null/empty", and the fallbackMapping check."""
    assert post(mapping=None).status_code == 400
    assert post(mapping="").status_code == 400
    assert "fallbackMapping" in post(fallbackMapping="random").body.decode()


def test_given_an_existing_rule_when_its_mapping_is_changed_to_no_release_then_400(post, app_client, balrog_admin):
    """Upstream: update_rules_id_or_alias's mapping checks (testPostWithBadMapping: 400)."""
    rule_id = int(post().body)
    for bad in ({"mapping": "uhet"}, {"mapping": None}, {"fallbackMapping": "uhet"}):
        response = app_client.http.post(f"{API}/rules/{rule_id}", headers=balrog_admin,
                                        body=json.dumps({**bad, "data_version": 1}))
        assert response.status_code == 400, bad
    ok = app_client.http.post(f"{API}/rules/{rule_id}", headers=balrog_admin,
                              body=json.dumps({"mapping": "d", "fallbackMapping": "a", "data_version": 1}))
    assert ok.status_code == 200


def test_given_a_non_ascii_channel_when_created_then_400(post):
    """Upstream: testNewRulePostWithUnicode."""
    assert post(channel="nightlyÁ").status_code == 400


def test_given_a_version_glob_when_created_then_200(post):
    """Upstream: testNewRulePostWithGlob."""
    assert post(version="99.98.*").status_code == 200


def test_given_whitespace_in_locale_and_distribution_lists_then_they_are_stored_without_it(
        post, app_client, balrog_admin):
    """Upstream: testNewRuleWithWhitespaceInLocale and testNewRulePostWithDistributionList."""
    rule_id = int(post(locale="de, en-US, hu, it, zh-TW", distribution="  mozilla1, mozilla2, mozilla3,mozilla4 ").body)
    rule = _rule(app_client, balrog_admin, rule_id)
    assert rule["locale"] == "de,en-US,hu,it,zh-TW"
    assert rule["distribution"] == "mozilla1,mozilla2,mozilla3,mozilla4"


def test_given_a_value_longer_than_balrogs_column_then_400(post):
    """Upstream: the rule schema's maxLength (product 15, channel 75; testUpdateScheduledChangeVersionFieldLength)."""
    assert post(product="F" * 16).status_code == 400
    assert post(channel="c" * 76).status_code == 400
    assert post(product="F" * 15).status_code == 200


def test_given_a_rule_id_in_a_new_rules_body_then_400(post):
    """Balrog assigns rule_id and data_version; a body naming them is refused."""
    assert post(rule_id=1).status_code == 400


def test_given_an_empty_or_non_integer_timestamp_when_listing_then_400(app_client, balrog_admin):
    """Upstream: the admin API's ``timestampParam`` is an integer; connexion refuses anything else."""
    for value in ("", "yesterday"):
        assert app_client.http.get(f"{API}/rules?timestamp={value}", headers=balrog_admin).status_code == 400

"""``/rules/history`` and ``/permissions/history`` as current Balrog serves them.

Derived from Balrog's ``tests/admin/views/test_rules.py`` (``TestRulesAPI_JSON.testGetHistory``,
``TestRuleScheduledChanges.testGetRulesHistory``) and ``tests/admin/views/test_permissions.py``
(``TestPermissionsScheduledChanges.testGetPermissionsHistory``) in mozilla-releng/balrog, and from the
filters of ``auslib/web/common/history_all.py``.
"""

from __future__ import annotations

import json

import pytest

from chalicelib.store.versioned import now_ms

API = "/balrog/api"
LATER = 3_600_000


@pytest.fixture
def bill(aws, balrog_user, balrog_releases):
    balrog_releases("a", "b", "d")
    return balrog_user("bill", admin=None)


def _get(client, headers, path):
    response = client.http.get(f"{API}{path}", headers=headers)
    assert response.status_code == 200, response.body
    return json.loads(response.body)


def _post(client, headers, path, body):
    response = client.http.post(f"{API}{path}", headers=headers, body=json.dumps(body))
    assert response.status_code == 200, response.body
    return response


def _rule(client, headers, **fields) -> int:
    body = {"priority": 100, "backgroundRate": 100, "update_type": "minor", "mapping": "a", **fields}
    return int(_post(client, headers, "/rules", body).body)


def test_given_changed_rules_when_history_is_read_then_every_version_newest_first(app_client, bill):
    """Upstream: testGetHistory — each rule version with its columns and when it was made."""
    first = _rule(app_client, bill, product="Firefox", channel="nightly")
    _post(app_client, bill, f"/rules/{first}", {"backgroundRate": 71, "mapping": "d", "data_version": 1})
    _post(app_client, bill, f"/rules/{first}", {"backgroundRate": 72, "data_version": 2})
    _rule(app_client, bill, product="Firefox")  # no channel: Balrog's history shows rows with both only
    got = _get(app_client, bill, "/rules/history")
    assert set(got) == {"Rules", "Rules scheduled change"}
    assert got["Rules"]["count"] == 3
    revisions = got["Rules"]["revisions"]
    assert [(r["rule_id"], r["data_version"], r["backgroundRate"]) for r in revisions] == [
        (first, 3, 72), (first, 2, 71), (first, 1, 100)]
    assert all(r["changed_by"] == "bill" and isinstance(r["timestamp"], int) for r in revisions)
    assert revisions[0]["timestamp"] >= revisions[-1]["timestamp"]
    assert got["Rules scheduled change"] == {"count": 0, "revisions": []}


def test_given_rule_history_when_filtered_and_paged_then_as_balrog(app_client, bill):
    """history_all._get_filters: product, channel, timestamp window and changed_by; page and limit."""
    firefox = _rule(app_client, bill, product="Firefox", channel="nightly")
    thunderbird = _rule(app_client, bill, product="Thunderbird", channel="nightly")
    middle = now_ms()
    _post(app_client, bill, f"/rules/{firefox}", {"backgroundRate": 50, "data_version": 1})
    by_product = _get(app_client, bill, "/rules/history?product=Thunderbird")["Rules"]
    assert [r["rule_id"] for r in by_product["revisions"]] == [thunderbird] and by_product["count"] == 1
    since = _get(app_client, bill, f"/rules/history?timestamp_from={middle}")["Rules"]
    assert [(r["rule_id"], r["data_version"]) for r in since["revisions"]] == [(firefox, 2)]
    until = _get(app_client, bill, f"/rules/history?timestamp_to={middle}")["Rules"]
    assert sorted(r["rule_id"] for r in until["revisions"]) == sorted([firefox, thunderbird])
    assert _get(app_client, bill, "/rules/history?changed_by=nobody")["Rules"] == {"count": 0, "revisions": []}
    second_page = _get(app_client, bill, "/rules/history?page=2&limit=2")["Rules"]
    assert second_page["count"] == 3 and len(second_page["revisions"]) == 1
    refused = app_client.http.get(f"{API}/rules/history?timestamp_from=soon", headers=bill)
    assert refused.status_code == 400


def test_given_rule_scheduled_changes_when_history_is_read_then_their_versions(app_client, bill):
    """Upstream: testGetRulesHistory — the scheduled changes' versions carry the rule's columns."""
    rule_id = _rule(app_client, bill, product="Firefox", channel="nightly")
    when = now_ms() + LATER
    sc_id = json.loads(_post(app_client, bill, "/scheduled_changes/rules", {
        "when": when, "change_type": "update", "rule_id": rule_id, "data_version": 1, "priority": 50,
        "backgroundRate": 30, "update_type": "minor", "mapping": "b", "product": "Firefox",
        "channel": "nightly"}).body)["sc_id"]
    _post(app_client, bill, f"/scheduled_changes/rules/{sc_id}", {"backgroundRate": 40, "sc_data_version": 1,
                                                                  "rule_id": rule_id, "data_version": 1})
    got = _get(app_client, bill, "/rules/history")["Rules scheduled change"]
    assert got["count"] == 2
    newest = got["revisions"][0]
    assert (newest["sc_id"], newest["sc_data_version"], newest["backgroundRate"]) == (sc_id, 2, 40)
    assert newest["rule_id"] == rule_id and newest["when"] == when and "telemetry_uptake" in newest
    assert isinstance(newest["timestamp"], int) and newest["changed_by"] == "bill"


def test_given_permission_scheduled_changes_when_history_is_read_then_balrogs_fields(app_client, bill):
    """Upstream: testGetPermissionsHistory — exactly these fields per scheduled change version (no uptake)."""
    when = now_ms() + LATER
    sc_id = json.loads(_post(app_client, bill, "/scheduled_changes/permissions", {
        "when": when, "change_type": "insert", "permission": "rule", "username": "joe",
        "options": {"products": ["fake"]}}).body)["sc_id"]
    got = _get(app_client, bill, "/permissions/history")
    assert set(got) == {"Permissions", "Permissions Scheduled Change"}
    [revision] = got["Permissions Scheduled Change"]["revisions"]
    assert set(revision) == {"change_id", "change_type", "changed_by", "complete", "data_version", "options",
                             "permission", "sc_data_version", "sc_id", "scheduled_by", "timestamp", "username",
                             "when"}
    assert (revision["sc_id"], revision["username"], revision["options"], revision["when"]) == (
        sc_id, "joe", {"products": ["fake"]}, when)
    own = got["Permissions"]
    assert own["count"] == 1  # bill's admin row, made through the store with its history
    assert set(own["revisions"][0]) == {"permission", "username", "options", "data_version", "change_id",
                                        "changed_by", "timestamp"}

"""``GET /rules?timestamp=<ms>``: the rules as they were at that time (Balrog's ``getPointInTime``).

Derived from Balrog's ``tests/admin/views/test_rules.py`` (``TestRulesAPI_JSON.testGetRulesWithTimestampFilter``,
``testGetRulesWithVariousTimestampFilter``, ``testGetRulesWithProductAndTimestampFilter``) in
mozilla-releng/balrog: each rule's newest version until then, with the change that made it
(``change_id``, ``timestamp``, ``changed_by``); a rule deleted by then is gone; none before the first.
"""

from __future__ import annotations

import json
import time

from chalicelib.store.versioned import now_ms

API = "/balrog/api"


def _moment() -> int:
    """A millisecond strictly between changes."""
    time.sleep(0.003)
    moment = now_ms()
    time.sleep(0.003)
    return moment


def _rules_at(client, headers, timestamp: int) -> list[tuple[int, int]]:
    response = client.http.get(f"{API}/rules?timestamp={timestamp}", headers=headers)
    assert response.status_code == 200, response.body
    got = json.loads(response.body)
    assert got["count"] == len(got["rules"])
    return sorted((r["rule_id"], r["backgroundRate"]) for r in got["rules"])


def test_given_rules_changed_over_time_when_read_at_a_timestamp_then_as_they_were(
        app_client, balrog_admin, balrog_releases):
    balrog_releases("a")
    before = _moment()

    def post(path, body):
        response = app_client.http.post(f"{API}{path}", headers=balrog_admin, body=json.dumps(body))
        assert response.status_code == 200, response.body
        return response

    first = int(post("/rules", {"priority": 10, "backgroundRate": 10, "update_type": "minor", "mapping": "a",
                                "product": "a", "channel": "a"}).body)
    created = _moment()
    post(f"/rules/{first}", {"backgroundRate": 20, "data_version": 1})
    second = int(post("/rules", {"priority": 5, "backgroundRate": 50, "update_type": "minor", "mapping": "a",
                                 "product": "a", "channel": "b"}).body)
    changed = _moment()
    app_client.http.delete(f"{API}/rules/{second}?data_version=1", headers=balrog_admin)
    deleted = _moment()

    assert _rules_at(app_client, balrog_admin, before) == []
    assert _rules_at(app_client, balrog_admin, created) == [(first, 10)]
    assert _rules_at(app_client, balrog_admin, changed) == [(first, 20), (second, 50)]
    assert _rules_at(app_client, balrog_admin, deleted) == [(first, 20)]
    one = json.loads(app_client.http.get(f"{API}/rules?timestamp={deleted}", headers=balrog_admin).body)["rules"][0]
    assert one["changed_by"] == "admin" and one["data_version"] == 2 and created < one["timestamp"] < changed
    assert isinstance(one["change_id"], int) and one["alias"] is None


def test_given_a_timestamp_and_a_product_when_listing_then_400(app_client, balrog_admin):
    """Upstream: testGetRulesWithProductAndTimestampFilter."""
    response = app_client.http.get(f"{API}/rules?product=a&timestamp=23456789", headers=balrog_admin)
    assert response.status_code == 400
    assert json.loads(response.body)["detail"] == "Cannot query with a timestamp and a product at the same time"

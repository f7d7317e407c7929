"""Balrog admin reads at two sizes: the same DynamoDB calls with few and with many rules and releases, no Scan.

Issue 22 item 4 (Balrog had no scale test). Every read endpoint of the admin API is measured on a small
world (a few rules, releases, scheduled changes), the world is grown tenfold through the same store calls
the API makes (real rules mapping real releases, with history), and each read is measured again. A read
that walked a table (a Scan, a Query per item, reading every rule to list releases) would change its
count; a read of its own keys does not.
"""

from __future__ import annotations

import itertools
import json

import pytest

from chalicelib.store.versioned import now_ms

API = "/balrog/api"
_serial = itertools.count()


def _blob(name: str) -> dict:
    return {"name": name, "hashFunction": "sha512", "schema_version": 1,
            "platforms": {"p": {"locales": {"en-US": {"complete": {"filesize": 1, "from": "*", "hashValue": "a"}}}}}}


def _grow(count: int) -> None:
    """``count`` more releases, each mapped to by a rule of its own (changed once, so it has history)."""
    from chalicelib.store.balrog_releases import releases
    from chalicelib.store.balrog_rules import rules

    for _ in range(count):
        n = next(_serial)
        releases.create(f"r{n}", "Firefox", _blob(f"r{n}"), "setup")
        rule = rules.create({"priority": n, "backgroundRate": 100, "update_type": "minor", "product": "Firefox",
                             "channel": f"c{n}", "mapping": f"r{n}"}, "setup")
        rules.update({"rule_id": rule["rule_id"]}, {"backgroundRate": 50}, 1, "setup")


@pytest.fixture
def world(app_client, balrog_admin):
    """Known objects the reads name: release ``known`` mapped by rule ``known-rule``, a scheduled change of
    each, a requirement, a shutoff."""
    from chalicelib.store.balrog_releases import releases
    from chalicelib.store.balrog_required_signoffs import product_required_signoffs as rs
    from chalicelib.store.balrog_rules import rules
    from chalicelib.store.balrog_shutoffs import shutoffs

    releases.create("known", "Firefox", _blob("known"), "setup")
    rule = rules.create({"priority": 1000, "backgroundRate": 100, "update_type": "minor", "product": "Firefox",
                         "channel": "release", "mapping": "known", "alias": "known-rule"}, "setup")
    row = {"product": "Firefox", "channel": "beta", "role": "releng", "signoffs_required": 1}
    rs.insert({**rs.key(row), **row}, "setup")
    shutoffs.insert({"product": "Firefox", "channel": "nightly"}, "setup")
    when = now_ms() + 3_600_000
    for path, body in (("/scheduled_changes/rules", {"change_type": "update", "rule_id": rule["rule_id"],
                                                     "data_version": 1, "priority": 999, "backgroundRate": 100,
                                                     "update_type": "minor", "mapping": "known"}),
                       ("/scheduled_changes/releases", {"change_type": "update", "name": "known", "product": "Firefox",
                                                        "data_version": 1, "data": json.dumps(_blob("known"))})):
        response = app_client.http.post(f"{API}{path}", headers=balrog_admin, body=json.dumps({"when": when, **body}))
        assert response.status_code == 200, response.body
    change_id = rules.revisions({"rule_id": rule["rule_id"]})[1][0]["change_id"]
    return {"rule_id": rule["rule_id"], "change_id": change_id, "now": now_ms() + 60_000}


def _reads(world: dict) -> list[str]:
    rule_id = world["rule_id"]
    return [
        "/rules", "/rules?product=Firefox", f"/rules/{rule_id}", "/rules/known-rule", f"/rules/{rule_id}/revisions",
        "/rules/columns/product", "/rules/history", "/rules/history?product=Firefox&channel=release",
        f"/rules?timestamp={world['now']}",
        "/releases", "/releases?product=Firefox", "/releases?names_only=1", "/releases/known",
        "/releases/known/read_only", "/releases/known/builds/p/en-US", "/releases/known/revisions",
        "/releases/columns/product",
        "/scheduled_changes/rules", "/scheduled_changes/rules/1", "/scheduled_changes/rules/1/revisions",
        "/scheduled_changes/releases", "/scheduled_changes/releases?name=known", "/scheduled_changes/releases/1",
        "/scheduled_changes/releases/1/revisions",
        "/required_signoffs/product", "/emergency_shutoff", "/emergency_shutoff/Firefox/nightly",
        "/permissions/history", "/users", "/users/admin", "/users/admin/permissions",
        f"/history/view/rule/{world['change_id']}/priority", f"/history/diff/rule/{world['change_id']}/priority",
    ]


def _measure(client, headers, aws_calls, path: str) -> list[str]:
    aws_calls.clear()
    response = client.http.get(f"{API}{path}", headers=headers)
    assert response.status_code == 200, (path, response.body)
    return [op for service, op in aws_calls if service == "dynamodb"]


def test_every_admin_read_costs_the_same_with_few_and_many_rules_and_releases(
        app_client, balrog_admin, aws_calls, world):
    _grow(3)
    small = {p: _measure(app_client, balrog_admin, aws_calls, p) for p in _reads(world)}
    _grow(30)
    large = {p: _measure(app_client, balrog_admin, aws_calls, p) for p in _reads(world)}
    for path in _reads(world):
        assert "Scan" not in large[path], path
        assert small[path] == large[path], (path, small[path], large[path])


def test_listing_releases_reads_their_reference_items_never_the_rules(app_client, balrog_admin, aws_calls, world):
    """``GET /releases`` names each release's rules (``rule_ids``, ``rule_info``, ``required_signoffs``) from
    the releases' reference items: a Query of the releases, one BatchGetItem, one Query of the requirements."""
    _grow(5)
    calls = _measure(app_client, balrog_admin, aws_calls, "/releases")
    assert calls[1:] == ["Query", "BatchGetItem", "Query"]  # after the bearer token's GetItem
    listed = json.loads(app_client.http.get(f"{API}/releases", headers=balrog_admin).body)["releases"]
    known = next(r for r in listed if r["name"] == "known")
    assert known["rule_ids"] == [world["rule_id"]]
    assert known["rule_info"] == {str(world["rule_id"]): {"product": "Firefox", "channel": "release"}}


def test_given_a_reference_item_from_before_it_named_its_rules_then_the_rules_are_read_and_signoffs_kept(
        app_client, balrog_admin, world):
    """A count without names (written before rules were named beside it) is never taken for "no rules": the
    rules are read, so a release a gated rule maps to still needs its signoffs."""
    from chalicelib import config
    from chalicelib.store.balrog_rules import mapped_count, rules
    from chalicelib.store.clients import client

    gated = rules.create({"priority": 5, "backgroundRate": 100, "update_type": "minor", "product": "Firefox",
                          "channel": "beta", "mapping": "known"}, "setup")
    client("dynamodb").update_item(TableName=config.table_name("counters"), Key={"name": {"S": mapped_count("known")}},
                                   UpdateExpression="REMOVE #a, #b", ExpressionAttributeNames={
                                       "#a": f"rule#{world['rule_id']}", "#b": f"rule#{gated['rule_id']}"})
    listed = json.loads(app_client.http.get(f"{API}/releases", headers=balrog_admin).body)["releases"]
    known = next(r for r in listed if r["name"] == "known")
    assert known["rule_ids"] == [world["rule_id"], gated["rule_id"]]
    assert known["required_signoffs"] == {"releng": 1}
    refused = app_client.http.put(f"{API}/releases/known", headers=balrog_admin, body=json.dumps(
        {"name": "known", "product": "Firefox", "data_version": 1, "blob": json.dumps(_blob("known"))}))
    assert (refused.status_code, json.loads(refused.body)["detail"]) == (400, "Signoff Required")

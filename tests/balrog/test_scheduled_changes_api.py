"""Scheduled changes with required signoffs, as Balrog's admin API serves them.

Derived from Balrog's ``tests/admin/views/test_rules.py`` (class
``TestRuleScheduledChanges``) and ``tests/admin/views/base.py``'s world:
bill is an admin holding roles releng and qa, mary may enact and holds
relman, bob may modify rules of products a and b and holds relman, julie
may create rules of product fake and holds releng; product fake requires a
releng signoff on channels a, e and j and a relman signoff on k.
"""

from __future__ import annotations

import json

import pytest

from chalicelib.store.versioned import now_ms

API = "/balrog/api"
LATER = 3_600_000  # an hour from now, in milliseconds


@pytest.fixture
def world(aws, balrog_user):
    """Balrog's view-test users, roles, required signoffs and releases."""
    from chalicelib.store.balrog_releases import releases
    from chalicelib.store.balrog_required_signoffs import product_required_signoffs as rs
    from chalicelib.store.balrog_roles import roles

    users = {
        "bill": balrog_user("bill", admin=None),
        "mary": balrog_user("mary", scheduled_change={"actions": ["enact"]}),
        "bob": balrog_user("bob", rule={"actions": ["modify"], "products": ["a", "b"]}),
        "julie": balrog_user("julie", rule={"actions": ["create"], "products": ["fake"]}),
        "rex": balrog_user("rex"),
    }
    for username, role in (("bill", "releng"), ("bill", "qa"), ("bob", "relman"), ("julie", "releng"),
                           ("mary", "relman")):
        roles.insert({"username": username, "role": role}, "setup")
    for channel, role in (("a", "releng"), ("e", "releng"), ("j", "releng"), ("k", "relman")):
        row = {"product": "fake", "channel": channel, "role": role, "signoffs_required": 1}
        rs.insert({**rs.key(row), **row}, "setup")
    for name, product in (("a", "a"), ("ab", "a"), ("b", "b"), ("c", "c")):
        releases.create(name, product, {"name": name, "schema_version": 1, "hashFunction": "sha512"}, "setup")
    return users


def _post(client, headers, path, body):
    return client.http.post(f"{API}{path}", headers=headers, body=json.dumps(body))


def _json(response):
    return json.loads(response.body)


@pytest.fixture
def rule(app_client, world):
    """Makes a rule directly (as bill) and returns its id."""
    def _rule(**fields) -> int:
        body = {"priority": 100, "backgroundRate": 100, "update_type": "minor", "mapping": "a", **fields}
        response = _post(app_client, world["bill"], "/rules", body)
        assert response.status_code == 200, response.body
        return int(response.body)

    return _rule


def _schedule(app_client, headers, **body):
    return _post(app_client, headers, "/scheduled_changes/rules", {"when": now_ms() + LATER, **body})


def test_given_a_rule_without_required_signoffs_when_an_update_is_scheduled_then_its_sc_id_and_no_signoffs(
        app_client, world, rule):
    """Upstream: TestRuleScheduledChanges.testAddScheduledChangeExistingRule (a rule no requirement gates)."""
    rule_id = rule(product="a", channel="a")
    response = _schedule(app_client, world["bill"], change_type="update", rule_id=rule_id, data_version=1,
                         priority=80, backgroundRate=100, mapping="b", update_type="minor", product="a", channel="a")
    assert response.status_code == 200, response.body
    assert _json(response) == {"sc_id": 1, "signoffs": {}}


def test_given_a_gated_channel_when_a_holder_of_one_required_role_schedules_then_they_sign_off_automatically(
        app_client, world):
    """Upstream: testAddScheduledChangeNewRule — bill holds releng (and qa): releng is the one required role."""
    response = _schedule(app_client, world["bill"], change_type="insert", priority=120, backgroundRate=100,
                         product="fake", channel="a", update_type="minor", mapping="a")
    assert response.status_code == 200, response.body
    assert _json(response)["signoffs"] == {"bill": "releng"}


def test_given_scheduled_changes_when_listed_then_balrog_fields_with_sc_data_version_and_required_signoffs(
        app_client, world, rule):
    """Upstream: testGetScheduledChanges and testGetScheduledChangeByScId (shape of one change)."""
    from chalicelib.store.balrog_rules import rules

    rule_id = rules.create({"priority": 100, "backgroundRate": 100, "update_type": "minor", "product": "fake",
                            "channel": "e", "mapping": "a"}, "setup")["rule_id"]
    when = now_ms() + LATER
    _post(app_client, world["bill"], "/scheduled_changes/rules",
          {"when": when, "change_type": "update", "rule_id": rule_id, "data_version": 1, "priority": 50,
           "backgroundRate": 100, "mapping": "b", "update_type": "minor", "product": "fake", "channel": "e"})
    listed = _json(app_client.http.get(f"{API}/scheduled_changes/rules", headers=world["bill"]))
    assert listed["count"] == 1
    [change] = listed["scheduled_changes"]
    assert change["sc_id"] == 1 and change["when"] == when and change["scheduled_by"] == "bill"
    assert change["complete"] is False and change["change_type"] == "update"
    assert change["sc_data_version"] == 1 and change["data_version"] == 1 and change["rule_id"] == rule_id
    assert change["mapping"] == "b" and change["osVersion"] is None and change["telemetry_uptake"] is None
    assert change["signoffs"] == {"bill": "releng"} and change["required_signoffs"] == {"releng": 1}
    one = _json(app_client.http.get(f"{API}/scheduled_changes/rules/1", headers=world["bill"]))
    assert one == {"scheduled_change": change}


def test_given_a_time_in_the_past_when_scheduling_then_400(app_client, world):
    """Upstream: testAddScheduledChangeInThePast."""
    response = _post(app_client, world["bill"], "/scheduled_changes/rules",
                     {"when": 67, "change_type": "insert", "priority": 120, "backgroundRate": 100,
                      "update_type": "minor", "mapping": "a", "product": "blah"})
    assert response.status_code == 400


@pytest.mark.parametrize("change_type", [{}, [], None, 1, "upsert"], ids=repr)
def test_given_a_change_type_that_is_not_one_of_balrogs_when_scheduling_then_400(app_client, world, change_type):
    """Upstream: post_scheduled_changes (auslib/web/admin/views/scheduled_changes.py) answers "Invalid or missing
    change_type" for anything but insert, update or delete; no upstream test sends an object there, which was a
    500 here (unhashable), found by the long fuzz run."""
    response = _schedule(app_client, world["bill"], change_type=change_type, priority=120, backgroundRate=100,
                         update_type="minor", mapping="a", product="blah")

    assert response.status_code == 400
    assert _json(response)["detail"] == "Invalid or missing change_type"


def test_given_an_sc_id_in_the_body_when_scheduling_then_400(app_client, world):
    """Upstream: testAddScheduledChangeRejectsScId."""
    response = _schedule(app_client, world["bill"], change_type="insert", priority=120, backgroundRate=100,
                         update_type="minor", mapping="a", product="blah", sc_id=9999)
    assert response.status_code == 400


def test_given_an_insert_without_update_type_when_scheduling_then_400(app_client, world):
    """Upstream: testAddScheduledChangeNewRuleWithoutUpdateType."""
    response = _schedule(app_client, world["bill"], change_type="insert", priority=120, backgroundRate=100,
                         product="blah", channel="blah", mapping="a")
    assert response.status_code == 400


def test_given_telemetry_conditions_with_a_time_when_scheduling_then_400(app_client, world):
    """Upstream: testAddScheduledChangeMultipleConditions."""
    response = _schedule(app_client, world["bill"], change_type="insert", priority=120, backgroundRate=100,
                         update_type="minor", mapping="a", telemetry_product="foo", telemetry_channel="foo",
                         telemetry_uptake=5)
    assert response.status_code == 400


def test_given_a_deletion_without_rule_id_when_scheduling_then_400(app_client, world):
    """Upstream: testAddScheduledChangeForDeletionMissingRequiredPKColumns."""
    response = _schedule(app_client, world["bill"], change_type="delete", data_version=1)
    assert response.status_code == 400


def test_given_users_without_the_rule_permission_when_scheduling_then_403(app_client, world):
    """Upstream: testAddScheduledChangeNoPermissionsToSchedule and ...NoPermissionsToMakeChange."""
    body = {"change_type": "insert", "priority": 120, "backgroundRate": 100, "update_type": "minor",
            "mapping": "a", "channel": "blah"}
    assert _schedule(app_client, world["bob"], product="blah", **body).status_code == 403
    assert _schedule(app_client, world["julie"], product="foo", **body).status_code == 403


def test_given_a_stale_data_version_when_scheduling_an_update_then_400(app_client, world, rule):
    """Upstream: ScheduledChangeTable.validate's OutdatedDataError (db tests), seen through the view."""
    rule_id = rule(product="a")
    response = _schedule(app_client, world["bill"], change_type="update", rule_id=rule_id, data_version=7,
                         priority=1, backgroundRate=1, update_type="minor", mapping="a")
    assert response.status_code == 400
    assert _json(response)["detail"] == "OutdatedDataError"


def test_given_a_rule_with_a_scheduled_change_when_another_is_scheduled_then_400_change_scheduled(
        app_client, world, rule):
    """Upstream: ScheduledChangeTable.validate — one incomplete change per row (ChangeScheduledError)."""
    rule_id = rule(product="a")
    body = {"change_type": "delete", "rule_id": rule_id, "data_version": 1}
    assert _schedule(app_client, world["bill"], **body).status_code == 200
    second = _schedule(app_client, world["bill"], **body)
    assert second.status_code == 400 and _json(second)["detail"] == "ChangeScheduledError"


def test_given_a_rule_with_a_scheduled_change_when_deleted_directly_then_400(app_client, world, rule):
    """Upstream: testDeleteRuleWithScheduledChange."""
    rule_id = rule(product="a")
    _schedule(app_client, world["bill"], change_type="delete", rule_id=rule_id, data_version=1)
    response = app_client.http.delete(f"{API}/rules/{rule_id}?data_version=1", headers=world["bill"])
    assert response.status_code == 400
    assert "Cannot delete rows that have" in response.body.decode()


def test_given_a_gated_rule_when_changed_directly_then_400_no_signoffs_given(app_client, world, rule):
    """Upstream: TestRuleViews.testPostWithRequiredSignoff (and ...ForProductOnly: an ungated change passes)."""
    from chalicelib.store.balrog_rules import rules

    gated = rules.create({"priority": 1, "backgroundRate": 1, "update_type": "minor", "product": "fake",
                          "channel": "k", "mapping": "a"}, "setup")["rule_id"]
    response = _post(app_client, world["bill"], f"/rules/{gated}", {"channel": "a", "data_version": 1})
    assert response.status_code == 400
    assert "No Signoffs given" in response.body.decode()
    free = rule(product="fake", channel="z")
    ungated = _post(app_client, world["bill"], f"/rules/{free}", {"osVersion": "Darwin", "data_version": 1})
    assert ungated.status_code == 200


def test_given_a_scheduled_change_when_its_rule_is_updated_directly_then_the_change_follows(app_client, world, rule):
    """Upstream: TestRuleScheduledChanges.testUpdateRuleWithMerge (Balrog's mergeUpdate)."""
    rule_id = rule(product="a", channel="a")
    _schedule(app_client, world["bill"], change_type="update", rule_id=rule_id, data_version=1, priority=100,
              backgroundRate=50, update_type="minor", mapping="a", product="a", channel="a")
    response = _post(app_client, world["bill"], f"/rules/{rule_id}", {"comment": "merged", "data_version": 1})
    assert response.status_code == 200, response.body
    change = _json(app_client.http.get(f"{API}/scheduled_changes/rules/1", headers=world["bill"]))["scheduled_change"]
    assert change["data_version"] == 2 and change["comment"] == "merged" and change["backgroundRate"] == 50
    assert change["sc_data_version"] == 2


def test_given_a_scheduled_change_when_its_rule_is_changed_in_the_same_column_then_400_merge_error(
        app_client, world, rule):
    """Upstream: TestRuleScheduledChanges.testUpdateRuleWithMergeError."""
    rule_id = rule(product="a", channel="a")
    _schedule(app_client, world["bill"], change_type="update", rule_id=rule_id, data_version=1, priority=100,
              backgroundRate=50, update_type="minor", mapping="a", product="a", channel="a")
    response = _post(app_client, world["bill"], f"/rules/{rule_id}", {"backgroundRate": 20, "data_version": 1})
    assert response.status_code == 400
    assert "Is there a scheduled change" in response.body.decode()


def test_given_signoffs_when_the_change_is_modified_then_only_the_modifiers_signoff_remains(app_client, world):
    """Upstream: testUpdateScheduledChangeResetSignOffs."""
    _schedule(app_client, world["bill"], change_type="insert", priority=150, backgroundRate=100,
              update_type="minor", mapping="a", product="fake", channel="a")
    signed = _post(app_client, world["mary"], "/scheduled_changes/rules/1/signoffs", {"role": "relman"})
    assert signed.status_code == 200
    response = _post(app_client, world["bill"], "/scheduled_changes/rules/1",
                     {"when": now_ms() + LATER, "priority": 150, "backgroundRate": 100, "mapping": "c",
                      "channel": "a", "update_type": "minor", "sc_data_version": 1})
    assert response.status_code == 200, response.body
    assert _json(response) == {"new_data_version": 2, "signoffs": {"bill": "releng"}}


def test_given_an_unknown_or_completed_change_when_modified_then_404_or_400(app_client, world, rule):
    """Upstream: testUpdateUnknownScheduledChangeID and testUpdateCompletedScheduleChange."""
    body = {"when": now_ms() + LATER, "priority": 1, "sc_data_version": 1}
    assert _post(app_client, world["bill"], "/scheduled_changes/rules/9876", body).status_code == 404
    rule_id = rule(product="a")
    _schedule(app_client, world["bill"], change_type="delete", rule_id=rule_id, data_version=1)
    assert _post(app_client, world["mary"], "/scheduled_changes/rules/1/enact", {}).status_code == 200
    assert _post(app_client, world["bill"], "/scheduled_changes/rules/1", body).status_code == 400


def test_given_a_scheduled_change_when_deleted_then_200_and_a_wrong_version_400_and_unknown_404(
        app_client, world, rule):
    """Upstream: testDeleteScheduledChange, ...WrongDataVersion, ...WithoutPermission, testDeleteNonExistent..."""
    rule_id = rule(product="a")
    _schedule(app_client, world["bill"], change_type="delete", rule_id=rule_id, data_version=1)
    changes = f"{API}/scheduled_changes/rules"
    assert app_client.http.delete(f"{changes}/1?data_version=5", headers=world["bill"]).status_code == 400
    assert app_client.http.delete(f"{changes}/1?data_version=1", headers=world["rex"]).status_code == 403
    assert app_client.http.delete(f"{changes}/62?data_version=1", headers=world["bill"]).status_code == 404
    response = app_client.http.delete(f"{API}/scheduled_changes/rules/1?data_version=1", headers=world["bill"])
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/json"
    assert app_client.http.delete(f"{API}/rules/{rule_id}?data_version=1", headers=world["bill"]).status_code == 200


def test_given_a_change_of_an_existing_rule_when_enacted_then_the_rule_has_its_values_and_the_change_is_complete(
        app_client, world, rule):
    """Upstream: testEnactScheduledChangeExistingRule (mary holds scheduled_change/enact)."""
    rule_id = rule(product="a", channel="a", comment="old")
    _schedule(app_client, world["bill"], change_type="update", rule_id=rule_id, data_version=1, priority=100,
              version="3.5", buildTarget="d", backgroundRate=100, mapping="b", update_type="minor", product="a",
              channel="a")
    response = _post(app_client, world["mary"], "/scheduled_changes/rules/1/enact", {})
    assert response.status_code == 200, response.body
    updated = _json(app_client.http.get(f"{API}/rules/{rule_id}", headers=world["bill"]))
    assert updated["mapping"] == "b" and updated["version"] == "3.5" and updated["data_version"] == 2
    assert updated["comment"] is None  # the change is the whole new row, as Balrog stores it
    change = _json(app_client.http.get(f"{API}/scheduled_changes/rules/1", headers=world["bill"]))["scheduled_change"]
    assert change["complete"] is True
    assert _json(app_client.http.get(f"{API}/scheduled_changes/rules", headers=world["bill"]))["count"] == 0
    assert _json(app_client.http.get(f"{API}/scheduled_changes/rules?all=1", headers=world["bill"]))["count"] == 1


def test_given_a_new_rule_change_when_enacted_then_the_rule_exists(app_client, world):
    """Upstream: testEnactScheduledChangeNewRule."""
    _schedule(app_client, world["bill"], change_type="insert", priority=50, backgroundRate=100, product="baz",
              mapping="ab", update_type="minor")
    assert _post(app_client, world["mary"], "/scheduled_changes/rules/1/enact", {}).status_code == 200
    rules = _json(app_client.http.get(f"{API}/rules?product=baz", headers=world["bill"]))["rules"]
    assert [(r["mapping"], r["priority"], r["data_version"]) for r in rules] == [("ab", 50, 1)]


def test_given_a_user_without_enact_when_enacting_then_403(app_client, world):
    """Upstream: testEnactScheduledChangeNoPermissions."""
    _schedule(app_client, world["bill"], change_type="insert", priority=50, backgroundRate=100, product="baz",
              mapping="ab", update_type="minor")
    assert _post(app_client, world["bob"], "/scheduled_changes/rules/1/enact", {}).status_code == 403


def test_given_a_scheduler_whose_permission_was_revoked_when_the_change_is_enacted_then_403_and_nothing_changes(
        app_client, world, rule):
    """Upstream: ScheduledChangeTable.enactChange makes the change as ``sc["scheduled_by"]`` through the base
    table's update, which checks that user's permission then (auslib/db.py ``Rules.update``:
    ``hasPermission(changed_by, "rule", "modify", product)``): a revoked permission does not live on in a
    change scheduled before the revocation."""
    # given bob's change to a rule of product a, scheduled while he may modify rules of a
    rule_id = rule(product="a", channel="a", mapping="a")
    assert _schedule(app_client, world["bob"], change_type="update", rule_id=rule_id, data_version=1, priority=100,
                     backgroundRate=100, mapping="b", update_type="minor", product="a",
                     channel="a").status_code == 200
    # when his permission is revoked, and then the change is enacted
    revoked = app_client.http.delete(f"{API}/users/bob/permissions/rule?data_version=1", headers=world["bill"])
    assert revoked.status_code == 200, revoked.body
    response = _post(app_client, world["mary"], "/scheduled_changes/rules/1/enact", {})
    # then it is refused as bob's own direct change would be, and neither the rule nor the change moved
    assert response.status_code == 403, response.body
    assert _json(app_client.http.get(f"{API}/rules/{rule_id}", headers=world["bill"]))["mapping"] == "a"
    change = _json(app_client.http.get(f"{API}/scheduled_changes/rules/1", headers=world["bill"]))["scheduled_change"]
    assert change["complete"] is False


def test_given_missing_signoffs_when_enacting_then_400_signoff_required(app_client, world):
    """Upstream: ScheduledChangeTable.enactChange passes the signoffs to the base table, which verifies them."""
    _schedule(app_client, world["julie"], change_type="insert", priority=50, backgroundRate=100, product="fake",
              channel="k", mapping="b", update_type="minor")  # julie holds releng: not the required relman
    response = _post(app_client, world["mary"], "/scheduled_changes/rules/1/enact", {})
    assert response.status_code == 400 and _json(response)["detail"] == "Signoff Required"


def test_signoffs_as_balrog_takes_them(app_client, world):
    """Upstream: testSignoffWithPermission, ...WithoutPermission, ...ASecondTimeWithSameRole, ...WithSecondRole,
    ...WithoutRole."""
    _schedule(app_client, world["julie"], change_type="insert", priority=50, backgroundRate=100, product="fake",
              channel="k", mapping="b", update_type="minor")
    path = "/scheduled_changes/rules/1/signoffs"
    assert _post(app_client, world["bill"], path, {"role": "qa"}).status_code == 200
    assert _post(app_client, world["bill"], path, {"role": "qa"}).status_code == 200
    assert _post(app_client, world["bill"], path, {"role": "releng"}).status_code == 403
    assert _post(app_client, world["bill"], path, {"role": "relman"}).status_code == 403
    assert _post(app_client, world["bill"], path, {"lorem_ipso": "random"}).status_code == 400
    change = _json(app_client.http.get(f"{API}/scheduled_changes/rules/1", headers=world["bill"]))["scheduled_change"]
    assert change["signoffs"] == {"bill": "qa"} and change["required_signoffs"] == {"relman": 1}


def test_revoking_signoffs_as_balrog_allows_it(app_client, world):
    """Upstream: testRevokeSignoff, testRevokeOtherUsersSignoffAsAdmin,
    testCannotRevokeOtherUsersSignoffAsNormalUser."""
    _schedule(app_client, world["julie"], change_type="insert", priority=50, backgroundRate=100, product="fake",
              channel="k", mapping="b", update_type="minor")
    path = f"{API}/scheduled_changes/rules/1/signoffs"
    for user in ("bill", "mary"):
        _post(app_client, world[user], "/scheduled_changes/rules/1/signoffs",
              {"role": {"bill": "qa", "mary": "relman"}[user]})
    assert app_client.http.delete(f"{path}?username=mary", headers=world["julie"]).status_code == 403
    assert app_client.http.delete(path, headers=world["bill"]).status_code == 200
    assert app_client.http.delete(f"{path}?username=mary", headers=world["bill"]).status_code == 200
    change = _json(app_client.http.get(f"{API}/scheduled_changes/rules/1", headers=world["bill"]))["scheduled_change"]
    assert change["signoffs"] == {}


def test_given_a_modified_change_when_its_revisions_are_read_then_newest_first_with_sc_data_version(app_client, world):
    """Upstream: testGetScheduledChangeHistoryRevisions."""
    _schedule(app_client, world["bill"], change_type="insert", priority=150, backgroundRate=100,
              update_type="minor", mapping="a", channel="a", product="b")
    _post(app_client, world["bill"], "/scheduled_changes/rules/1",
          {"priority": 151, "sc_data_version": 1})
    body = _json(app_client.http.get(f"{API}/scheduled_changes/rules/1/revisions", headers=world["bill"]))
    assert body["count"] == 2
    assert [(r["sc_data_version"], r["priority"]) for r in body["revisions"]] == [(2, 151), (1, 150)]
    assert {"change_id", "changed_by", "timestamp", "sc_id", "when", "change_type"} <= set(body["revisions"][0])

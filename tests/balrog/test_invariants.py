"""Invariants that span items hold inside the write's own transaction, not in a check before it.

These tests call the store directly, below the API's friendly early checks,
so only the transaction can refuse.
"""

from __future__ import annotations

import threading

import pytest

from chalicelib.store.balrog_releases import ReleaseMapped, ReleaseReadOnly, releases
from chalicelib.store.balrog_rules import AliasTaken, rules
from chalicelib.store.versioned import StaleDataVersion


def _rule(**fields):
    return rules.create({"priority": 100, "backgroundRate": 100, "update_type": "minor", "product": "Firefox",
                         **fields}, "alice")


def test_given_a_taken_alias_when_another_rule_is_created_with_it_then_alias_taken_and_nothing_written(aws):
    # given
    _rule(alias="nightly")
    before = len(rules.all_rules())
    # when / then
    with pytest.raises(AliasTaken):
        _rule(alias="nightly")
    assert len(rules.all_rules()) == before


def test_given_a_rule_that_changes_its_alias_then_the_old_alias_is_free_again(aws):
    # given
    rule = _rule(alias="nightly")
    rules.update({"rule_id": rule["rule_id"]}, {"alias": "aurora"}, 1, "alice")
    # when
    other = _rule(alias="nightly")
    # then
    assert rules.id_for_alias("nightly") == other["rule_id"]
    assert rules.id_for_alias("aurora") == rule["rule_id"]


def test_given_a_deleted_rule_then_its_alias_is_free_again(aws):
    rule = _rule(alias="nightly")
    rules.delete({"rule_id": rule["rule_id"]}, 1, "alice")
    assert rules.id_for_alias("nightly") is None
    assert _rule(alias="nightly")["alias"] == "nightly"


def test_given_10_concurrent_creates_with_one_alias_then_exactly_one_holds_it(aws, atomic_dynamodb):
    # given
    outcomes: list[str] = []
    start = threading.Barrier(10)

    def create() -> None:
        start.wait()
        try:
            _rule(alias="release-channel")
            outcomes.append("created")
        except AliasTaken:
            outcomes.append("taken")

    # when
    threads = [threading.Thread(target=create) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then
    assert sorted(outcomes) == ["created"] + ["taken"] * 9
    assert [r["alias"] for r in rules.all_rules()] == ["release-channel"]


def test_given_a_rule_mapping_a_release_when_the_release_is_deleted_then_release_mapped(aws):
    # given
    releases.create("Firefox-52.0", "Firefox", {"name": "Firefox-52.0", "schema_version": 1}, "alice")
    _rule(mapping="Firefox-52.0")
    # when / then
    with pytest.raises(ReleaseMapped):
        releases.delete({"name": "Firefox-52.0"}, 1, "alice")
    assert releases.get({"name": "Firefox-52.0"}) is not None


def test_given_a_fallback_mapping_then_the_release_is_held_too(aws):
    releases.create("Firefox-51.0", "Firefox", {"name": "Firefox-51.0", "schema_version": 1}, "alice")
    _rule(mapping="Firefox-52.0", fallbackMapping="Firefox-51.0")
    with pytest.raises(ReleaseMapped):
        releases.delete({"name": "Firefox-51.0"}, 1, "alice")


def test_given_the_rule_maps_elsewhere_then_the_release_can_be_deleted(aws):
    # given
    releases.create("Firefox-52.0", "Firefox", {"name": "Firefox-52.0", "schema_version": 1}, "alice")
    rule = _rule(mapping="Firefox-52.0")
    # when
    rules.update({"rule_id": rule["rule_id"]}, {"mapping": "Firefox-53.0"}, 1, "alice")
    releases.delete({"name": "Firefox-52.0"}, 1, "alice")
    # then
    assert releases.get({"name": "Firefox-52.0"}) is None


def test_given_two_rules_mapping_a_release_then_it_is_held_until_both_let_go(aws):
    releases.create("Firefox-52.0", "Firefox", {"name": "Firefox-52.0", "schema_version": 1}, "alice")
    first, second = _rule(mapping="Firefox-52.0"), _rule(mapping="Firefox-52.0")
    rules.delete({"rule_id": first["rule_id"]}, 1, "alice")
    with pytest.raises(ReleaseMapped):
        releases.delete({"name": "Firefox-52.0"}, 1, "alice")
    rules.delete({"rule_id": second["rule_id"]}, 1, "alice")
    releases.delete({"name": "Firefox-52.0"}, 1, "alice")


def test_given_a_read_only_release_when_its_blob_is_written_below_the_api_then_read_only(aws):
    # given
    releases.create("Firefox-52.0", "Firefox", {"name": "Firefox-52.0", "schema_version": 1}, "alice")
    releases.replace("Firefox-52.0", {"read_only": True}, 1, "alice")
    # when / then
    with pytest.raises(ReleaseReadOnly):
        releases.write_blob("Firefox-52.0", {"name": "Firefox-52.0", "schema_version": 9}, 2, "alice")
    with pytest.raises(ReleaseReadOnly):
        releases.delete({"name": "Firefox-52.0"}, 2, "alice")
    assert releases.blob(releases.get({"name": "Firefox-52.0"}))["schema_version"] == 1


def test_given_a_read_only_release_then_its_flag_can_still_be_unset(aws):
    releases.create("Firefox-52.0", "Firefox", {"name": "Firefox-52.0", "schema_version": 1}, "alice")
    releases.replace("Firefox-52.0", {"read_only": True}, 1, "alice")
    assert releases.replace("Firefox-52.0", {"read_only": False}, 2, "alice")["read_only"] is False


def test_given_a_refused_rule_write_then_the_rules_generation_does_not_move(aws):
    # given
    rule = _rule()
    generation = rules.generation()
    # when
    with pytest.raises(StaleDataVersion):
        rules.update({"rule_id": rule["rule_id"]}, {"priority": 1}, 7, "alice")
    # then
    assert rules.generation() == generation
    rules.update({"rule_id": rule["rule_id"]}, {"priority": 1}, 1, "alice")
    assert rules.generation() == generation + 1

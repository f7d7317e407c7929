"""The versioned table: data_version checks, history rows, revisions, atomic writes."""

from __future__ import annotations

import threading

import pytest

from chalicelib.store import versioned
from chalicelib.store.balrog_permissions import permissions
from chalicelib.store.balrog_rules import rules
from chalicelib.store.versioned import AlreadyExists, NotFound, StaleDataVersion


def _rule(**fields):
    return rules.create({"priority": 100, "backgroundRate": 100, "update_type": "minor", "product": "Firefox",
                         "mapping": "Firefox-52.0", **fields}, "alice")


def test_given_a_new_rule_when_inserted_then_it_is_at_data_version_1(aws):
    rule = _rule()
    assert rules.get({"rule_id": rule["rule_id"]})["data_version"] == 1


def test_given_two_inserts_when_created_then_rule_ids_increase(aws):
    assert _rule()["rule_id"] < _rule()["rule_id"]


def test_given_an_insert_then_history_has_a_did_not_exist_row_one_ms_before(aws):
    rule = _rule()
    history = rules._history({"rule_id": rule["rule_id"]})
    assert [h["data_version"] for h in history] == [1, None]
    assert history[0]["timestamp"] - history[1]["timestamp"] == 1
    assert history[1]["change_id"] < history[0]["change_id"]
    assert history[0]["changed_by"] == "alice"
    assert set(history[1]) - {"change_id", "changed_by", "timestamp", "data_version"} == {"rule_id"}


def test_given_an_existing_key_when_inserted_again_then_already_exists(aws):
    permissions.insert({"username": "bob", "permission": "rule"}, "alice")
    with pytest.raises(AlreadyExists):
        permissions.insert({"username": "bob", "permission": "rule"}, "alice")


def test_given_the_current_version_when_updated_then_version_increases_and_history_has_full_row(aws):
    rule = _rule()
    key = {"rule_id": rule["rule_id"]}
    new = rules.update(key, {"mapping": "Firefox-53.0"}, 1, "bob")
    assert new["data_version"] == 2
    latest = rules._history(key)[0]
    assert latest["mapping"] == "Firefox-53.0" and latest["data_version"] == 2 and latest["changed_by"] == "bob"
    assert latest["product"] == "Firefox"


def test_given_a_stale_version_when_updated_then_stale_and_nothing_is_written(aws):
    rule = _rule()
    key = {"rule_id": rule["rule_id"]}
    rules.update(key, {"mapping": "b"}, 1, "bob")
    with pytest.raises(StaleDataVersion):
        rules.update(key, {"mapping": "c"}, 1, "bob")
    assert rules.get(key)["mapping"] == "b"
    assert len(rules._history(key)) == 3


def test_given_none_in_changes_when_updated_then_the_column_is_cleared(aws):
    rule = _rule(channel="release")
    new = rules.update({"rule_id": rule["rule_id"]}, {"channel": None}, 1, "bob")
    assert "channel" not in new


def test_given_a_missing_row_when_updated_then_not_found(aws):
    with pytest.raises(NotFound):
        rules.update({"rule_id": 999}, {"mapping": "x"}, 1, "bob")


def test_given_a_delete_with_a_stale_version_then_the_row_stays(aws):
    rule = _rule()
    with pytest.raises(StaleDataVersion):
        rules.delete({"rule_id": rule["rule_id"]}, 7, "bob")
    assert rules.get({"rule_id": rule["rule_id"]}) is not None


def test_given_a_delete_then_history_ends_with_a_keys_only_row(aws):
    rule = _rule()
    key = {"rule_id": rule["rule_id"]}
    rules.delete(key, 1, "bob")
    assert rules.get(key) is None
    latest = rules._history(key)[0]
    assert latest["data_version"] is None and latest["changed_by"] == "bob" and latest["rule_id"] == rule["rule_id"]
    assert "mapping" not in latest


def test_given_several_versions_when_revisions_listed_then_newest_first_without_keys_only_rows(aws):
    rule = _rule()
    key = {"rule_id": rule["rule_id"]}
    for version in range(1, 5):
        rules.update(key, {"mapping": f"m{version}"}, version, "bob")
    count, page = rules.revisions(key)
    assert count == 5
    assert [r["data_version"] for r in page] == [5, 4, 3, 2, 1]


def test_given_page_and_limit_when_revisions_listed_then_the_slice_is_returned_with_the_total(aws):
    rule = _rule()
    key = {"rule_id": rule["rule_id"]}
    for version in range(1, 5):
        rules.update(key, {"mapping": f"m{version}"}, version, "bob")
    count, page = rules.revisions(key, page=2, limit=2)
    assert count == 5
    assert [r["data_version"] for r in page] == [3, 2]


def test_given_a_change_of_another_object_when_looked_up_then_none(aws):
    first, second = _rule(), _rule()
    change_id = rules.revisions({"rule_id": second["rule_id"]})[1][0]["change_id"]
    assert rules.change({"rule_id": first["rule_id"]}, change_id) is None
    assert rules.change({"rule_id": second["rule_id"]}, change_id)["data_version"] == 1


def test_given_the_history_write_fails_when_updating_then_the_row_is_unchanged(aws, monkeypatch):
    rule = _rule()
    key = {"rule_id": rule["rule_id"]}
    # A change_id that is already taken makes the history put fail its condition.
    taken = rules._history(key)[0]["change_id"]
    monkeypatch.setattr(versioned.counters, "next_value", lambda name, step=1: taken)
    with pytest.raises(Exception):  # noqa: B017 - any failure, as long as nothing was written
        rules.update(key, {"mapping": "lost"}, 1, "bob")
    assert rules.get(key)["mapping"] == "Firefox-52.0"
    assert rules.get(key)["data_version"] == 1


def test_given_20_concurrent_writers_with_one_version_then_exactly_one_succeeds(atomic_dynamodb):
    rule = _rule()
    key = {"rule_id": rule["rule_id"]}
    outcomes: list[str] = []
    start = threading.Barrier(20)

    def write(n: int) -> None:
        start.wait()
        try:
            rules.update(key, {"mapping": f"writer-{n}"}, 1, f"writer{n}")
            outcomes.append("ok")
        except StaleDataVersion:
            outcomes.append("stale")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok"] + ["stale"] * 19
    assert rules.get(key)["data_version"] == 2
    assert rules.revisions(key)[0] == 2

"""The Balrog agent as a scheduled worker: due, signed-off changes enacted once, the rest left waiting.

Derived from Balrog's ``agent/tests/test_cmd.py`` (``testTimeBasedNotReady``,
``testTimeBasedIsReady``, ``testTimeBasedIsReadyNoSignoffs``: a change is
enacted when its time has passed and its required signoffs are in).
"""

from __future__ import annotations

import threading

import pytest

from chalicelib.balrog.errors import BalrogError
from chalicelib.services.balrog import agent
from chalicelib.services.balrog import scheduled_changes as sc
from chalicelib.services.balrog.scheduled_kinds import RULES
from chalicelib.store.versioned import now_ms


@pytest.fixture
def gated(aws, balrog_user):
    """A rule on a channel that needs one releng signoff; bill (admin, releng) and julie (releng)."""
    from chalicelib.store.balrog_required_signoffs import product_required_signoffs as rs
    from chalicelib.store.balrog_roles import roles
    from chalicelib.store.balrog_rules import rules

    balrog_user("bill", admin=None)
    balrog_user("julie", rule=None)
    balrog_user("rob", rule=None)
    for username in ("bill", "julie"):
        roles.insert({"username": username, "role": "releng"}, "setup")
    row = {"product": "Firefox", "channel": "release", "role": "releng", "signoffs_required": 1}
    rs.insert({**rs.key(row), **row}, "setup")
    return rules.create({"priority": 10, "backgroundRate": 100, "update_type": "minor", "product": "Firefox",
                         "channel": "release", "mapping": "a"}, "setup")


def _schedule(rule: dict, by: str, when: int) -> int:
    change = {**{c: rule.get(c) for c in RULES.columns}, "backgroundRate": 25, "data_version": 1}
    body = {"change_type": "update", "when": when}
    return sc.schedule(RULES, body, change, by)["sc_id"]


def test_given_a_change_not_yet_due_then_nothing_is_enacted(gated):
    """Upstream: testTimeBasedNotReady."""
    when = now_ms() + 60_000
    _schedule(gated, "bill", when)
    assert agent.run_once(now=when - 1).enacted == []


def test_given_a_due_change_without_its_signoffs_then_it_waits(gated):
    """Upstream: testTimeBasedIsReadyNoSignoffs (rob holds no role: no automatic signoff)."""
    when = now_ms() + 60_000
    sc_id = _schedule(gated, "rob", when)
    tick = agent.run_once(now=when + 1)
    assert tick.enacted == [] and tick.waiting == [("rules", sc_id)]


def test_given_a_due_signed_off_change_then_it_is_enacted_once(gated):
    """Upstream: testTimeBasedIsReady; and a second tick finds it complete."""
    from chalicelib.store.balrog_rules import rules

    when = now_ms() + 60_000
    sc_id = _schedule(gated, "rob", when)
    sc.sign(RULES, sc_id, "releng", "julie")
    assert agent.run_once(now=when + 1).enacted == [("rules", sc_id)]
    assert agent.run_once(now=when + 2).enacted == []
    rule = rules.get({"rule_id": gated["rule_id"]})
    assert rule["backgroundRate"] == 25 and rule["data_version"] == 2


def test_given_two_racing_enactments_then_exactly_one_writes(gated, atomic_dynamodb):
    """Idempotence: the completion is a condition of the enacting transaction."""
    from chalicelib.store.balrog_rules import rules

    sc_id = _schedule(gated, "bill", now_ms() + 60_000)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def enact() -> None:
        barrier.wait()
        try:
            sc.enact(RULES, sc_id, None)
            outcomes.append("enacted")
        except BalrogError as err:
            outcomes.append(err.detail)

    threads = [threading.Thread(target=enact) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(outcomes) == 2 and outcomes.count("enacted") == 1
    assert rules.get({"rule_id": gated["rule_id"]})["data_version"] == 2


def test_the_agent_reads_waiting_changes_by_index_never_by_scan(gated, aws_calls):
    """Access pattern: the tick Queries the sparse ``due`` index of each table; no Scan at any history length."""
    when = now_ms() + 60_000
    _schedule(gated, "bill", when)
    aws_calls.clear()
    agent.run_once(now=when - 1)
    operations = [op for service, op in aws_calls if service == "dynamodb"]
    assert "Scan" not in operations
    assert operations == ["Query"] * 6  # one per table that can have scheduled changes

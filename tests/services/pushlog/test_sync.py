"""The pushlog sync against a local json-pushes host: idempotent, resumable, bounded, isolated."""

from __future__ import annotations

import json
import logging
import time

import pytest

from chalicelib.services.pushlog import sync
from chalicelib.store import branches, pushes
from chalicelib.store.pushes import PushRecord
from tests.support.jsonpushes_server import node

REPO = "integration/fixture-inbound"


@pytest.fixture
def small_pages(monkeypatch):
    """Pages of 4 pushes, so that a dozen pushes span several pages."""
    monkeypatch.setattr(sync, "PAGE_SIZE", 4)


@pytest.fixture
def fixture_branch(aws, hg_server):
    """Branch "Fixture" whose URI is the local host's repository."""
    return branches.put("Fixture", hg_server.url(REPO), ["Fixture-Non-PGO"])


def stored_ids(branch: str = "Fixture") -> list[int]:
    return [int(r.push_id) for r in PushRecord.query(branch)]


def sync_fixture() -> sync.BranchSummary:
    [summary] = sync.sync_all(["Fixture"])
    return summary


def test_first_sync_stores_every_push_and_its_changesets(hg_server, fixture_branch):
    # given a host with 12 pushes
    hg_server.add_pushes(REPO, 12)

    # when the branch syncs
    summary = sync_fixture()

    # then every push and every changeset is stored, and the branch is at the host's last push
    assert (summary.stored, summary.duplicates, summary.error, summary.complete) == (12, 0, None, True)
    assert stored_ids() == list(range(1, 13))
    for push_id in (1, 2, 3, 12):
        push = pushes.get("Fixture", push_id)
        assert [cs["node"] for cs in push.changesets] == [node(REPO, push_id, i) for i in range(1 + push_id % 3)]
        assert push.user == f"dev{push_id}@example.com"
        assert pushes.push_for_revision("Fixture", node(REPO, push_id, 0)[:12]).push_id == push_id
    assert branches.resolve("Fixture").last_push_id == 12


def test_sync_asks_for_version_2_full_pages_with_its_user_agent(hg_server, fixture_branch):
    hg_server.add_pushes(REPO, 3)

    sync_fixture()

    [seen] = hg_server.requests_for(REPO)
    assert seen.query == {"version": "2", "full": "1", "startID": "0", "endID": str(sync.PAGE_SIZE)}
    assert seen.user_agent == "shipyard-pushlog-sync"


def test_second_tick_fetches_only_what_is_new(hg_server, fixture_branch):
    # given a branch synced to push 6, and 3 new pushes on the host
    hg_server.add_pushes(REPO, 6)
    sync_fixture()
    hg_server.add_pushes(REPO, 3)
    already = len(hg_server.requests_for(REPO))

    # when it syncs again
    summary = sync_fixture()

    # then it asked from push 6 on and stored the 3 new pushes only
    second_tick = hg_server.requests_for(REPO)[already:]
    assert [s.start_id for s in second_tick] == [6]
    assert (summary.fetched, summary.stored, summary.duplicates) == (3, 3, 0)
    assert stored_ids() == list(range(1, 10))


def test_tick_with_nothing_new_makes_one_request_and_stores_nothing(hg_server, fixture_branch):
    hg_server.add_pushes(REPO, 2)
    sync_fixture()

    summary = sync_fixture()

    assert (summary.pages, summary.stored, summary.complete) == (1, 0, True)


def test_page_arriving_twice_stores_each_push_once(hg_server, fixture_branch, small_pages):
    # given a host that answers the second page with the first page again
    hg_server.add_pushes(REPO, 10)
    hg_server.fault(REPO, "replay", start_id=4)

    summary = sync_fixture()

    # then the repeated pushes are duplicates, the missing page is asked again, nothing is stored twice
    assert (summary.stored, summary.duplicates, summary.error) == (10, 4, None)
    assert [s.start_id for s in hg_server.requests_for(REPO)] == [0, 4, 4, 8]
    assert stored_ids() == list(range(1, 11))
    pushlog_ids = [pushes.get("Fixture", i).pushlog_id for i in range(1, 11)]
    assert len(set(pushlog_ids)) == 10


def test_page_overlapping_the_last_one_stores_each_push_once(hg_server, fixture_branch, small_pages):
    hg_server.add_pushes(REPO, 10)
    hg_server.fault(REPO, "overlap", start_id=4, overlap=3)

    summary = sync_fixture()

    assert (summary.stored, summary.duplicates) == (10, 3)
    assert stored_ids() == list(range(1, 11))


def test_push_stored_again_is_one_push(hg_server, fixture_branch):
    # given a branch synced, then moved back as if its position had been lost
    hg_server.add_pushes(REPO, 3)
    sync_fixture()
    first = pushes.get("Fixture", 3)
    branches.BranchRecord(branches.REGISTRY, "Fixture").update(actions=[branches.BranchRecord.last_push_id.set(0)])

    # when it syncs again
    summary = sync_fixture()

    # then every push is a duplicate and keeps its Shipyard id
    assert (summary.stored, summary.duplicates) == (0, 3)
    assert pushes.get("Fixture", 3).pushlog_id == first.pushlog_id
    assert stored_ids() == list(range(1, 4))


def test_host_that_keeps_repeating_a_page_fails_the_branch_until_next_tick(hg_server, fixture_branch,
                                                                           small_pages):
    hg_server.add_pushes(REPO, 10)
    hg_server.fault(REPO, "replay", start_id=4, times=2)

    summary = sync_fixture()

    assert "PushlogStalled" in summary.error and summary.last_push_id == 4
    assert sync_fixture().complete and stored_ids() == list(range(1, 11))


def test_broken_page_is_logged_and_counted_on_the_branch(hg_server, fixture_branch, caplog):
    # given a host whose next answer is truncated JSON
    hg_server.add_pushes(REPO, 2)
    hg_server.fault(REPO, "broken_json")

    # when the branch syncs
    with caplog.at_level(logging.WARNING, logger="chalicelib.services.pushlog.sync"):
        summary = sync_fixture()

    # then nothing is stored, the failure is counted on the branch and logged with its name, not the body
    assert "PushlogFormatError" in summary.error and summary.stored == 0
    branch = branches.resolve("Fixture")
    assert (branch.failures, branch.last_push_id) == (1, 0)
    assert "PushlogFormatError" in branch.last_error
    logged = [r.getMessage() for r in caplog.records if "Fixture" in r.getMessage()]
    assert logged and not any("dev1@example.com" in m or node(REPO, 1, 0) in m for m in caplog.messages)


def test_broken_page_is_completed_on_the_next_tick(hg_server, fixture_branch):
    hg_server.add_pushes(REPO, 2)
    hg_server.fault(REPO, "broken_json")
    sync_fixture()

    summary = sync_fixture()

    assert (summary.stored, summary.error) == (2, None)
    branch = branches.resolve("Fixture")
    assert (branch.last_error, branch.failures, branch.last_push_id) == (None, 1, 2)


def test_failure_mid_branch_keeps_the_position_of_stored_pushes(hg_server, fixture_branch, small_pages):
    # given a host that fails on the third page
    hg_server.add_pushes(REPO, 10)
    hg_server.fault(REPO, "http_500", start_id=8)

    # when the branch syncs
    summary = sync_fixture()

    # then the first two pages are stored and the branch is at push 8
    assert (summary.stored, summary.last_push_id) == (8, 8)
    assert "HTTP 500" in summary.error
    assert branches.resolve("Fixture").last_push_id == 8
    assert stored_ids() == list(range(1, 9))

    # and the next tick goes on from push 8
    already = len(hg_server.requests_for(REPO))
    assert sync_fixture().stored == 2
    assert hg_server.requests_for(REPO)[already].start_id == 8
    assert stored_ids() == list(range(1, 11))


def test_one_branch_failing_does_not_stop_another(hg_server, aws):
    # given two branches, the first (in sync order) failing with HTTP 500
    hg_server.add_pushes("alpha", 2)
    hg_server.add_pushes("beta", 3)
    hg_server.fault("alpha", "http_500")
    branches.put("Alpha", hg_server.url("alpha"))
    branches.put("Beta", hg_server.url("beta"))

    # when all branches sync
    summaries = {s.branch: s for s in sync.sync_all()}

    # then Beta is stored and Alpha's failure is on Alpha only
    assert "HTTP 500" in summaries["Alpha"].error and summaries["Alpha"].stored == 0
    assert (summaries["Beta"].stored, summaries["Beta"].error) == (3, None)
    assert stored_ids("Beta") == list(range(1, 4))
    assert (branches.resolve("Alpha").failures, branches.resolve("Beta").failures) == (1, 0)


def test_unknown_repository_is_an_error_on_its_branch(hg_server, aws):
    branches.put("Gone", hg_server.url("projects/gone"))

    [summary] = sync.sync_all()

    assert "HTTP 404" in summary.error


def test_tick_stops_after_max_pages_and_the_next_tick_goes_on(hg_server, fixture_branch, monkeypatch):
    # given pages of 2 pushes, at most 2 pages per tick, and 9 pushes on the host
    monkeypatch.setattr(sync, "PAGE_SIZE", 2)
    monkeypatch.setattr(sync, "MAX_PAGES", 2)
    hg_server.add_pushes(REPO, 9)

    # when the branch syncs once
    first = sync_fixture()

    # then it made 2 requests, stored 4 pushes and is not yet complete
    assert (first.pages, first.stored, first.complete, first.host_last_push_id) == (2, 4, False, 9)
    assert len(hg_server.requests_for(REPO)) == 2

    # and two more ticks complete it
    assert sync_fixture().stored == 4
    last = sync_fixture()
    assert (last.stored, last.complete) == (1, True)
    assert stored_ids() == list(range(1, 10))


def test_range_without_visible_pushes_is_stepped_over(hg_server, fixture_branch, small_pages):
    # given pushes 5-8 (a whole page) no longer visible on the host
    hg_server.add_pushes(REPO, 10)
    hg_server.hide(REPO, *range(5, 9))

    summary = sync_fixture()

    assert (summary.stored, summary.complete, summary.error) == (6, True, None)
    assert branches.resolve("Fixture").last_push_id == 10


def test_request_beyond_the_timeout_is_an_error_retried_next_tick(hg_server, fixture_branch, monkeypatch):
    # given a 0.2 s timeout and a host that answers after 1 s once
    monkeypatch.setenv("SHIPYARD_HG_TIMEOUT", "0.2")
    hg_server.add_pushes(REPO, 2)
    hg_server.fault(REPO, "slow", delay=1.0)

    summary = sync_fixture()

    assert "HgTimeout" in summary.error and summary.stored == 0
    assert branches.resolve("Fixture").failures == 1
    assert sync_fixture().stored == 2


def test_relative_uri_is_fetched_under_the_hg_host(hg_server, aws, monkeypatch):
    monkeypatch.setenv("SHIPYARD_HG_HOST", hg_server.base_url + "/")
    hg_server.add_pushes("integration/mozilla-inbound", 3)
    branches.put("Mozilla-Inbound", "integration/mozilla-inbound")

    [summary] = sync.sync_all()

    assert summary.stored == 3


def test_each_stored_push_is_offered_to_the_waiting_runs(hg_server, fixture_branch, monkeypatch):
    offered = []
    monkeypatch.setattr(sync.push_links, "link_waiting_runs", lambda push: offered.append(push.push_id) or 0)
    hg_server.add_pushes(REPO, 3)

    sync_fixture()

    assert offered == [1, 2, 3]


def test_unknown_branch_name_is_refused(aws):
    with pytest.raises(sync.UnknownBranch):
        sync.sync_all(["Nope"])


def test_backfill_walks_to_the_last_push_reporting_progress(hg_server, fixture_branch, monkeypatch):
    # given more pages than one tick takes
    monkeypatch.setattr(sync, "PAGE_SIZE", 2)
    monkeypatch.setattr(sync, "MAX_PAGES", 1)
    hg_server.add_pushes(REPO, 7)
    reports = []

    summary = sync.backfill("Fixture", lambda done, total: reports.append((done, total)))

    assert (summary.stored, summary.complete) == (7, True)
    assert reports == [(2, 7), (4, 7), (6, 7), (7, 7)]


def test_run_near_its_deadline_starts_no_page(hg_server, fixture_branch):
    # given a Lambda run with less time left than one request may take
    hg_server.add_pushes(REPO, 2)

    summary = sync.sync_branch(fixture_branch, deadline=time.monotonic() + 1.0)

    # then it asks nothing and leaves the pushes to the next tick, without an error
    assert (summary.pages, summary.error, summary.complete) == (0, None, False)
    assert hg_server.requests_for(REPO) == []


def test_scheduled_handler_syncs_through_the_event_pump(hg_server, fixture_branch, pump):
    hg_server.add_pushes(REPO, 3)

    assert pump.tick("sync_pushlogs") is True

    assert stored_ids() == list(range(1, 4))


def test_schedule_runs_every_5_minutes():
    from chalice.app import ScheduledEventConfig

    from app import app
    from chalicelib.local.schedules import rate_seconds

    [source] = [s for s in app.event_sources if isinstance(s, ScheduledEventConfig) and s.name == "sync_pushlogs"]
    assert rate_seconds(source.schedule_expression) == 300


# --- the shipyard command, in-process against the embedded AWS ------------------------------------


def shipyard(capsys, *argv: str) -> tuple[int, dict, str]:
    from chalicelib.cli.main import main

    status = main(["--no-local", *argv])
    out, err = capsys.readouterr()
    return status, (json.loads(out) if out.strip() else {}), err


def test_cli_branch_add_then_pushlog_sync_stores_the_pushes(hg_server, aws, capsys):
    hg_server.add_pushes(REPO, 3)

    status, added, _ = shipyard(capsys, "branch", "add", "Fixture", "--uri", hg_server.url(REPO),
                                "--alt", "Fixture-Non-PGO")
    assert status == 0
    assert (added["branch"], added["url"], added["alternatives"]) == (
        "Fixture", hg_server.url(REPO), ["Fixture-Non-PGO"])

    status, synced, _ = shipyard(capsys, "pushlog", "sync", "--branch", "Fixture-Non-PGO")
    assert status == 0 and synced["ok"] is True
    assert [(b["branch"], b["stored"], b["last_push_id"]) for b in synced["branches"]] == [("Fixture", 3, 3)]


def test_cli_pushlog_sync_with_a_failing_branch_exits_1_with_the_summary(hg_server, aws, capsys):
    hg_server.add_pushes(REPO, 2)
    hg_server.fault(REPO, "http_500")
    branches.put("Fixture", hg_server.url(REPO))

    status, synced, _ = shipyard(capsys, "pushlog", "sync")

    assert status == 1 and synced["ok"] is False
    assert "HTTP 500" in synced["branches"][0]["error"]


def test_cli_branch_add_refuses_a_non_http_uri(capsys):
    status, _, err = shipyard(capsys, "branch", "add", "Local", "--uri", "file:///etc/passwd")

    assert status == 1 and "http(s) URL" in json.loads(err)["error"]


def test_cli_branch_seed_creates_the_reference_branches_once(aws, capsys):
    status, seeded, _ = shipyard(capsys, "branch", "seed")
    assert status == 0 and seeded["created"] == len(seeded["reference_branches"])

    _, again, _ = shipyard(capsys, "branch", "seed")
    _, listed, _ = shipyard(capsys, "branch", "list")

    assert again["created"] == 0
    by_name = {b["branch"]: b for b in listed["branches"]}
    assert by_name["Mozilla-Inbound"]["uri"] == "integration/mozilla-inbound"
    assert by_name["Firefox"]["alternatives"] == ["Firefox-Non-PGO"]
    assert branches.resolve("Mozilla-Beta-Non-PGO").name == "Mozilla-Beta"


def test_cli_backfill_draws_a_progress_bar_on_stderr(hg_server, aws, capsys, monkeypatch):
    monkeypatch.setattr(sync, "PAGE_SIZE", 2)
    hg_server.add_pushes(REPO, 5)
    branches.put("Fixture", hg_server.url(REPO))

    status, filled, err = shipyard(capsys, "pushlog", "backfill", "--branch", "Fixture")

    assert status == 0 and filled["branches"][0]["stored"] == 5
    assert f"\rFixture [{'#' * 12}{' ' * 18}] 2/5 pushes" in err
    assert err.endswith(f"\rFixture [{'#' * 30}] 5/5 pushes\n")

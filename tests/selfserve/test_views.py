"""Self-serve informational routes: branches, builds and requests as views of the stored Treeherder jobs."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from chalice.test import Client

from tests.support.plugins.aws import embedded_aws
from tests.support.selfserve_data import BRANCH, REPOSITORY, call, seed


@pytest.fixture(scope="module")
def world():
    from app import app

    with embedded_aws(), Client(app, stage_name="test") as client:
        now = int(time.time())
        yield client, seed(now), now


@pytest.fixture
def client(world):
    return world[0]


@pytest.fixture
def jobs(world):
    return world[1]


def test_the_branch_list_names_each_branch_with_its_repository(client):
    status, body = call(client, "GET", "/self-serve/branches")

    assert status == 200
    assert body == {BRANCH: {"repo": "integration/mozilla-inbound", "repository": REPOSITORY, "alternatives": []}}


def test_the_root_is_the_api_documentation_listing_every_route(client):
    """BuildAPI's ``/self-serve`` is its documentation page, not the branch list (build-buildapi's routing)."""
    status, routes = call(client, "GET", "/self-serve")

    assert status == 200
    listed = {(r["method"], r["path"]) for r in routes}
    assert ("POST", "/self-serve/{branch}/rev/{revision}/nightly") in listed
    assert ("GET", "/self-serve/branches") in listed
    assert all(r["summary"] for r in routes)


def test_the_documentation_page_is_html_for_a_browser(client):
    response = client.http.get("/self-serve", headers={"Accept": "text/html"})

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert b"/self-serve/{branch}/rev/{revision}/pgo" in response.body


def test_a_branch_shows_finished_builds_running_builds_and_pending_requests(client, jobs):
    status, body = call(client, "GET", f"/self-serve/{BRANCH}")

    assert status == 200
    assert sorted(b["build_id"] for b in body["builds"]) == sorted([jobs.finished, jobs.failed])
    assert [b["build_id"] for b in body["running"]] == [jobs.running]
    assert [r["request_id"] for r in body["pending"]] == [jobs.pending]


def test_a_branch_is_found_by_its_repository_name_too(client, jobs):
    assert call(client, "GET", f"/self-serve/{REPOSITORY}")[1] == call(client, "GET", f"/self-serve/{BRANCH}")[1]


def test_another_day_has_no_builds(client):
    _, body = call(client, "GET", f"/self-serve/{BRANCH}?date=2001-01-01")

    assert body == {"builds": [], "running": [], "pending": []}


def test_a_malformed_date_is_400(client):
    status, body = call(client, "GET", f"/self-serve/{BRANCH}?date=yesterday")

    assert (status, body["msg"]) == (400, "Bad date: use YYYY-MM-DD")


@pytest.mark.parametrize(("part", "ids"), [("builds", ("finished", "failed")), ("running", ("running",)),
                                           ("pending", ("pending",))])
def test_each_part_of_a_branch_has_its_own_route(client, jobs, part, ids):
    _, body = call(client, "GET", f"/self-serve/{BRANCH}/{part}")

    key = "request_id" if part == "pending" else "build_id"
    assert sorted(b[key] for b in body) == sorted(getattr(jobs, i) for i in ids)


def test_a_build_is_its_job_in_buildapis_shape(client, jobs, world):
    now = world[2]

    status, build = call(client, "GET", f"/self-serve/{BRANCH}/build/{jobs.failed}")

    assert status == 200
    assert build["build_id"] == build["buildnumber"] == jobs.failed
    assert build["buildername"] == "Linux x86-64 test" and build["branch"] == BRANCH
    assert build["revision"] == jobs.revision[:12]
    assert (build["starttime"], build["endtime"]) == (now - 3000, now - 1200)
    assert build["status"] == 1  # testfailed: buildbot's WARNINGS
    assert build["claimed_by_name"] == "tst-linux64-ec2-001"
    assert [r["request_id"] for r in build["requests"]] == [jobs.failed]


def test_a_running_build_has_no_status_yet(client, jobs):
    _, build = call(client, "GET", f"/self-serve/{BRANCH}/build/{jobs.running}")

    assert build["status"] is None and build["endtime"] is None


def test_a_pending_request_is_no_build(client, jobs):
    status, body = call(client, "GET", f"/self-serve/{BRANCH}/build/{jobs.pending}")

    assert (status, body["msg"]) == (404, f"Build {jobs.pending} not found on branch {BRANCH}")


def test_a_request_shows_its_state_properties_and_builds(client, jobs, world):
    now = world[2]

    _, pending = call(client, "GET", f"/self-serve/{BRANCH}/request/{jobs.pending}")
    _, finished = call(client, "GET", f"/self-serve/{BRANCH}/request/{jobs.finished}")

    assert pending["complete"] == 0 and pending["claimed_at"] == 0 and pending["build_ids"] == []
    assert pending["submittime"] == now - 3600 and pending["priority"] == 0
    assert pending["properties"]["revision"] == jobs.revision
    assert finished["complete"] == 1 and finished["complete_at"] == now - 1200
    assert finished["claimed_at"] == now - 3000 and finished["build_ids"] == [jobs.finished]


def test_an_unknown_request_is_404(client):
    status, body = call(client, "GET", f"/self-serve/{BRANCH}/request/99999")

    assert (status, body["msg"]) == (404, f"Request 99999 not found on branch {BRANCH}")


def test_a_revision_lists_its_builds_and_pending_requests_by_a_12_character_prefix(client, jobs):
    status, listing = call(client, "GET", f"/self-serve/{BRANCH}/rev/{jobs.revision[:12]}")

    assert status == 200
    assert [x.get("build_id", x.get("request_id")) for x in listing] == [
        jobs.finished, jobs.failed, jobs.running, jobs.pending]


def test_an_unknown_revision_is_404(client):
    status, body = call(client, "GET", f"/self-serve/{BRANCH}/rev/abcdefabcdef")

    assert (status, body["msg"]) == (404, f"Revision abcdefabcdef not found on branch {BRANCH}")


def test_a_revision_with_unfinished_jobs_is_not_done(client, jobs):
    status, body = call(client, "GET", f"/self-serve/{BRANCH}/rev/{jobs.revision}/is_done")

    assert (status, body) == (200, {"stableDelay": 180, "job_complete": False, "job_passed": False})


def test_a_revision_nothing_ran_for_is_not_done(client, jobs):
    _, body = call(client, "GET", f"/self-serve/{BRANCH}/rev/{jobs.other_revision}/is_done")

    assert body["job_complete"] is False


def test_builders_are_the_job_type_names_of_the_branch(client):
    _, body = call(client, "GET", f"/self-serve/{BRANCH}/builders")

    assert body == ["Linux x86-64 build", "Linux x86-64 test", "Linux x86-64 test-2", "Linux x86-64 test-3"]


def test_a_users_builds_are_those_they_asked_for(client, jobs):
    _, alice = call(client, "GET", f"/self-serve/{BRANCH}/user/alice")
    _, bob = call(client, "GET", f"/self-serve/{BRANCH}/user/bob")

    assert len(alice) == 4 and bob == []


# --- formats -------------------------------------------------------------------------------------


def test_accept_json_chooses_json_without_a_format(client):
    response = client.http.get("/self-serve/branches", headers={"Accept": "application/json"})

    assert response.headers["Content-Type"] == "application/json"


def test_without_format_or_accept_the_answer_is_an_html_page(client):
    response = client.http.get(f"/self-serve/{BRANCH}")

    assert response.headers["Content-Type"].startswith("text/html")
    text = response.body.decode()
    assert text.startswith("<!DOCTYPE html>") and "<table>" in text and "Linux x86-64 test-2" in text
    assert "http" not in text.split("<body>")[0]  # no external assets


def test_format_wins_over_accept(client):
    response = client.http.get("/self-serve/branches?format=html", headers={"Accept": "application/json"})

    assert response.headers["Content-Type"].startswith("text/html")


def test_an_unknown_format_is_400_in_json(client):
    status, body = call(client, "GET", "/self-serve/branches", fmt="xml")

    assert status == 400 and body["msg"].startswith("Bad format")


def test_an_error_in_html_is_a_page_with_the_message(client):
    status, text = call(client, "GET", "/self-serve/nowhere", fmt="html")

    assert status == 404 and "Branch nowhere not found" in text


def test_html_escapes_what_it_shows(client):
    _, text = call(client, "GET", "/self-serve/%3Cscript%3E", fmt="html")

    assert "<script>" not in text and "&lt;script&gt;" in text


def test_today_is_the_default_day(client, jobs):
    today = dt.datetime.now(dt.UTC).date().isoformat()

    assert call(client, "GET", f"/self-serve/{BRANCH}?date={today}") == call(client, "GET", f"/self-serve/{BRANCH}")

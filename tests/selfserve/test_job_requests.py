"""Self-serve job requests: recorded and queued as one message, answered 202, or 503 with nothing half done."""

from __future__ import annotations

import time

import pytest

from chalicelib.services.selfserve import job_results
from chalicelib.store import build_requests
from tests.support.delivery import Fault
from tests.support.selfserve_data import BRANCH, PUSHER, call, queued, seed


@pytest.fixture
def world(app_client):
    return seed(int(time.time()))


@pytest.fixture
def alice(balrog_user):
    return balrog_user("alice")


@pytest.fixture
def admin(balrog_admin):
    return balrog_admin


def test_a_new_build_at_a_revision_is_recorded_queued_and_answered_202(app_client, world, alice):
    status, body = call(app_client, "POST", f"/self-serve/{BRANCH}/rev/{world.revision}", {"priority": "3"}, alice)

    assert status == 202
    assert body["status"] == "OK" and isinstance(body["request_id"], int)
    [message] = queued()
    assert message["action"] == "new_build_at_revision"
    assert message["request_id"] == body["request_id"] and message["who"] == "alice"
    assert message["what"] == {"revision": world.revision, "priority": 3}
    assert message["branch"] == BRANCH and message["repository"] == "mozilla-inbound"
    assert isinstance(message["when"], int)


def test_a_job_request_shows_who_what_and_no_completion_yet(app_client, world, alice):
    _, accepted = call(app_client, "POST", f"/self-serve/{BRANCH}/rev/{world.revision}/nightly", {}, alice)

    status, job = call(app_client, "GET", f"/self-serve/jobs/{accepted['request_id']}")

    assert status == 200
    assert job["action"] == "new_nightly_at_revision" and job["who"] == "alice"
    assert job["what"] == {"revision": world.revision, "priority": 0}
    assert job["completed_at"] is None and job["complete_data"] is None


def test_job_requests_list_newest_first_with_num_and_offset(app_client, world, alice):
    ids = [call(app_client, "POST", f"/self-serve/{BRANCH}/rev/{world.revision}/pgo", {}, alice)[1]["request_id"]
           for _ in range(3)]

    _, listed = call(app_client, "GET", "/self-serve/jobs?num=2&offset=1")

    assert [j["request_id"] for j in listed] == [ids[1], ids[0]]


def test_a_request_without_a_token_is_403_and_queues_nothing(app_client, world):
    status, body = call(app_client, "POST", f"/self-serve/{BRANCH}/rev/{world.revision}", {})

    assert status == 403 and body["status"] == "FAILED"
    assert queued() == []


def test_an_unknown_token_is_403(app_client, world):
    status, body = call(app_client, "POST", f"/self-serve/{BRANCH}/rev/{world.revision}", {},
                        {"Authorization": "Bearer not-a-token"})

    assert status == 403 and "unknown bearer token" in body["msg"]


def test_an_unknown_branch_is_404_in_buildapis_words(app_client, world, alice):
    status, body = call(app_client, "POST", "/self-serve/no-such-branch/rev/abcdefabcdef", {}, alice)

    assert (status, body) == (404, {"status": "FAILED", "msg": "Branch no-such-branch not found"})


@pytest.mark.parametrize(("path", "form", "msg"), [
    ("build", {"build_id": "x"}, "Bad build_id"),
    ("build", {}, "Bad build_id"),
    ("build", {"build_id": "{finished}", "priority": "high"}, "Bad priority"),
    ("build", {"build_id": "{finished}", "count": "0"}, "Bad count"),
    ("request", {"request_id": "1.5"}, "Bad request_id"),
    ("request", {"request_id": "{pending}", "priority": "x"}, "Bad priority"),
])
def test_bad_rebuild_parameters_are_400_with_buildapis_message(app_client, world, alice, path, form, msg):
    form = {k: v.format(finished=world.finished, pending=world.pending) for k, v in form.items()}

    status, body = call(app_client, "POST", f"/self-serve/{BRANCH}/{path}", form, alice)

    assert (status, body) == (400, {"status": "FAILED", "msg": msg})


def test_a_non_integer_build_id_in_the_path_is_400(app_client, world, alice):
    status, body = call(app_client, "DELETE", f"/self-serve/{BRANCH}/build/abc", None, alice)

    assert (status, body["msg"]) == (400, "Non-integer build_id")


def test_rebuilding_a_build_of_another_branch_is_404(app_client, world, alice):
    status, body = call(app_client, "POST", "/self-serve/Mozilla-Inbound/build", {"build_id": "999999"}, alice)

    assert (status, body["msg"]) == (404, "Build 999999 not found on branch Mozilla-Inbound")


def test_a_rebuild_carries_the_build_to_run_again_to_the_ci(app_client, world, alice):
    status, _ = call(app_client, "POST", f"/self-serve/{BRANCH}/build",
                     {"build_id": str(world.finished), "count": "2"}, alice)

    [message] = queued()
    assert status == 202
    assert message["what"]["count"] == 2 and message["what"]["build_id"] == world.finished
    [target] = message["what"]["targets"]
    assert target["job_id"] == world.finished and target["job_type_name"] == "Linux x86-64 build"


def test_reprioritizing_needs_a_priority(app_client, world, alice):
    status, body = call(app_client, "PUT", f"/self-serve/{BRANCH}/request/{world.pending}", {}, alice)

    assert (status, body["msg"]) == (400, "Bad priority")


def test_reprioritizing_a_finished_request_is_refused(app_client, world, alice):
    status, body = call(app_client, "PUT", f"/self-serve/{BRANCH}/request/{world.finished}", {"priority": "5"}, alice)

    assert (status, body["msg"]) == (400, "Request already complete")


def test_reprioritizing_a_running_request_is_refused(app_client, world, alice):
    status, body = call(app_client, "PUT", f"/self-serve/{BRANCH}/request/{world.running}", {"priority": "5"}, alice)

    assert (status, body["msg"]) == (400, "Request is already running")


def test_only_the_requester_or_an_admin_may_cancel(app_client, world, balrog_user, admin):
    mallory = balrog_user("mallory")

    refused, body = call(app_client, "DELETE", f"/self-serve/{BRANCH}/request/{world.pending}", None, mallory)
    by_admin, _ = call(app_client, "DELETE", f"/self-serve/{BRANCH}/request/{world.pending}", None, admin)

    assert refused == 403 and "alice" in body["msg"]
    assert by_admin == 202


def test_the_requester_may_reprioritize_a_pending_request(app_client, world, alice):
    status, body = call(app_client, "PUT", f"/self-serve/{BRANCH}/request/{world.pending}", {"priority": "7"}, alice)

    assert status == 202
    [message] = queued()
    assert message["action"] == "reprioritize" and message["what"]["priority"] == 7


def test_cancelling_a_revision_targets_its_unfinished_jobs_and_needs_the_pusher_or_an_admin(
        app_client, world, alice, balrog_user):
    pusher = balrog_user(PUSHER)

    refused, _ = call(app_client, "DELETE", f"/self-serve/{BRANCH}/rev/{world.revision}", None, alice)
    status, _ = call(app_client, "DELETE", f"/self-serve/{BRANCH}/rev/{world.revision}", None, pusher)

    assert (refused, status) == (403, 202)
    [message] = queued()
    assert message["what"]["revision"] == world.revision[:12]
    assert sorted(t["job_id"] for t in message["what"]["targets"]) == sorted([world.running, world.pending])


def test_a_build_for_one_builder_carries_properties_and_files(app_client, world, alice):
    form = {"properties": '{"foo": "bar"}', "files": '["https://example.com/a.zip"]', "priority": "2"}

    status, _ = call(app_client, "POST", f"/self-serve/{BRANCH}/builders/Linux%20x86-64%20build/{world.revision}",
                     form, alice)

    assert status == 202
    [message] = queued()
    assert message["what"] == {"builder": "Linux x86-64 build", "revision": world.revision, "priority": 2,
                               "properties": {"foo": "bar"}, "files": ["https://example.com/a.zip"]}


@pytest.mark.parametrize(("form", "msg"), [
    ({"properties": "[1]"}, "Bad properties: must be a JSON object"),
    ({"properties": "{"}, "Bad properties: not JSON"),
    ({"files": '{"a": 1}'}, "Bad files: must be a JSON list of strings"),
])
def test_bad_builder_properties_or_files_are_400(app_client, world, alice, form, msg):
    status, body = call(app_client, "POST", f"/self-serve/{BRANCH}/builders/b/{world.revision}", form, alice)

    assert (status, body["msg"]) == (400, msg)


def test_a_revision_that_is_not_hex_is_400(app_client, world, alice):
    status, body = call(app_client, "POST", f"/self-serve/{BRANCH}/rev/not-a-revision", {}, alice)

    assert status == 400 and body["msg"].startswith("Bad revision")


# --- the 503 path ---------------------------------------------------------------------------------


def test_when_the_queue_fails_the_answer_is_503_and_the_request_is_closed_failed(app_client, world, alice):
    with Fault("sqs", "SendMessage") as fault:
        status, body = call(app_client, "POST", f"/self-serve/{BRANCH}/rev/{world.revision}", {}, alice)

    assert fault.hits >= 1
    assert status == 503 and body == {"status": "FAILED", "msg": "The job request could not be queued; retry later"}
    [recorded] = build_requests.newest(10, 0)
    assert recorded.completed_at is not None
    assert recorded.complete_data == {"status": "FAILED", "msg": "The job request could not be queued"}
    assert build_requests.unsent_before(int(time.time()) + 3600) == []


def test_when_the_record_fails_the_answer_is_503_and_nothing_is_queued(app_client, world, alice):
    with Fault("dynamodb", "PutItem"):
        status, body = call(app_client, "POST", f"/self-serve/{BRANCH}/rev/{world.revision}", {}, alice)

    assert status == 503 and body["msg"] == "The job request could not be recorded; retry later"
    assert queued() == []
    assert build_requests.newest(10, 0) == []


def test_a_request_neither_queued_nor_closed_is_closed_by_the_sweeper(app_client, world, alice):
    with Fault("sqs", "SendMessage"), Fault("dynamodb", "UpdateItem",
                                            when=lambda p: "selfserve" in p.get("TableName", "")):
        status, _ = call(app_client, "POST", f"/self-serve/{BRANCH}/rev/{world.revision}", {}, alice)
    [left] = build_requests.newest(10, 0)
    assert status == 503 and left.completed_at is None and not left.queued

    closed = job_results.sweep(now=int(time.time()) + job_results.UNSENT_GRACE_SECONDS + 1)

    assert closed == 1
    _, job = call(app_client, "GET", f"/self-serve/jobs/{left.request_id}")
    assert job["complete_data"]["status"] == "FAILED" and job["completed_at"] is not None


def test_the_sweeper_leaves_queued_requests_alone(app_client, world, alice):
    call(app_client, "POST", f"/self-serve/{BRANCH}/rev/{world.revision}", {}, alice)

    assert job_results.sweep(now=int(time.time()) + 3600) == 0


def test_an_unknown_job_request_is_404(app_client, world):
    status, body = call(app_client, "GET", "/self-serve/jobs/424242")

    assert (status, body) == (404, {"status": "FAILED", "msg": "Job 424242 not found"})

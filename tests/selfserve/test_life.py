"""A self-serve request's whole life: queued, performed by the reference CI, reported through the job ingest."""

from __future__ import annotations

import json
import time

import pytest

from chalicelib import config
from chalicelib.store.clients import client
from tests.support.selfserve_data import BRANCH, call, queued, seed

BUILDER = f"Linux x86-64 {BRANCH} build"


@pytest.fixture
def world(app_client, monkeypatch):
    monkeypatch.setenv("SHIPYARD_REFERENCE_CI_STEP", "0")
    return seed(int(time.time()))


@pytest.fixture
def alice(balrog_user):
    return balrog_user("alice")


@pytest.fixture
def ci(pump):
    """Runs the reference CI on what is queued for it, then Shipyard's job ingest and results workers."""
    from chalicelib.local import reference_ci
    from chalicelib.local.pump import Pump

    ci_pump = Pump(reference_ci.app, schedules=False)

    def _step() -> None:
        ci_pump.drain(config.queue_name(config.SELFSERVE_BUILD_REQUESTS_QUEUE), max_batches=1)
        pump.drain(config.queue_name(config.TREEHERDER_JOBS_QUEUE))
        pump.drain(config.queue_name(config.SELFSERVE_RESULTS_QUEUE))

    return _step


def _new_request(app_client, headers, revision, form=None) -> int:
    """POST a new build at ``revision``; returns its job request id."""
    status, accepted = call(app_client, "POST", f"/self-serve/{BRANCH}/rev/{revision}", form or {}, headers)
    assert status == 202
    return accepted["request_id"]


def _mine(app_client, part: str) -> list[dict]:
    _, found = call(app_client, "GET", f"/self-serve/{BRANCH}/{part}")
    return [x for x in found if x["buildername"] == BUILDER]


def test_a_new_build_goes_pending_running_complete_and_its_job_request_completes(app_client, world, alice, ci):
    request_id = _new_request(app_client, alice, world.other_revision, {"priority": "3"})

    ci()  # the CI takes the request: one build request, pending; the result completes the job request
    _, job = call(app_client, "GET", f"/self-serve/jobs/{request_id}")
    [pending] = _mine(app_client, "pending")
    ci()  # a machine claims it
    [running] = _mine(app_client, "running")
    ci()  # it finishes
    [finished] = _mine(app_client, "builds")

    assert job["completed_at"] is not None
    assert job["complete_data"]["status"] == "OK" and job["complete_data"]["job_guids"] == [f"ref-ci-{request_id}-0"]
    assert pending["priority"] == 3 and pending["revision"] == world.other_revision[:12]
    assert running["build_id"] == pending["request_id"] and running["status"] is None
    assert finished["build_id"] == pending["request_id"] and finished["status"] == 0
    _, request = call(app_client, "GET", f"/self-serve/{BRANCH}/request/{pending['request_id']}")
    assert request["complete"] == 1 and request["build_ids"] == [pending["request_id"]]
    assert request["reason"] == f"self-serve new_build_at_revision (job request {request_id})"


def test_a_revision_is_done_once_its_builds_ended_stable_delay_ago(app_client, world, alice, ci, monkeypatch):
    from chalicelib.api.selfserve import revisions

    _new_request(app_client, alice, world.other_revision)
    for _ in range(3):
        ci()
    path = f"/self-serve/{BRANCH}/rev/{world.other_revision}/is_done"

    _, just_now = call(app_client, "GET", path)
    monkeypatch.setattr(revisions, "now", lambda: int(time.time()) + 181)
    _, later = call(app_client, "GET", path)

    assert just_now == {"stableDelay": 180, "job_complete": False, "job_passed": False}
    assert later == {"stableDelay": 180, "job_complete": True, "job_passed": True}


def test_a_cancelled_request_completes_cancelled_and_never_runs(app_client, world, alice, ci):
    _new_request(app_client, alice, world.other_revision)
    ci()
    [pending] = _mine(app_client, "pending")

    status, _ = call(app_client, "DELETE", f"/self-serve/{BRANCH}/request/{pending['request_id']}", None, alice)
    ci()  # the cancel, and the step that would have started it
    ci()

    assert status == 202
    _, request = call(app_client, "GET", f"/self-serve/{BRANCH}/request/{pending['request_id']}")
    assert request["complete"] == 1 and request["claimed_at"] == 0 and request["build_ids"] == []
    assert _mine(app_client, "running") == [] and _mine(app_client, "builds") == []


def test_a_cancelled_running_build_ends_with_status_cancelled(app_client, world, alice, ci):
    _new_request(app_client, alice, world.other_revision)
    ci()
    ci()
    [running] = _mine(app_client, "running")

    call(app_client, "DELETE", f"/self-serve/{BRANCH}/build/{running['build_id']}", None, alice)
    ci()
    ci()

    _, build = call(app_client, "GET", f"/self-serve/{BRANCH}/build/{running['build_id']}")
    assert build["status"] == 6


def test_a_rebuild_makes_count_new_requests_of_the_same_builder(app_client, world, alice, ci):
    status, accepted = call(app_client, "POST", f"/self-serve/{BRANCH}/build",
                            {"build_id": str(world.failed), "count": "2", "priority": "4"}, alice)
    ci()

    _, pending = call(app_client, "GET", f"/self-serve/{BRANCH}/pending")
    again = [r for r in pending if r["buildername"] == "Linux x86-64 test"]
    assert status == 202 and len(again) == 2 and {r["priority"] for r in again} == {4}
    _, job = call(app_client, "GET", f"/self-serve/jobs/{accepted['request_id']}")
    assert job["complete_data"]["msg"] == "2 build request(s) made"


def test_a_request_asked_for_again_makes_count_pending_requests_and_completes(app_client, world, alice, ci):
    """The success path of ``POST /{branch}/request`` (BuildAPI's rebuild_request), end to end."""
    _new_request(app_client, alice, world.other_revision)
    ci()
    [first] = _mine(app_client, "pending")

    status, accepted = call(app_client, "POST", f"/self-serve/{BRANCH}/request",
                            {"request_id": str(first["request_id"]), "count": "2", "priority": "5"}, alice)
    ci()

    assert status == 202 and accepted["status"] == "OK"
    again = [r for r in _mine(app_client, "pending") if r["request_id"] != first["request_id"]]
    assert len(again) == 2 and {r["priority"] for r in again} == {5}
    assert {r["revision"] for r in again} == {world.other_revision[:12]}
    _, job = call(app_client, "GET", f"/self-serve/jobs/{accepted['request_id']}")
    assert job["action"] == "rebuild_request" and job["who"] == "alice"
    assert job["complete_data"]["msg"] == "2 build request(s) made"


def test_a_reprioritized_request_shows_its_new_priority(app_client, world, alice, ci):
    _new_request(app_client, alice, world.other_revision)
    ci()
    [pending] = _mine(app_client, "pending")

    call(app_client, "PUT", f"/self-serve/{BRANCH}/request/{pending['request_id']}", {"priority": "9"}, alice)
    ci()

    _, request = call(app_client, "GET", f"/self-serve/{BRANCH}/request/{pending['request_id']}")
    assert request["priority"] == 9


# --- _method override -----------------------------------------------------------------------------


def test_a_post_with_method_delete_in_the_query_cancels(app_client, world, alice):
    status, _ = call(app_client, "POST", f"/self-serve/{BRANCH}/request/{world.pending}?_method=DELETE", {}, alice)

    [message] = queued()
    assert status == 202 and message["action"] == "cancel_request"


def test_a_form_post_with_method_put_reprioritizes(app_client, world, alice):
    status, _ = call(app_client, "POST", f"/self-serve/{BRANCH}/request/{world.pending}",
                     {"_method": "PUT", "priority": "2"}, alice)

    [message] = queued()
    assert status == 202 and message["action"] == "reprioritize"


def test_a_form_post_with_method_delete_cancels_a_build(app_client, world, alice):
    status, _ = call(app_client, "POST", f"/self-serve/{BRANCH}/build/{world.running}", {"_method": "DELETE"}, alice)

    [message] = queued()
    assert status == 202 and message["action"] == "cancel_build"


def test_a_form_post_with_method_delete_on_a_revision_cancels_it(app_client, world, balrog_admin):
    status, _ = call(app_client, "POST", f"/self-serve/{BRANCH}/rev/{world.revision}", {"_method": "DELETE"},
                     balrog_admin)

    [message] = queued()
    assert status == 202 and message["action"] == "cancel_revision"


def test_an_override_to_a_method_the_path_lacks_is_405(app_client, world, alice):
    status, body = call(app_client, "POST", f"/self-serve/{BRANCH}/build/{world.running}", {"_method": "PUT"}, alice)

    assert status == 405 and body["status"] == "FAILED"


@pytest.mark.parametrize("path", ["/rev/{revision}/pgo", "/rev/{revision}/nightly", "/request",
                                  "/builders/Linux%20x86-64%20Selfserve-Test%20build/{revision}"])
def test_every_form_write_documents_the_405_of_an_override_the_path_lacks(app_client, world, alice, path):
    """Given a form POST whose ``_method`` names DELETE on a path without one (the long fuzz run's finding:
    a 405 the document did not list), then the 405, and the path's POST operation lists it."""
    from chalicelib.api.openapi import registry

    status, body = call(app_client, "POST", f"/self-serve/{BRANCH}" + path.format(revision=world.revision),
                        {"_method": "DELETE"}, alice)
    template = "/self-serve/{branch}" + path.replace("Linux%20x86-64%20Selfserve-Test%20build", "{builder}")

    assert status == 405 and body["status"] == "FAILED"
    assert "405" in registry.document("selfserve")["paths"][template]["post"]["responses"]


def test_a_job_request_answered_in_html_links_to_its_status(app_client, world, alice):
    status, text = call(app_client, "POST", f"/self-serve/{BRANCH}/rev/{world.revision}", {}, alice, fmt="html")

    [message] = queued()
    assert status == 202 and f'href="/self-serve/jobs/{message["request_id"]}"' in text


# --- the results worker ---------------------------------------------------------------------------


def _send_result(message: dict | str) -> None:
    sqs = client("sqs")
    url = sqs.get_queue_url(QueueName=config.queue_name(config.SELFSERVE_RESULTS_QUEUE))["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=message if isinstance(message, str) else json.dumps(message))


def _dead_letters() -> list[str]:
    sqs = client("sqs")
    url = sqs.get_queue_url(QueueName=config.dead_letter_queue_name(config.SELFSERVE_RESULTS_QUEUE))["QueueUrl"]
    return [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])]


def test_a_redelivered_result_leaves_the_first_completion(app_client, world, alice, pump):
    request_id = _new_request(app_client, alice, world.revision)
    results = config.queue_name(config.SELFSERVE_RESULTS_QUEUE)
    _send_result({"request_id": request_id, "status": "OK", "msg": "first", "completed_at": 100})
    pump.drain(results)

    _send_result({"request_id": request_id, "status": "FAILED", "msg": "second", "completed_at": 200})
    pump.drain(results)

    _, job = call(app_client, "GET", f"/self-serve/jobs/{request_id}")
    assert job["completed_at"] == 100 and job["complete_data"]["msg"] == "first"


@pytest.mark.parametrize("body", ["not json", json.dumps({"request_id": 0, "status": "OK"}),
                                  json.dumps({"request_id": 5, "status": "MAYBE"}),
                                  json.dumps({"request_id": 424242, "status": "OK"})])
def test_a_result_no_retry_can_fix_goes_to_the_dead_letter_queue(app_client, world, pump, body):
    _send_result(body)

    pump.drain(config.queue_name(config.SELFSERVE_RESULTS_QUEUE))

    assert _dead_letters() == [body]

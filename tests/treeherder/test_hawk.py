"""``POST /api/project/<p>/jobs/``: the job message over HTTP, signed with Hawk (mohawk)."""

from __future__ import annotations

import time

import pytest
import requests

from chalicelib.store import jobs as job_store
from tests.support.treeherder_data import HAWK_ID, hawk_post, job_message, seed_pushes, tip

PATH = "/api/project/mozilla-inbound/jobs/"


@pytest.fixture
def session():
    with requests.Session() as s:
        s.headers["User-Agent"] = "shipyard-tests/1.0"  # requests' own agent is refused, as Treeherder does
        yield s


@pytest.fixture
def pushed(inbound, hawk_credential):
    return seed_pushes("Mozilla-Inbound", 2)


def test_a_signed_job_message_is_stored(pushed, session, treeherder_url):
    response = hawk_post(session, treeherder_url, PATH, job_message(tip(pushed[0])))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["message"] == "Job successfully updated" and body["client_id"] == HAWK_ID
    [outcome] = body["jobs"]
    assert (outcome["status"], outcome["push_id"]) == ("created", pushed[0].pushlog_id)
    assert job_store.by_id(outcome["id"]).state == "completed"


def test_a_list_of_messages_is_stored_together(pushed, session, treeherder_url):
    messages = [job_message(tip(pushed[0]), guid="a/0"), job_message(tip(pushed[1]), guid="b/0", state="running")]
    response = hawk_post(session, treeherder_url, PATH, messages)
    assert response.status_code == 200
    assert [j["status"] for j in response.json()["jobs"]] == ["created", "created"]


def test_a_job_for_a_push_not_synced_yet_is_accepted_and_waits(pushed, session, treeherder_url):
    response = hawk_post(session, treeherder_url, PATH, job_message("b" * 40))
    assert response.status_code == 202
    assert response.json()["jobs"][0]["status"] == "waiting"


def test_an_unsigned_post_is_refused(pushed, session, treeherder_url):
    response = session.post(treeherder_url + PATH, json=job_message(tip(pushed[0])))
    assert response.status_code == 403
    assert response.json() == {"detail": "Authentication credentials were not provided."}


@pytest.mark.parametrize("signing, refusal", [
    ({"secret": "wrong-secret"}, "Hawk authentication failed"),
    ({"client_id": "nobody"}, "No authorised credentials found with id nobody"),
    ({"timestamp": int(time.time()) - 120},
     "Hawk authentication failed: The token has expired. Is your system clock correct?"),
])
def test_a_badly_signed_post_is_refused(pushed, session, treeherder_url, signing, refusal):
    """In Treeherder's words: hawkrest's HawkAuthentication (vague, but naming an expired timestamp and a
    malformed header), treeherder/webapp/api/auth.py hawk_lookup for an unknown client (test_auth.py
    test_post_hawk_unauthorized), and the Hawk docs' ``{"detail": "Hawk authentication failed: The token has
    expired. Is your system clock correct?"}``."""
    response = hawk_post(session, treeherder_url, PATH, job_message(tip(pushed[0])), **signing)
    assert response.status_code == 403
    assert response.json() == {"detail": refusal}
    assert job_store.by_guid(job_message("a")["job"]["job_guid"]) is None


def test_a_timestamp_within_60_seconds_is_accepted(pushed, session, treeherder_url):
    response = hawk_post(session, treeherder_url, PATH, job_message(tip(pushed[0])), timestamp=int(time.time()) - 50)
    assert response.status_code == 200


def test_a_replayed_request_is_refused(pushed, session, treeherder_url):
    # the same signed request (header, timestamp, nonce and body) sent twice
    message, now = job_message(tip(pushed[0])), int(time.time())
    first = hawk_post(session, treeherder_url, PATH, message, nonce="n-1", timestamp=now)
    again = hawk_post(session, treeherder_url, PATH, message, nonce="n-1", timestamp=now)
    assert first.status_code == 200
    assert again.status_code == 403
    assert again.json() == {"detail": "Hawk authentication failed"}


def test_a_nonce_signed_again_with_a_new_timestamp_is_refused(pushed, session, treeherder_url):
    message, now = job_message(tip(pushed[0])), int(time.time())
    assert hawk_post(session, treeherder_url, PATH, message, nonce="n-2", timestamp=now - 5).status_code == 200
    again = hawk_post(session, treeherder_url, PATH, message, nonce="n-2", timestamp=now)
    assert again.status_code == 403


def test_a_body_changed_after_signing_is_refused(pushed, session, treeherder_url):
    import mohawk

    signed = job_message(tip(pushed[0]))
    sender = mohawk.Sender({"id": HAWK_ID, "key": "treeherder-dev-secret", "algorithm": "sha256"},
                           treeherder_url + PATH, "POST", content=str(signed).encode(), content_type="application/json")
    response = session.post(treeherder_url + PATH, json=signed,
                            headers={"Authorization": sender.request_header, "Content-Type": "application/json"})
    assert response.status_code == 403
    assert response.json() == {"detail": "Hawk authentication failed"}  # hawkrest names no other failure


def test_an_invalid_message_is_refused_with_its_reason_and_nothing_is_stored(pushed, session, treeherder_url):
    good = job_message(tip(pushed[0]), guid="good/0")
    bad = job_message(tip(pushed[0]), guid="bad/0", state="done")
    response = hawk_post(session, treeherder_url, PATH, [good, bad])
    assert response.status_code == 400
    assert response.json() == {"detail": "message 1: $.job.state: must be one of pending, running, completed"}
    assert job_store.by_guid("good/0") is None


@pytest.mark.parametrize("raw", [b"", b"null", b"[null]", b"[1, 2]", b'"text"'], ids=repr)
def test_a_signed_body_that_is_no_job_message_object_is_400_not_500(pushed, session, treeherder_url, raw):
    """Given a correctly signed POST whose body is empty, ``null`` or a list of non-objects (found by fuzzing the
    running stack: it was a 500), then the 400 ``{"detail"}`` of any message that fails the job schema: a job is a
    JSON object (treeherder's pulse-job schema; tests/etl/test_job_loader.py test_ingest_pulse_jobs_bad_project
    refuses what fails it)."""
    response = hawk_post(session, treeherder_url, PATH, None, raw=raw)

    assert response.status_code == 400, response.text
    assert set(response.json()) == {"detail"} and "$" in response.json()["detail"]


def test_a_message_for_another_repository_is_refused(pushed, session, treeherder_url):
    response = hawk_post(session, treeherder_url, PATH, job_message(tip(pushed[0]), project="try"))
    assert response.status_code == 400
    assert "is not 'mozilla-inbound'" in response.json()["detail"]


def test_the_secret_is_never_logged(pushed, session, treeherder_url, caplog):
    caplog.set_level("DEBUG")
    hawk_post(session, treeherder_url, PATH, job_message(tip(pushed[0])), secret="wrong-secret")
    hawk_post(session, treeherder_url, PATH, job_message(tip(pushed[0])))
    assert "treeherder-dev-secret" not in caplog.text


# --- `shipyard hawk create` ------------------------------------------------------------------------


def shipyard(capsys, *argv: str) -> tuple[int, dict]:
    """Runs the command; returns its status and what it printed (stdout, or stderr on failure)."""
    import json

    from chalicelib.cli.main import main

    status = main(["--no-local", *argv])
    out, err = capsys.readouterr()
    printed = out if out.strip() else err
    return status, (json.loads(printed) if printed.strip() else {})


def test_hawk_create_prints_credentials_once_and_stores_the_secret_for_hmac(aws, capsys):
    from chalicelib.store import hawk_credentials

    status, out = shipyard(capsys, "hawk", "create", "ci-system")
    assert status == 0 and out["client_id"] == "ci-system" and len(out["secret"]) >= 32
    assert hawk_credentials.get("ci-system").secret == out["secret"]


def test_hawk_create_refuses_an_existing_client_without_replace(aws, capsys):
    shipyard(capsys, "hawk", "create", "ci-system")
    status, out = shipyard(capsys, "hawk", "create", "ci-system")
    assert status == 1 and "exists" in out["error"] and "secret" not in out
    status, _ = shipyard(capsys, "hawk", "create", "ci-system", "--replace")
    assert status == 0


def test_branch_add_names_the_treeherder_repository(aws, capsys):
    status, out = shipyard(capsys, "branch", "add", "Fx-Team", "--uri", "integration/fx-team")
    assert status == 0 and out["repository"] == "fx-team" and isinstance(out["repository_id"], int)
    status, out = shipyard(capsys, "branch", "add", "My-Branch", "--uri", "integration/x", "--repository", "mine")
    assert out["repository"] == "mine"


def test_a_malformed_hawk_header_is_named(pushed, session, treeherder_url):
    """hawkrest: a BadHeaderValue is 'Hawk authentication failed: The request header was malformed'."""
    response = session.post(treeherder_url + PATH, json=job_message(tip(pushed[0])),
                            headers={"Authorization": 'Hawk id="a", ts="x\u0000", nonce="n", mac="m"'})
    assert response.status_code == 403
    assert response.json() == {"detail": "Hawk authentication failed: The request header was malformed"}

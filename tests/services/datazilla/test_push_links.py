"""Each loaded test run is linked to the push of its revision on its branch."""

from __future__ import annotations

import json
import time

from chalicelib import config
from chalicelib.services.datazilla.push_links import link_waiting_runs
from chalicelib.store import pushes, test_runs
from tests.support.pushlog_data import make_push

PROCESSING = config.queue_name(config.PROCESSING_QUEUE)


def _store(push: dict):
    stored, _ = pushes.store("Mozilla-Inbound", push["push_id"], push["date"], push["user"], push["changesets"])
    return stored


def _blob_for(blob: dict, node: str, branch: str = "Mozilla-Inbound") -> str:
    blob["test_build"]["revision"] = node[:12]
    blob["test_build"]["branch"] = branch
    return json.dumps(blob)


def test_a_run_whose_push_is_synced_is_linked_on_load(inbound, upload, pump, talos_blob):
    push = _store(make_push(7, int(time.time())))
    upload(_blob_for(talos_blob, push.changesets[-1]["node"]))
    pump.drain(PROCESSING)
    run = test_runs.get("talos", 1)
    assert (run.pushlog_id, run.push_id, run.push_date) == (push.pushlog_id, 7, push.date)
    assert run.unlinked_key is None


def test_a_revision_of_any_changeset_of_the_push_links_it(inbound, upload, pump, talos_blob):
    push = _store(make_push(7, int(time.time()), revisions=3))
    upload(_blob_for(talos_blob, push.changesets[0]["node"]))
    pump.drain(PROCESSING)
    assert test_runs.get("talos", 1).push_id == 7


def test_an_alternative_branch_name_links_to_the_canonical_branch(inbound, upload, pump, talos_blob):
    push = _store(make_push(7, int(time.time())))
    upload(_blob_for(talos_blob, push.changesets[-1]["node"], branch="Mozilla-Inbound-Non-PGO"))
    pump.drain(PROCESSING)
    run = test_runs.get("talos", 1)
    assert run.canonical_branch == "Mozilla-Inbound" and run.push_id == 7


def test_a_run_that_arrives_before_its_push_is_linked_when_the_push_arrives(inbound, upload, pump, talos_blob):
    # given a run loaded before the pushlog knew its push
    future = make_push(8, int(time.time()))
    upload(_blob_for(talos_blob, future["changesets"][-1]["node"]))
    pump.drain(PROCESSING)
    assert test_runs.get("talos", 1).push_id is None
    # when the push is stored
    push = _store(future)
    linked = link_waiting_runs(push)
    # then the run is linked
    assert linked == 1
    assert test_runs.get("talos", 1).pushlog_id == push.pushlog_id


def test_a_push_of_another_revision_links_nothing(inbound, upload, pump, talos_blob):
    upload(_blob_for(talos_blob, "ab" * 20))
    pump.drain(PROCESSING)
    assert link_waiting_runs(_store(make_push(9, int(time.time())))) == 0
    assert test_runs.get("talos", 1).push_id is None


def test_a_push_stored_twice_is_one(inbound):
    first, created = pushes.store("Mozilla-Inbound", 5, 100, "u", make_push(5, 100)["changesets"])
    again, created_again = pushes.store("Mozilla-Inbound", 5, 100, "u", make_push(5, 100)["changesets"])
    assert created and not created_again
    assert again.pushlog_id == first.pushlog_id

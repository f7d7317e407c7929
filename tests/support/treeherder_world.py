"""One Treeherder world per test module: pushes, jobs and Talos runs through the real paths.

Building it per test would cost a minute a file: the read-only tests of a
module share it (as tests/datazilla/test_metrics_endpoints.py does).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from chalice.test import Client
from moto import mock_aws

from chalicelib import config
from chalicelib.local import resources
from chalicelib.services.treeherder import job_ingest
from chalicelib.store import branches, clients, hawk_credentials, projects, queues
from chalicelib.store.pushes import PushRecord
from tests.support.datazilla_data import DEV_KEY, DEV_SECRET, signed_upload, talos_run
from tests.support.paths import FIXTURES
from tests.support.treeherder_data import BASE_DATE, HAWK_ID, HAWK_SECRET, job_message, seed_pushes, tip

BRANCH = "Mozilla-Inbound"
PROJECT = "mozilla-inbound"
TALOS_BLOB = json.loads(Path(FIXTURES / "talos_tp5n.json").read_text())
PAGE_MEANS = {"cnn.com": 400.0, "bbc.co.uk": 250.0}


@dataclass
class World:
    client: Client
    pushes: list[PushRecord]  # oldest first
    job_push: PushRecord  # the push the jobs are on
    run_pushes: list[PushRecord]  # pushes with a Talos run, oldest first
    runs: list[dict]  # the uploaded blobs, by run


def build(push_count: int, *, jobs: int = 3, runs: int = 3, other_branch_pushes: int = 0):
    """A context manager yielding a :class:`World` inside its own embedded AWS."""
    from contextlib import contextmanager

    @contextmanager
    def _world():
        from app import app
        from chalicelib.local.pump import Pump

        clients.reset()
        queues.reset()
        with mock_aws():
            resources.deploy(visibility_timeout=1, max_receive_count=3)
            projects.create("talos", DEV_KEY, DEV_SECRET)
            hawk_credentials.create(HAWK_ID, HAWK_SECRET)
            branches.put(BRANCH, "integration/mozilla-inbound", ["Mozilla-Inbound-Non-PGO"])
            if other_branch_pushes:
                branches.put("Firefox", "mozilla-central")
                seed_pushes("Firefox", other_branch_pushes)
            bulk = max(0, push_count - 10)  # one changeset each: moto's responses are slow per attribute
            stored = seed_pushes(BRANCH, bulk, revisions=1)
            stored += seed_pushes(BRANCH, push_count - bulk, first=bulk + 1, date=BASE_DATE + 60 * bulk)
            job_push = stored[-2]
            for i in range(jobs):
                job_ingest.ingest(job_message(tip(job_push), guid=f"job-{i}/0", job_symbol=f"bc{i}",
                                              result="testfailed" if i == 0 else "success"))
            run_pushes = stored[-runs - 1:-1] if runs else []
            uploaded = []
            with Client(app, stage_name="test") as client:
                pump = Pump(app, schedules=False)
                for n, push in enumerate(run_pushes):
                    text = talos_run(TALOS_BLOB, tip(push), PAGE_MEANS, seed=n, date=int(push.date) + 30)
                    assert signed_upload(client, text).status_code == 200
                    uploaded.append(json.loads(text))
                pump.drain(config.queue_name(config.PROCESSING_QUEUE), max_batches=50)
                pump.drain(config.queue_name(config.METRICS_QUEUE), max_batches=50)
                yield World(client, stored, job_push, run_pushes, uploaded)
        clients.reset()
        queues.reset()

    return _world()


__all__ = ["BASE_DATE", "BRANCH", "PROJECT", "World", "build"]

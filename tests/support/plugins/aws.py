"""The embedded AWS (moto) a test asks for, and the app on it: test client, pump, real HTTP.

Nothing here is autouse: a test that names none of these fixtures (a pure-domain
test) starts no moto and touches no AWS.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from chalice.test import Client
from moto import mock_aws

from chalicelib.local import greedy_routes, resources
from chalicelib.store import clients, queues


def _parse_each_template_once() -> None:
    """moto parses a CloudFormation template with PyYAML's pure-Python loader, which took a third of
    every test's world; infra/ is the same template for every world, so each text is parsed once per
    process and every stack gets its own copy of the result (what a fresh parse would give)."""
    from moto.cloudformation.models import Stack

    parse = Stack.parse_template
    parsed: dict[str, Any] = {}

    def parse_once(template: str) -> dict[str, Any]:
        if template not in parsed:
            parsed[template] = parse(template)
        return copy.deepcopy(parsed[template])

    Stack.parse_template = staticmethod(parse_once)


_parse_each_template_once()
greedy_routes.install()  # the test client routes {proxy+} as API Gateway does


@contextmanager
def embedded_aws() -> Iterator[None]:
    """A fresh embedded AWS (moto) with Shipyard's resources deployed from infra/.

    Queues hide a failed message for 1 s and move it to its DLQ after 3 receives.
    The ``s3:TestEvent`` that configuring the bucket's notification sends is taken
    off the processing queue, so every test starts with empty queues (the worker's
    handling of it is tested on its own).
    """
    clients.reset()
    queues.reset()
    try:
        with mock_aws():
            resources.deploy(visibility_timeout=1, max_receive_count=3)
            _take_the_notification_test_event()
            yield
    finally:
        clients.reset()
        queues.reset()


def _take_the_notification_test_event() -> None:
    from chalicelib import config
    from chalicelib.store.clients import client

    sqs = client("sqs")
    url = sqs.get_queue_url(QueueName=config.queue_name(config.PROCESSING_QUEUE))["QueueUrl"]
    for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        assert '"s3:TestEvent"' in message["Body"], message["Body"]
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


@contextmanager
def moto_fast_paths() -> Iterator[None]:
    """moto with the local stack's fast paths (``chalicelib/local/moto_guards.py``) while within.

    For tests that fill tables with tens of thousands of items to count a read's
    calls: moto builds each item in time quadratic in its attributes and reads a
    whole table for a partition's ``Query``; the guards do neither and give
    moto's own answers (``tests/local/test_moto_fast_paths.py`` holds them to
    it). The calls the app makes, which those tests count, are the same.
    """
    from chalicelib.local import moto_guards

    installed_here = not moto_guards._installed  # noqa: SLF001 - leave a stack's own install in place
    moto_guards.install()
    try:
        yield
    finally:
        if installed_here:
            moto_guards.uninstall()


@contextmanager
def serve(authority=None) -> Iterator[str]:
    """The app over real HTTP on 127.0.0.1 (a free port), in whatever moto world is active; yields its URL."""
    from app import app
    from chalicelib.local import http_server

    running = http_server.start(app, "127.0.0.1", 0, stage="test", authority=authority)
    try:
        yield running.url
    finally:
        running.stop()


@pytest.fixture
def aws():
    """A fresh embedded AWS with Shipyard's resources deployed from infra/."""
    with embedded_aws():
        yield


@pytest.fixture
def app_client(aws):
    from app import app

    # stage "test" is not in .chalice/config.json: no stage variables override ours
    with Client(app, stage_name="test") as client:
        yield client


@pytest.fixture
def fast_moto():
    """``moto_fast_paths`` for one test."""
    with moto_fast_paths():
        yield


@pytest.fixture
def pump(aws):
    """Delivers queued messages to the app's real handlers, as Lambda would."""
    from app import app
    from chalicelib.local.pump import Pump

    return Pump(app, schedules=False)


@pytest.fixture
def aws_calls(monkeypatch):
    """Records every AWS API call made (service, operation), through any client."""
    import botocore.client

    calls: list[tuple[str, str]] = []
    original = botocore.client.BaseClient._make_api_call

    def counting(self, operation_name, api_params):
        calls.append((self.meta.service_model.service_name, operation_name))
        return original(self, operation_name, api_params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counting)
    return calls


@pytest.fixture
def atomic_dynamodb(aws, monkeypatch):
    """moto's DynamoDB with each write atomic, as DynamoDB is.

    moto's in-process backend checks a condition and then writes without a
    lock, so concurrent threads can both pass one condition; real DynamoDB
    serialises writes to an item. Concurrency tests need the real semantics.
    """
    import threading

    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.RLock()
    for name in ("put_item", "update_item", "delete_item", "transact_write_items"):
        original = getattr(DynamoDBBackend, name)

        def locked(self, *args, _original=original, **kwargs):
            with lock:
                return _original(self, *args, **kwargs)

        monkeypatch.setattr(DynamoDBBackend, name, locked)


@pytest.fixture
def live_server(aws):
    """The app served over real HTTP on 127.0.0.1 (a free port), inside this test's moto world.

    For the real clients of each API family (balrogclient, treeherder-client,
    kernelci), which speak HTTP through ``requests``: the same Chalice local
    server ``make run`` uses, in a thread, so the test's embedded AWS is the
    one the app sees. Yields the base URL, ``http://127.0.0.1:<port>``.
    """
    with serve() as url:
        yield url

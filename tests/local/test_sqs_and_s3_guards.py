"""moto's SQS and S3 with the local stack's guards answer as moto does (chalicelib/local/{sqs,s3}_guards.py).

Issue 17 item 6: moto's SQS read the clock through two datetimes for every
message it looked at and computed every attribute of a queue to read one,
and moto's S3 re-executed its URL module for every request. The guards keep
moto's answers: the same SQS conversation (dead-letter moves after
``maxReceiveCount``, FIFO deduplication and group order, delays, messages past
their retention period, the queue's approximate counts) gives the same answers
with and without them, the clock reads as moto's does, and S3 serves the same
URLs, custom endpoints included.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator

import pytest
from moto import mock_aws

from chalicelib.local import s3_guards, sqs_guards
from chalicelib.store import clients
from chalicelib.store.clients import client

# Attributes that differ between any two runs (moments, random sequence numbers); the rest must not.
_MOMENTS = {"SentTimestamp", "ApproximateFirstReceiveTimestamp", "CreatedTimestamp", "LastModifiedTimestamp",
            "SequenceNumber"}


@pytest.fixture
def plain_aws(monkeypatch):
    """No embedded AWS of the shared fixtures: these tests make moto worlds of their own."""
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)


@contextlib.contextmanager
def _world(guard) -> Iterator:
    clients.reset()
    if guard is not None:
        guard.install()
    try:
        with mock_aws():
            yield
    finally:
        if guard is not None:
            guard.uninstall()
        clients.reset()


def _messages(answer: dict) -> list:
    return [(m["Body"], {k: v for k, v in m.get("Attributes", {}).items() if k not in _MOMENTS})
            for m in answer.get("Messages", [])]


def _counts(sqs, url: str) -> dict:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return {k: v for k, v in attributes.items() if k not in _MOMENTS}


def _conversation() -> list:
    """Lambda's pump and the app's senders, as the local stack has them talk to SQS."""
    from moto.sqs.models import sqs_backends

    sqs = client("sqs")
    dlq = sqs.create_queue(QueueName="dead")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    work = sqs.create_queue(QueueName="work", Attributes={
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2}),
        "MessageRetentionPeriod": "60"})["QueueUrl"]
    fifo = sqs.create_queue(QueueName="ordered.fifo", Attributes={"FifoQueue": "true",
                                                                  "ContentBasedDeduplication": "true"})["QueueUrl"]
    out = []
    for body in ("one", "two", "three"):
        sqs.send_message(QueueUrl=work, MessageBody=body)
    sqs.send_message(QueueUrl=work, MessageBody="later", DelaySeconds=30)
    out.append(_counts(sqs, work))
    receive = {"AttributeNames": ["All"], "MaxNumberOfMessages": 10}
    for _ in range(3):  # received and not deleted, visible again at once: the third receive moves them to the DLQ
        out.append(_messages(sqs.receive_message(QueueUrl=work, VisibilityTimeout=0, **receive)))
    out.append(_messages(sqs.receive_message(QueueUrl=dlq, VisibilityTimeout=0, **receive)))
    out.append((_counts(sqs, work), _counts(sqs, dlq)))
    sqs.send_message(QueueUrl=work, MessageBody="expired")
    queue = sqs_backends["123456789012"][sqs.meta.region_name].queues["work"]
    for message in queue._messages:
        if message.body == "expired":
            message.sent_timestamp -= 61_000  # past the queue's 60 s retention
    out.append(_messages(sqs.receive_message(QueueUrl=work, VisibilityTimeout=0, **receive)))
    for group, body in (("a", "a1"), ("a", "a1"), ("b", "b1"), ("a", "a2"), ("b", "b2")):  # a1 twice: deduplicated
        sqs.send_message(QueueUrl=fifo, MessageBody=body, MessageGroupId=group)
    out.append(_counts(sqs, fifo))
    first = sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=1, **{"AttributeNames": ["All"]})
    out.append(_messages(first))
    out.append(_messages(sqs.receive_message(QueueUrl=fifo, **receive)))  # group a in flight: b's only
    sqs.delete_message(QueueUrl=fifo, ReceiptHandle=first["Messages"][0]["ReceiptHandle"])
    out.append(_messages(sqs.receive_message(QueueUrl=fifo, **receive)))
    out.append(_counts(sqs, fifo))
    return out


def test_sqs_answers_with_the_guards_as_moto_does(plain_aws):
    """Given a redrive policy, a delayed message, a message past its retention period and a FIFO queue with
    content-based deduplication, when the same conversation is held with moto alone and with the guards,
    then every message received, every dead-letter move and every approximate count is the same."""
    with _world(None):
        moto_answers = _conversation()
    with _world(sqs_guards):
        guarded_answers = _conversation()
    assert moto_answers[0]["ApproximateNumberOfMessagesDelayed"] == "1"
    assert moto_answers[3] == [] and [body for body, _ in moto_answers[4]] == ["one", "two", "three"]  # moved
    assert moto_answers[6] == []  # expired: not delivered
    assert guarded_answers == moto_answers


def test_the_sqs_clock_reads_as_moto_computes_it():
    """Given moto's clock (a naive UTC datetime less the epoch), when the guard's clock is read between two
    readings of moto's, then it lies between them, and with a datetime given both give the same figure."""
    import datetime as dt

    from moto.core import utils

    before = utils.unix_time()
    fast, fast_ms = sqs_guards.unix_time(), sqs_guards.unix_time_millis()
    after = utils.unix_time()
    assert before <= fast <= after and before * 1000 <= fast_ms <= after * 1000
    moment = dt.datetime(2026, 12, 6, 14, 30, 1, 123456)
    assert sqs_guards.unix_time(moment, _moto=utils.unix_time) == utils.unix_time(moment)
    assert sqs_guards.unix_time_millis(moment, _moto=utils.unix_time_millis) == utils.unix_time_millis(moment)


def _s3_urls(monkeypatch) -> tuple[list, int]:
    """S3's URL patterns without and with a custom endpoint, and how often moto.s3.urls was executed."""
    import importlib

    from moto.s3 import models
    from moto.s3.models import s3_backends

    reloads = []
    reload = importlib.reload
    counted = lambda module: reloads.append(module.__name__) or reload(module)  # noqa: E731
    monkeypatch.setattr(importlib, "reload", counted)
    monkeypatch.setattr(models, "reload", counted)  # moto's own name for it
    backend = s3_backends["123456789012"]["aws"]
    seen = []
    for endpoint in (None, None, "https://custom.example.test", "https://custom.example.test", None):
        if endpoint:
            monkeypatch.setenv("MOTO_S3_CUSTOM_ENDPOINTS", endpoint)
        else:
            monkeypatch.delenv("MOTO_S3_CUSTOM_ENDPOINTS", raising=False)
        seen.append(sorted(backend.urls))
    return seen, len(reloads)


def test_s3_serves_the_same_urls_and_reloads_them_only_when_the_custom_endpoints_change(plain_aws, monkeypatch):
    """Given requests with and without a custom S3 endpoint in the environment, when moto's S3 backend lists
    its URLs with and without the guard, then they are the same each time, and the guard re-executes
    moto.s3.urls only when the endpoints changed (three times for five listings, not ten)."""
    with _world(None):
        moto_urls, moto_reloads = _s3_urls(monkeypatch)
    with _world(s3_guards):
        guarded_urls, guarded_reloads = _s3_urls(monkeypatch)
    assert any("custom" in url for url in moto_urls[2]) and not any("custom" in url for url in moto_urls[4])
    assert guarded_urls == moto_urls
    assert (moto_reloads, guarded_reloads) == (10, 3)  # moto: twice a listing (its bases, then its paths)

"""The local event pump delivers as Lambda's SQS and schedule triggers do (against moto)."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from chalice import Chalice, Cron, Rate

from chalicelib import config
from chalicelib.local.pump import Pump
from chalicelib.local.schedules import cron_matches, rate_seconds
from chalicelib.store.clients import client

# The conftest's ``aws`` fixture deploys with visibility_timeout=1, max_receive_count=3.
VISIBILITY = 1
MAX_RECEIVES = 3
QUEUE = config.queue_name(config.INGEST_QUEUE)
DLQ = QUEUE + "-dlq"


def _url(name: str) -> str:
    return client("sqs").get_queue_url(QueueName=name)["QueueUrl"]


def _send(*bodies: str, queue: str = QUEUE) -> None:
    for body in bodies:
        client("sqs").send_message(QueueUrl=_url(queue), MessageBody=body)


def _counts(queue: str = QUEUE) -> tuple[int, int]:
    attrs = client("sqs").get_queue_attributes(
        QueueUrl=_url(queue),
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attrs["ApproximateNumberOfMessages"]), int(attrs["ApproximateNumberOfMessagesNotVisible"])


def _dlq_bodies() -> list[str]:
    found = client("sqs").receive_message(QueueUrl=_url(DLQ), MaxNumberOfMessages=10).get("Messages", [])
    return [m["Body"] for m in found]


def tiny_app(calls: list, *, fail: bool = False, batch_size: int = 10) -> Chalice:
    app = Chalice(app_name="t")

    @app.on_sqs_message(queue=QUEUE, batch_size=batch_size)
    def consume(event):
        calls.append({"event": event.to_dict(), "context": event.context, "bodies": [r.body for r in event]})
        if fail:
            raise RuntimeError("handler failed on purpose")

    @app.schedule(Rate(5, unit=Rate.MINUTES))
    def every_five(event):
        calls.append({"scheduled": event.to_dict()})
        if fail:
            raise RuntimeError("scheduled handler failed on purpose")

    return app


def test_a_successful_batch_is_deleted(aws):
    # given two messages and a handler that succeeds
    calls: list = []
    _send("one", "two")
    pump = Pump(tiny_app(calls))
    # when the pump polls the queue
    result = pump.drain(QUEUE)
    # then the handler saw both, and the queue is empty (nothing in flight either)
    assert sorted(b for c in calls for b in c["bodies"]) == ["one", "two"]
    assert result.messages == 2 and result.failed_batches == 0 and result.deleted == 2
    assert _counts() == (0, 0)


def test_the_event_and_context_are_lambdas(aws):
    calls: list = []
    client("sqs").send_message(
        QueueUrl=_url(QUEUE), MessageBody='{"k": 1}',
        MessageAttributes={"origin": {"DataType": "String", "StringValue": "ci"}},
    )
    Pump(tiny_app(calls)).drain(QUEUE)
    (call,) = calls
    (record,) = call["event"]["Records"]
    assert record["body"] == '{"k": 1}'
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"].endswith(":" + QUEUE)
    assert record["awsRegion"] == config.region()
    assert record["messageId"] and record["receiptHandle"] and record["md5OfBody"]
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["messageAttributes"]["origin"]["stringValue"] == "ci"
    context = call["context"]
    assert context.aws_request_id
    assert context.function_name == "t-local-consume"
    assert context.memory_limit_in_mb > 0
    assert 0 < context.get_remaining_time_in_millis() <= 60_000


def test_batch_size_is_honoured(aws):
    calls: list = []
    _send(*[f"m{i}" for i in range(5)])
    result = Pump(tiny_app(calls, batch_size=2)).drain(QUEUE)
    sizes = [len(c["bodies"]) for c in calls]
    assert sizes and all(size <= 2 for size in sizes)
    assert sum(sizes) == 5 == result.messages
    assert len(calls) == result.batches >= 3
    assert _counts() == (0, 0)


def test_a_failing_batch_is_redelivered_then_dead_lettered(aws):
    # given a handler that always raises
    calls: list = []
    _send("poison")
    pump = Pump(tiny_app(calls, fail=True))
    # when the pump polls: the batch fails and is not deleted, only hidden
    assert pump.drain(QUEUE).failed_batches == 1
    assert _counts() == (0, 1)
    # and is not redelivered before the visibility timeout
    assert pump.drain(QUEUE).batches == 0
    # then it comes back after the visibility timeout, up to maxReceiveCount deliveries
    for _ in range(MAX_RECEIVES - 1):
        time.sleep(VISIBILITY + 0.2)
        assert pump.drain(QUEUE).failed_batches == 1
    assert [c["event"]["Records"][0]["attributes"]["ApproximateReceiveCount"] for c in calls] == ["1", "2", "3"]
    # and after that it is in the dead-letter queue, not delivered again
    time.sleep(VISIBILITY + 0.2)
    assert pump.drain(QUEUE).batches == 0
    assert len(calls) == MAX_RECEIVES
    assert _counts() == (0, 0)
    assert _dlq_bodies() == ["poison"]


def test_stop_releases_failed_messages_still_hidden(aws):
    # given a long visibility timeout and a failed batch
    client("sqs").set_queue_attributes(QueueUrl=_url(QUEUE), Attributes={"VisibilityTimeout": "60"})
    calls: list = []
    _send("held")
    pump = Pump(tiny_app(calls, fail=True))
    pump.drain(QUEUE)
    assert _counts() == (0, 1)
    # when the pump stops
    pump.stop()
    # then the message is visible again (a state dump taken next would see it)
    assert _counts() == (1, 0)


def test_unknown_queue_is_an_error(aws):
    with pytest.raises(KeyError):
        Pump(tiny_app([])).drain("no-such-queue")


def test_running_pump_delivers_and_stops_promptly(aws):
    calls: list = []
    pump = Pump(tiny_app(calls), wait_seconds=1)
    pump.start()
    try:
        _send("live")
        deadline = time.monotonic() + 10
        while not calls and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        started = time.monotonic()
        pump.stop()
        stopped_in = time.monotonic() - started
    assert calls and calls[0]["bodies"] == ["live"]
    assert stopped_in < 3
    assert not any(t.is_alive() for t in pump._threads)
    assert _counts() == (0, 0)


def test_scheduled_tick_sends_a_cloudwatch_event_and_survives_failures(aws):
    calls: list = []
    pump = Pump(tiny_app(calls, fail=True))
    # a failing scheduled handler is reported, not raised
    assert pump.tick("every_five") is False
    event = calls[0]["scheduled"]
    assert event["detail-type"] == "Scheduled Event"
    assert event["source"] == "aws.events"
    assert event["detail"] == {} and event["region"] == config.region()
    assert json.loads(json.dumps(event)) == event


def test_schedule_expressions():
    assert rate_seconds(Rate(5, unit=Rate.MINUTES)) == 300
    assert rate_seconds(Rate(1, unit=Rate.HOURS)) == 3600
    assert rate_seconds("rate(2 days)") == 172800
    assert rate_seconds(Cron(0, 10, "*", "*", "?", "*")) is None
    at = dt.datetime(2024, 3, 4, 10, 0, tzinfo=dt.UTC)  # a Monday
    assert cron_matches(Cron(0, 10, "*", "*", "?", "*"), at)
    assert not cron_matches(Cron(0, 11, "*", "*", "?", "*"), at)
    assert cron_matches("cron(*/15 8-17 ? * MON-FRI *)", at)
    assert not cron_matches("cron(*/15 8-17 ? * SAT,SUN *)", at)
    assert not cron_matches("cron(7 * * * ? *)", at)


# --- concurrency per queue, as an event source mapping's pollers ---------------------------------


@pytest.fixture
def atomic_receive(aws):
    """The local stack's moto: each receive atomic, as SQS's (chalicelib/local/embedded_aws.py)."""
    from chalicelib.local import embedded_aws

    embedded_aws.install()
    try:
        yield
    finally:
        embedded_aws.uninstall()


def _watch_concurrency(app: Chalice, queue: str, seen: list, hold: float = 0.15, batch_size: int = 1) -> dict:
    import threading

    state = {"running": 0, "most": 0}
    lock = threading.Lock()

    @app.on_sqs_message(queue=queue, batch_size=batch_size, name="watched")
    def watched(event):
        with lock:
            state["running"] += 1
            state["most"] = max(state["most"], state["running"])
        time.sleep(hold)
        with lock:
            seen.extend((r.to_dict()["attributes"].get("MessageGroupId"), r.body) for r in event)
            state["running"] -= 1

    return state


def _until(done, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        time.sleep(0.05)


def test_a_queue_is_handled_by_at_most_concurrency_invocations_at_once_each_message_once(atomic_receive):
    # given 12 messages and a pump of 3 pollers a queue
    app = Chalice(app_name="t")
    seen: list = []
    state = _watch_concurrency(app, QUEUE, seen)
    _send(*(f"m{i}" for i in range(12)))
    pump = Pump(app, wait_seconds=1, schedules=False, concurrency=3)
    pump.start()
    try:
        _until(lambda: len(seen) >= 12)
    finally:
        pump.stop()
    # then three handlers ran at once, never more, and each message was handled exactly once
    assert state["most"] == 3
    assert sorted(body for _, body in seen) == sorted(f"m{i}" for i in range(12))
    assert _counts() == (0, 0)


def test_a_fifo_group_is_delivered_in_order_while_groups_run_concurrently(atomic_receive):
    """SQS FIFO and Lambda: one batch of a message group in flight at a time, groups in parallel."""
    fifo = config.queue_name("metrics") + ".fifo"
    sqs = client("sqs")
    for i in range(6):
        for group in ("a", "b"):
            sqs.send_message(QueueUrl=_url(fifo), MessageBody=f"{group}{i}", MessageGroupId=group,
                             MessageDeduplicationId=f"{group}{i}")
    app = Chalice(app_name="t")
    seen: list = []
    state = _watch_concurrency(app, fifo, seen, hold=0.05)
    pump = Pump(app, wait_seconds=1, schedules=False, concurrency=4)
    pump.start()
    try:
        _until(lambda: len(seen) >= 12)
    finally:
        pump.stop()
    assert [body for group, body in seen if group == "a"] == [f"a{i}" for i in range(6)]
    assert [body for group, body in seen if group == "b"] == [f"b{i}" for i in range(6)]
    assert state["most"] == 2  # one per group

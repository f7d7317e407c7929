"""The local event pump: SQS messages and schedule ticks, delivered as Lambda would.

The pump finds its work in the Chalice app itself: every ``@on_sqs_message``
and ``@schedule`` handler registered on the app (or its blueprints) is in
``app.event_sources``, and the function Lambda would invoke is
``app.handler_map[name]``, called as ``handler(event, context)``.

Semantics kept from Lambda's SQS event source mapping:

- one ``ReceiveMessage`` of at most ``batch_size`` messages is one invocation;
- the batch's messages are deleted only when the handler returns; when it
  raises, they stay, come back after the queue's visibility timeout, and the
  queue's ``RedrivePolicy`` moves them to the dead-letter queue after
  ``maxReceiveCount`` receives (moto does that on receive, as SQS does);
- partial batch responses are honoured, as an event source mapping with
  ``FunctionResponseTypes: [ReportBatchItemFailures]`` (every one in the
  packaged template) honours them: the messages a returned
  ``{"batchItemFailures": [{"itemIdentifier": id}]}`` names stay, the others
  are deleted; a response that names no message of the batch, or is not of
  that shape, fails the whole batch (``batch_item_failures``);
- the event is the Lambda SQS event (``Records`` with ``messageId``,
  ``receiptHandle``, ``body``, ``attributes``, ...), the context has
  ``aws_request_id``, ``function_name``, ``memory_limit_in_mb`` and
  ``get_remaining_time_in_millis()``.

- concurrent invocations per queue, as an event source mapping runs
  several pollers: ``concurrency`` pollers each (``SHIPYARD_PUMP_CONCURRENCY``,
  default 4; a source's ``maximum_concurrency`` lowers it), each receiving and
  invoking in turn, so never more invocations at once than that. A FIFO
  queue's message group is delivered in order, one batch at a time: SQS (and
  the local stack's atomic receive) keeps a group in flight from any other
  receiver.

Differences, on purpose: a handler running past its timeout is not killed. Cron schedules are
checked once a minute against the expression's minute, hour, day-of-month,
month and day-of-week fields (UTC); ``L``, ``W`` and ``#`` are approximated
as "any".

Message bodies may carry credentials or whole blobs: logs name message ids and
counts only.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from chalice import Chalice
from chalice.app import ScheduledEventConfig, SQSEventConfig

from chalicelib.local import embedded_aws
from chalicelib.local.lambda_events import (
    DEFAULT_MEMORY_MB,
    DEFAULT_TIMEOUT_SECONDS,
    LambdaContext,
    batch_item_failures,
    scheduled_event,
    sqs_event,
)
from chalicelib.local.schedules import cron_matches, rate_seconds
from chalicelib.store.clients import client

log = logging.getLogger(__name__)

DEFAULT_CONCURRENCY = 4
# Lambda's event source mapping long-polls SQS for 20 s (the most SQS allows); ``make run`` does too.
LONG_POLL_SECONDS = 20
IDLE_POLLER_REST_SECONDS = 2.0


def _queue_name(source: SQSEventConfig) -> str:
    if source.queue:
        return source.queue
    assert source.queue_arn
    return source.queue_arn.rsplit(":", 1)[-1]


def _concurrency_from_env() -> int:
    raw = os.environ.get("SHIPYARD_PUMP_CONCURRENCY", "").strip()
    return int(raw) if raw else DEFAULT_CONCURRENCY


@dataclass
class DrainResult:
    """What one or more polling rounds did.

    ``failed_batches`` counts batches that left any message for redelivery
    (a raise, or a partial batch response); ``failed_messages`` the messages left.
    """

    batches: int = 0
    messages: int = 0
    failed_batches: int = 0
    deleted: int = 0
    failed_messages: int = 0


@dataclass
class _Queue:
    url: str
    arn: str


class Pump:
    """Delivers the app's SQS messages and schedule ticks to its handlers."""

    def __init__(self, app: Chalice, *, wait_seconds: int = 1, stage: str = "local",
                 function_settings: dict[str, dict[str, int]] | None = None,
                 schedules: bool = True, sqs: Any = None,
                 clock: Callable[[], dt.datetime] | None = None, concurrency: int | None = None) -> None:
        self.app = app
        self.concurrency = max(1, concurrency if concurrency is not None else _concurrency_from_env())
        self.wait_seconds = wait_seconds
        self.stage = stage
        self.function_settings = function_settings or {}
        self.run_schedules = schedules
        self.sqs_sources = [s for s in app.event_sources if isinstance(s, SQSEventConfig)]
        self.schedule_sources = [s for s in app.event_sources if isinstance(s, ScheduledEventConfig)]
        self._sqs = sqs
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._queues: dict[str, _Queue] = {}
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        # Messages of failed batches, by queue name then message id -> latest receipt handle.
        self._failed: dict[str, dict[str, str]] = {}

    # -- plumbing

    @property
    def sqs(self) -> Any:
        return self._sqs or client("sqs")

    def _context(self, name: str) -> LambdaContext:
        settings = self.function_settings.get(name, {})
        return LambdaContext(
            f"{self.app.app_name}-{self.stage}-{name}",
            memory_limit_in_mb=settings.get("lambda_memory_size", DEFAULT_MEMORY_MB),
            timeout_seconds=settings.get("lambda_timeout", DEFAULT_TIMEOUT_SECONDS),
        )

    def _queue(self, name: str) -> _Queue:
        found = self._queues.get(name)
        if found is None:
            url = self.sqs.get_queue_url(QueueName=name)["QueueUrl"]
            arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            found = self._queues[name] = _Queue(url, arn)
        return found

    def _sources_for(self, queue_name: str) -> list[SQSEventConfig]:
        sources = [s for s in self.sqs_sources if _queue_name(s) == queue_name]
        if not sources:
            known = sorted(_queue_name(s) for s in self.sqs_sources)
            raise KeyError(f"no handler for queue {queue_name!r} (handled: {', '.join(known) or 'none'})")
        return sources

    # -- one polling round

    def poll_once(self, source: SQSEventConfig, wait_seconds: int = 0) -> DrainResult:
        """Receive one batch for ``source`` and invoke its handler with it."""
        name = _queue_name(source)
        queue = self._queue(name)
        response = self.sqs.receive_message(
            QueueUrl=queue.url,
            MaxNumberOfMessages=max(1, min(int(source.batch_size), 10)),
            WaitTimeSeconds=wait_seconds,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages = response.get("Messages", [])
        result = DrainResult()
        if not messages:
            return result
        result.batches, result.messages = 1, len(messages)
        ids = [m["MessageId"] for m in messages]
        context = self._context(source.name)
        handler = self.app.handler_map[source.name]
        started = time.monotonic()
        try:
            with embedded_aws.one_answer():  # the invocation's changes flushed to disk once, at its end
                response = handler(sqs_event(messages, queue.arn), context)
        except Exception as err:  # noqa: BLE001 - Lambda semantics: the batch stays for redelivery
            log.error("%s: batch of %d failed (request %s, messages %s): %s: %s; left for redelivery",
                      source.name, len(messages), context.aws_request_id, ",".join(ids),
                      type(err).__name__, err, exc_info=True)
            self._keep(name, messages, result)
            return result
        elapsed_ms = int((time.monotonic() - started) * 1000)
        failed_ids = batch_item_failures(response, ids)
        if failed_ids is None:
            log.error("%s: batch of %d failed (request %s, messages %s): the response is not a valid partial "
                      "batch response; left for redelivery", source.name, len(messages), context.aws_request_id,
                      ",".join(ids))
            self._keep(name, messages, result)
            return result
        if failed_ids:
            log.error("%s: %d of %d message(s) failed (request %s, messages %s); left for redelivery",
                      source.name, len(failed_ids), len(messages), context.aws_request_id,
                      ",".join(i for i in ids if i in failed_ids))
            self._keep(name, [m for m in messages if m["MessageId"] in failed_ids], result)
        done = [m for m in messages if m["MessageId"] not in failed_ids]
        if done:
            result.deleted = self._delete(name, queue, done)
        log.info("%s: handled %d message(s) in %d ms (request %s, messages %s)",
                 source.name, len(done), elapsed_ms, context.aws_request_id, ",".join(m["MessageId"] for m in done))
        return result

    def _keep(self, name: str, messages: list[dict[str, Any]], result: DrainResult) -> None:
        """Leave messages for redelivery after the visibility timeout (remembered for ``release_failed``)."""
        result.failed_batches = 1
        result.failed_messages = len(messages)
        with self._lock:
            failed = self._failed.setdefault(name, {})
            failed.update({m["MessageId"]: m["ReceiptHandle"] for m in messages})

    def _delete(self, name: str, queue: _Queue, messages: list[dict[str, Any]]) -> int:
        entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]
        response = self.sqs.delete_message_batch(QueueUrl=queue.url, Entries=entries)
        for failure in response.get("Failed", []):
            message_id = messages[int(failure["Id"])]["MessageId"]
            log.warning("%s: could not delete message %s: %s", name, message_id, failure.get("Code"))
        with self._lock:
            failed = self._failed.get(name, {})
            for m in messages:
                failed.pop(m["MessageId"], None)
        return len(response.get("Successful", []))

    def drain(self, queue_name: str, max_batches: int = 10) -> DrainResult:
        """Synchronously run up to ``max_batches`` polling rounds on a queue (tests, tools).

        Stops early when the queue has nothing visible. ``queue_name`` is the
        full SQS queue name (``config.queue_name(logical)``).
        """
        total = DrainResult()
        for source in self._sources_for(queue_name):
            for _ in range(max_batches):
                one = self.poll_once(source)
                if not one.batches:
                    break
                total.batches += one.batches
                total.messages += one.messages
                total.failed_batches += one.failed_batches
                total.deleted += one.deleted
                total.failed_messages += one.failed_messages
        return total

    # -- schedules

    def tick(self, name: str) -> bool:
        """Invoke one scheduled handler once; True if it returned without raising."""
        context = self._context(name)
        try:
            self.app.handler_map[name](scheduled_event(name), context)
        except Exception as err:  # noqa: BLE001 - a failed tick is logged, the schedule goes on
            log.error("%s: scheduled run failed (request %s): %s: %s", name, context.aws_request_id,
                      type(err).__name__, err, exc_info=True)
            return False
        log.info("%s: scheduled run done (request %s)", name, context.aws_request_id)
        return True

    # -- threads

    def start(self) -> None:
        if self._threads:
            raise RuntimeError("pump already started")
        self._stop.clear()
        for source in self.sqs_sources:
            for poller in range(self.pollers(source)):
                self._spawn(f"pump-sqs-{source.name}-{poller}", self._poll_loop, (source, poller))
        if self.run_schedules:
            for schedule in self.schedule_sources:
                self._spawn(f"pump-schedule-{schedule.name}", self._schedule_loop, schedule)
        log.info("pump started: %d queue(s), %d schedule(s)", len(self.sqs_sources),
                 len(self.schedule_sources) if self.run_schedules else 0)

    def pollers(self, source: SQSEventConfig) -> int:
        """How many invocations of ``source``'s handler may run at once."""
        limit = getattr(source, "maximum_concurrency", None)
        return min(self.concurrency, limit) if limit else self.concurrency

    def _spawn(self, name: str, target: Callable[..., None], arg: Any) -> None:
        thread = threading.Thread(target=target, args=(arg,), name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self, timeout: float = 10.0, release: bool = True) -> None:
        """Stop polling and ticking; waits for running handlers up to ``timeout`` seconds.

        With ``release``, messages of failed batches still hidden by their
        visibility timeout are made visible again, so that a state dump taken
        next sees them (they would otherwise be invisible and lost).
        """
        self._stop.set()
        embedded_aws.wake_receivers()  # pollers in a long poll return now (moto's own receive waits 1 s at most)
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                log.warning("pump thread %s still running after stop", thread.name)
        self._threads = []
        if release:
            self.release_failed()
        log.info("pump stopped")

    def release_failed(self) -> int:
        """Make failed, not yet redelivered messages visible again; returns how many."""
        with self._lock:
            failed, self._failed = self._failed, {}
        released = 0
        for name, handles in failed.items():
            if not handles:
                continue
            try:
                url = self._queue(name).url
                items = list(handles.items())
                for start in range(0, len(items), 10):
                    entries = [{"Id": str(i), "ReceiptHandle": h, "VisibilityTimeout": 0}
                               for i, (_, h) in enumerate(items[start:start + 10])]
                    response = self.sqs.change_message_visibility_batch(QueueUrl=url, Entries=entries)
                    released += len(response.get("Successful", []))
            except Exception as err:  # noqa: BLE001 - stale handles (already redelivered) are expected
                log.debug("releasing failed messages of %s: %s", name, err)
        return released

    def _poll_loop(self, poller: tuple[SQSEventConfig, int]) -> None:
        """Poll and invoke until stopped; pollers after the first rest when the queue is empty.

        As an event source mapping scales its pollers with the queue's backlog:
        an idle queue costs one long poll at a time, a busy one all of them.
        """
        source, index = poller
        backoff = 1.0
        while not self._stop.is_set():
            try:
                got = self.poll_once(source, wait_seconds=self.wait_seconds)
                backoff = 1.0
                if index and not got.batches:
                    self._stop.wait(IDLE_POLLER_REST_SECONDS)
            except Exception as err:  # noqa: BLE001 - the pump outlives a broken queue or network
                log.error("%s: polling %s failed: %s: %s", source.name, _queue_name(source),
                          type(err).__name__, err)
                self._queues.pop(_queue_name(source), None)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 30.0)

    def _schedule_loop(self, schedule: ScheduledEventConfig) -> None:
        try:
            interval = rate_seconds(schedule.schedule_expression)
        except (ValueError, KeyError) as err:
            log.error("%s: schedule not run: %s", schedule.name, err)
            return
        if interval is not None:
            # EventBridge first fires one period after the rule is created.
            while not self._stop.wait(interval):
                self.tick(schedule.name)
            return
        while True:
            now = self._clock()
            next_minute = (now + dt.timedelta(minutes=1)).replace(second=0, microsecond=0)
            if self._stop.wait((next_minute - now).total_seconds()):
                return
            try:
                due = cron_matches(schedule.schedule_expression, next_minute)
            except ValueError as err:
                log.error("%s: schedule not run: %s", schedule.name, err)
                return
            if due:
                self.tick(schedule.name)

"""Pushlog reads cost the same DynamoDB calls with 100 and with 2,000 stored pushes."""

from __future__ import annotations

import time

import pytest

from chalicelib.store import projects, pushes
from chalicelib.store.pushes import Changeset, ChangesetRecord, PushRecord
from tests.support.pushlog_data import make_push

NOW = int(time.time())
RECENT = 10  # pushes inside the one-day window, whatever the table holds


def _bulk_store(total: int) -> None:
    """Pushes 1..total on Mozilla-Inbound; the last RECENT of them within the last day."""
    with PushRecord.batch_write() as push_batch, ChangesetRecord.batch_write() as cs_batch:
        for push_id in range(1, total + 1):
            recent = push_id > total - RECENT
            date = NOW - 60 * (total - push_id + 1) if recent else NOW - 30 * 86400 - push_id
            push = make_push(push_id, date)
            push_batch.save(PushRecord("Mozilla-Inbound", push_id, pushlog_id=push_id, date=date, user=push["user"],
                                       changesets=[Changeset(**c) for c in push["changesets"]]))
            for c in push["changesets"]:
                cs_batch.save(ChangesetRecord("Mozilla-Inbound", c["node"], push_id=push_id, pushlog_id=push_id,
                                              date=date))


ENDPOINTS = [
    "/refdata/pushlog/list?days_ago=1",
    "/refdata/pushlog/list?days_ago=1&branches=Mozilla-Inbound-Non-PGO",
    "/refdata/pushlog/branches",
    "/refdata/pushlog/db_size",
    "/talos/refdata/pushlog/not_referenced?days_ago=1",
    "/talos/refdata/perftest/runs_by_branch?days_ago=1",
    "/talos/refdata/perftest/ref_data/machines",
    "/talos/refdata/perftest/db_size",
]


def _dynamodb_calls(app_client, aws_calls, path: str) -> list[str]:
    projects.forget_cached()  # the project lookup is cached a minute: every read counted from the same start
    aws_calls.clear()
    response = app_client.http.get(path)
    assert response.status_code == 200, (path, response.body)
    return [op for service, op in aws_calls if service == "dynamodb"]


@pytest.fixture
def calls_at_size(fast_moto, uncached_projects, app_client, talos, inbound, aws_calls):
    def measure(total: int) -> dict[str, list[str]]:
        _bulk_store(total)
        for path in ENDPOINTS:  # a warm container: the project's credentials are cached per container
            app_client.http.get(path)
        return {path: _dynamodb_calls(app_client, aws_calls, path) for path in ENDPOINTS}

    return measure


def test_endpoint_calls_do_not_grow_with_the_pushlog(calls_at_size):
    small = calls_at_size(100)
    large = calls_at_size(2000)
    for path in ENDPOINTS:
        assert "Scan" not in large[path], path
        assert small[path] == large[path], path


def test_pushes_around_a_revision_are_one_query_each_way(inbound, aws_calls):
    _bulk_store(2000)
    aws_calls.clear()
    before = pushes.before("Mozilla-Inbound", 1000, 5)
    after = pushes.after("Mozilla-Inbound", 1000, 5)
    assert [p.push_id for p in before] == [995, 996, 997, 998, 999]
    assert [p.push_id for p in after] == [1001, 1002, 1003, 1004, 1005]
    assert [op for _, op in aws_calls] == ["Query", "Query"]


def test_a_short_revision_finds_its_push_with_one_query_and_one_get(inbound, aws_calls):
    _bulk_store(2000)
    node = make_push(1234, 0)["changesets"][1]["node"]
    aws_calls.clear()
    push = pushes.push_for_revision("Mozilla-Inbound", node[:12])
    assert push.push_id == 1234
    assert [op for _, op in aws_calls] == ["Query", "GetItem"]

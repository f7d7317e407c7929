"""moto's memory per transaction, as the local stack runs it (chalicelib/local/moto_guards.py).

moto 5.2's ``transact_write_items`` deep-copies every table it touches and
every model object it makes stays in ``BaseModel.instances_tracked``: a stack
doing KernelCI test-group POSTs reached 12.6 GB. With the guards, 1,000
transactions on a 1,000-item table leave the resident set within a stated
bound, and each transaction costs the same at the end as at the start.
"""

from __future__ import annotations

import gc
import os
import time

import pytest
from moto import mock_aws

from chalicelib.local import moto_guards
from chalicelib.store import clients
from chalicelib.store.clients import client

ITEMS = 1_000
TRANSACTIONS = 1_000
RSS_BOUND_MB = 25  # 1,000 unguarded transactions on this table kept ~1,000,000 item copies (gigabytes)


def _rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.fixture
def guarded_table():
    moto_guards.install()
    clients.reset()
    try:
        with mock_aws():
            ddb = client("dynamodb")
            ddb.create_table(TableName="t", BillingMode="PAY_PER_REQUEST",
                             KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                             AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}])
            for start in range(0, ITEMS, 25):
                ddb.batch_write_item(RequestItems={"t": [
                    {"PutRequest": {"Item": {"k": {"S": f"item-{i}"}, "payload": {"S": "x" * 200}}}}
                    for i in range(start, start + 25)]})
            yield ddb
    finally:
        clients.reset()
        moto_guards.uninstall()


def _transact(ddb, n: int) -> None:
    ddb.transact_write_items(TransactItems=[
        {"Update": {"TableName": "t", "Key": {"k": {"S": f"item-{n % ITEMS}"}}, "UpdateExpression": "ADD n :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}}}},
        {"Put": {"TableName": "t", "Item": {"k": {"S": f"group-{n % 50}"}, "last": {"N": str(n)}}}},
    ])


def test_a_thousand_transactions_on_a_thousand_items_leave_memory_flat(guarded_table):
    ddb = guarded_table
    for n in range(100):  # warm: allocator pools, botocore's caches
        _transact(ddb, n)
    gc.collect()
    before = _rss_mb()
    started = time.perf_counter()
    for n in range(100, 100 + TRANSACTIONS):
        _transact(ddb, n)
        if n == 199:
            first_hundred = time.perf_counter() - started
    last_hundred_started = time.perf_counter()
    for n in range(100 + TRANSACTIONS, 200 + TRANSACTIONS):
        _transact(ddb, n)
    last_hundred = time.perf_counter() - last_hundred_started
    gc.collect()
    grown = _rss_mb() - before
    assert grown < RSS_BOUND_MB, f"RSS grew {grown:.1f} MB over {TRANSACTIONS} transactions"
    assert last_hundred < 3 * first_hundred + 0.5, (first_hundred, last_hundred)
    # and the transactions did what they say: every item counted once per visit
    total = sum(int(i.get("n", {"N": "0"})["N"]) for page in ddb.get_paginator("scan").paginate(TableName="t")
                for i in page["Items"])
    assert total == 200 + TRANSACTIONS


def test_a_refused_transaction_is_rolled_back_item_by_item(guarded_table):
    ddb = guarded_table
    with pytest.raises(ddb.exceptions.TransactionCanceledException):
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": "t", "Item": {"k": {"S": "item-1"}, "payload": {"S": "changed"}}}},
            {"Delete": {"TableName": "t", "Key": {"k": {"S": "item-2"}}}},
            {"Put": {"TableName": "t", "Item": {"k": {"S": "new"}}}},
            {"ConditionCheck": {"TableName": "t", "Key": {"k": {"S": "item-3"}},
                                "ConditionExpression": "attribute_not_exists(k)"}},
        ])
    assert ddb.get_item(TableName="t", Key={"k": {"S": "item-1"}})["Item"]["payload"] == {"S": "x" * 200}
    assert "Item" in ddb.get_item(TableName="t", Key={"k": {"S": "item-2"}})
    assert "Item" not in ddb.get_item(TableName="t", Key={"k": {"S": "new"}})

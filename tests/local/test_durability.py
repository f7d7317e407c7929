"""The local stack's journal and snapshot, in process: what a crash leaves is what a restart restores.

A "crash" here is the store dropped without ``close()`` and moto's backends
wiped (a new process has nothing in memory); the journal on disk is all that
is left, as after SIGKILL. ``test_local_crash.py`` kills the real process.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from chalicelib import config
from chalicelib.local import embedded_aws, journal, persistence, resources
from chalicelib.store import clients, queues
from chalicelib.store.clients import client

ITEM = {"name": {"S": "blob_bytes#talos"}, "value": {"N": "42"}, "raw": {"B": b"\x00\xffbin"},
        "nested": {"M": {"l": {"L": [{"S": "x"}, {"BS": [b"\x01"]}]}}}}
BLOB_KEY = "objectstore/talos/000000000001.json"


class World:
    """moto with the template deployed, the local stack's hooks installed, and a store on ``base``."""

    def __init__(self, base: Path, **store_options) -> None:
        self.base = base
        self.options = store_options
        self.mock = mock_aws()
        self.mock.start()
        self.store: persistence.Store | None = None
        self.restart()

    def restart(self) -> dict:
        """A new process: empty backends, the data recovered from disk only."""
        if self.store is not None:
            embedded_aws.set_sink(None)  # the old store is dropped unclosed, as a killed process leaves it
        self.mock.reset()
        clients.reset()
        queues.reset()
        resources.deploy(visibility_timeout=30, max_receive_count=3)
        self.store = persistence.Store(self.base, config.prefix(), config.region(), config.bucket_name(),
                                       **self.options)
        return self.store.recover()

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
        self.mock.stop()
        clients.reset()
        queues.reset()


@pytest.fixture
def installed():
    embedded_aws.install()
    try:
        yield
    finally:
        embedded_aws.set_sink(None)
        embedded_aws.uninstall()


@pytest.fixture
def world(installed, tmp_path):
    made = World(tmp_path / "state")
    try:
        yield made
    finally:
        made.close()


def _queue(logical: str) -> str:
    return client("sqs").get_queue_url(QueueName=config.queue_name(logical))["QueueUrl"]


def _dlq(logical: str) -> str:
    return client("sqs").get_queue_url(QueueName=config.dead_letter_queue_name(logical))["QueueUrl"]


def test_every_acknowledged_change_survives_a_crash(world):
    # given items, an object with metadata and messages with binary attributes, each call answered
    ddb, s3, sqs = client("dynamodb"), client("s3"), client("sqs")
    ddb.put_item(TableName=config.table_name("counters"), Item=ITEM)
    s3.put_object(Bucket=config.bucket_name(), Key=BLOB_KEY, Body=b'{"a": 1}', ContentType="application/json",
                  Metadata={"origin": "e2e"})
    sent = sqs.send_message(QueueUrl=_queue("ingest"), MessageBody='{"project": "talos"}',
                            MessageAttributes={"k": {"DataType": "Binary", "BinaryValue": b"\x02"}})
    sqs.send_message(QueueUrl=_dlq("processing"), MessageBody="dead")

    # when the process dies without closing anything, and a new one starts on the same directory
    world.restart()

    # then all of it is there, the message under its own id
    got = ddb.get_item(TableName=config.table_name("counters"), Key={"name": {"S": "blob_bytes#talos"}})["Item"]
    assert got == ITEM
    obj = s3.get_object(Bucket=config.bucket_name(), Key=BLOB_KEY)
    assert obj["Body"].read() == b'{"a": 1}'
    assert obj["ContentType"] == "application/json" and obj["Metadata"] == {"origin": "e2e"}
    (message,) = sqs.receive_message(QueueUrl=_queue("ingest"), MessageAttributeNames=["All"])["Messages"]
    assert message["Body"] == '{"project": "talos"}' and message["MessageId"] == sent["MessageId"]
    assert message["MessageAttributes"]["k"]["BinaryValue"] == b"\x02"
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=_dlq("processing"))["Messages"]] == ["dead"]


def test_deletions_survive_a_crash_even_after_a_snapshot(world):
    # given an item, an object and a message, compacted into the snapshot
    ddb, s3, sqs = client("dynamodb"), client("s3"), client("sqs")
    table = config.table_name("counters")
    ddb.put_item(TableName=table, Item=ITEM)
    s3.put_object(Bucket=config.bucket_name(), Key=BLOB_KEY, Body=b"x")
    sqs.send_message(QueueUrl=_queue("ingest"), MessageBody="once")
    world.store.compact()
    # when all three are deleted (the message as a handler does: received, then deleted) and the process dies
    ddb.delete_item(TableName=table, Key={"name": ITEM["name"]})
    s3.delete_object(Bucket=config.bucket_name(), Key=BLOB_KEY)
    (message,) = sqs.receive_message(QueueUrl=_queue("ingest"))["Messages"]
    sqs.delete_message(QueueUrl=_queue("ingest"), ReceiptHandle=message["ReceiptHandle"])
    world.restart()
    # then none comes back
    assert "Item" not in ddb.get_item(TableName=table, Key={"name": ITEM["name"]})
    with pytest.raises(ClientError):
        s3.get_object(Bucket=config.bucket_name(), Key=BLOB_KEY)
    assert sqs.receive_message(QueueUrl=_queue("ingest")).get("Messages", []) == []


def test_an_in_flight_message_comes_back_after_a_crash(world):
    sqs = client("sqs")
    sqs.send_message(QueueUrl=_queue("ingest"), MessageBody="in flight")
    assert sqs.receive_message(QueueUrl=_queue("ingest"), VisibilityTimeout=600)["Messages"]
    world.restart()
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=_queue("ingest"))["Messages"]] == ["in flight"]


def test_a_refused_transaction_leaves_nothing_and_an_accepted_one_everything(world):
    ddb = client("dynamodb")
    table = config.table_name("counters")
    ddb.put_item(TableName=table, Item={"name": {"S": "a"}, "value": {"N": "1"}})
    put_b = {"Put": {"TableName": table, "Item": {"name": {"S": "b"}, "value": {"N": "2"}}}}
    # a transaction whose condition fails: refused, nothing written
    with pytest.raises(ClientError, match="TransactionCanceled"):
        ddb.transact_write_items(TransactItems=[
            put_b,
            {"Update": {"TableName": table, "Key": {"name": {"S": "a"}}, "UpdateExpression": "SET #v = :two",
                        "ConditionExpression": "#v = :zero", "ExpressionAttributeNames": {"#v": "value"},
                        "ExpressionAttributeValues": {":two": {"N": "2"}, ":zero": {"N": "0"}}}}])
    assert "Item" not in ddb.get_item(TableName=table, Key={"name": {"S": "b"}})
    # and one that passes: all of it, after a crash too
    ddb.transact_write_items(TransactItems=[
        put_b, {"Delete": {"TableName": table, "Key": {"name": {"S": "a"}}}}])
    world.restart()
    assert ddb.get_item(TableName=table, Key={"name": {"S": "b"}})["Item"]["value"] == {"N": "2"}
    assert "Item" not in ddb.get_item(TableName=table, Key={"name": {"S": "a"}})


def test_a_torn_journal_tail_is_dropped_and_the_journal_goes_on(world):
    # given two acknowledged writes
    ddb = client("dynamodb")
    table = config.table_name("counters")
    for name in ("first", "second"):
        ddb.put_item(TableName=table, Item={"name": {"S": name}, "value": {"N": "1"}})
    (log_file,) = persistence._journals(world.base)
    whole = log_file.stat().st_size
    # when the process died in the middle of appending a third frame
    with log_file.open("ab") as f:
        f.write(journal._HEADER.pack(500, 0) + b'[{"kind": "item", "tab')
    summary = world.restart()
    # then recovery reports the torn bytes, keeps both writes, and new writes are journaled after them
    assert summary["torn_bytes"] == journal._HEADER.size + len(b'[{"kind": "item", "tab')
    assert {ddb.get_item(TableName=table, Key={"name": {"S": n}})["Item"]["name"]["S"]
            for n in ("first", "second")} == {"first", "second"}
    assert whole > 0
    ddb.put_item(TableName=table, Item={"name": {"S": "third"}, "value": {"N": "1"}})
    world.restart()
    assert "Item" in ddb.get_item(TableName=table, Key={"name": {"S": "third"}})


def test_a_corrupt_frame_ends_the_replay_there(tmp_path):
    # given a journal whose second frame's bytes changed after it was written
    path = tmp_path / "journal-00000001.log"
    log_file = journal.Journal(path, durable=False)
    for payload in (b"one", b"two", b"three"):
        log_file.append(payload)
    log_file.close()
    data = bytearray(path.read_bytes())
    data[journal._HEADER.size * 2 + 3 + 1] ^= 0xFF  # a byte of "two"
    path.write_bytes(bytes(data))
    # then only the frame before it is read; the rest is a torn tail
    scan = journal.read(path)
    assert scan.payloads == [b"one"]
    assert scan.torn_bytes == len(data) - scan.valid_bytes > 0


def test_compaction_while_running_keeps_everything_and_drops_old_generations(installed, tmp_path):
    made = World(tmp_path / "state", compact_bytes=2_000)
    try:
        ddb = client("dynamodb")
        table = config.table_name("counters")
        for i in range(60):
            ddb.put_item(TableName=table, Item={"name": {"S": f"n{i}"}, "value": {"N": str(i)}})
        ddb.delete_item(TableName=table, Key={"name": {"S": "n0"}})
        with made.store._compacting:  # wait for a compaction under way
            pass
        assert len(persistence._journals(made.base)) == 1
        assert json.loads((made.base / "snapshot" / "manifest.json").read_text())["journal_from"] > 1
        made.restart()
        names = {i["name"]["S"] for i in ddb.scan(TableName=table)["Items"]}
        assert names == {f"n{i}" for i in range(1, 60)}
    finally:
        made.close()


def test_a_journal_older_than_the_snapshot_is_not_replayed(world):
    # given a write, then a crash between the snapshot's rename and the old journal's deletion
    ddb = client("dynamodb")
    table = config.table_name("counters")
    ddb.put_item(TableName=table, Item={"name": {"S": "a"}, "value": {"N": "1"}})
    (old,) = persistence._journals(world.base)
    kept = old.read_bytes()
    world.store.compact()
    old.write_bytes(kept)
    # and the item deleted since
    ddb.delete_item(TableName=table, Key={"name": {"S": "a"}})
    world.restart()
    # then the old generation's put does not bring it back
    assert "Item" not in ddb.get_item(TableName=table, Key={"name": {"S": "a"}})
    assert not old.exists()


def test_blobs_no_longer_named_are_collected_at_start(world):
    s3 = client("s3")
    s3.put_object(Bucket=config.bucket_name(), Key="a", Body=b"first body")
    s3.put_object(Bucket=config.bucket_name(), Key="a", Body=b"second body")
    world.restart()
    assert len(list((world.base / persistence.BLOBS).iterdir())) == 1
    assert s3.get_object(Bucket=config.bucket_name(), Key="a")["Body"].read() == b"second body"


def test_fresh_discards_everything(world):
    client("dynamodb").put_item(TableName=config.table_name("counters"), Item=ITEM)
    world.store.close()
    persistence.discard(world.base)
    summary = world.restart()
    assert summary["items"] == 0 and summary["frames"] == 0


def test_state_of_the_previous_format_is_read_once(installed, tmp_path):
    # given a clean-stop dump as the previous version wrote it
    base = tmp_path / "state"
    legacy = base / "state"
    (legacy / "dynamodb").mkdir(parents=True)
    (legacy / "s3" / "objects").mkdir(parents=True)
    (legacy / "sqs").mkdir()
    (legacy / "manifest.json").write_text(json.dumps({"format": 1}))
    (legacy / "dynamodb" / "counters.jsonl").write_text(
        json.dumps({"name": {"S": "c"}, "value": {"N": "7"}, "raw": {"B": "AAE="}}) + "\n")
    (legacy / "s3" / "objects" / "00000000").write_bytes(b"body")
    (legacy / "s3" / "index.json").write_text(json.dumps(
        [{"key": BLOB_KEY, "file": "00000000", "metadata": {"origin": "old"}, "ContentType": "application/json"}]))
    (legacy / "sqs" / "ingest.json").write_text(json.dumps([{"body": "queued"}]))
    made = World(base)
    try:
        # then it is all restored, and replaced by the new format
        got = client("dynamodb").get_item(TableName=config.table_name("counters"), Key={"name": {"S": "c"}})
        assert got["Item"] == {"name": {"S": "c"}, "value": {"N": "7"}, "raw": {"B": b"\x00\x01"}}
        obj = client("s3").get_object(Bucket=config.bucket_name(), Key=BLOB_KEY)
        assert obj["Body"].read() == b"body" and obj["Metadata"] == {"origin": "old"}
        assert obj["ContentType"] == "application/json"
        assert [m["Body"] for m in client("sqs").receive_message(QueueUrl=_queue("ingest"))["Messages"]] == ["queued"]
        assert not legacy.exists() and (base / "snapshot" / "manifest.json").is_file()
    finally:
        made.close()

"""The local stack's moto (chalicelib/local/embedded_aws.py) answers exactly as moto does, only faster.

DynamoDB's item operations are answered with their result written as JSON
directly instead of walked through botocore's output shape; whatever a client
reads must not change. Each scenario runs twice, in fresh embedded worlds,
with moto's own serializer and with the direct one, and the answers compare.
"""

from __future__ import annotations

from botocore.exceptions import ClientError
from moto import mock_aws

from chalicelib.local import direct_dynamodb, embedded_aws
from chalicelib.store import clients
from chalicelib.store.clients import client

ITEM = {"k": {"S": "a"}, "r": {"N": "1"}, "n": {"N": "1.50"}, "b": {"B": b"\x00\xff"}, "t": {"BOOL": True},
        "z": {"NULL": True}, "ss": {"SS": ["x", "y"]}, "ns": {"NS": ["1", "2"]}, "bs": {"BS": [b"\x01"]},
        "m": {"M": {"l": {"L": [{"S": "x"}, {"N": "3"}, {"B": b"\x02"}, {"M": {}}]}}}, "e": {"S": ""}}


def _scenario() -> list:
    ddb = client("dynamodb")
    ddb.create_table(TableName="t", BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}, {"AttributeName": "r", "KeyType": "RANGE"}],
                     AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"},
                                           {"AttributeName": "r", "AttributeType": "N"}])
    answers = [
        ddb.put_item(TableName="t", Item=ITEM, ReturnConsumedCapacity="TOTAL"),
        ddb.put_item(TableName="t", Item={**ITEM, "r": {"N": "2"}}, ReturnValues="ALL_OLD"),
        ddb.put_item(TableName="t", Item={**ITEM, "r": {"N": "2"}, "x": {"S": "new"}}, ReturnValues="ALL_OLD"),
        ddb.get_item(TableName="t", Key={"k": {"S": "a"}, "r": {"N": "1"}}),
        ddb.get_item(TableName="t", Key={"k": {"S": "missing"}, "r": {"N": "1"}}),
        ddb.get_item(TableName="t", Key={"k": {"S": "a"}, "r": {"N": "1"}}, ProjectionExpression="m.l[2], b"),
        ddb.update_item(TableName="t", Key={"k": {"S": "a"}, "r": {"N": "1"}}, UpdateExpression="ADD c :one",
                        ExpressionAttributeValues={":one": {"N": "1"}}, ReturnValues="ALL_NEW"),
        ddb.update_item(TableName="t", Key={"k": {"S": "a"}, "r": {"N": "1"}}, UpdateExpression="SET c = c + :one",
                        ExpressionAttributeValues={":one": {"N": "1"}}, ReturnValues="UPDATED_OLD"),
        ddb.query(TableName="t", KeyConditionExpression="k = :k", ExpressionAttributeValues={":k": {"S": "a"}}),
        ddb.query(TableName="t", KeyConditionExpression="k = :k", ExpressionAttributeValues={":k": {"S": "a"}},
                  Limit=1, ScanIndexForward=False),
        ddb.query(TableName="t", KeyConditionExpression="k = :k", ExpressionAttributeValues={":k": {"S": "a"}},
                  Select="COUNT"),
        ddb.scan(TableName="t", ReturnConsumedCapacity="INDEXES"),
        ddb.batch_get_item(RequestItems={"t": {"Keys": [{"k": {"S": "a"}, "r": {"N": "1"}},
                                                        {"k": {"S": "none"}, "r": {"N": "1"}}]}}),
        ddb.transact_get_items(TransactItems=[{"Get": {"TableName": "t", "Key": {"k": {"S": "a"}, "r": {"N": "2"}}}}]),
        ddb.batch_write_item(RequestItems={"t": [{"PutRequest": {"Item": {"k": {"S": "b"}, "r": {"N": "9"}}}}]}),
        ddb.transact_write_items(TransactItems=[{"Delete": {"TableName": "t",
                                                            "Key": {"k": {"S": "b"}, "r": {"N": "9"}}}}]),
        ddb.delete_item(TableName="t", Key={"k": {"S": "a"}, "r": {"N": "2"}}, ReturnValues="ALL_OLD"),
    ]
    for answer in answers:
        answer.pop("ResponseMetadata", None)
    return answers


def _run(installed: bool) -> list:
    if installed:
        embedded_aws.install()
    clients.reset()
    try:
        with mock_aws():
            return _scenario()
    finally:
        clients.reset()
        if installed:
            embedded_aws.uninstall()


def test_item_answers_read_the_same_with_the_direct_serializer():
    assert _run(installed=True) == _run(installed=False)


def _batch_refused_midway(installed: bool, direct: bool = False) -> tuple[str, list]:
    def scenario() -> tuple[str, list]:
        ddb = client("dynamodb")
        ddb.create_table(TableName="t", BillingMode="PAY_PER_REQUEST",
                         KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}])
        ddb.put_item(TableName="t", Item={"k": {"S": "kept"}, "v": {"S": "before"}})
        try:
            ddb.batch_write_item(RequestItems={"t": [
                {"PutRequest": {"Item": {"k": {"S": "new"}, "v": {"S": "x"}}}},
                {"PutRequest": {"Item": {"k": {"S": "kept"}, "v": {"S": "after"}}}},
                {"DeleteRequest": {"Key": {"k": {"S": "gone?"}}}},
                {"PutRequest": {"Item": {"k": {"S": "big"}, "v": {"S": "x" * 500_000}}}}]})
        except ClientError as err:
            refused = err.response["Error"]["Code"]
        else:
            refused = "answered"
        items = sorted((i["k"]["S"], i["v"]["S"]) for i in ddb.scan(TableName="t")["Items"])
        return refused, items

    if installed:
        embedded_aws.install()
    if direct:
        direct_dynamodb.install()
    clients.reset()
    try:
        with mock_aws():
            return scenario()
    finally:
        clients.reset()
        if direct:
            direct_dynamodb.uninstall()
        if installed:
            embedded_aws.uninstall()


def test_a_batch_write_refused_midway_writes_nothing_as_dynamodb_does():
    """Given a BatchWriteItem whose last item is over DynamoDB's 400 KB,
    when the local stack's moto refuses it (ValidationException, as moto does),
    then no item of the request was written or changed: DynamoDB refuses the whole request,
    and the journal, which records answered requests only, agrees with what a read sees."""
    moto_alone = _batch_refused_midway(installed=False)
    assert moto_alone[0] == "ValidationException" and ("new", "x") in moto_alone[1]  # moto's own habit
    for direct in (False, True):  # over moto's endpoint, and handed to moto as data
        assert _batch_refused_midway(installed=True, direct=direct) == ("ValidationException", [("kept", "before")])

"""moto's update expressions, parsed once and validated by the faster traversal, answer as moto does
(chalicelib/local/expression_guards.py).

Issue 17 item 6: moto parsed each ``UpdateItem``'s expression twice and ran ten
validation passes over it that re-asked, at every node, which nodes they
process. The guards keep moto's answers: every update the app makes and the
ones DynamoDB refuses (AWS's "Update expressions" and moto's own
``test_dynamodb_update_expressions``/``test_dynamodb_validation`` cases:
arithmetic, ``if_not_exists``, ``list_append``, nested paths, list indexes,
``REMOVE``/``ADD``/``DELETE``, undefined names and values, overlapping paths,
a key updated, a type mismatch, a missing path, bad syntax), each made twice
so the second reads the remembered parse, give the same answers and leave
the same items with and without them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from chalicelib.local import expression_guards
from chalicelib.store import clients
from chalicelib.store.clients import client

TABLE = "expressions"
KEY = {"k": {"S": "item"}}

UPDATES = [
    ("SET n = :one, s = :s, l = :l, m = :m, ns = :ns",
     {":one": {"N": "1"}, ":s": {"S": "text"}, ":l": {"L": [{"N": "1"}, {"S": "two"}]},
      ":m": {"M": {"deep": {"M": {"x": {"N": "5"}}}}}, ":ns": {"NS": ["1", "2", "3"]}}, None),
    ("SET n = n + :one, #c = if_not_exists(#c, :zero) + :one", {":one": {"N": "1"}, ":zero": {"N": "0"}},
     {"#c": "count"}),
    ("SET l = list_append(l, :more), m.deep.x = m.deep.x - :one, m.added = :s",
     {":more": {"L": [{"N": "3"}]}, ":one": {"N": "1"}, ":s": {"S": "new"}}, None),
    ("SET l[0] = :s REMOVE l[1], s", {":s": {"S": "first"}}, None),
    ("ADD ns :two, #v :one", {":two": {"NS": ["9"]}, ":one": {"N": "1"}}, {"#v": "value"}),
    ("DELETE ns :gone", {":gone": {"NS": ["1"]}}, None),
    ("SET #0 = :0, #1 = :1 REMOVE #2", {":0": {"S": "a"}, ":1": {"BOOL": True}},
     {"#0": "processed_flag", "#1": "worker", "#2": "n"}),
    ("SET a = :a", {":b": {"S": "x"}}, None),  # :a undefined
    ("SET m.deep = :a, m.deep.x = :a", {":a": {"S": "x"}}, None),  # overlapping paths
    ("SET k = :a", {":a": {"S": "x"}}, None),  # a key attribute
    ("SET n = l + :one", {":one": {"N": "1"}}, None),  # a list in arithmetic
    ("SET n = count + :one", {":one": {"N": "1"}}, None),  # a missing path and a reserved word
    ("SET x = x + :one", {":one": {"N": "1"}}, None),  # missing path
    ("SET a = :a SET b = :a", {":a": {"S": "x"}}, None),  # two SET clauses
    ("SET = :a", {":a": {"S": "x"}}, None),  # bad syntax
    ("ADD #v :one", {":one": {"N": "1"}}, {"#v": "value"}),
]


@pytest.fixture
def plain_aws(monkeypatch):
    """No embedded AWS of the shared fixtures: this test makes moto worlds of its own."""
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)


@contextlib.contextmanager
def _world(guarded: bool) -> Iterator:
    clients.reset()
    if guarded:
        expression_guards.install()
    try:
        with mock_aws():
            yield
    finally:
        if guarded:
            expression_guards.uninstall()
        clients.reset()


def _outcomes() -> list:
    ddb = client("dynamodb")
    ddb.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}])
    out = []
    for _ in range(2):
        ddb.put_item(TableName=TABLE, Item=KEY)
        for expression, values, names in UPDATES:
            params = {"TableName": TABLE, "Key": KEY, "UpdateExpression": expression,
                      "ExpressionAttributeValues": values, "ReturnValues": "ALL_NEW"}
            if names:
                params["ExpressionAttributeNames"] = names
            try:
                got = ddb.update_item(**params)
                out.append(("answered", got["Attributes"]))
            except ClientError as err:
                out.append(("refused", err.response["Error"]))
        got = ddb.transact_write_items(TransactItems=[{"Update": {
            "TableName": TABLE, "Key": KEY, "UpdateExpression": "SET n = if_not_exists(n, :one)",
            "ExpressionAttributeValues": {":one": {"N": "1"}}}}])
        out.append(ddb.get_item(TableName=TABLE, Key=KEY)["Item"])
    return out


def test_updates_answer_and_refuse_with_the_guards_as_moto_does(plain_aws):
    """Given the same item updated by every kind of update expression, valid and refused, twice over,
    when it runs with moto alone and with the guards, then every answer, every refusal and the item are the
    same."""
    with _world(guarded=False):
        moto_outcomes = _outcomes()
    with _world(guarded=True):
        guarded_outcomes = _outcomes()
    refused = [o for o in moto_outcomes[:len(UPDATES)] if o[0] == "refused"]
    assert len(refused) == 8 and len(moto_outcomes) == 2 * (len(UPDATES) + 1)
    assert guarded_outcomes == moto_outcomes


def test_a_parsed_expression_is_remembered_and_never_changed_by_the_updates_that_share_it(plain_aws):
    """Given an update expression used by many updates, when they run with the guards,
    then moto's parser ran once for it and the tree it made is the same after the updates as before."""
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser

    expression = "SET n = if_not_exists(n, :zero) + :one, l = list_append(if_not_exists(l, :empty), :l)"
    with _world(guarded=True):
        ddb = client("dynamodb")
        ddb.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                         KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}])
        tree = UpdateExpressionParser.make(expression)
        before = repr(_shape(tree))
        for i in range(5):
            ddb.update_item(TableName=TABLE, Key={"k": {"S": str(i % 2)}}, UpdateExpression=expression,
                            ExpressionAttributeValues={":zero": {"N": "0"}, ":one": {"N": "1"}, ":empty": {"L": []},
                                                       ":l": {"L": [{"N": str(i)}]}})
        assert UpdateExpressionParser.make(expression) is tree
        assert repr(_shape(tree)) == before
        got = ddb.get_item(TableName=TABLE, Key={"k": {"S": "0"}})["Item"]
        assert got["n"] == {"N": "3"} and got["l"] == {"L": [{"N": "0"}, {"N": "2"}, {"N": "4"}]}


def _shape(node) -> object:
    """A parse tree as nested tuples of node types and leaf values."""
    from moto.dynamodb.parsing.ast_nodes import Node

    if not isinstance(node, Node):
        return node
    return (node.type, tuple(_shape(child) for child in node.children or ()))


def _links(node, parent=None) -> list:
    """Every node of a tree with whether its parent link points at the node holding it."""
    from moto.dynamodb.parsing.ast_nodes import Node

    if not isinstance(node, Node):
        return []
    out = [(node.type, node.parent is parent)]
    for child in node.children or ():
        out += _links(child, node)
    return out


def test_a_tree_is_deep_copied_as_copy_deepcopy_copies_it():
    """Given parsed update expressions (and a subtree of one, whose parent is outside it),
    when they are deep-copied with and without the guard,
    then the copies have the same shape and the same parent links, and share no node with the original."""
    import copy

    from moto.dynamodb.parsing.expressions import UpdateExpressionParser

    texts = [expression for expression, _, _ in UPDATES if expression != "SET = :a"]
    trees = [UpdateExpressionParser.make(text) for text in texts]
    subtree = trees[0].children[0]

    def copies() -> list:
        out = []
        for tree in [*trees, subtree]:
            copied = copy.deepcopy(tree)
            assert copied is not tree and copied.children[0] is not tree.children[0]
            out.append((_shape(copied), _links(copied, copied.parent), _shape(copied.parent)))
        return out

    plain = copies()
    expression_guards.install()
    try:
        guarded = copies()
    finally:
        expression_guards.uninstall()
    assert plain[-1][2] == _shape(trees[0])  # the subtree's parent was copied too
    assert guarded == plain

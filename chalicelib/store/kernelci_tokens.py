"""KernelCI API tokens: stored under a hash of their value, managed by id.

The request path looks a token up by the SHA-256 of the value it was sent
(one GetItem); management goes by id through a pointer item. Creating and
deleting move the tokens' counter in the same transaction, so a retried
write counts once.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.kernelci import keys
from chalicelib.kernelci.query import Query
from chalicelib.store import kernelci as documents
from chalicelib.store import kernelci_listings as listings
from chalicelib.store.clients import client
from chalicelib.store.errors import failed_condition


def _transact_unless_refused(items: list[dict[str, Any]]) -> bool:
    """One all-or-nothing write; False when one of its conditions refused it (nothing written)."""
    try:
        client("dynamodb").transact_write_items(TransactItems=items)
    except ClientError as err:
        if failed_condition(err) is not None:
            return False
        raise
    return True


def _token_item(token_hash: str, record: dict[str, Any]) -> dict[str, Any]:
    return {"pk": {"S": f"token#{token_hash}"}, "coll": {"S": keys.TOKEN},
            "created": {"S": documents.created_key(record)},
            "doc": {"S": json.dumps(record, separators=(",", ":"), sort_keys=True)}}


def put_token(token_hash: str, record: dict[str, Any]) -> bool:
    """Store a new token under its hash, with its id pointer; False if that hash or id exists."""
    items = [
        {"Put": {"TableName": documents.table(), "Item": _token_item(token_hash, record),
                 "ConditionExpression": "attribute_not_exists(pk)"}},
        {"Put": {"TableName": documents.table(), "Item": {"pk": {"S": f"token-id#{record['_id']}"},
                                                 "token_hash": {"S": token_hash}},
                 "ConditionExpression": "attribute_not_exists(pk)"}},
        documents.counter_update(documents.TOKEN_COUNTER, 1),
    ]
    return _transact_unless_refused(items)


def token_by_hash(token_hash: str) -> dict[str, Any] | None:
    found = client("dynamodb").get_item(TableName=documents.table(), Key={"pk": {"S": f"token#{token_hash}"}})
    return documents.decode(found["Item"]) if "Item" in found else None


def token_by_id(token_id: str) -> tuple[str, dict[str, Any]] | None:
    """(hash, record) of the token with this id."""
    pointer = client("dynamodb").get_item(TableName=documents.table(), Key={"pk": {"S": f"token-id#{token_id}"}})
    if "Item" not in pointer:
        return None
    token_hash = pointer["Item"]["token_hash"]["S"]
    record = token_by_hash(token_hash)
    return (token_hash, record) if record is not None else None


def update_token(token_hash: str, record: dict[str, Any]) -> None:
    client("dynamodb").put_item(TableName=documents.table(), Item=_token_item(token_hash, record),
                                ConditionExpression="attribute_exists(pk)")


def delete_token(token_hash: str, token_id: str) -> bool:
    """Remove a token and its id pointer; False if it was already gone (counted once either way)."""
    items = [
        {"Delete": {"TableName": documents.table(), "Key": {"pk": {"S": f"token#{token_hash}"}},
                    "ConditionExpression": "attribute_exists(pk)"}},
        {"Delete": {"TableName": documents.table(), "Key": {"pk": {"S": f"token-id#{token_id}"}}}},
        documents.counter_update(documents.TOKEN_COUNTER, -1),
    ]
    return _transact_unless_refused(items)


def tokens(query: Query) -> tuple[list[dict[str, Any]], int]:
    return listings.find(keys.TOKEN, query)

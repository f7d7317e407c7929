"""moto's backends of the local stack's account, as the local modules reach them directly."""

from __future__ import annotations

from typing import Any

ACCOUNT_ID = "123456789012"  # moto's default account


def dynamodb(region: str) -> Any:
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[ACCOUNT_ID][region]


def s3() -> Any:
    from moto.s3.models import s3_backends

    return s3_backends[ACCOUNT_ID]["aws"]


def sqs(region: str) -> Any:
    from moto.sqs.models import sqs_backends

    return sqs_backends[ACCOUNT_ID][region]

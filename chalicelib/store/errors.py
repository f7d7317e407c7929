"""Failures of the storage layer: which a caller should answer as "try again", and which are answers."""

from __future__ import annotations

from collections.abc import Callable

from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError
from pynamodb.exceptions import DeleteError, PutError, PynamoDBException, UpdateError


class RefusedValue(ValueError):
    """A value no DynamoDB item can hold (a number past 38 digits or its exponent range, text that is not
    Unicode): AWS would answer ValidationException, and boto3's serializer refuses it before sending."""


# An AWS service refused or failed a call: the request may succeed later (unless refused_values says otherwise).
TRANSIENT: tuple[type[Exception], ...] = (BotoCoreError, ClientError, PynamoDBException, RefusedValue)


def refused_values(err: Exception) -> bool:
    """DynamoDB refused the request's values (a key over 2048 bytes, a number over 38 digits, ...).

    Retrying cannot help, so callers answer 400 rather than 503. (moto does not
    enforce these limits; AWS does.)
    """
    if isinstance(err, RefusedValue):
        return True
    if isinstance(err, ClientError):
        return err.response.get("Error", {}).get("Code") == "ValidationException"
    if isinstance(err, PynamoDBException):
        return getattr(err, "cause_response_code", None) == "ValidationException"
    return False


# Storage failures that may go away by themselves: a caller may answer "retry later".
RETRYABLE_CODES = frozenset({
    "ProvisionedThroughputExceededException", "ThrottlingException", "Throttling", "RequestLimitExceeded",
    "InternalServerError", "InternalError", "ServiceUnavailable", "TransactionConflictException",
    "TransactionInProgressException", "SlowDown", "RequestTimeout", "LimitExceededException",
})


def may_pass_on_retry(err: Exception) -> bool:
    """Whether the same call may succeed later, so a caller answers "retry" rather than "our fault".

    A call boto3 refused to send is our fault; a transport failure, throttling or the service's own
    failure may pass; any other error AWS answered would be answered again.
    """
    if isinstance(err, ParamValidationError):
        return False
    if isinstance(err, BotoCoreError):
        return True
    if isinstance(err, ClientError):
        error = err.response.get("Error", {})
        status = int(err.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 400)
        return error.get("Code") in RETRYABLE_CODES or status >= 500
    return True


def failed_condition(err: ClientError) -> int | None:
    """Which item of a write failed its condition (0 for a single write); None if the write failed otherwise.

    A refused condition is an answer (the item exists, or changed), not a fault.
    """
    error = err.response.get("Error", {})
    if error.get("Code") == "ConditionalCheckFailedException":
        return 0
    if error.get("Code") != "TransactionCanceledException":
        return None
    reasons = err.response.get("CancellationReasons") or []
    for index, reason in enumerate(reasons):
        if reason.get("Code") == "ConditionalCheckFailed":
            return index
    return 0 if not reasons and "ConditionalCheckFailed" in error.get("Message", "") else None


def write_unless_refused[**P](write: Callable[P, object], /, *args: P.args, **kwargs: P.kwargs) -> bool:
    """Make one PynamoDB conditional write (``item.save``, ``.update`` or ``.delete``); False when DynamoDB
    refused its condition, so nothing was written.

    A refused condition is an answer, not a fault: the item already exists, was completed meanwhile, or
    moved on, and the caller branches on it. Every other failure of the write propagates unchanged.
    """
    try:
        write(*args, **kwargs)
    except (PutError, UpdateError, DeleteError) as err:
        if err.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True

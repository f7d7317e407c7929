"""Failures of the storage layer that a caller should answer as "try again"."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError
from pynamodb.exceptions import PynamoDBException


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

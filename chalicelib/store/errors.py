"""Failures of the storage layer that a caller should answer as "try again"."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import PynamoDBException

# An AWS service refused or failed a call: the request may succeed later.
TRANSIENT: tuple[type[Exception], ...] = (BotoCoreError, ClientError, PynamoDBException)

"""Storage faults as answers, in one place for every family.

A fault of :data:`chalicelib.store.errors.TRANSIENT` is either the store
refusing the values it was given (too large, malformed: the request's fault,
400 unless the family answers otherwise) or the store being unavailable
(throttled, timed out, failing: 503, and the client retries). Neither is a 500,
except where a family's original answers a lasting fault so (KernelCI's
backend: 500 ``Internal database error``; see ``StorageWords.lasting``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from chalicelib.api.kit.refusal import Refusal
from chalicelib.store.errors import TRANSIENT, may_pass_on_retry, refused_values

log = logging.getLogger(__name__)

__all__ = ["TRANSIENT", "StorageWords", "storage_refusal"]


@dataclass(frozen=True)
class StorageWords:
    """How a family words (and numbers) the two storage answers; ``*_extra`` is what its error body carries
    beyond the message (the refusal's ``extra``, such as Datazilla's ``message`` under its ``status``)."""

    refused: str = "A value of the request is too large or malformed for the store."
    unavailable: str = "Storage is unavailable; retry later."
    refused_status: int = 400
    refused_extra: Mapping[str, Any] = field(default_factory=dict)
    unavailable_extra: Mapping[str, Any] = field(default_factory=dict)
    # A fault retrying cannot fix (neither refused values nor one that may pass: a missing table, a denied
    # permission): the unavailable answer unless the family words it (KernelCI's backend: 500).
    lasting: str | None = None
    lasting_status: int = 500


def storage_refusal(err: BaseException, words: StorageWords, where: str) -> Refusal:
    """The answer to a storage fault met while serving ``where`` (a method and path, for the log only)."""
    if refused_values(err):
        log.warning("storage refused the values of %s: %s", where, err)
        return Refusal(words.refused_status, words.refused, **words.refused_extra)
    if words.lasting is not None and not may_pass_on_retry(err):
        log.error("storage failed for %s, lastingly: %s", where, type(err).__name__)
        return Refusal(words.lasting_status, words.lasting)
    log.error("storage unavailable for %s: %s", where, type(err).__name__)
    return Refusal(503, words.unavailable, **words.unavailable_extra)

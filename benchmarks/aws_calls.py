"""What the benchmarks measure besides time: the AWS calls an action makes, and medians in milliseconds."""

from __future__ import annotations

import statistics
from collections.abc import Callable

import botocore.client


def median_ms(durations: list[float]) -> float:
    return statistics.median(durations) * 1000


def calls_of(action: Callable[[], object], service: str | None = None) -> list[str]:
    """The operations ``action`` calls, through any boto3 client: ``Op`` of ``service``, else ``service:Op``."""
    calls: list[str] = []
    original = botocore.client.BaseClient._make_api_call

    def counting(self, operation_name, api_params):
        name = self.meta.service_model.service_name
        if service is None:
            calls.append(f"{name}:{operation_name}")
        elif name == service:
            calls.append(operation_name)
        return original(self, operation_name, api_params)

    botocore.client.BaseClient._make_api_call = counting
    try:
        action()
    finally:
        botocore.client.BaseClient._make_api_call = original
    return calls

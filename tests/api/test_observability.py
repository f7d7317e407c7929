"""X-Ray is quiet outside Lambda (that no secret reaches the logs: tests/auth/test_security.py)."""

from __future__ import annotations

from chalicelib import observability


def test_outside_lambda_boto3_is_not_patched_for_xray(monkeypatch):
    from aws_xray_sdk.core import patcher

    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    observability.configure()
    assert "botocore" not in patcher._PATCHED_MODULES

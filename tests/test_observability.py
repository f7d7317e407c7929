"""X-Ray is quiet outside Lambda, and credentials never reach the logs."""

from __future__ import annotations

import json
import logging

from chalicelib import config, observability


def test_outside_lambda_boto3_is_not_patched_for_xray(monkeypatch):
    from aws_xray_sdk.core import patcher

    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    observability.configure()
    assert "botocore" not in patcher._PATCHED_MODULES


def test_a_full_ingest_logs_no_secret(upload, pump, talos_blob, caplog):
    # given every logger at DEBUG
    caplog.set_level(logging.DEBUG)
    observability.configure()
    # when a blob is uploaded (and a forged one refused) and loaded
    upload(json.dumps(talos_blob))
    upload(json.dumps(talos_blob), secret="talos-dev-secret-guess")
    pump.drain(config.queue_name(config.PROCESSING_QUEUE))
    # then the secret appears nowhere in what was logged
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert logged, "expected some logging to search"
    assert "talos-dev-secret" not in logged

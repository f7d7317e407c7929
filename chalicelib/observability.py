"""X-Ray tracing: on in Lambda when the stage enables it, silent everywhere else."""

from __future__ import annotations

import logging
import os

# Libraries whose DEBUG output includes request payloads (and so credentials):
# never let them log below INFO, whatever the root logger says.
_CHATTY = ("pynamodb", "botocore", "boto3", "urllib3", "oauthlib")


def configure() -> None:
    """Patch boto3/botocore for X-Ray inside Lambda with tracing enabled.

    Locally and in tests there is no X-Ray daemon and no segment, so the SDK is
    disabled rather than left to log "cannot find the current segment".
    """
    for name in _CHATTY:
        logging.getLogger(name).setLevel(logging.INFO)
    in_lambda = bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME"))
    wanted = os.environ.get("SHIPYARD_XRAY", "false").lower() == "true"
    if in_lambda and wanted:
        from aws_xray_sdk.core import patch

        patch(["boto3", "botocore"])
        return
    os.environ.setdefault("AWS_XRAY_SDK_ENABLED", "false")
    logging.getLogger("aws_xray_sdk").setLevel(logging.ERROR)

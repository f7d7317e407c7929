"""The setup every Lambda function runs once, whichever of Shipyard's modules Lambda imports first.

Lambda imports a function's handler module, not ``app.py``: the API function imports
``app``, the nine workers ``chalicelib.workers.<family>``. Both ``app`` and the
``chalicelib.workers`` package call ``ensure()`` as they are imported, so every
function's init does the same three things, once per process:

* the configuration is read and checked, so a wrong setting fails the init with its
  name (a failed init is retried and reported by Lambda) instead of a 5xx on some request;
* Shipyard's loggers log INFO (the self-serve audit log among them): the Lambda runtime
  keeps the root logger at WARNING unless the function's ``LoggingConfig`` says
  otherwise. The runtime's own handler writes the lines, JSON with the request id under
  the ``LoggingConfig`` the template sets (``LogFormat: JSON``);
* boto3/botocore are patched for X-Ray where the stage enables it
  (``chalicelib.observability``).

Outside Lambda (tests, ``make run``) logging is left to whoever runs the code.
"""

from __future__ import annotations

import logging
import os
import re

from chalicelib import config, observability

# The loggers of Shipyard's own modules (``logging.getLogger(__name__)`` everywhere).
SHIPYARD_LOGGERS = ("chalicelib", "app")

# The template's ShipyardPrefix parameter allows this much (infra/resources.json, AllowedPattern).
_PREFIX = re.compile(r"[a-z0-9][a-z0-9-]{2,40}")
_BOOLEAN = ("true", "false")

_done = False


class ConfigError(ValueError):
    """A setting in the function's environment that Shipyard cannot run with."""


def done() -> bool:
    """Whether this process has been set up (for the tests of the packaged functions)."""
    return _done


def ensure() -> None:
    """Set the process up, the first time only."""
    global _done
    if _done:
        return
    validate_config()
    if in_lambda():
        for name in SHIPYARD_LOGGERS:
            logging.getLogger(name).setLevel(logging.INFO)
    observability.configure()
    _done = True


def in_lambda() -> bool:
    return bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME"))


def validate_config() -> None:
    """Every setting Shipyard reads, parsed as it will be; raises ``ConfigError`` naming the bad one."""
    prefix = config.prefix()
    if not _PREFIX.fullmatch(prefix):
        raise ConfigError(f"SHIPYARD_PREFIX={prefix!r}: the template's resources are named from "
                          "3-41 lower-case letters, digits and hyphens")
    for flag in ("SHIPYARD_XRAY", "SHIPYARD_GATEWAY_COMPRESSION"):
        value = os.environ.get(flag)
        if value is not None and value.lower() not in _BOOLEAN:
            raise ConfigError(f"{flag}={value!r}: must be true or false")
    numbers = {
        "SHIPYARD_OAUTH_WINDOW": config.oauth_timestamp_window,
        "SHIPYARD_HAWK_SKEW": config.hawk_timestamp_skew,
        "SHIPYARD_HG_TIMEOUT": config.hg_timeout,
        "SHIPYARD_REFERENCE_CI_STEP": config.reference_ci_step_seconds,
    }
    for name, read in numbers.items():
        try:
            value = read()
        except ValueError:
            raise ConfigError(f"{name}={os.environ.get(name)!r}: must be a number") from None
        if value < 0:
            raise ConfigError(f"{name}={os.environ.get(name)!r}: must not be negative")
    storage = os.environ.get("SHIPYARD_KERNELCI_STORAGE_URL", "").strip()
    if storage and not re.match(r"(https?|s3)://[^/\s]+", storage):
        raise ConfigError(f"SHIPYARD_KERNELCI_STORAGE_URL={storage!r}: must be an http(s):// or s3:// URL")

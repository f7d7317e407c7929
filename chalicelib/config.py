"""Where Shipyard's resources are, read from the environment.

Every resource name derives from one prefix (``SHIPYARD_PREFIX``), the same
value the CloudFormation template in ``infra/`` takes as its ``ShipyardPrefix``
parameter. Pointing Shipyard at another world (moto locally, a test, a real AWS
account) is therefore configuration only: the prefix, the region and, for an
embedded AWS, ``AWS_ENDPOINT_URL``.
"""

from __future__ import annotations

import json
import os

DEFAULT_PREFIX = "shipyard-dev"

# Logical names of the queues the template creates; each has a "-dlq" twin.
INGEST_QUEUE = "ingest"
PROCESSING_QUEUE = "processing"
# FIFO: one message group per series group, so a group's runs are never
# computed concurrently (see chalicelib/workers/metrics.py).
METRICS_QUEUE = "metrics.fifo"
# Treeherder job messages from CI systems (see chalicelib/treeherder/job_schema.py).
TREEHERDER_JOBS_QUEUE = "treeherder-jobs"
# KernelCI: POST /build is answered 202 and imported from here (chalicelib/workers/kernelci.py).
KERNELCI_IMPORT_QUEUE = "kernelci-import"
# BuildAPI self-serve: job requests for the CI to perform, and the CI's results (chalicelib/workers/selfserve.py).
SELFSERVE_BUILD_REQUESTS_QUEUE = "selfserve-build-requests"
SELFSERVE_RESULTS_QUEUE = "selfserve-results"
QUEUES = (INGEST_QUEUE, PROCESSING_QUEUE, METRICS_QUEUE, TREEHERDER_JOBS_QUEUE, KERNELCI_IMPORT_QUEUE,
          SELFSERVE_BUILD_REQUESTS_QUEUE, SELFSERVE_RESULTS_QUEUE)

# Logical names of the DynamoDB tables the template creates.
TABLES = ("projects", "counters", "nonces", "objectstore", "test-runs", "branches", "pushes", "changesets",
          "refdata", "metrics", "alerts", "balrog-rules", "balrog-permissions", "balrog-releases",
          "balrog-history", "balrog-tokens", "balrog-roles", "balrog-emergency-shutoffs", "balrog-required-signoffs",
          "balrog-scheduled-changes", "balrog-signoffs", "treeherder", "kernelci", "selfserve")


def prefix() -> str:
    return os.environ.get("SHIPYARD_PREFIX", DEFAULT_PREFIX)


def region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def table_name(logical: str) -> str:
    return f"{prefix()}-{logical}"


def queue_name(logical: str) -> str:
    return f"{prefix()}-{logical}"


def dead_letter_queue_name(logical: str) -> str:
    """The DLQ of a queue: ``<name>-dlq`` (``<name>-dlq.fifo`` for a FIFO queue)."""
    if logical.endswith(".fifo"):
        return f"{prefix()}-{logical.removesuffix('.fifo')}-dlq.fifo"
    return f"{prefix()}-{logical}-dlq"


def bucket_name() -> str:
    return os.environ.get("SHIPYARD_BLOB_BUCKET") or f"{prefix()}-blobs"


def endpoint_url() -> str | None:
    """The embedded AWS endpoint, when there is one (moto locally and in CI)."""
    return os.environ.get("AWS_ENDPOINT_URL") or None


def balrog_domain_allowlist() -> dict | None:
    """Balrog's per-product domain allowlist, JSON in ``SHIPYARD_BALROG_ALLOWLIST``; ``None``: production's."""
    raw = os.environ.get("SHIPYARD_BALROG_ALLOWLIST")
    return json.loads(raw) if raw else None


def balrog_special_force_hosts() -> list[str] | None:
    """URL prefixes that get ``force=`` passed on, JSON in ``SHIPYARD_BALROG_FORCE_HOSTS``; ``None``: production's."""
    raw = os.environ.get("SHIPYARD_BALROG_FORCE_HOSTS")
    return json.loads(raw) if raw else None


def oauth_timestamp_window() -> int:
    """Seconds a signed request stays valid; Datazilla used 300."""
    return int(os.environ.get("SHIPYARD_OAUTH_WINDOW", "300"))


def hg_host() -> str:
    """Where branch URIs that are not absolute URLs live (Mercurial's json-pushes)."""
    return os.environ.get("SHIPYARD_HG_HOST", "https://hg.mozilla.org").rstrip("/")


def hg_timeout() -> float:
    """Seconds to wait for one json-pushes response."""
    return float(os.environ.get("SHIPYARD_HG_TIMEOUT", "20"))


def hawk_timestamp_skew() -> int:
    """Seconds a Hawk-signed request may be away from our clock; Treeherder used 60."""
    return int(os.environ.get("SHIPYARD_HAWK_SKEW", "60"))
def kernelci_storage_url() -> str:
    """Where KernelCI upload URLs point: a file server in front of the artifacts, or the bucket itself."""
    configured = os.environ.get("SHIPYARD_KERNELCI_STORAGE_URL", "").strip()
    return configured.rstrip("/") if configured else f"s3://{bucket_name()}/kernelci/storage"


def gateway_compresses() -> bool:
    """Whether API Gateway gzips responses itself (``minimum_compression_size`` in the stage config).

    Then the app must not: a Lambda proxy response gzipped in the app would
    reach the client as base64 text. Locally, and in tests, the app does it.
    """
    return os.environ.get("SHIPYARD_GATEWAY_COMPRESSION", "").lower() == "true"


def reference_ci_enabled() -> bool:
    """Whether the local stack runs the reference CI consumer of self-serve job requests (on unless "0")."""
    return os.environ.get("SHIPYARD_REFERENCE_CI", "1").strip().lower() not in ("0", "false", "off", "no")


def reference_ci_step_seconds() -> int:
    """Seconds the reference CI waits between a build's pending, running and completed reports."""
    return max(0, min(900, int(os.environ.get("SHIPYARD_REFERENCE_CI_STEP", "5"))))

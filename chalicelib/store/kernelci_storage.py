"""KernelCI artifacts in S3: what ``/upload`` stores, under ``kernelci/storage/<path>``.

A build's artifacts are uploaded under its ``file_server_resource`` before the
build is published; the import reads the build's ``bmeta.json`` from there.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from botocore.exceptions import ClientError

from chalicelib import config
from chalicelib.store.clients import client

PREFIX = "kernelci/storage/"


def key(path: str) -> str:
    return PREFIX + path


# S3 user metadata naming the token (its _id) that first stored a file.
UPLOADER = "uploader"


def stored_by(path: str) -> tuple[bool, str | None]:
    """Whether ``path`` is stored, and the id of the token that stored it (None: not recorded). One HEAD."""
    try:
        found = client("s3").head_object(Bucket=config.bucket_name(), Key=key(path))
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return False, None
        raise
    return True, (found.get("Metadata") or {}).get(UPLOADER)


def exists(path: str) -> bool:
    try:
        client("s3").head_object(Bucket=config.bucket_name(), Key=key(path))
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return False
        raise
    return True


def put(path: str, body: bytes, content_type: str | None, uploader: str | None = None) -> None:
    client("s3").put_object(Bucket=config.bucket_name(), Key=key(path), Body=body,
                            ContentType=content_type or "application/octet-stream",
                            Metadata={UPLOADER: uploader} if uploader else {})


def get(path: str) -> bytes | None:
    try:
        found = client("s3").get_object(Bucket=config.bucket_name(), Key=key(path))
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    return found["Body"].read()


def build_meta(file_server_resource: str) -> dict[str, Any] | None:
    """The ``bmeta.json`` uploaded with a build's artifacts, if any (and if it is a JSON object)."""
    raw = get(file_server_resource.strip("/") + "/bmeta.json")
    if raw is None:
        return None
    try:
        meta = json.loads(raw)
    except ValueError:
        return None
    return meta if isinstance(meta, dict) else None


def url(path: str) -> str:
    """Where the file server serves ``path``: each segment percent-encoded (a name may hold ``#``, ``?``,
    ``%`` or spaces)."""
    return f"{config.kernelci_storage_url()}/{quote(path, safe='/')}"

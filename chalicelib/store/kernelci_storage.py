"""KernelCI artifacts in S3: what ``/upload`` stores, under ``kernelci/storage/<path>``.

A build's artifacts are uploaded under its ``file_server_resource`` before the
build is published; the import reads the build's ``bmeta.json`` from there.

A missing file is normal (a build without ``bmeta.json``, a first upload).
S3 says so with 404 only to a caller allowed ``s3:ListBucket`` on the bucket;
to any other it answers 403, which cannot tell "missing" from "forbidden".
Such a 403 is raised as :class:`StorageRefused`, naming the permission, never
taken for "missing" (that would hide a real refusal) nor left to surface as
an unexplained 500.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from botocore.exceptions import ClientError

from chalicelib import config, safe_json
from chalicelib.store.clients import client

PREFIX = "kernelci/storage/"
_MISSING = ("404", "NoSuchKey", "NotFound")
_REFUSED = ("403", "AccessDenied", "Forbidden")


class StorageRefused(RuntimeError):
    """S3 refused to say whether a file exists: the deployment's role lacks a permission (a fault of the
    deployment, not of the request; retrying will not help until the role is fixed)."""


def _missing(err: ClientError, path: str) -> bool:
    """True when S3 says the file is not there; raises StorageRefused on a 403; False otherwise."""
    code = str(err.response.get("Error", {}).get("Code"))
    if code in _MISSING:
        return True
    if code in _REFUSED:
        raise StorageRefused(f"S3 answered 403 for {key(path)} in bucket {config.bucket_name()}: the role needs "
                             "s3:GetObject on the bucket's objects and s3:ListBucket on the bucket (without it, "
                             "a missing file is a 403)") from err
    return False


def key(path: str) -> str:
    return PREFIX + path


# S3 user metadata naming the token (its _id) that first stored a file.
UPLOADER = "uploader"


def stored_by(path: str) -> tuple[bool, str | None]:
    """Whether ``path`` is stored, and the id of the token that stored it (None: not recorded). One HEAD."""
    try:
        found = client("s3").head_object(Bucket=config.bucket_name(), Key=key(path))
    except ClientError as err:
        if _missing(err, path):
            return False, None
        raise
    return True, (found.get("Metadata") or {}).get(UPLOADER)


def exists(path: str) -> bool:
    try:
        client("s3").head_object(Bucket=config.bucket_name(), Key=key(path))
    except ClientError as err:
        if _missing(err, path):
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
        if _missing(err, path):
            return None
        raise
    return found["Body"].read()


def build_meta(file_server_resource: str) -> dict[str, Any] | None:
    """The ``bmeta.json`` uploaded with a build's artifacts, if any (and if it is a JSON object).

    Read as every request body is (:mod:`chalicelib.safe_json`): it comes from an upload token, and a value
    that cannot be stored (NaN, a 50-digit number, a lone surrogate, nesting past the interpreter's stack)
    would fail the build's import on every delivery until it reached the dead-letter queue. Such a file is
    no usable bmeta.json, as one that is not JSON.
    """
    raw = get(file_server_resource.strip("/") + "/bmeta.json")
    if raw is None:
        return None
    try:
        meta = safe_json.loads(raw)
    except safe_json.UnsafeJson:
        return None
    return meta if isinstance(meta, dict) else None


def url(path: str) -> str:
    """Where the file server serves ``path``: each segment percent-encoded (a name may hold ``#``, ``?``,
    ``%`` or spaces)."""
    return f"{config.kernelci_storage_url()}/{quote(path, safe='/')}"

"""A second, independent OAuth 1.0 signer for tests, shaped like python-oauth2.

The server verifies with oauthlib; tests sign with this (and, end to end, with
requests-oauthlib) so that a bug shared by signer and verifier cannot hide.
It also sends ``oauth_body_hash`` as python-oauth2, Datazilla's client, did.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import uuid
from urllib.parse import quote, urlencode, urlsplit


def _enc(value: str) -> str:
    return quote(value, safe="~")


def sign_form(url: str, fields: dict[str, str], key: str, secret: str, *, timestamp: int | None = None,
              nonce: str | None = None, body_hash: bool = True) -> dict[str, str]:
    """Return the form fields plus the OAuth parameters and signature."""
    params = dict(fields)
    params.update({
        "oauth_consumer_key": key,
        "oauth_nonce": nonce or uuid.uuid4().hex,
        "oauth_timestamp": str(int(time.time()) if timestamp is None else timestamp),
        "oauth_version": "1.0",
        "oauth_token": "",
        "oauth_signature_method": "HMAC-SHA1",
    })
    if body_hash:
        params["oauth_body_hash"] = base64.b64encode(hashlib.sha1(b"").digest()).decode()  # noqa: S324
    parts = urlsplit(url)
    base_url = f"{parts.scheme}://{parts.netloc.lower()}{parts.path}"
    normalized = "&".join(f"{_enc(k)}={_enc(v)}" for k, v in sorted(params.items()))
    base = "&".join(["POST", _enc(base_url), _enc(normalized)])
    digest = hmac.new(f"{_enc(secret)}&".encode(), base.encode(), hashlib.sha1).digest()
    params["oauth_signature"] = base64.b64encode(digest).decode()
    return params


def form_body(fields: dict[str, str]) -> str:
    return urlencode(fields)

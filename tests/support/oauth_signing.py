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


def python_oauth2_header(url: str, method: str, body: str, key: str, secret: str) -> str:
    """The Authorization header python-oauth2 (Datazilla's signer, the published ``oauth2`` package) makes
    for a body that is not a form: two-legged, and with the ``oauth_body_hash`` it adds for such a body."""
    import oauth2

    consumer, token = oauth2.Consumer(key=key, secret=secret), oauth2.Token(key="", secret="")
    request = oauth2.Request.from_consumer_and_token(consumer, token, http_method=method, http_url=url,
                                                     body=body.encode(), is_form_encoded=False)
    request.sign_request(oauth2.SignatureMethod_HMAC_SHA1(), consumer, token)
    return request.to_header()["Authorization"]


def requests_oauthlib_header(url: str, method: str, body: str, key: str, secret: str) -> str:
    """The Authorization header requests-oauthlib makes for a JSON body: it signs the URL and OAuth
    parameters only (no ``oauth_body_hash``), so the signature does not cover the body."""
    import requests
    from requests_oauthlib import OAuth1

    prepared = requests.Request(method, url, data=body.encode(), headers={"Content-Type": "application/json"},
                                auth=OAuth1(key, client_secret=secret)).prepare()
    header = prepared.headers["Authorization"]
    return header.decode() if isinstance(header, bytes) else header

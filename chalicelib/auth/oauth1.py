"""Two-legged OAuth 1.0 (HMAC-SHA1), as Datazilla's upload clients sign.

oauthlib checks the parameters, the timestamp window and the signature, which
must be HMAC-SHA1 (the one method Datazilla's server took). Shipyard's own:

- the nonce is remembered (conditional write, DynamoDB TTL) only *after* the
  signature verified, so a forged request cannot burn a client's nonces, and
  the same nonce is then refused;
- ``oauth_body_hash`` (sent by python-oauth2, Datazilla's client) is checked
  when present: SHA-1 of the body for JSON bodies, of the empty string for
  form bodies (whose fields are already covered by the signature);
- a body that is not a form must carry ``oauth_body_hash``: OAuth 1.0 signs a
  form's fields but no other body, so without the hash (the body hash
  extension's answer to exactly this) anyone on the path could change what a
  valid signature authorises.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from dataclasses import dataclass
from typing import Callable

from oauthlib.common import urldecode
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA1, RequestValidator, SignatureOnlyEndpoint

from chalicelib.store.projects import Project

log = logging.getLogger(__name__)

# Datazilla keys and nonces are free-form; oauthlib's defaults (20-30
# alphanumerics) would refuse real clients.
_SAFE = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~")


class _ProjectValidator(RequestValidator):
    dummy_client = "dummy-client-key"
    enforce_ssl = False

    def __init__(self, project: Project, window: int) -> None:
        super().__init__()
        self._project = project
        self._window = window

    @property
    def timestamp_lifetime(self) -> int:
        return self._window

    @property
    def allowed_signature_methods(self) -> tuple[str, ...]:
        # Datazilla's server knew HMAC-SHA1 alone. oauthlib's default list also takes PLAINTEXT, whose
        # "signature" is the secret itself and covers nothing of the request, and RSA-SHA1, which asks for a
        # key this validator does not have (an exception, so a 500).
        return (SIGNATURE_HMAC_SHA1,)

    @property
    def safe_characters(self) -> set[str]:
        return _SAFE

    @property
    def client_key_length(self) -> tuple[int, int]:
        return 1, 128

    @property
    def nonce_length(self) -> tuple[int, int]:
        return 1, 128

    def check_client_key(self, client_key: str) -> bool:
        lower, upper = self.client_key_length
        return lower <= len(client_key) <= upper and set(client_key) <= _SAFE

    def check_nonce(self, nonce: str) -> bool:
        lower, upper = self.nonce_length
        return lower <= len(nonce) <= upper and set(nonce) <= _SAFE

    def validate_client_key(self, client_key: str, request: object) -> bool:
        return hmac.compare_digest(client_key.encode(), self._project.oauth_consumer_key.encode())

    def get_client_secret(self, client_key: str, request: object) -> str:
        if client_key == self._project.oauth_consumer_key:
            return self._project.oauth_consumer_secret
        return "dummy-secret-for-constant-time"

    def validate_timestamp_and_nonce(self, *args: object, **kwargs: object) -> bool:
        # Checked after the signature, by verify() below.
        return True


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str  # for logs; never contains a secret


def _body_hash_ok(body: bytes, claimed: str, form_encoded: bool) -> bool:
    # SHA-1 is what the oauth_body_hash extension specifies; it is not our choice.
    candidates = [hashlib.sha1(b"").digest()] if form_encoded else []  # noqa: S324
    candidates.append(hashlib.sha1(body).digest())  # noqa: S324
    return any(hmac.compare_digest(base64.b64encode(c).decode(), claimed) for c in candidates)


def verify(
    project: Project,
    uri: str,
    method: str,
    body: bytes,
    headers: dict[str, str],
    window: int,
    remember_nonce: Callable[[str, str, int], bool],
    form_pairs: list[tuple[str, str]] | None = None,
) -> Verdict:
    """Verify a signed request for ``project``; the nonce is then spent.

    ``form_pairs``: a form body the caller has already decoded (every pair, in
    order), handed to oauthlib as the list its ``Request`` takes, so the body is
    not decoded a second time (the blob is percent-encoded twice: decoding it is
    the upload's costliest CPU, benchmarks/ingest.py).
    """
    content_type = headers.get("Content-Type", headers.get("content-type", ""))
    form_encoded = content_type.startswith("application/x-www-form-urlencoded")
    endpoint = SignatureOnlyEndpoint(_ProjectValidator(project, window))
    # oauthlib reads OAuth parameters from a form body only when told its type.
    form_text = body.decode("utf-8", "replace") if form_encoded else ""
    sign_headers = {k: v for k, v in headers.items() if k.lower() in ("authorization", "content-type") and v}
    # The form decoded once, by oauthlib's own parser (which refuses what is not form encoding): given a
    # string, oauthlib decodes it again for each of its three reads, the upload's costliest CPU (the
    # blob is percent-encoded twice; benchmarks/ingest.py).
    try:
        sign_body = (form_pairs if form_pairs is not None else urldecode(form_text)) if form_encoded else None
    except ValueError as err:
        return Verdict(False, f"unreadable request: {err}")
    if form_encoded and "oauth_signature=" in form_text:
        # Datazilla's client (python-oauth2's to_postdata() and to_header() together) sends the parameters in
        # the body *and* the Authorization header; Datazilla verified the request's parameters and never read
        # the header. oauthlib refuses two sources, so the body's are the ones verified, as Datazilla did.
        sign_headers = {k: v for k, v in sign_headers.items() if k.lower() != "authorization"}
    try:
        valid, request = endpoint.validate_request(uri, method, sign_body, sign_headers)
    except ValueError as err:
        return Verdict(False, f"unreadable request: {err}")
    if not valid or request is None:
        return Verdict(False, "signature, key or timestamp rejected")
    params = dict(request.params)
    claimed_hash = params.get("oauth_body_hash")
    if claimed_hash is None and body and not form_encoded:
        return Verdict(False, "a body that is not a form needs oauth_body_hash: the signature does not cover it")
    if claimed_hash is not None and not _body_hash_ok(body, claimed_hash, form_encoded):
        return Verdict(False, "oauth_body_hash does not match the body")
    if not remember_nonce(project.oauth_consumer_key, request.nonce, window):
        return Verdict(False, "nonce already used")
    return Verdict(True, "verified")


def has_credentials(body_fields: dict[str, str], headers: dict[str, str]) -> bool:
    auth = headers.get("Authorization", headers.get("authorization", ""))
    return "oauth_consumer_key" in body_fields or auth.lower().startswith("oauth ")

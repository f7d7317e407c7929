"""OAuth 1 verification handed a form the caller decoded once: the same verdicts as from the body itself."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote

import pytest

from chalicelib.auth import oauth1
from chalicelib.store.projects import Project
from tests.support.oauth_signing import form_body, sign_form

PROJECT = Project("talos", "talos-key", "talos-secret")
URL = "http://shipyard.test/talos/api/load_test"
FORM = {"Authorization": "", "Content-Type": "application/x-www-form-urlencoded"}


def _verify(body: bytes, pairs: list[tuple[str, str]] | None) -> oauth1.Verdict:
    return oauth1.verify(PROJECT, URL, "POST", body, FORM, 300, lambda scope, nonce, lifetime: True,
                         form_pairs=pairs)


def _signed(data: str) -> bytes:
    body = form_body(sign_form(URL, {"data": quote(data), "user": "talos"}, PROJECT.oauth_consumer_key,
                               PROJECT.oauth_consumer_secret))
    return body.encode() if isinstance(body, str) else body


def test_a_signed_form_verifies_from_its_decoded_pairs_as_from_its_body():
    body = _signed('{"results": {"a.com": [1, 2]}}')
    assert _verify(body, None).ok
    assert _verify(body, parse_qsl(body.decode(), keep_blank_values=True)).ok


def test_a_pair_changed_after_signing_is_refused_either_way():
    """oauthlib's own check (test_signature_only_endpoint: a tampered parameter fails the HMAC), fed pairs."""
    body = _signed('{"results": {"a.com": [1, 2]}}')
    pairs = [(k, quote('{"results": {"a.com": [9, 9]}}') if k == "data" else v)
             for k, v in parse_qsl(body.decode(), keep_blank_values=True)]
    assert not _verify(body.replace(b"5B1%252C", b"5B9%252C"), None).ok
    assert not _verify(body, pairs).ok


def _signed_with(method: str) -> bytes:
    """A form signed by oauthlib's own client with ``method``; RSA-SHA1 (which needs a key pair and PyJWT) is an
    HMAC-SHA1 form relabelled, enough to make the verifier take the RSA path."""
    from oauthlib.oauth1 import SIGNATURE_TYPE_BODY, Client

    client = Client(PROJECT.oauth_consumer_key, client_secret=PROJECT.oauth_consumer_secret,
                    signature_method="HMAC-SHA1" if method.startswith("RSA") else method,
                    signature_type=SIGNATURE_TYPE_BODY)
    _, _, body = client.sign(URL, "POST", body={"data": quote('{"results": {}}'), "user": "talos"},
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    return body.replace("oauth_signature_method=HMAC-SHA1", f"oauth_signature_method={method}").encode()


@pytest.mark.parametrize("method", ["PLAINTEXT", "RSA-SHA1", "HMAC-SHA256", "HMAC-SHA512"])
def test_only_hmac_sha1_is_a_signature(method):
    """Upstream: Datazilla's ``oauth_required`` (datazilla/webapp/apps/datazilla/views.py) gave python-oauth2's
    Server only ``SignatureMethod_HMAC_SHA1``; any other method is a verification error. PLAINTEXT signs
    nothing (its "signature" is the secret itself), and RSA-SHA1 asked the validator for a key it does not
    have (a 500)."""
    # given a form signed correctly with another method, then the same with HMAC-SHA1
    other, sha1 = _signed_with(method), _signed_with("HMAC-SHA1")
    # then only HMAC-SHA1 verifies
    assert not _verify(other, None).ok
    assert _verify(sha1, None).ok

"""OAuth 1 verification handed a form the caller decoded once: the same verdicts as from the body itself."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote

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

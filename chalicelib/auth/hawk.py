"""Hawk request authentication (mohawk), as Treeherder's write endpoints used it.

mohawk checks the MAC over method, URL, timestamp and nonce, the payload hash
(required whenever there is a body), and the timestamp within the skew
(``config.hawk_timestamp_skew()``, 60 s). The nonce is remembered per client
(conditional write, DynamoDB TTL); mohawk asks about it only after the MAC
verified, so a forged request cannot burn a client's nonces, and a replay is
refused. The reason a request was refused is logged by class, never with the
header or the secret.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import mohawk
from mohawk.exc import BadHeaderValue, HawkFail, TokenExpired

from chalicelib import config
from chalicelib.store import hawk_credentials, nonces

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HawkRequest:
    authorization: str | None
    url: str
    method: str
    body: bytes
    content_type: str


class HawkRefused(Exception):
    """Not authenticated; the message is safe to show the client."""


class UnknownClient(Exception):
    """No credentials with that id (Treeherder's ``hawk_lookup`` refuses it by name, outside mohawk)."""


def _credentials(client_id: str) -> dict[str, str]:
    found = hawk_credentials.get(client_id)
    if found is None:
        raise UnknownClient(client_id)
    return {"id": found.client_id, "key": found.secret, "algorithm": "sha256"}


def refusal(err: HawkFail) -> str:
    """What hawkrest (Treeherder's Hawk layer) told the client: vague on purpose, but it names a
    malformed header and an expired timestamp, which the client can fix."""
    if isinstance(err, TokenExpired):
        return "Hawk authentication failed: The token has expired. Is your system clock correct?"
    if isinstance(err, BadHeaderValue):
        return "Hawk authentication failed: The request header was malformed"
    return "Hawk authentication failed"


def _seen_nonce(client_id: str, nonce: str, timestamp: str) -> bool:
    """A nonce is used once per client while any timestamp it could carry is still fresh.

    Stricter than Hawk's (client, timestamp, nonce): a re-signed request with an
    old nonce is refused too.
    """
    return not nonces.remember(f"hawk:{client_id}", nonce, config.hawk_timestamp_skew())


def authenticate(request: HawkRequest) -> str:
    """The Hawk client id that signed the request; :class:`HawkRefused` otherwise."""
    if not request.authorization or not request.authorization.startswith("Hawk "):
        raise HawkRefused("Authentication credentials were not provided.")
    try:
        receiver = mohawk.Receiver(
            _credentials, request.authorization, request.url, request.method,
            content=request.body, content_type=request.content_type,
            seen_nonce=_seen_nonce, timestamp_skew_in_seconds=config.hawk_timestamp_skew(),
        )
    except UnknownClient as err:
        log.info("hawk: request refused (unknown client)")
        raise HawkRefused(f"No authorised credentials found with id {str(err)[:100]}") from None
    except HawkFail as err:
        log.info("hawk: request refused (%s)", type(err).__name__)
        raise HawkRefused(refusal(err)) from None
    return receiver.parsed_header["id"]

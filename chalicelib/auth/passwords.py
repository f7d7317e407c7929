"""HTTP Basic credentials for BuildAPI's clients, checked against scrypt hashes.

BuildAPI sat behind LDAP basic auth, so its scripts send ``Authorization:
Basic``. A password, unlike a bearer token, may be weak: it is stored only as
an scrypt hash (OpenSSL's, through ``hashlib``) with a per-user random salt,
so a leaked table costs an attacker a memory-hard search per guess. The
parameters are stored with each hash so that they can be raised later without
invalidating the hashes already stored.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Mapping

from chalicelib.store import balrog_tokens

# scrypt cost: N=2^14, r=8, p=1 (16 MiB, tens of milliseconds) - the interactive-login setting.
N, R, P = 2**14, 8, 1
KEY_BYTES = 32
MAX_PASSWORD_BYTES = 1024
# What a user without a password is checked against: the stored hashes' cost, and a key (all zeros) that no
# password derives to, so an unknown user takes as long to refuse as a wrong password.
_UNKNOWN_USER = "$".join(["scrypt", str(N), str(R), str(P), "A" * 22 + "==", "A" * 43 + "="])


def hash_password(password: str, *, n: int = N, r: int = R, p: int = P) -> str:
    """``scrypt$n$r$p$salt$key`` (salt and key base64): what is stored instead of the password."""
    salt = secrets.token_bytes(16)
    key = _derive(password, salt, n, r, p)
    return "$".join(["scrypt", str(n), str(r), str(p), _b64(salt), _b64(key)])


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored`` (constant-time comparison of the derived keys)."""
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(key)
        derived = _derive(password, base64.b64decode(salt), int(n), int(r), int(p))
    except (ValueError, binascii.Error):
        return False
    return hmac.compare_digest(derived, expected)


def set_password(username: str, password: str) -> None:
    """Create or replace ``username``'s password (``shipyard user password``)."""
    if not username or not password:
        raise ValueError("a user name and a non-empty password are needed")
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        raise ValueError(f"a password is at most {MAX_PASSWORD_BYTES} bytes")
    balrog_tokens.put_password(username, hash_password(password))


def basic_credentials(headers: Mapping[str, str]) -> tuple[str, str] | None:
    """(user, password) of an ``Authorization: Basic`` header; None when absent or not decodable."""
    value = headers.get("authorization") or headers.get("Authorization") or ""
    scheme, _, encoded = value.strip().partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    if not sep or not user:
        return None
    return user, password


def authenticate(headers: Mapping[str, str]) -> str | None:
    """The user whose Basic credentials the request carries; None without valid ones (one GetItem)."""
    credentials = basic_credentials(headers)
    if credentials is None:
        return None
    user, password = credentials
    if len(user) > 256 or len(password.encode()) > MAX_PASSWORD_BYTES:
        return None
    stored = balrog_tokens.password_hash_of(user)
    if stored is None:
        # The same scrypt work as a wrong password, so the answer's time does not tell which users exist.
        verify_password(password, _UNKNOWN_USER)
        return None
    if not verify_password(password, stored):
        return None
    return user


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024,
                          dklen=KEY_BYTES)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")

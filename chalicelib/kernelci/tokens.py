"""KernelCI API tokens: their properties, how a body sets them, and whether one may do a request.

A token carries a list of 16 flags (the backend's ``properties``):

  0 admin, 1 superuser, 2 get, 3 post (and put), 4 delete, 5 ip_restricted,
  6 can create tokens, 7 lab, 8 upload, 9 test_lab.

``admin`` also sets superuser, get, post, delete, token creation and upload;
``superuser`` sets get, post, delete and upload and clears admin and token
creation. A request's token is checked in this order: it exists, it is not
expired, its properties allow the method on this resource, and, when it is
IP restricted, the caller's address is in its list.

Token values are UUID4s shown once; only their SHA-256 is stored, so a token
is found from its value and managed by its ``_id``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

SIZE = 16
ADMIN, SUPERUSER, GET, POST, DELETE, IP_RESTRICTED, CREATE_TOKENS, LAB, UPLOAD, TEST_LAB = range(10)
# The order the backend applies body flags in: a later flag can override an earlier one's side effects.
FLAGS = (("get", GET), ("post", POST), ("delete", DELETE), ("superuser", SUPERUSER), ("admin", ADMIN),
         ("ip_restricted", IP_RESTRICTED), ("lab", LAB), ("upload", UPLOAD), ("test_lab", TEST_LAB))


# An expiry day, ASCII digits only (strptime would also take "2020-1-5" and other scripts' digits).
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class InvalidToken(ValueError):
    """A token body that cannot make a token (answered 400 with this text)."""


def new_value() -> str:
    return str(uuid.uuid4())


def token_hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _flag(name: str, value: Any) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int) and abs(value) in (0, 1):
        return abs(value)
    raise InvalidToken(f"Wrong field value or type in the JSON data: '{name}' must be 0, 1, true or false")


def _set(properties: list[int], flag: int, value: int) -> None:
    if flag == ADMIN:
        for i in (ADMIN, SUPERUSER, GET, POST, DELETE, CREATE_TOKENS, UPLOAD):
            properties[i] = value
    elif flag == SUPERUSER:
        properties[ADMIN] = properties[CREATE_TOKENS] = 0
        for i in (SUPERUSER, GET, POST, DELETE, UPLOAD):
            properties[i] = value
    else:
        properties[flag] = value


def _expiry(value: Any) -> int | None:
    if value in (None, ""):
        return None
    if not (isinstance(value, str) and DAY.fullmatch(value)):
        raise InvalidToken("Wrong field value or type in the JSON data: 'expires_on' must be YYYY-MM-DD")
    try:
        day = dt.datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        raise InvalidToken("Wrong field value or type in the JSON data: 'expires_on' must be YYYY-MM-DD") from None
    return int(day.replace(tzinfo=dt.UTC).timestamp() * 1000)


def _addresses(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        try:
            network = ipaddress.ip_network(str(item), strict=False)
        except ValueError:
            raise InvalidToken(f"Address {item} is not a valid IP address or network") from None
        out.append(str(network) if "/" in str(item) else str(network.network_address))
    return out


def apply(body: dict[str, Any], current: dict[str, Any] | None = None) -> dict[str, Any]:
    """A token record from a checked POST body (``current`` None) or a PUT body over ``current``.

    Raises :class:`InvalidToken` with the reason the backend gives.
    """
    record = dict(current or {"properties": [0] * SIZE, "expired": False, "expires_on": None,
                              "ip_address": None, "username": None})
    record["properties"] = list(record["properties"])
    for name in ("email", "username", "expires_on"):
        if body.get(name) is not None and not isinstance(body[name], str):
            raise InvalidToken(f"Wrong field value or type in the JSON data: '{name}' must be text")
    if current is None:
        if not body.get("email"):
            raise InvalidToken("New tokens require the email address field [email]")
    if body.get("email"):
        record["email"] = body["email"]
    if body.get("username"):
        record["username"] = body["username"]
    if body.get("expires_on"):
        record["expires_on"] = _expiry(body["expires_on"])
    if body.get("expired") is not None:
        record["expired"] = bool(_flag("expired", body["expired"]))
    for name, flag in FLAGS:
        if body.get(name) is not None:
            _set(record["properties"], flag, _flag(name, body[name]))
    restricted = bool(record["properties"][IP_RESTRICTED])
    given = body.get("ip_address")
    if given is not None and not (isinstance(given, str)
                                  or (isinstance(given, list) and all(isinstance(a, str) for a in given))):
        raise InvalidToken("Wrong field value or type in the JSON data: 'ip_address' must be an address or a list "
                           "of addresses")
    if restricted and not (given or record.get("ip_address")):
        raise InvalidToken("IP restricted but no IP addresses given")
    if given and not restricted:
        raise InvalidToken("IP addresses given, but token is not IP restricted")
    if given:
        record["ip_address"] = _addresses(given)
    if not restricted:
        record["ip_address"] = None
    return record


@dataclass(frozen=True)
class Token:
    properties: tuple[int, ...]
    expired: bool = False
    expires_on: int | None = None
    ip_address: tuple[str, ...] | None = None

    @classmethod
    def of(cls, record: dict[str, Any]) -> Token:
        addresses = record.get("ip_address")
        return cls(tuple(record.get("properties") or [0] * SIZE), bool(record.get("expired")),
                   record.get("expires_on"), tuple(addresses) if addresses else None)

    def has(self, flag: int) -> bool:
        return bool(self.properties[flag]) if len(self.properties) > flag else False


def general(token: Token, method: str) -> bool:
    """Jobs, builds, counts: GET, POST/PUT and DELETE each need their flag; lab tokens delete nothing here."""
    if method == "GET":
        return token.has(GET)
    if method in ("POST", "PUT"):
        return token.has(POST)
    if method == "DELETE":
        return token.has(DELETE) and not token.has(LAB)
    return False


def token_management(token: Token, method: str) -> bool:
    """The /token resource: admin tokens, or superusers for reading."""
    return token.has(ADMIN) or (token.has(SUPERUSER) and method == "GET")


def upload(token: Token, method: str) -> bool:
    return token.has(ADMIN) or token.has(SUPERUSER) or (method in ("POST", "PUT") and token.has(UPLOAD))


def may_replace(token: Token, token_id: str, owner: str | None) -> bool:
    """Whether an upload may overwrite a stored file: the token that first stored it may, and admin or
    superuser tokens may; no other (one lab's upload token must not replace the ``bmeta.json`` a build
    imports). A file stored before owners were recorded is owned by no token."""
    return token.has(ADMIN) or token.has(SUPERUSER) or (owner is not None and owner == token_id)


def tests(token: Token, method: str) -> bool:
    """Test groups, cases and regressions: test lab tokens write, get tokens read."""
    if token.has(ADMIN) or token.has(SUPERUSER):
        return True
    if method == "GET":
        return token.has(GET)
    return method in ("POST", "PUT", "DELETE") and token.has(TEST_LAB)


def expired(token: Token, now_ms: int) -> bool:
    return token.expired or (token.expires_on is not None and token.expires_on < now_ms)


def address_allowed(token: Token, remote_ip: str | None) -> bool:
    if not token.has(IP_RESTRICTED):
        return True
    if not remote_ip or not token.ip_address:
        return False
    try:
        address = ipaddress.ip_address(remote_ip)
    except ValueError:
        return False
    for allowed in token.ip_address:
        network = ipaddress.ip_network(allowed, strict=False)
        candidate = address
        if network.version != address.version:
            # an IPv4 caller seen as ::ffff:a.b.c.d, or the other way round
            if address.version == 6 and address.ipv4_mapped is not None:
                candidate = address.ipv4_mapped
            else:
                continue
        if candidate in network:
            return True
    return False


def permits(record: dict[str, Any] | None, method: str, remote_ip: str | None,
            allowed: Callable[[Token, str], bool], now_ms: int) -> bool:
    """Found, not expired, allowed by its properties for this resource, and from an allowed address."""
    if record is None:
        return False
    token = Token.of(record)
    if expired(token, now_ms):
        return False
    return allowed(token, method) and address_allowed(token, remote_ip)

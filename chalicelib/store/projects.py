"""Datazilla projects and their OAuth consumer credentials.

Every Datazilla request names its project, and a signed upload needs its
credentials: ``cached`` keeps a found project per container for
``CACHE_SECONDS``, so a warm Lambda verifies uploads without a GetItem each.
Why that is safe: the credentials only say who may sign; every upload is
still verified (HMAC over the request) and its nonce still written, so a
cached entry cannot let a request be replayed or forged. What the cache
delays is a change made elsewhere (the CLI replacing a secret): a warm
container accepts the old secret, and not yet the new one, for at most
``CACHE_SECONDS``, as a rotation in Datazilla's own process-wide settings
took a restart. Unknown projects are not cached (a project just created is
served at once), and ``create`` in this process replaces its own entry.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError
from pynamodb.models import Model

from chalicelib import root_paths
from chalicelib.store import clients
from chalicelib.store.base import table_meta

CACHE_SECONDS = 60.0
_cache: dict[str, tuple[float, Project]] = {}
_cache_lock = threading.Lock()


class ProjectRecord(Model):
    Meta = table_meta("projects")
    name = UnicodeAttribute(hash_key=True)
    oauth_consumer_key = UnicodeAttribute()
    # HMAC-SHA1 verification needs the shared secret itself, so it cannot be
    # hashed; on AWS the table is encrypted at rest and readable only by the app.
    oauth_consumer_secret = UnicodeAttribute()
    created_at = NumberAttribute()


@dataclass(frozen=True)
class Project:
    name: str
    oauth_consumer_key: str
    oauth_consumer_secret: str

    def __repr__(self) -> str:  # never print the secret by accident
        return f"Project(name={self.name!r}, oauth_consumer_key={self.oauth_consumer_key!r})"


class ProjectExists(Exception):
    pass


class ReservedName(ValueError):
    """A name another API family owns as a first path segment (``/job``, ``/balrog``, ...)."""


def check_name(name: str) -> None:
    """Datazilla serves ``/<project>/...``: a project may not take a segment another family owns."""
    owner = root_paths.owner_of(name)
    if owner is not None:
        raise ReservedName(f"'{name}' is reserved: {owner} answers at /{name.lower()}; "
                           f"reserved names: {', '.join(sorted(root_paths.RESERVED))}")


def get(name: str) -> Project | None:
    try:
        rec = ProjectRecord.get(name)
    except ProjectRecord.DoesNotExist:
        return None
    return Project(rec.name, rec.oauth_consumer_key, rec.oauth_consumer_secret)


def cached(name: str) -> Project | None:
    """``get``, answered from this container's copy when it is younger than ``CACHE_SECONDS``."""
    now = time.monotonic()
    with _cache_lock:
        entry = _cache.get(name)
    if entry is not None and now - entry[0] < CACHE_SECONDS:
        return entry[1]
    found = get(name)
    with _cache_lock:
        if found is None:
            _cache.pop(name, None)
        else:
            _cache[name] = (now, found)
    return found


def forget_cached() -> None:
    """Empty this container's copies (a test that counts a request's calls wants them all)."""
    with _cache_lock:
        _cache.clear()


clients.on_reset(forget_cached)


def create(name: str, consumer_key: str, consumer_secret: str, replace: bool = False) -> Project:
    check_name(name)
    rec = ProjectRecord(
        name,
        oauth_consumer_key=consumer_key,
        oauth_consumer_secret=consumer_secret,
        created_at=int(time.time()),
    )
    try:
        rec.save(condition=None if replace else ProjectRecord.name.does_not_exist())
    except PutError as err:
        if err.cause_response_code == "ConditionalCheckFailedException":
            raise ProjectExists(name) from err
        raise
    project = Project(name, consumer_key, consumer_secret)
    with _cache_lock:
        _cache.pop(name, None)
    return project


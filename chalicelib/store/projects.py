"""Datazilla projects and their OAuth consumer credentials."""

from __future__ import annotations

import time
from dataclasses import dataclass

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError
from pynamodb.models import Model

from chalicelib import root_paths
from chalicelib.store.base import table_meta


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
    return Project(name, consumer_key, consumer_secret)


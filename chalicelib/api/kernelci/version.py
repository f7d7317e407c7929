"""``/version``: which backend API this is. No token needed; GET only."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.kernelci.common import Answer, Call, paths, resource

bp = Blueprint(__name__)


# Shipyard's version (pyproject.toml); a Lambda bundle has no package metadata to read it from.
VERSION = "0.1.0"


def get_version(call: Call) -> Answer:
    return Answer(result=[{"version": VERSION, "full_version": f"{VERSION}-shipyard-kernelci-api-v1"}])


resource(bp, paths("version", with_id=False), {"GET": get_version}, None)

"""``/version``: which backend API this is, and Shipyard's own version. No token for GET.

The version is the installed package's (``importlib.metadata``, from
pyproject.toml), so a release bump shows here without touching the code. A
tree that was never installed (a bare checkout) reads pyproject.toml itself.
As in the backend, POST and DELETE are refused (501) before any token check,
and PUT needs a token like any write before it is refused.
"""

from __future__ import annotations

import functools
import tomllib
from importlib import metadata
from pathlib import Path
from typing import Any

from chalice import Blueprint

from chalicelib.api.kernelci import openapi as spec
from chalicelib.api.kernelci.call import Call
from chalicelib.api.kernelci.envelope import Answer
from chalicelib.api.kernelci.family import paths, resource
from chalicelib.api.kit.openapi_parts import schema_ref
from chalicelib.kernelci import tokens as token_rules

bp = Blueprint(__name__)

PACKAGE = "shipyard"
PYPROJECT = Path(__file__).resolve().parents[3] / "pyproject.toml"


@functools.cache
def shipyard_version() -> str:
    """The version of the installed ``shipyard`` package (pyproject.toml's, when not installed)."""
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        pass
    try:
        return str(tomllib.loads(PYPROJECT.read_text())["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def get_version(call: Call) -> Answer:
    version = shipyard_version()
    return Answer(result=[{"version": version, "full_version": f"{version}-shipyard-kernelci-api-v1"}])


def _version_operations(alias: spec.Alias) -> dict[str, Any]:
    return {"get": spec.op(alias, "get", "Which backend API this is", {
        200: spec.ok("The version.", spec.envelope(schema_ref("Version"), ["result"]))}, security=spec.NO_AUTH)}


resource(bp, "version", paths("version", with_id=False), {"GET": get_version}, token_rules.general,
         _version_operations, spec.no_params, open_verbs=("GET",), unimplemented=("POST", "DELETE"))

"""Which world a ``shipyard`` command operates on: the running local stack, or what the environment names.

Run in the checkout while ``make run`` is up, a command points itself at that
stack (``$SHIPYARD_STATE_DIR/stack.json`` first, then ``.shipyard/local/stack.json``
in the current directory or the nearest parent that has one). A stack file whose
process is gone is an error, never a silent fall-back to real AWS.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from chalicelib.cli.input import CliError
from chalicelib.local.processes import pid_alive


def _stack_files() -> list[Path]:
    candidates = []
    override = os.environ.get("SHIPYARD_STATE_DIR")
    if override:
        candidates.append(Path(override).expanduser() / "stack.json")
    cwd = Path.cwd()
    candidates.extend(d / ".shipyard" / "local" / "stack.json" for d in (cwd, *cwd.parents))
    return candidates


def use_local_stack() -> dict[str, Any] | None:
    """Point the environment at the running local stack, if there is one to use."""
    if os.environ.get("AWS_ENDPOINT_URL"):
        return None
    for path in _stack_files():
        if not path.is_file():
            continue
        try:
            stack = json.loads(path.read_text())
            endpoint, prefix, region = stack["endpoint_url"], stack["prefix"], stack["region"]
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise CliError(f"unreadable {path}: {err.__class__.__name__}") from None
        if not pid_alive(stack.get("pid")):
            # Falling back to the environment could mean real AWS: refuse instead.
            raise CliError(f"{path} names a local stack (pid {stack.get('pid')}) that is not running; "
                           "start it with `make run`, delete the file, or pass --no-local")
        os.environ["AWS_ENDPOINT_URL"] = endpoint
        os.environ["SHIPYARD_PREFIX"] = prefix
        os.environ["AWS_DEFAULT_REGION"] = region
        os.environ["AWS_REGION"] = region
        os.environ["AWS_ACCESS_KEY_ID"] = "testing"
        os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"  # noqa: S105 - moto's dummy credentials
        for var in ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE"):
            os.environ.pop(var, None)
        return stack
    return None

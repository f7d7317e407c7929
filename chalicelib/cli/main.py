"""``shipyard``: manage a Shipyard deployment from the command line.

Which world it operates on:

- run in the checkout while ``make run`` is up, it operates on that local
  stack: it reads ``.shipyard/local/stack.json`` (``$SHIPYARD_STATE_DIR/stack.json``
  first, then ``.shipyard/local/stack.json`` in the current directory or the
  nearest parent that has one) and points itself at the stack's
  moto endpoint, prefix and region, with dummy credentials;
- with ``AWS_ENDPOINT_URL`` set, or ``--no-local``, it uses whatever the
  environment points at (``SHIPYARD_PREFIX``, region and credentials as usual:
  real AWS when no endpoint is set).

Commands::

    shipyard project create NAME [--key K] [--secret S|-] [--replace]
    shipyard project show NAME
    shipyard branch add NAME --uri URI [--alt NAME ...]
    shipyard branch list
    shipyard branch seed
    shipyard pushlog sync [--branch NAME ...]
    shipyard pushlog backfill [--branch NAME ...]
    shipyard token create USER
    shipyard user password USER [--password P|-]
    shipyard hawk create CLIENT_ID [--secret S|-] [--replace]
    shipyard kernelci token create --email E [--admin|--superuser] [--get] [--post] [--delete]
                                   [--upload] [--lab] [--test-lab] [--ip ADDR ...]
                                   [--expires-on YYYY-MM-DD] [--username U]
    shipyard kernelci token list
    shipyard kernelci token delete ID

A branch URI is a path under the hg host (``SHIPYARD_HG_HOST``, default
https://hg.mozilla.org), e.g. ``integration/mozilla-inbound``, or a full
http(s) URL such as a local json-pushes fixture server. ``pushlog sync`` runs
what the 5-minute schedule runs (bounded pages per branch); ``pushlog
backfill`` walks to the host's last push, with a progress bar on stderr.
A result with ``"ok": false`` exits with status 1.

``project create`` prints the new credentials as JSON; that is the only place
a secret is ever shown. Generate them (the default) rather than passing
``--secret`` on the command line, where shell history and ``ps`` see it;
``--secret -`` reads it from stdin.

``hawk create`` makes Hawk credentials for a CI system that posts Treeherder
job messages over HTTP (``POST /treeherder/api/project/<p>/jobs/``) and prints
them once, as JSON. Hawk's MAC is keyed with the secret, so Shipyard stores the
secret itself (never logged, never shown again).

``token create`` makes a bearer token for the Balrog admin API and prints it
once, as JSON; only its SHA-256 is stored, so it cannot be shown again. The
user's permissions are granted separately (``/users/USER/permissions/...``).

``user password`` sets the HTTP Basic password a user signs self-serve
requests with (BuildAPI's clients send ``Authorization: Basic``); only its
scrypt hash is stored. Without ``--password`` a strong one is generated and
printed once; ``--password -`` reads it from stdin.

``kernelci token create`` makes a KernelCI API token (``Authorization:
<token>``) with the properties given and prints its value once with its id;
only a hash is stored. ``--admin`` tokens manage other tokens through
``/token``; ``--ip`` (repeatable, addresses or networks) restricts where it may
be used from. ``list`` shows ids and properties, never values.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from chalicelib.cli import datazilla, kernelci, treeherder, users
from chalicelib.cli.input import CliError
from chalicelib.cli.world import use_local_stack


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="shipyard", description="Manage a Shipyard deployment: the running local stack, or AWS."
    )
    top.add_argument("--no-local", action="store_true",
                     help="ignore a running local stack; use the environment (real AWS unless AWS_ENDPOINT_URL)")
    groups = top.add_subparsers(dest="group", required=True, metavar="COMMAND")
    for family in (datazilla, users, treeherder, kernelci):
        family.register(groups)
    return top


def _print(payload: dict[str, Any], stream: Any = None) -> None:
    print(json.dumps(payload, indent=2), file=stream or sys.stdout, flush=True)


def _silence_stdout() -> None:
    """Point the closed stdout at /dev/null, so that the interpreter's flush at exit does not fail again."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a file (a test's capture): nothing flushes it at exit
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    target = "unknown"
    try:
        stack = None if args.no_local else use_local_stack()
        target = "local stack" if stack else (os.environ.get("AWS_ENDPOINT_URL") or "AWS (from the environment)")
        payload = args.run(args)
    except CliError as err:
        _print({"error": str(err), **err.extra}, sys.stderr)
        return 1
    except Exception as err:  # noqa: BLE001 - storage faults: report the kind, never values
        code = getattr(err, "cause_response_code", None)
        _print({"error": "storage unavailable or refused the request", "kind": type(err).__name__,
                **({"code": code} if code else {}), "target": target,
                "prefix": os.environ.get("SHIPYARD_PREFIX", "")}, sys.stderr)
        return 1
    try:
        _print(payload)
    except BrokenPipeError:
        # The reader left (`| head`): the command ran and its answer was not delivered. Not a storage
        # fault; and a secret shown once may be what was lost, so say that rather than invite a retry.
        _silence_stdout()
        _print({"error": "the answer was not delivered: standard output was closed; the command itself ran"},
               sys.stderr)
        return 1
    return 1 if payload.get("ok") is False else 0


if __name__ == "__main__":
    sys.exit(main())

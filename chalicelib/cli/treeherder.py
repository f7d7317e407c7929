"""``shipyard hawk``: Hawk credentials for CI systems posting Treeherder jobs over HTTP."""

from __future__ import annotations

import argparse
import re
from typing import Any

from chalicelib.cli.input import CliError, read_secret

# Hawk client ids: what Treeherder's credentials allowed.
HAWK_CLIENT_ID = re.compile(r"[A-Za-z0-9._@-]{1,100}")


def hawk_create(args: argparse.Namespace) -> dict[str, Any]:
    if not HAWK_CLIENT_ID.fullmatch(args.client_id):
        raise CliError("Hawk client ids are 1-100 characters of A-Z, a-z, 0-9, '.', '_', '@' and '-'",
                       client_id=args.client_id)
    secret = read_secret(args.secret)

    from chalicelib.store import hawk_credentials

    try:
        credential = hawk_credentials.create(args.client_id, secret, replace=args.replace)
    except hawk_credentials.CredentialExists:
        raise CliError(f"Hawk client '{args.client_id}' exists (use --replace to give it a new secret)",
                       client_id=args.client_id) from None
    return {"client_id": credential.client_id, "secret": credential.secret, "algorithm": "sha256"}


def register(groups: Any) -> None:
    hawk_group = groups.add_parser("hawk", help="Hawk credentials for Treeherder job submission")
    hawk_commands = hawk_group.add_subparsers(dest="command", required=True, metavar="ACTION")
    hawk_create_cmd = hawk_commands.add_parser("create", help="make credentials for CLIENT_ID; prints them once")
    hawk_create_cmd.add_argument("client_id")
    hawk_create_cmd.add_argument("--secret", help="the secret (default: generated; '-' reads it from stdin)")
    hawk_create_cmd.add_argument("--replace", action="store_true", help="give an existing client this secret")
    hawk_create_cmd.set_defaults(run=hawk_create)

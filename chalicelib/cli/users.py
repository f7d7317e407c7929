"""``shipyard token`` and ``user``: who may use the admin APIs (Balrog's bearer tokens, self-serve passwords)."""

from __future__ import annotations

import argparse
import re
from typing import Any

from chalicelib.cli.input import USERNAME as USERNAME_PATTERN
from chalicelib.cli.input import CliError, read_secret

USERNAME = re.compile(USERNAME_PATTERN)


def token_create(args: argparse.Namespace) -> dict[str, Any]:
    if not USERNAME.fullmatch(args.user):
        raise CliError("usernames are 1-128 characters of A-Z, a-z, 0-9, '.', '_', '@', '+' and '-'", user=args.user)

    from chalicelib.auth import bearer

    return {"user": args.user, "token": bearer.create_token(args.user)}


def user_password(args: argparse.Namespace) -> dict[str, Any]:
    if not USERNAME.fullmatch(args.user):
        raise CliError("usernames are 1-128 characters of A-Z, a-z, 0-9, '.', '_', '@', '+' and '-'", user=args.user)
    generated = args.password is None
    password = read_secret(args.password)

    from chalicelib.auth import passwords

    passwords.set_password(args.user, password)
    return {"user": args.user, **({"password": password} if generated else {"password_set": True})}


def register(groups: Any) -> None:
    token = groups.add_parser("token", help="bearer tokens of the Balrog admin API")
    token_commands = token.add_subparsers(dest="command", required=True, metavar="ACTION")
    token_create_cmd = token_commands.add_parser("create", help="make a token for USER; prints it once as JSON")
    token_create_cmd.add_argument("user")
    token_create_cmd.set_defaults(run=token_create)

    user = groups.add_parser("user", help="users' HTTP Basic passwords (self-serve)")
    user_commands = user.add_subparsers(dest="command", required=True, metavar="ACTION")
    password_cmd = user_commands.add_parser("password", help="set USER's password (stored as an scrypt hash)")
    password_cmd.add_argument("user")
    password_cmd.add_argument("--password", help="the password (default: generated and printed once; '-' reads "
                                                 "it from stdin)")
    password_cmd.set_defaults(run=user_password)

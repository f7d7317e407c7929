"""``shipyard kernelci token``: KernelCI API tokens, shown once, stored as hashes."""

from __future__ import annotations

import argparse
from typing import Any

from chalicelib.cli.input import CliError

KERNELCI_FLAGS = ("admin", "superuser", "get", "post", "delete", "upload", "lab", "test_lab")


def kernelci_token_create(args: argparse.Namespace) -> dict[str, Any]:
    from chalicelib.auth import kernelci_token
    from chalicelib.kernelci.tokens import InvalidToken

    body: dict[str, Any] = {"email": args.email, **{f: True for f in KERNELCI_FLAGS if getattr(args, f)}}
    if args.username:
        body["username"] = args.username
    if args.expires_on:
        body["expires_on"] = args.expires_on
    if args.ip:
        body.update(ip_restricted=True, ip_address=list(dict.fromkeys(args.ip)))
    try:
        value, record = kernelci_token.create(body)
    except InvalidToken as err:
        raise CliError(str(err)) from None
    return {"token": value, "_id": record["_id"], "email": record["email"], "properties": record["properties"]}


def kernelci_token_list(args: argparse.Namespace) -> dict[str, Any]:
    from chalicelib.kernelci.query import Query
    from chalicelib.store import kernelci_tokens as kernelci

    docs, _ = kernelci.tokens(Query())
    return {"tokens": [{k: d.get(k) for k in ("_id", "email", "username", "properties", "expired", "expires_on",
                                              "ip_address", "created_on")} for d in docs]}


def kernelci_token_delete(args: argparse.Namespace) -> dict[str, Any]:
    from chalicelib.store import kernelci_tokens as kernelci

    found = kernelci.token_by_id(args.id)
    if found is None or not kernelci.delete_token(found[0], args.id):
        raise CliError(f"no KernelCI token with id '{args.id}'")
    return {"deleted": args.id}


def register(groups: Any) -> None:
    kernelci = groups.add_parser("kernelci", help="KernelCI API tokens")
    kernelci_groups = kernelci.add_subparsers(dest="command", required=True, metavar="WHAT")
    token = kernelci_groups.add_parser("token", help="tokens of the KernelCI API (Authorization: <token>)")
    actions = token.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="make a token; prints its value once, with its id, as JSON")
    create.add_argument("--email", required=True)
    create.add_argument("--username")
    create.add_argument("--expires-on", metavar="YYYY-MM-DD")
    create.add_argument("--ip", action="append", metavar="ADDR", help="allowed address or network (repeatable)")
    for flag in KERNELCI_FLAGS:
        create.add_argument(f"--{flag.replace('_', '-')}", dest=flag, action="store_true")
    create.set_defaults(run=kernelci_token_create)
    actions.add_parser("list", help="every token: id and properties, never the value").set_defaults(
        run=kernelci_token_list)
    delete = actions.add_parser("delete", help="remove a token by id")
    delete.add_argument("id")
    delete.set_defaults(run=kernelci_token_delete)

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
import re
import secrets
import sys
from pathlib import Path
from typing import Any

from chalicelib.local.processes import pid_alive

PROJECT_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
# The characters and length the OAuth verifier accepts for a consumer key.
CONSUMER_KEY = re.compile(r"[A-Za-z0-9._~-]{1,128}")
MAX_SECRET_LENGTH = 256
# Balrog usernames: LDAP names or e-mail addresses.
USERNAME = re.compile(r"[A-Za-z0-9._@+-]{1,128}")
# Hawk client ids: what Treeherder's credentials allowed.
HAWK_CLIENT_ID = re.compile(r"[A-Za-z0-9._@-]{1,100}")
REPOSITORY_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")
BRANCH_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
# A path under the hg host (no "..", no leading "/") or an http(s) URL.
BRANCH_PATH = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*/?")
BRANCH_URL = re.compile(r"https?://[^\s/?#]+(/[^\s?#]*)?")
PROGRESS_WIDTH = 30


class CliError(Exception):
    """A failure reported as ``{"error": ...}`` with exit status 1."""

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.extra = extra


# --- which world -------------------------------------------------------------------------------


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


# --- commands ----------------------------------------------------------------------------------


def _check_name(name: str) -> str:
    if not PROJECT_NAME.fullmatch(name):
        raise CliError("project names are 1-64 characters of A-Z, a-z, 0-9, '_' and '-'", project=name)
    return name


def _secret(given: str | None) -> str:
    if given is None:
        return secrets.token_urlsafe(32)
    value = sys.stdin.readline().rstrip("\r\n") if given == "-" else given
    if not value or len(value) > MAX_SECRET_LENGTH:
        raise CliError(f"the secret must be 1-{MAX_SECRET_LENGTH} characters")
    return value


def project_create(args: argparse.Namespace) -> dict[str, Any]:
    name = _check_name(args.name)
    key = args.key if args.key is not None else secrets.token_urlsafe(16)
    if not CONSUMER_KEY.fullmatch(key):
        raise CliError("consumer keys are 1-128 characters of A-Z, a-z, 0-9, '.', '_', '~' and '-'")
    secret = _secret(args.secret)

    from chalicelib.store import projects

    try:
        project = projects.create(name, key, secret, replace=args.replace)
    except projects.ReservedName as err:
        raise CliError(str(err), project=name) from None
    except projects.ProjectExists:
        raise CliError(f"project '{name}' exists (use --replace to give it new credentials)", project=name) from None
    return {
        "project": project.name,
        "oauth_consumer_key": project.oauth_consumer_key,
        "oauth_consumer_secret": project.oauth_consumer_secret,
    }


def project_show(args: argparse.Namespace) -> dict[str, Any]:
    name = _check_name(args.name)

    from chalicelib.store import projects

    project = projects.get(name)
    if project is None:
        raise CliError(f"no project '{name}'", project=name)
    return {"project": project.name, "oauth_consumer_key": project.oauth_consumer_key}


def _check_branch_name(name: str) -> str:
    if not BRANCH_NAME.fullmatch(name):
        raise CliError("branch names are 1-100 characters of A-Z, a-z, 0-9, '.', '_' and '-'", branch=name)
    return name


def _check_uri(uri: str) -> str:
    if not (BRANCH_URL.fullmatch(uri) or BRANCH_PATH.fullmatch(uri)):
        raise CliError("a branch URI is a path under the hg host (e.g. integration/mozilla-inbound) "
                       "or an http(s) URL", uri=uri)
    return uri


def _branch_json(branch: Any) -> dict[str, Any]:
    from chalicelib.pushlog.sync import branch_url

    return {"branch": branch.name, "uri": branch.uri, "url": branch_url(branch.uri),
            "alternatives": branch.alternatives, "last_push_id": branch.last_push_id,
            "failures": branch.failures, "last_error": branch.last_error, "last_sync": branch.last_sync,
            "repository": branch.repository, "repository_id": branch.repository_id}


def branch_add(args: argparse.Namespace) -> dict[str, Any]:
    name = _check_branch_name(args.name)
    uri = _check_uri(args.uri)
    alternatives = [_check_branch_name(a) for a in dict.fromkeys(args.alt or [])]
    if args.repository is not None and not REPOSITORY_NAME.fullmatch(args.repository):
        raise CliError("repository names are 1-100 characters of a-z, 0-9, '.', '_' and '-'",
                       repository=args.repository)

    from chalicelib.store import branches

    try:
        return _branch_json(branches.put(name, uri, alternatives, repository=args.repository))
    except branches.BranchConflict as err:
        raise CliError(str(err), branch=name) from None


def branch_list(args: argparse.Namespace) -> dict[str, Any]:
    from chalicelib.store import branches

    return {"branches": [_branch_json(b) for b in branches.all_branches()]}


def branch_seed(args: argparse.Namespace) -> dict[str, Any]:
    from chalicelib.pushlog.reference_branches import REFERENCE_BRANCHES
    from chalicelib.store import branches

    created = branches.seed(REFERENCE_BRANCHES)
    return {"created": created, "reference_branches": sorted(REFERENCE_BRANCHES)}


def _names(args: argparse.Namespace) -> list[str]:
    return [_check_branch_name(n) for n in dict.fromkeys(args.branch or [])]


def pushlog_sync(args: argparse.Namespace) -> dict[str, Any]:
    from chalicelib.pushlog import sync

    try:
        summaries = sync.sync_all(_names(args))
    except sync.UnknownBranch as err:
        raise CliError(str(err)) from None
    return {"ok": not any(s.error for s in summaries), "branches": [s.as_dict() for s in summaries]}


def progress_bar(label: str, done: int, total: int | None, width: int = PROGRESS_WIDTH) -> str:
    """One line of plain-text progress: ``label [#####     ] 1200/2400 pushes``."""
    if not total:
        return f"{label} {done} pushes"
    filled = min(width, width * done // total)
    return f"{label} [{'#' * filled}{' ' * (width - filled)}] {done}/{total} pushes"


def pushlog_backfill(args: argparse.Namespace) -> dict[str, Any]:
    from chalicelib.pushlog import sync
    from chalicelib.store import branches

    names = _names(args) or [b.name for b in branches.all_branches()]
    summaries = []
    for name in names:
        def report(done: int, total: int | None, label: str = name) -> None:
            print("\r" + progress_bar(label, done, total), end="", file=sys.stderr, flush=True)

        try:
            summary = sync.backfill(name, report)
        except sync.UnknownBranch as err:
            raise CliError(str(err)) from None
        print("", file=sys.stderr, flush=True)  # end the progress line
        summaries.append(summary)
    return {"ok": not any(s.error for s in summaries), "branches": [s.as_dict() for s in summaries]}


def token_create(args: argparse.Namespace) -> dict[str, Any]:
    if not USERNAME.fullmatch(args.user):
        raise CliError("usernames are 1-128 characters of A-Z, a-z, 0-9, '.', '_', '@', '+' and '-'", user=args.user)

    from chalicelib.auth import bearer

    return {"user": args.user, "token": bearer.create_token(args.user)}


def user_password(args: argparse.Namespace) -> dict[str, Any]:
    if not USERNAME.fullmatch(args.user):
        raise CliError("usernames are 1-128 characters of A-Z, a-z, 0-9, '.', '_', '@', '+' and '-'", user=args.user)
    generated = args.password is None
    password = _secret(args.password)

    from chalicelib.auth import passwords

    passwords.set_password(args.user, password)
    return {"user": args.user, **({"password": password} if generated else {"password_set": True})}


def hawk_create(args: argparse.Namespace) -> dict[str, Any]:
    if not HAWK_CLIENT_ID.fullmatch(args.client_id):
        raise CliError("Hawk client ids are 1-100 characters of A-Z, a-z, 0-9, '.', '_', '@' and '-'",
                       client_id=args.client_id)
    secret = _secret(args.secret)

    from chalicelib.store import hawk_credentials

    try:
        credential = hawk_credentials.create(args.client_id, secret, replace=args.replace)
    except hawk_credentials.CredentialExists:
        raise CliError(f"Hawk client '{args.client_id}' exists (use --replace to give it a new secret)",
                       client_id=args.client_id) from None
    return {"client_id": credential.client_id, "secret": credential.secret, "algorithm": "sha256"}
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
    from chalicelib.store import kernelci

    docs, _ = kernelci.tokens(Query())
    return {"tokens": [{k: d.get(k) for k in ("_id", "email", "username", "properties", "expired", "expires_on",
                                              "ip_address", "created_on")} for d in docs]}


def kernelci_token_delete(args: argparse.Namespace) -> dict[str, Any]:
    from chalicelib.store import kernelci

    found = kernelci.token_by_id(args.id)
    if found is None or not kernelci.delete_token(found[0], args.id):
        raise CliError(f"no KernelCI token with id '{args.id}'")
    return {"deleted": args.id}


def _kernelci_commands(groups: Any) -> None:
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


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="shipyard", description="Manage a Shipyard deployment: the running local stack, or AWS."
    )
    top.add_argument("--no-local", action="store_true",
                     help="ignore a running local stack; use the environment (real AWS unless AWS_ENDPOINT_URL)")
    groups = top.add_subparsers(dest="group", required=True, metavar="COMMAND")

    project = groups.add_parser("project", help="Datazilla projects and their OAuth credentials")
    commands = project.add_subparsers(dest="command", required=True, metavar="ACTION")

    create = commands.add_parser("create", help="create a project; prints its OAuth credentials as JSON")
    create.add_argument("name")
    create.add_argument("--key", help="OAuth consumer key (default: generated)")
    create.add_argument("--secret", help="OAuth consumer secret (default: generated; '-' reads it from stdin)")
    create.add_argument("--replace", action="store_true", help="give an existing project these credentials")
    create.set_defaults(run=project_create)

    show = commands.add_parser("show", help="show a project and its consumer key (never the secret)")
    show.add_argument("name")
    show.set_defaults(run=project_show)

    branch = groups.add_parser("branch", help="pushlog branches: name, hg URI, alternative names")
    branch_commands = branch.add_subparsers(dest="command", required=True, metavar="ACTION")
    add = branch_commands.add_parser("add", help="create or update a branch; prints it as JSON")
    add.add_argument("name")
    add.add_argument("--uri", required=True,
                     help="path under the hg host (integration/mozilla-inbound) or an http(s) URL")
    add.add_argument("--alt", action="append", metavar="NAME", help="alternative name (repeatable)")
    add.add_argument("--repository", metavar="NAME",
                     help="its Treeherder repository name (default: the URI's last segment, lower case)")
    add.set_defaults(run=branch_add)
    branch_commands.add_parser("list", help="every branch with its sync position").set_defaults(run=branch_list)
    branch_commands.add_parser("seed", help="create the reference branches that do not exist yet").set_defaults(
        run=branch_seed)

    pushlog = groups.add_parser("pushlog", help="sync pushes from Mercurial's json-pushes")
    pushlog_commands = pushlog.add_subparsers(dest="command", required=True, metavar="ACTION")
    for action, run, text in (
        ("sync", pushlog_sync, "one bounded sync, as the 5-minute schedule runs it; prints a summary"),
        ("backfill", pushlog_backfill, "fetch up to the host's last push, progress on stderr"),
    ):
        command = pushlog_commands.add_parser(action, help=text)
        command.add_argument("--branch", action="append", metavar="NAME", help="only this branch (repeatable)")
        command.set_defaults(run=run)

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

    hawk_group = groups.add_parser("hawk", help="Hawk credentials for Treeherder job submission")
    hawk_commands = hawk_group.add_subparsers(dest="command", required=True, metavar="ACTION")
    hawk_create_cmd = hawk_commands.add_parser("create", help="make credentials for CLIENT_ID; prints them once")
    hawk_create_cmd.add_argument("client_id")
    hawk_create_cmd.add_argument("--secret", help="the secret (default: generated; '-' reads it from stdin)")
    hawk_create_cmd.add_argument("--replace", action="store_true", help="give an existing client this secret")
    hawk_create_cmd.set_defaults(run=hawk_create)
    _kernelci_commands(groups)
    return top


def _print(payload: dict[str, Any], stream: Any = None) -> None:
    print(json.dumps(payload, indent=2), file=stream or sys.stdout, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    target = "unknown"
    try:
        stack = None if args.no_local else use_local_stack()
        target = "local stack" if stack else (os.environ.get("AWS_ENDPOINT_URL") or "AWS (from the environment)")
        payload = args.run(args)
        _print(payload)
        if payload.get("ok") is False:
            return 1
    except CliError as err:
        _print({"error": str(err), **err.extra}, sys.stderr)
        return 1
    except Exception as err:  # noqa: BLE001 - storage faults: report the kind, never values
        code = getattr(err, "cause_response_code", None)
        _print({"error": "storage unavailable or refused the request", "kind": type(err).__name__,
                **({"code": code} if code else {}), "target": target,
                "prefix": os.environ.get("SHIPYARD_PREFIX", "")}, sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

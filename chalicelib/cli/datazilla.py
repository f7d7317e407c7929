"""``shipyard project``, ``branch`` and ``pushlog``: Datazilla projects, pushlog branches and their sync."""

from __future__ import annotations

import argparse
import re
import secrets
import sys
from typing import Any

from chalicelib.cli.input import CliError, read_secret

PROJECT_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
# The characters and length the OAuth verifier accepts for a consumer key.
CONSUMER_KEY = re.compile(r"[A-Za-z0-9._~-]{1,128}")
REPOSITORY_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")
BRANCH_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
# A path under the hg host (no "..", no leading "/") or an http(s) URL.
BRANCH_PATH = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*/?")
BRANCH_URL = re.compile(r"https?://[^\s/?#]+(/[^\s?#]*)?")
PROGRESS_WIDTH = 30


def _check_name(name: str) -> str:
    if not PROJECT_NAME.fullmatch(name):
        raise CliError("project names are 1-64 characters of A-Z, a-z, 0-9, '_' and '-'", project=name)
    return name


def project_create(args: argparse.Namespace) -> dict[str, Any]:
    name = _check_name(args.name)
    key = args.key if args.key is not None else secrets.token_urlsafe(16)
    if not CONSUMER_KEY.fullmatch(key):
        raise CliError("consumer keys are 1-128 characters of A-Z, a-z, 0-9, '.', '_', '~' and '-'")
    secret = read_secret(args.secret)

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
    from chalicelib import config
    from chalicelib.pushlog import json_pushes

    return {"branch": branch.name, "uri": branch.uri, "url": json_pushes.branch_url(branch.uri, config.hg_host()),
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
    from chalicelib.services.pushlog import sync

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
    from chalicelib.services.pushlog import sync
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


def register(groups: Any) -> None:
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

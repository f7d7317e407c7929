"""``make run``: the whole of Shipyard on one machine.

1. moto (the embedded AWS): the app, workers and pump reach its backends in
   process (``embedded_aws``), external tools on ``127.0.0.1:$MOTO_PORT``
   (default 4566), the same backends;
2. ``infra/resources.json`` deployed into it, for ``$SHIPYARD_PREFIX``
   (default ``shipyard-local``);
3. the data of the previous run restored, however it ended: snapshot and
   journal (``persistence``; ``FRESH=1``: start empty);
4. project ``talos`` with development OAuth credentials, if it does not exist,
   and Balrog user ``admin`` (permission ``admin``, bearer token
   ``shipyard-dev-token``, self-serve password ``shipyard-dev-password``),
   the KernelCI admin token ``kernelci-dev-token``,
   and the Treeherder Hawk client ``treeherder-dev`` (secret
   ``treeherder-dev-secret``);
5. the Chalice app on ``http://127.0.0.1:$PORT`` (default 8000), and over
   HTTPS on ``$TLS_PORT`` (default 8443; ``TLS_PORT=off`` skips it) with a
   certificate of a local CA whose bundle is ``<state dir>/ca.pem``: for
   clients that insist on https, such as balrogclient's token request;
6. the event pump, delivering SQS messages and schedule ticks to the handlers,
   and (unless ``SHIPYARD_REFERENCE_CI=0``) the reference CI that performs
   self-serve job requests (``chalicelib/local/reference_ci.py``).

``.shipyard/local/stack.json`` (or ``$SHIPYARD_STATE_DIR/stack.json``) tells
other tools, such as the ``shipyard`` command, where the running stack is.
SIGINT or SIGTERM stops it cleanly: HTTP server, pump, journal closed, moto.
SIGKILL loses nothing acknowledged either: every change is in the journal
before its response goes out.

Everything listens on 127.0.0.1 only. The AWS credentials are dummies: the
local stack never talks to real AWS.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from chalicelib.local import moto_server
from chalicelib.local.processes import pid_alive

# Not "shipyard.*": Chalice sets its app logger ("shipyard") to ERROR unless debug is on.
log = logging.getLogger("chalicelib.local.run")
STARTED = time.monotonic()
STOP_GRACE_SECONDS = 2.0

HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_TLS_PORT = 8443
READY = "Shipyard local stack ready"
DEV_PROJECT = "talos"
# Development credentials of the local stack only; never use them anywhere real.
DEV_KEY = "talos-dev-key"
DEV_SECRET = "talos-dev-secret"  # noqa: S105 - documented local development credential
DEV_BALROG_USER = "admin"
DEV_BALROG_TOKEN = "shipyard-dev-token"  # noqa: S105 - documented local development credential
DEV_ADMIN_PASSWORD = "shipyard-dev-password"  # noqa: S105 - documented local development credential (self-serve)
# Treeherder job submission (POST /treeherder/api/project/<p>/jobs/), Hawk-signed.
DEV_HAWK_CLIENT_ID = "treeherder-dev"
DEV_HAWK_SECRET = "treeherder-dev-secret"  # noqa: S105 - documented local development credential
DEV_KERNELCI_TOKEN = "kernelci-dev-token"  # noqa: S105 - documented local development credential
DEV_KERNELCI_EMAIL = "admin@kernelci.localhost"


def _configure_env() -> None:
    """The local world, set before anything reads it (PynamoDB models do at import)."""
    # Dummy credentials, always: whatever is in the shell must not reach moto's logs.
    os.environ["AWS_ACCESS_KEY_ID"] = "testing"
    os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"  # noqa: S105 - moto accepts anything
    # The app's clients reach moto in process (embedded_aws); only external tools use its endpoint.
    for var in ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL"):
        os.environ.pop(var, None)
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ.setdefault("SHIPYARD_PREFIX", "shipyard-local")
    os.environ.setdefault("SHIPYARD_XRAY", "false")
    os.environ.setdefault("AWS_XRAY_SDK_ENABLED", "false")


def _configure_logging() -> None:
    level = os.environ.get("SHIPYARD_LOG_LEVEL", "INFO").upper()
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    for noisy in ("botocore", "botocore.credentials", "boto3", "urllib3", "werkzeug", "pynamodb", "moto"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _port() -> int:
    raw = os.environ.get("PORT", "").strip()
    port = int(raw) if raw else DEFAULT_PORT
    if not 0 <= port <= 65535:
        raise ValueError(f"PORT must be 0-65535, got {port}")
    return port


def _tls_port() -> int | None:
    raw = os.environ.get("TLS_PORT", "").strip().lower()
    if raw == "off":
        return None
    port = int(raw) if raw else DEFAULT_TLS_PORT
    if not 0 <= port <= 65535:
        raise ValueError(f"TLS_PORT must be 0-65535 or off, got {port}")
    return port


def _transport() -> str:
    """How the app reaches moto: ``inprocess`` (default) or ``http`` (the loopback endpoint, as before
    issue 17; kept to measure against: ``SHIPYARD_LOCAL_TRANSPORT=http``)."""
    raw = os.environ.get("SHIPYARD_LOCAL_TRANSPORT", "inprocess").strip().lower() or "inprocess"
    if raw not in ("inprocess", "http"):
        raise ValueError(f"SHIPYARD_LOCAL_TRANSPORT must be inprocess or http, got {raw!r}")
    return raw


def _local_authority(state: Path) -> Any:
    """A CA for this run's certificate; its bundle goes to ``<state>/ca.pem`` for clients to trust."""
    import trustme

    authority = trustme.CA(organization_name="Shipyard local stack")
    state.mkdir(parents=True, exist_ok=True)
    authority.cert_pem.write_to_path(str(state / "ca.pem"))
    return authority


def _check_not_running(stack_file: Path) -> None:
    try:
        info = json.loads(stack_file.read_text())
    except (OSError, ValueError):
        return
    pid = info.get("pid")
    if isinstance(pid, int) and pid != os.getpid() and pid_alive(pid):
        raise SystemExit(f"a local stack (pid {pid}) already runs with state in {stack_file.parent}; "
                         "stop it first or set SHIPYARD_STATE_DIR")


def _write_stack_file(stack_file: Path, info: dict[str, Any]) -> None:
    stack_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = stack_file.with_name(f".{stack_file.name}.{os.getpid()}")
    tmp.write_text(json.dumps(info, indent=2) + "\n")
    os.replace(tmp, stack_file)


def _remove_stack_file(stack_file: Path) -> None:
    try:
        if json.loads(stack_file.read_text()).get("pid") == os.getpid():
            stack_file.unlink()
    except (OSError, ValueError):
        pass


def _seed_dev_project() -> str:
    from chalicelib.store import projects

    found = projects.get(DEV_PROJECT)
    if found is None:
        try:
            projects.create(DEV_PROJECT, DEV_KEY, DEV_SECRET)
        except projects.ProjectExists:
            return "exists"
        return "created"
    if found.oauth_consumer_key == DEV_KEY and found.oauth_consumer_secret == DEV_SECRET:
        return "exists"
    return "custom"


def _seed_treeherder_hawk() -> None:
    """The Hawk client ``treeherder-dev`` (development only; a deployment makes its own)."""
    from chalicelib.store import hawk_credentials

    try:
        hawk_credentials.create(DEV_HAWK_CLIENT_ID, DEV_HAWK_SECRET)
    except hawk_credentials.CredentialExists:
        pass


def _seed_balrog_admin() -> None:
    """Balrog user ``admin`` with the ``admin`` permission, the development token and password."""
    from chalicelib.auth import bearer, passwords
    from chalicelib.store import balrog_tokens
    from chalicelib.store.balrog_permissions import permissions
    from chalicelib.store.versioned import AlreadyExists

    try:
        permissions.insert({"username": DEV_BALROG_USER, "permission": "admin"}, "local-stack")
    except AlreadyExists:
        pass
    bearer.register_token(DEV_BALROG_USER, DEV_BALROG_TOKEN)
    if balrog_tokens.password_hash_of(DEV_BALROG_USER) is None:
        passwords.set_password(DEV_BALROG_USER, DEV_ADMIN_PASSWORD)


def _seed_kernelci_admin() -> None:
    """The KernelCI admin token ``kernelci-dev-token`` (manages other tokens through /token)."""
    from chalicelib.auth import kernelci_token

    kernelci_token.create({"email": DEV_KERNELCI_EMAIL, "username": "admin", "admin": True}, DEV_KERNELCI_TOKEN)


def _seed_reference_branches() -> int:
    """The reference branches of the pushlog sync, if they do not exist yet.

    Opt-in (``SHIPYARD_SEED_BRANCHES=1``): once seeded, the 5-minute sync
    reaches out to the Mercurial host, and a local stack should not talk to
    the internet unless asked to. ``shipyard branch seed`` does the same later.
    """
    if os.environ.get("SHIPYARD_SEED_BRANCHES") != "1":
        return 0
    from chalicelib.pushlog.reference_branches import REFERENCE_BRANCHES
    from chalicelib.store import branches

    return branches.seed(REFERENCE_BRANCHES)


def _reference_ci() -> bool:
    from chalicelib import config

    return config.reference_ci_enabled()


def _banner(api_url: str, https_url: str | None, endpoint_url: str, prefix: str, region: str, state: Path, seeded: str,
            restored: dict[str, Any] | None) -> str:
    if seeded == "custom":
        creds = f"project {DEV_PROJECT}: has its own credentials (shipyard project show {DEV_PROJECT})"
    else:
        creds = (f"project {DEV_PROJECT}: OAuth consumer key {DEV_KEY}, secret {DEV_SECRET} "
                 "(development only)")
    if restored is None or not (restored["items"] or restored["objects"] or restored["messages"]):
        data = f"empty (FRESH=1 or first start), kept in {state}"
    else:
        data = (f"restored from {state}: {restored['items']} item change(s), {restored['objects']} object(s), "
                f"{restored['messages']} message(s), {restored['frames']} journal frame(s)")
    return "\n".join([
        READY,
        f"  API          {api_url}   e.g. {api_url}/{DEV_PROJECT}/refdata/objectstore/json_blob/1",
        f"  HTTPS        {https_url}   (CA bundle {state / 'ca.pem'})" if https_url else "  HTTPS        off",
        f"  AWS (moto)   {endpoint_url}   prefix {prefix}, region {region}",
        f"  data         {data}",
        f"  {creds}",
        f"  Balrog       {api_url}/balrog/api   user {DEV_BALROG_USER}, Authorization: Bearer {DEV_BALROG_TOKEN} "
        "(development only)",
        f"  KernelCI     {api_url}/job   Authorization: {DEV_KERNELCI_TOKEN} (admin token, development only)",
        f"  self-serve   {api_url}/self-serve   Authorization: Bearer {DEV_BALROG_TOKEN} (user {DEV_BALROG_USER}; "
        f"reference CI {'on' if _reference_ci() else 'off'})",
        "  CLI          shipyard project create NAME   (run in this checkout while the stack is up)",
        "  stop         Ctrl-C (every acknowledged write is on disk already; FRESH=1 make run starts empty)",
    ])


def main() -> int:
    _configure_env()
    _configure_logging()

    # Only now: modules that read the environment at import time.
    from chalicelib.local import embedded_aws, persistence

    state = persistence.state_dir()
    stack_file = state / "stack.json"
    _check_not_running(stack_file)

    stop = threading.Event()

    def _on_signal(signum: int, _frame: Any) -> None:
        log.info("%s received; stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)

    over_http = _transport() == "http"
    if over_http:
        embedded_aws.install()  # atomic and journaled all the same: the server serves the same backends
    else:
        embedded_aws.start_in_process()
    try:
        moto, endpoint_url = moto_server.start()
    except (RuntimeError, ValueError) as err:
        log.error("%s", err)
        return 1
    if over_http:
        os.environ["AWS_ENDPOINT_URL"] = endpoint_url
    http = https = pump = ci_pump = store = None
    exit_code = 0
    try:
        from app import app
        from chalicelib import config
        from chalicelib.local import http_server, resources
        from chalicelib.local.pump import LONG_POLL_SECONDS, Pump

        resources.deploy()
        if persistence.fresh_requested():
            persistence.discard(state)
        store = persistence.open_store(state)
        recovering = time.monotonic()
        restored = store.recover()
        log.info("data recovered in %.2f s: %s", time.monotonic() - recovering, restored)
        seeded = _seed_dev_project()
        _seed_balrog_admin()
        _seed_treeherder_hawk()
        _seed_kernelci_admin()
        _seed_reference_branches()

        try:
            http = http_server.start(app, HOST, _port(), stage="local")
        except OSError as err:
            raise RuntimeError(f"cannot serve the API on {HOST}:{_port()}: {err.strerror} (set PORT)") from None
        api_url = http.url
        tls_port = _tls_port()
        if tls_port is not None:
            try:
                https = http_server.start(app, HOST, tls_port, stage="local", authority=_local_authority(state))
            except OSError as err:
                raise RuntimeError(f"cannot serve HTTPS on {HOST}:{tls_port}: {err.strerror} "
                                   "(set TLS_PORT, or TLS_PORT=off)") from None

        pump = Pump(app, wait_seconds=LONG_POLL_SECONDS)
        pump.start()
        if config.reference_ci_enabled():
            from chalicelib.local import reference_ci

            ci_pump = Pump(reference_ci.app, schedules=False, wait_seconds=LONG_POLL_SECONDS)
            ci_pump.start()

        _write_stack_file(stack_file, {
            "endpoint_url": endpoint_url, "prefix": config.prefix(), "region": config.region(),
            "api_url": api_url, "https_url": https.url if https else None, "pid": os.getpid(),
        })
        log.info("ready %.2f s after start", time.monotonic() - STARTED)
        print(_banner(api_url, https.url if https else None, endpoint_url, config.prefix(), config.region(), state,
                      seeded, restored), flush=True)

        while not stop.wait(0.5):
            pass
        # A second Ctrl-C during the shutdown aborts it (the previous saved state stays whole).
        signal.signal(signal.SIGINT, signal.default_int_handler)
    except RuntimeError as err:
        log.error("%s", err)
        exit_code = 1
    except Exception:
        log.exception("the local stack failed")
        exit_code = 1
    finally:
        for server in (http, https):
            if server is not None:
                server.stop()
        if ci_pump is not None:
            ci_pump.stop(timeout=STOP_GRACE_SECONDS)
        if pump is not None:
            # Not waiting long for running handlers: their messages are in the journal until deleted, so an
            # invocation cut short is delivered again at the next start, as after a Lambda timeout.
            pump.stop(timeout=STOP_GRACE_SECONDS)
        if store is not None:
            store.close()
        _remove_stack_file(stack_file)
        moto.stop()
        embedded_aws.stop_in_process()
    log.info("local stack stopped")
    return exit_code


if __name__ == "__main__":
    code = main()
    # Everything is on disk and closed: skip the interpreter's teardown, which at thousands of blobs spends
    # seconds freeing moto's objects one by one (the stop time would grow with the data).
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)

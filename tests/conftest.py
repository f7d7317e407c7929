"""Shared fixtures: an embedded AWS per test (moto), the app, signed uploads."""

from __future__ import annotations

import copy
import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

# The store reads resource names at import time: set the world first.
os.environ.update(
    SHIPYARD_PREFIX="shipyard-test",
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_DEFAULT_REGION="us-east-1",
    AWS_XRAY_SDK_ENABLED="false",
)
for _var in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
    os.environ.pop(_var, None)

import pytest  # noqa: E402
from chalice.test import Client  # noqa: E402
from moto import mock_aws  # noqa: E402

from chalicelib.local import greedy_routes, resources  # noqa: E402
from chalicelib.store import clients, projects, queues  # noqa: E402
from tests.oauth_signing import form_body, sign_form  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"
DEV_KEY, DEV_SECRET = "talos-dev-key", "talos-dev-secret"
HOST = "shipyard.test"


def _parse_each_template_once() -> None:
    """moto parses a CloudFormation template with PyYAML's pure-Python loader, which took a third of
    every test's world; infra/ is the same template for every world, so each text is parsed once per
    process and every stack gets its own copy of the result (what a fresh parse would give)."""
    from moto.cloudformation.models import Stack

    parse = Stack.parse_template
    parsed: dict[str, Any] = {}

    def parse_once(template: str) -> dict[str, Any]:
        if template not in parsed:
            parsed[template] = parse(template)
        return copy.deepcopy(parsed[template])

    Stack.parse_template = staticmethod(parse_once)


_parse_each_template_once()
greedy_routes.install()  # the test client routes {proxy+} as API Gateway does


@contextmanager
def embedded_aws():
    """A fresh embedded AWS (moto) with Shipyard's resources deployed from infra/.

    Queues hide a failed message for 1 s and move it to its DLQ after 3 receives.
    """
    clients.reset()
    queues.reset()
    try:
        with mock_aws():
            resources.deploy(visibility_timeout=1, max_receive_count=3)
            yield
    finally:
        clients.reset()
        queues.reset()


@pytest.fixture
def aws():
    """A fresh embedded AWS with Shipyard's resources deployed from infra/."""
    with embedded_aws():
        yield


@pytest.fixture
def talos(aws):
    """Project ``talos`` with the development OAuth credentials."""
    return projects.create("talos", DEV_KEY, DEV_SECRET)


@pytest.fixture
def app_client(aws):
    from app import app

    # stage "test" is not in .chalice/config.json: no stage variables override ours
    with Client(app, stage_name="test") as client:
        yield client


@pytest.fixture
def talos_blob() -> dict:
    return json.loads((FIXTURES / "talos_tp5n.json").read_text())


def signed_upload(client, blob_text: str, project: str = "talos", path: str | None = None,
                  key: str = DEV_KEY, secret: str = DEV_SECRET, **sign_options):
    """POST a blob the way Datazilla's client does: form field ``data``, url-quoted, signed."""
    path = path or f"/{project}/api/load_test"
    fields = sign_form(f"http://{HOST}{path}", {"data": quote(blob_text), "user": project}, key, secret,
                       **sign_options)
    return client.http.post(
        path,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Host": HOST},
        body=form_body(fields),
    )


@pytest.fixture
def upload(app_client, talos):
    def _upload(blob_text: str, **kwargs):
        return signed_upload(app_client, blob_text, **kwargs)

    return _upload


@pytest.fixture
def pump(aws):
    """Delivers queued messages to the app's real handlers, as Lambda would."""
    from app import app
    from chalicelib.local.pump import Pump

    return Pump(app, schedules=False)


@pytest.fixture
def loaded(upload, pump, talos_blob):
    """The fixture blob uploaded and loaded by the processing worker."""
    from chalicelib import config

    response = upload(json.dumps(talos_blob))
    assert response.status_code == 200
    pump.drain(config.queue_name(config.PROCESSING_QUEUE))
    return talos_blob


@pytest.fixture
def aws_calls(monkeypatch):
    """Records every AWS API call made (service, operation), through any client."""
    import botocore.client

    calls: list[tuple[str, str]] = []
    original = botocore.client.BaseClient._make_api_call

    def counting(self, operation_name, api_params):
        calls.append((self.meta.service_model.service_name, operation_name))
        return original(self, operation_name, api_params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counting)
    return calls


def make_push(push_id: int, date: int, revisions: int = 2, seed: str = "") -> dict:
    """A json-pushes style push with deterministic 40-hex nodes."""
    import hashlib

    nodes = [hashlib.sha1(f"{seed}{push_id}-{i}".encode()).hexdigest() for i in range(revisions)]  # noqa: S324
    return {
        "push_id": push_id, "date": date, "user": f"dev{push_id}@example.com",
        "changesets": [{"node": n, "author": f"Dev {push_id} <dev@example.com>", "desc": f"Bug {push_id}{i} - change",
                        "branch": "default", "tags": []} for i, n in enumerate(nodes)],
    }


@pytest.fixture
def inbound(aws):
    """Branch Mozilla-Inbound (alternative name Mozilla-Inbound-Non-PGO), no pushes yet."""
    from chalicelib.store import branches

    return branches.put("Mozilla-Inbound", "integration/mozilla-inbound", ["Mozilla-Inbound-Non-PGO"])


@pytest.fixture
def hg_server():
    """A local json-pushes host (tests/jsonpushes_server.py) on 127.0.0.1."""
    from tests.jsonpushes_server import JsonPushesServer

    server = JsonPushesServer().start()
    yield server
    server.stop()


def talos_run(blob: dict, revision: str, means: dict[str, float], replicates: int = 25, seed: int = 0,
              date: int = 1343674800) -> str:
    """The fixture blob with its pages' replicates drawn around ``means`` (deterministic)."""
    import copy
    import random

    rng = random.Random(seed)
    run = copy.deepcopy(blob)
    run["test_build"]["revision"] = revision[:12]
    run["testrun"]["date"] = date
    run["results"] = {page: [round(rng.gauss(mean, mean * 0.02), 2) for _ in range(replicates)]
                      for page, mean in means.items()}
    return json.dumps(run)


@pytest.fixture
def atomic_dynamodb(aws, monkeypatch):
    """moto's DynamoDB with each write atomic, as DynamoDB is.

    moto's in-process backend checks a condition and then writes without a
    lock, so concurrent threads can both pass one condition; real DynamoDB
    serialises writes to an item. Concurrency tests need the real semantics.
    """
    import threading

    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.RLock()
    for name in ("put_item", "update_item", "delete_item", "transact_write_items"):
        original = getattr(DynamoDBBackend, name)

        def locked(self, *args, _original=original, **kwargs):
            with lock:
                return _original(self, *args, **kwargs)

        monkeypatch.setattr(DynamoDBBackend, name, locked)


@pytest.fixture
def balrog_user(aws):
    """Makes a Balrog user with permission rows (``rule={"products": [...]}``); returns its request headers."""
    from chalicelib.auth import bearer
    from chalicelib.store.balrog_permissions import permissions

    def _user(username: str, **rows: dict | None) -> dict[str, str]:
        for permission, options in rows.items():
            permissions.insert({"username": username, "permission": permission, "options": options}, "setup")
        return {"Authorization": f"Bearer {bearer.create_token(username)}", "Content-Type": "application/json"}

    return _user


@pytest.fixture
def balrog_releases(aws):
    """Makes releases (a minimal blob each) for rules to map to: Balrog refuses a mapping to no release."""
    from chalicelib.store.balrog_releases import releases

    def _releases(*names: str, product: str = "Firefox") -> None:
        for name in names:
            if releases.get({"name": name}) is None:
                releases.create(name, product, {"name": name, "schema_version": 1}, "setup")

    return _releases


@pytest.fixture
def balrog_admin(balrog_user) -> dict[str, str]:
    """Headers of user ``admin`` holding the unrestricted ``admin`` permission."""
    return balrog_user("admin", admin=None)


@contextmanager
def _serve(authority=None):
    from app import app
    from chalicelib.local import http_server

    running = http_server.start(app, "127.0.0.1", 0, stage="test", authority=authority)
    try:
        yield running.url
    finally:
        running.stop()


@pytest.fixture
def live_server(aws):
    """The app served over real HTTP on 127.0.0.1 (a free port), inside this test's moto world.

    For the real clients of each API family (balrogclient, treeherder-client,
    kernelci), which speak HTTP through ``requests``: the same Chalice local
    server ``make run`` uses, in a thread, so the test's embedded AWS is the
    one the app sees. Yields the base URL, ``http://127.0.0.1:<port>``.
    """
    with _serve() as url:
        yield url


@pytest.fixture
def live_tls_server(aws, tmp_path):
    """``live_server`` over HTTPS with a certificate from a test CA: yields (base URL, CA bundle path).

    For clients that insist on https, as balrogclient does for its token
    endpoint (``https://<domain>/oauth/token``).
    """
    import trustme

    authority = trustme.CA()
    bundle = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    with _serve(authority) as url:
        yield url, str(bundle)


# --- Treeherder / Perfherder --------------------------------------------------------------------


@pytest.fixture
def treeherder_url(live_server) -> str:
    """Where TreeherderClient's ``server_url`` points: the app's ``/treeherder`` mount."""
    return f"{live_server}/treeherder"


@pytest.fixture
def hawk_credential(aws):
    """The development Hawk client (``treeherder-dev`` / ``treeherder-dev-secret``)."""
    from chalicelib.store import hawk_credentials
    from tests.treeherder_data import HAWK_ID, HAWK_SECRET

    return hawk_credentials.create(HAWK_ID, HAWK_SECRET)
# --- KernelCI -----------------------------------------------------------------------------------


@pytest.fixture
def kernelci_token(aws):
    """Makes a KernelCI token with the given properties (``admin=True``, ``get=True``...); returns its value."""
    from chalicelib.auth import kernelci_token as tokens

    def _token(email: str = "lab@example.com", **properties) -> str:
        value, _ = tokens.create({"email": email, **properties})
        return value

    return _token


@pytest.fixture
def kernelci_admin(kernelci_token) -> str:
    return kernelci_token("admin@example.com", admin=True)


@pytest.fixture
def kernelci(app_client, kernelci_admin):
    """Calls the KernelCI API as the admin token (``token=`` another, ``None`` for none); returns (status, body)."""
    import gzip as gzip_module

    def _call(method: str, path: str, body=None, token: str | None = kernelci_admin, headers=None,
              raw: bytes | None = None):
        sent = {**({"Authorization": token} if token else {}), **(headers or {})}
        if body is not None:
            sent.setdefault("Content-Type", "application/json")
            raw = json.dumps(body).encode()
        response = app_client.http.request(method, path, headers=sent, body=raw or b"")
        data = response.body
        if response.headers.get("Content-Encoding") == "gzip":
            data = gzip_module.decompress(data)
        return response.status_code, (json.loads(data) if data else None)

    return _call


@pytest.fixture
def kernelci_import(pump):
    """Runs the KernelCI build import on what is queued."""
    from chalicelib import config

    def _drain():
        return pump.drain(config.queue_name(config.KERNELCI_IMPORT_QUEUE), max_batches=50)

    return _drain


@pytest.fixture(scope="session")
def lambda_package(tmp_path_factory):
    """`make package`'s artifacts, unzipped as Lambda unzips them: built once per test run."""
    from tests.lambda_artifact import built_once

    return built_once(tmp_path_factory)

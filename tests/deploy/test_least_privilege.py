"""Least privilege, proven: the flows run under IAM enforcement with each function's packaged role.

The world is ``make package``'s template, translated and created in moto's
CloudFormation (tables, queues, bucket and the functions' roles with their
policies, as CloudFormation made them). Each function's role is assumed
(``sts:AssumeRole``) and every request a function makes is signed with its
role's credentials: the API's requests with the API handler's, each queue's
deliveries (receive, handle, delete, as Lambda's event source mapping does
with the function's role) and each schedule tick with that function's. moto
then enforces IAM on every request (``tests/support/iam_enforcement.py``: moto's
access control, with AWS's resource rules for DynamoDB and S3 added).

Then: no flow is refused anything (no AccessDenied), and each statement,
each action and each resource of every role's policy is needed: without it
moto's evaluator refuses some request a flow made (so that flow fails at
that request; everything before it is the same run). The operator's own
setup (``shipyard project create`` and the like, CI systems sending to the
queues) acts as an administrator, as it would on AWS.
"""

from __future__ import annotations

import copy
import json
import time
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from chalice.test import Client
from moto import mock_aws

from chalicelib import config
from chalicelib.local.pump import Pump
from chalicelib.store import clients, queues
from tests.support import deployment_stack as stack
from tests.support.datazilla_data import DEV_KEY, DEV_SECRET, signed_upload
from tests.support.iam_enforcement import Decision, acting_as, allowed_by, enforced, signing_as_identities
from tests.support.jsonpushes_server import JsonPushesServer
from tests.support.paths import FIXTURES

REPO = "integration/mozilla-inbound"
BRANCH = "Mozilla-Inbound"
DECISIONS: list[Decision] = []


@dataclass
class World:
    client: Client
    pump: Pump
    hg: JsonPushesServer
    credentials: dict[str, dict[str, str]]  # by role logical id
    role_of_handler: dict[str, str]  # Chalice handler name -> role logical id
    role_names: dict[str, str]  # role physical name -> logical id
    policies: dict[str, dict[str, Any]]  # role logical id -> its one inline policy, as deployed
    operator: dict[str, str]
    state: dict[str, Any] = field(default_factory=dict)

    def as_handler(self, name: str):
        """Act as the function running handler ``name``: its role, and its own process's caches (each
        function is a process of its own on Lambda: one's queue URLs are not another's)."""
        queues.reset()
        return acting_as(self.credentials[self.role_of_handler[name]])

    def as_operator(self):
        return acting_as(self.operator)

    def api(self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes | str = b""):
        with self.as_handler("app"):
            return self.client.http.request(method, path, headers=headers or {}, body=body)


class RolePump(Pump):
    """The local pump, each delivery and tick made with the credentials of the function it invokes."""

    world: World

    def poll_once(self, source, wait_seconds: int = 0):
        with self.world.as_handler(source.name):
            return super().poll_once(source, wait_seconds)

    def tick(self, name: str) -> bool:
        with self.world.as_handler(name):
            return super().tick(name)


def _roles_of_functions(translated: dict[str, Any]) -> dict[str, str]:
    """Chalice handler name (``ingest``; ``app`` for the API) -> the logical id of its function's role."""
    found = {}
    for resource in translated["Resources"].values():
        if resource["Type"] == "AWS::Lambda::Function":
            handler = resource["Properties"]["Handler"].rsplit(".", 1)[-1]
            found[handler] = resource["Properties"]["Role"]["Fn::GetAtt"][0]
    return found


@pytest.fixture(scope="module")
def world(lambda_package):
    from app import app

    clients.reset()
    queues.reset()
    hg = JsonPushesServer().start()
    template = json.loads((lambda_package.out / "sam.json").read_text())
    parameters = {"ShipyardPrefix": config.prefix(), "QueueVisibilityTimeout": "1", "MaxReceiveCount": "3"}
    try:
        with mock_aws(), signing_as_identities():
            s3 = boto3.client("s3", region_name=stack.REGION)
            s3.create_bucket(Bucket=stack.ARTIFACTS_BUCKET)
            translated = stack.translate(stack.upload_artifacts(template, lambda_package.out, s3), parameters)
            cfn = boto3.client("cloudformation", region_name=stack.REGION)
            stack.create_stack(cfn, config.prefix(), stack.without_api_gateway(translated), parameters)
            physical = {r["LogicalResourceId"]: r["PhysicalResourceId"]
                        for r in cfn.list_stack_resources(StackName=config.prefix())["StackResourceSummaries"]}
            lam = boto3.client("lambda", region_name=stack.REGION)
            for mapping in lam.list_event_source_mappings()["EventSourceMappings"]:
                # the pump is Lambda's poller here (moto's would run the function in docker)
                lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=False)
            iam, sts = boto3.client("iam"), boto3.client("sts", region_name=stack.REGION)
            role_of_handler = _roles_of_functions(translated)
            credentials, policies, role_names = {}, {}, {}
            for logical in set(role_of_handler.values()):
                name = physical[logical]
                role_names[name] = logical
                (policy_name,) = iam.list_role_policies(RoleName=name)["PolicyNames"]
                document = stack.policy_document(iam.get_role_policy(RoleName=name, PolicyName=policy_name)
                                                 ["PolicyDocument"])
                # moto keeps a CloudFormation-made inline policy as Python's text of it; its evaluator needs JSON
                iam.put_role_policy(RoleName=name, PolicyName=policy_name, PolicyDocument=json.dumps(document))
                policies[logical] = document
                arn = iam.get_role(RoleName=name)["Role"]["Arn"]
                credentials[logical] = sts.assume_role(RoleArn=arn, RoleSessionName=logical)["Credentials"]
            iam.create_user(UserName="operator")
            iam.put_user_policy(UserName="operator", PolicyName="everything", PolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
            key = iam.create_access_key(UserName="operator")["AccessKey"]
            operator = {"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]}
            pump = RolePump(app, schedules=False)
            for source in pump.sqs_sources:  # Lambda knows its queues' ARNs: no GetQueueUrl on AWS
                pump._queue(source.queue)
            with Client(app, stage_name="test") as client:
                built = World(client, pump, hg, credentials, role_of_handler, role_names, policies, operator)
                pump.world = built
                with acting_as(operator):
                    _seed(built)
                yield built
    finally:
        hg.stop()
        clients.reset()
        queues.reset()


def _seed(world: World) -> None:
    """What an operator sets up before clients come: projects, credentials, branches, users."""
    from chalicelib.auth import bearer
    from chalicelib.auth import kernelci_token as kernelci_tokens
    from chalicelib.store import branches, hawk_credentials, projects
    from chalicelib.store.balrog_permissions import permissions
    from tests.support.treeherder_data import HAWK_ID, HAWK_SECRET

    projects.create("talos", DEV_KEY, DEV_SECRET)
    branches.put(BRANCH, world.hg.url(REPO), ["Mozilla-Inbound-Non-PGO"])
    hawk_credentials.create(HAWK_ID, HAWK_SECRET)
    world.state["kernelci"], _ = kernelci_tokens.create({"email": "lab@example.com", "admin": True})
    permissions.insert({"username": "admin", "permission": "admin", "options": None}, "setup")
    world.state["balrog"] = {"Authorization": f"Bearer {bearer.create_token('admin')}",
                             "Content-Type": "application/json"}
    world.hg.add_pushes(REPO, 3)


# --- the flows, each under IAM enforcement ---------------------------------------------------------


def refusals() -> list[tuple[str, str, str]]:
    """What IAM refused so far (the message of a failed flow's assertion)."""
    return [(d.role, d.action, d.resource) for d in DECISIONS if not d.allowed]



@pytest.fixture
def under_iam(world):
    with enforced(DECISIONS):
        yield world


def _tips(world: World) -> list[tuple[int, str, int]]:
    """(push id, tip node, date) of the pushes the json-pushes host serves, oldest first."""
    pushes = world.hg.repos[REPO].pushes
    return [(i, pushes[i]["changesets"][-1]["node"], pushes[i]["date"]) for i in sorted(pushes)]


def test_pushlog_sync_stores_the_pushes(under_iam):
    world = under_iam
    assert world.pump.tick("sync_pushlogs"), refusals()
    response = world.api("GET", "/refdata/pushlog/branches")
    assert response.status_code == 200, response.body
    from chalicelib.store import pushes

    with world.as_operator():
        assert pushes.push_for_revision(BRANCH, _tips(world)[-1][1]) is not None


def test_datazilla_upload_processing_and_metrics(under_iam):
    world = under_iam
    tips = [(i, node[:12], date) for i, node, date in _tips(world)]
    template = json.loads((FIXTURES / "talos_tp5n.json").read_text())
    for _, revision, date in tips:
        blob = copy.deepcopy(template)
        blob["test_build"]["revision"], blob["testrun"]["date"] = revision, date + 60
        with world.as_handler("app"):
            assert signed_upload(world.client, json.dumps(blob)).status_code == 200
    processed = world.pump.drain(config.queue_name(config.PROCESSING_QUEUE))
    # the bucket's notification of each blob, and the test event S3 sent when the notification was configured
    assert (processed.messages, processed.failed_messages) == (len(tips) + 1, 0), refusals()
    computed = world.pump.drain(config.queue_name(config.METRICS_QUEUE))
    assert computed.messages >= 1 and computed.failed_messages == 0, refusals()
    revision = tips[-1][1]
    response = world.api("GET", f"/talos/testdata/metrics/{BRANCH}/{revision}/summary")
    assert response.status_code == 200, response.body
    assert world.api("GET", f"/talos/testdata/raw/{BRANCH}/{revision}/").status_code == 200, refusals()
    # a CI harness that cannot reach HTTP sends the blob to the ingest queue
    with world.as_operator():
        queues.send(config.INGEST_QUEUE, {"project": "talos", "blob": template})
    ingested = world.pump.drain(config.queue_name(config.INGEST_QUEUE))
    assert (ingested.messages, ingested.failed_messages) == (1, 0), refusals()
    # a run that arrives before its push: the sync links it and asks for its metrics
    world.hg.add_pushes(REPO, 1)
    _, node, date = _tips(world)[-1]
    blob = copy.deepcopy(template)
    blob["test_build"]["revision"], blob["testrun"]["date"] = node[:12], date + 60
    with world.as_handler("app"):
        assert signed_upload(world.client, json.dumps(blob)).status_code == 200
    assert world.pump.drain(config.queue_name(config.PROCESSING_QUEUE)).failed_messages == 0, refusals()
    assert world.pump.drain(config.queue_name(config.METRICS_QUEUE)).messages == 0
    assert world.pump.tick("sync_pushlogs"), refusals()
    linked = world.pump.drain(config.queue_name(config.METRICS_QUEUE))
    assert linked.messages == 1 and linked.failed_messages == 0, refusals()


def test_datazilla_failure_paths_and_the_sweeper(under_iam, monkeypatch):
    world = under_iam
    from chalicelib.services.datazilla import pending_sweep
    from chalicelib.store import objectstore

    # a message for an unknown project fails (and is left for redelivery); one naming a lost row is noted
    with world.as_operator():
        queues.send(config.INGEST_QUEUE, {"project": "nosuch", "blob": {}})
        queues.send(config.PROCESSING_QUEUE, {"project": "talos", "id": "not a number"})
    failed = world.pump.drain(config.queue_name(config.INGEST_QUEUE))
    assert failed.failed_messages == 1, refusals()
    failed = world.pump.drain(config.queue_name(config.PROCESSING_QUEUE))
    assert failed.failed_messages == 1, refusals()
    # a row left pending (made from the bucket's notification by a worker that then died, its message
    # lost) is re-queued by the sweeper
    template = json.loads((FIXTURES / "talos_tp5n.json").read_text())
    with world.as_handler("app"):
        assert signed_upload(world.client, json.dumps(template)).status_code == 200
    from chalicelib.workers import datazilla as worker

    def dies(project, row_id, worker_id):
        raise RuntimeError("the worker died")

    real_load_row = worker.load_row
    monkeypatch.setattr(worker, "load_row", dies)
    assert world.pump.drain(config.queue_name(config.PROCESSING_QUEUE)).failed_messages >= 1, refusals()
    monkeypatch.setattr(worker, "load_row", real_load_row)
    with world.as_operator():
        lost = queues.queue_url(config.PROCESSING_QUEUE)
        for message in boto3.client("sqs", region_name=stack.REGION).receive_message(
                QueueUrl=lost, MaxNumberOfMessages=10).get("Messages", []):
            if json.loads(message["Body"]).get("id") != "not a number":
                boto3.client("sqs", region_name=stack.REGION).delete_message(
                    QueueUrl=lost, ReceiptHandle=message["ReceiptHandle"])
    monkeypatch.setattr(pending_sweep, "STALE_AFTER_SECONDS", -3600)  # every pending row is stale now
    assert world.pump.tick("sweep_pending"), refusals()
    with world.as_operator():
        assert any(row.requeues for row in objectstore.pending_before(2 ** 40)), "the sweeper re-queued a row"
    monkeypatch.setattr(pending_sweep, "MAX_REQUEUES", 0)  # and gives up on it next
    assert world.pump.tick("sweep_pending"), refusals()
    # a blob whose notification reached the DLQ before its row was made is sent back by the sweeper
    with world.as_handler("app"):
        stored = signed_upload(world.client, json.dumps({**template, "n": 2}))
    assert stored.status_code == 200
    row_id = int(json.loads(stored.body)["url"].rsplit("/", 1)[1])
    with world.as_operator():
        sqs = boto3.client("sqs", region_name=stack.REGION)
        dlq = sqs.get_queue_url(QueueName=config.dead_letter_queue_name(config.PROCESSING_QUEUE))["QueueUrl"]
        for message in sqs.receive_message(QueueUrl=lost, MaxNumberOfMessages=10).get("Messages", []):
            if "Records" in json.loads(message["Body"]):
                sqs.send_message(QueueUrl=dlq, MessageBody=message["Body"])
                sqs.delete_message(QueueUrl=lost, ReceiptHandle=message["ReceiptHandle"])
    assert world.pump.tick("sweep_pending"), refusals()
    assert world.pump.drain(config.queue_name(config.PROCESSING_QUEUE)).failed_messages == 0, refusals()
    with world.as_operator():
        assert objectstore.get("talos", row_id).processed_flag == "complete", "the stranded blob was loaded"


def test_balrog_writes(under_iam):
    world = under_iam
    headers = world.state["balrog"]
    release = {"name": "Firefox-52.0-build1", "product": "Firefox",
               "blob": json.dumps({"name": "Firefox-52.0-build1", "schema_version": 1, "hashFunction": "sha512"})}
    response = world.api("PUT", "/balrog/api/releases/Firefox-52.0-build1", headers, json.dumps(release))
    assert response.status_code in (200, 201), response.body
    rule = {"priority": 100, "backgroundRate": 100, "update_type": "minor", "product": "Firefox",
            "channel": "release", "mapping": "Firefox-52.0-build1"}
    response = world.api("POST", "/balrog/api/rules", headers, json.dumps(rule))
    assert response.status_code == 200, response.body
    rule_id = int(response.body)
    response = world.api("GET", f"/balrog/api/rules/{rule_id}", headers)
    version = json.loads(response.body)["data_version"]
    change = {**rule, "priority": 90, "data_version": version}
    assert world.api("PUT", f"/balrog/api/rules/{rule_id}", headers, json.dumps(change)).status_code == 200
    response = world.api("GET", "/balrog/update/3/Firefox/51.0/1/Linux_x86_64-gcc3/en-US/release/update.xml")
    assert response.status_code == 200, response.body
    # a change scheduled a second ahead, then enacted by the agent's tick
    from chalicelib.store.versioned import now_ms

    version = json.loads(world.api("GET", f"/balrog/api/rules/{rule_id}", headers).body)["data_version"]
    scheduled = {**rule, "priority": 80, "rule_id": rule_id, "data_version": version, "change_type": "update",
                 "when": now_ms() + 1000}
    response = world.api("POST", "/balrog/api/scheduled_changes/rules", headers, json.dumps(scheduled))
    assert response.status_code == 200, response.body
    time.sleep(1.1)
    assert world.pump.tick("enact_scheduled_changes"), refusals()
    assert json.loads(world.api("GET", f"/balrog/api/rules/{rule_id}", headers).body)["priority"] == 80


def _kernelci_upload(world: World, directory: str, name: str, content: bytes) -> int:
    boundary = "x-shipyard-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"path\"\r\n\r\n{directory}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file0\"; filename=\"{name}\"\r\n"
            f"Content-Type: application/json\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    headers = {"Authorization": world.state["kernelci"], "Content-Type": f"multipart/form-data; boundary={boundary}"}
    return world.api("POST", "/upload", headers, body).status_code


def _kernelci_build(world: World, resource: str) -> int:
    build = {"job": "mainline", "git_branch": "master", "kernel": "v5.8-rc1", "arch": "arm64",
             "defconfig": "defconfig", "defconfig_full": resource.rsplit("/", 2)[-2],
             "build_environment": "gcc-8", "file_server_resource": resource}
    headers = {"Authorization": world.state["kernelci"], "Content-Type": "application/json"}
    return world.api("POST", "/build", headers, json.dumps(build)).status_code


def test_kernelci_builds_with_and_without_bmeta(under_iam):
    world = under_iam
    with_meta = "mainline/master/v5.8-rc1/arm64/defconfig/gcc-8"
    without_meta = "mainline/master/v5.8-rc1/arm64/allnoconfig/gcc-8"
    meta = {"build": {"status": "PASS"}, "revision": {"describe": "v5.8-rc1", "commit": "a" * 40}}
    assert _kernelci_upload(world, with_meta, "bmeta.json", json.dumps(meta).encode()) == 200
    assert _kernelci_build(world, with_meta) == 202, refusals()
    assert _kernelci_build(world, without_meta) == 202, refusals()
    result = world.pump.drain(config.queue_name(config.KERNELCI_IMPORT_QUEUE))
    assert (result.messages, result.failed_messages) == (2, 0), refusals()
    response = world.api("GET", "/build?job=mainline", {"Authorization": world.state["kernelci"]})
    assert response.status_code == 200 and json.loads(response.body)["count"] == 2
    # a message no retry can fix has its reason recorded
    with world.as_operator():
        queues.send(config.KERNELCI_IMPORT_QUEUE, {"build": {"job": "x"}, "received_on": 1})
    result = world.pump.drain(config.queue_name(config.KERNELCI_IMPORT_QUEUE))
    assert (result.messages, result.failed_messages) == (1, 1), refusals()


def test_selfserve_request_and_its_result(under_iam, monkeypatch):
    world = under_iam
    from chalicelib.auth import bearer

    revision = _tips(world)[-1][1]
    with world.as_operator():
        alice = {"Authorization": f"Bearer {bearer.create_token('alice')}"}
    response = world.api("POST", f"/self-serve/{BRANCH}/rev/{revision}?format=json",
                         {**alice, "Content-Type": "application/x-www-form-urlencoded"}, "priority=3")
    assert response.status_code == 202, response.body
    request_id = json.loads(response.body)["request_id"]
    with world.as_operator():  # the CI reports what it did
        queues.send(config.SELFSERVE_RESULTS_QUEUE, {"request_id": request_id, "status": "OK", "job_guids": [],
                                                     "completed_at": int(time.time())})
    completed = world.pump.drain(config.queue_name(config.SELFSERVE_RESULTS_QUEUE))
    assert (completed.messages, completed.failed_messages) == (1, 0), refusals()
    response = world.api("GET", f"/self-serve/jobs/{request_id}?format=json", alice)
    assert response.status_code == 200 and json.loads(response.body)["complete_data"] is not None
    # a result for no request goes to the dead-letter queue with its reason
    with world.as_operator():
        queues.send(config.SELFSERVE_RESULTS_QUEUE, {"request_id": 999999, "status": "OK", "job_guids": []})
    dead = world.pump.drain(config.queue_name(config.SELFSERVE_RESULTS_QUEUE))
    assert (dead.messages, dead.failed_messages) == (1, 0), refusals()
    # a request recorded but never queued is closed by the sweeper
    from chalicelib.services.selfserve import job_results
    from chalicelib.store import build_requests

    with world.as_operator():
        unsent = build_requests.record("new_build_at_revision", "alice", BRANCH, {"revision": revision})
    monkeypatch.setattr(job_results, "UNSENT_GRACE_SECONDS", -3600)
    assert world.pump.tick("sweep_unsent_job_requests"), refusals()
    with world.as_operator():
        assert build_requests.get(unsent.request_id).completed_at


def test_treeherder_job_ingest_and_reads(under_iam):
    world = under_iam
    from tests.support.treeherder_data import job_message

    revision = _tips(world)[0][1]
    with world.as_operator():
        queues.send(config.TREEHERDER_JOBS_QUEUE, job_message(revision, guid="lp-1"))
    ingested = world.pump.drain(config.queue_name(config.TREEHERDER_JOBS_QUEUE))
    assert (ingested.messages, ingested.failed_messages) == (1, 0), refusals()
    response = world.api("GET", "/treeherder/api/project/mozilla-inbound/jobs/?count=10")
    assert response.status_code == 200, response.body
    assert json.loads(response.body)["results"]
    with world.as_operator():
        queues.send(config.TREEHERDER_JOBS_QUEUE, {"not": "a job"})
    dead = world.pump.drain(config.queue_name(config.TREEHERDER_JOBS_QUEUE))
    assert (dead.messages, dead.failed_messages) == (1, 0), refusals()


# --- the proof -------------------------------------------------------------------------------------


def _statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    statements = policy["Statement"]
    return statements if isinstance(statements, list) else [statements]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _still_allowed(world: World, role: str, policy: dict[str, Any]) -> bool:
    """Whether every request the role's flows made would still be allowed by ``policy``."""
    return all(allowed_by(policy, d.action, d.resource)
               for d in DECISIONS if d.allowed and world.role_names.get(d.role) == role)


def test_no_flow_was_refused_anything(world):
    assert DECISIONS, "the flows ran without IAM enforcement"
    refused = sorted({(world.role_names.get(d.role, d.role), d.action, d.resource) for d in DECISIONS
                      if not d.allowed})
    assert refused == []
    exercised = {world.role_names.get(d.role) for d in DECISIONS} - {None}
    print(f"{sum(d.allowed for d in DECISIONS)} requests authorized under enforcement, by "
          f"{len(exercised)} function roles and the operator")
    assert exercised == set(world.policies), f"functions that made no request: {set(world.policies) - exercised}"


# Actions a flow here cannot show used: (role, action) -> why the role still needs it on AWS.
NOT_EXERCISED = {
    **{(role, "sqs:GetQueueAttributes"): "Lambda's event source mapping reads its queue's attributes (the pump "
                                         "here is given them)"
       for role in ("IngestRole", "ProcessRole", "ImportBuildsRole", "ComputeMetricsRole", "IngestJobsRole",
                    "CompleteJobRequestsRole")},
}


def test_every_statement_is_needed_and_every_queue_and_blob_action_too(world):
    """Removing any one statement refuses some request a flow made; within the SQS and S3 statements, so does
    removing any one action or resource. (The DynamoDB statements grant the store layer's operations on the
    stack's tables: their actions are not each used by every function's flows.)"""
    unneeded = []
    for role, policy in world.policies.items():
        for index, statement in enumerate(_statements(policy)):
            without = copy.deepcopy(policy)
            del without["Statement"][index]
            if _still_allowed(world, role, without):
                unneeded.append((role, statement.get("Sid"), "the statement"))
                continue
            if not any(a.startswith(("sqs:", "s3:")) for a in _as_list(statement["Action"])):
                continue
            for part in ("Action", "Resource"):
                values = _as_list(statement[part])
                for value in values if len(values) > 1 else []:
                    narrower = copy.deepcopy(policy)
                    narrower["Statement"][index][part] = [v for v in values if v != value]
                    if _still_allowed(world, role, narrower) and (role, value) not in NOT_EXERCISED:
                        unneeded.append((role, statement.get("Sid"), value))
    assert unneeded == [], "\n".join(map(str, unneeded))


def test_without_list_bucket_a_missing_kernelci_file_is_a_clear_error_not_a_500(world):
    """AWS answers a read of a missing key with 403 to a role without s3:ListBucket (moto, 404)."""
    import chalicelib.store.kernelci_storage as storage

    iam = boto3.client("iam")
    role = world.role_of_handler["app"]
    name = next(n for n, logical in world.role_names.items() if logical == role)
    policy = copy.deepcopy(world.policies[role])
    policy["Statement"] = [s for s in _statements(policy) if "s3:ListBucket" not in _as_list(s["Action"])]
    with acting_as(world.operator):
        (policy_name,) = iam.list_role_policies(RoleName=name)["PolicyNames"]
    refused: list[Decision] = []
    try:
        with enforced(refused):
            with acting_as(world.operator):
                iam.put_role_policy(RoleName=name, PolicyName=policy_name, PolicyDocument=json.dumps(policy))
            time.sleep(0)  # moto reads policies on each request: the change is effective at once
            status = _kernelci_upload(world, "mainline/master/v5.9/arm64/defconfig/gcc-8", "new.json", b"{}")
            with world.as_handler("app"), pytest.raises(storage.StorageRefused, match="s3:ListBucket"):
                storage.exists("mainline/nothing/here")
    finally:
        with enforced([]), acting_as(world.operator):
            iam.put_role_policy(RoleName=name, PolicyName=policy_name,
                                PolicyDocument=json.dumps(world.policies[role]))
    assert status == 503
    assert any(d.action == "s3:ListBucket" and not d.allowed for d in refused)


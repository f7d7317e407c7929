"""The packaged functions run as Lambda runs them.

Each test starts a clean python3.13 (``-I -S``) whose ``sys.path`` holds only the unzipped
function (/var/task), the unzipped layer (/opt) and what the runtime brings (boto3's family
and awslambdaric, the runtime's bootstrap, which imports the handler and invokes it:
tests/support/lambda_bootstrap.py). AWS is a moto server on 127.0.0.1, deployed from infra/.

Events have the shapes Lambda documents for its sources: an API Gateway REST proxy
event (AWS Lambda developer guide, "Using Lambda with API Gateway", and aws-lambda-go's
events/testdata/apigw-request.json), an SQS batch built from a message received from the
queue as the event source mapping builds it ("Using Lambda with Amazon SQS"), and an
EventBridge "Scheduled Event" ("Using Lambda with EventBridge Scheduler").
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import boto3
import pytest

from chalicelib.local import moto_server, resources
from chalicelib.store import blobs
from chalicelib.store.blob_events import stored_objects
from tests.support.lambda_artifact import BuiltPackage, invoke, lambda_env, runtime_python

ROOT = Path(__file__).resolve().parents[2]
PREFIX = "shipyard-artifact"
PROJECT = "talos"
ACCOUNT = "123456789012"


@pytest.fixture(scope="module")
def aws():
    """moto on 127.0.0.1 with Shipyard's stack and one Datazilla project."""
    server, url = moto_server.start(0)
    try:
        session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                        region_name="us-east-1")
        cfn = session.client("cloudformation", endpoint_url=url)
        cfn.create_stack(StackName=PREFIX, TemplateBody=json.dumps(resources.standalone(resources.template())),
                         Parameters=[{"ParameterKey": "ShipyardPrefix", "ParameterValue": PREFIX}])
        assert cfn.describe_stacks(StackName=PREFIX)["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
        resources.wire_what_moto_skips(PREFIX, resources.template(), {"ShipyardPrefix": PREFIX},
                                       lambda name: session.client(name, endpoint_url=url))
        env = dict(os.environ, AWS_ENDPOINT_URL=url, SHIPYARD_PREFIX=PREFIX)
        created = subprocess.run([sys.executable, "-m", "chalicelib.cli.main", "project", "create", PROJECT],
                                 env=env, capture_output=True, text=True, timeout=60, cwd=ROOT)
        assert created.returncode == 0, created.stderr
        yield {"url": url, "session": session}
    finally:
        server.stop()


@pytest.fixture
def run(lambda_package: BuiltPackage, aws, tmp_path):
    """Invoke a handler of the artifact: ``run(handler, events, probe=False, **env)``."""

    def _run(handler: str, events: list[dict], probe: bool = False, **env: str):
        function = handler.rsplit(".", 1)[-1]
        environment = lambda_env(f"shipyard-dev-{function}", AWS_ENDPOINT_URL=aws["url"], SHIPYARD_PREFIX=PREFIX,
                                 **env)
        return invoke(lambda_package, handler, events, environment, tmp_path / uuid.uuid4().hex, probe=probe)

    return _run


def _json_lines(lines: list[str]) -> list[dict]:
    records = []
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            records.append(record)
    return records


def test_every_handler_module_of_the_template_imports_alone_and_boots(lambda_package, run):
    """Given each module the template names as a handler, when Lambda imports it first (and nothing else),
    then the function's setup has run: INFO for Shipyard's loggers, boto3 from the layer, scipy not loaded."""
    modules = {}
    for handler in lambda_package.handlers:
        modules.setdefault(handler.rsplit(".", 1)[0], handler)
    assert {"app", "chalicelib.workers.datazilla", "chalicelib.workers.metrics"} <= set(modules)
    for module, handler in sorted(modules.items()):
        report, lines = run(handler, [], probe=True)
        assert report["init_error"] is None, (module, report["init_error"], lines[-20:])
        probe = report["probe"]
        assert probe["boot_done"], module
        assert probe["chalicelib_level"] == "INFO", module
        assert probe["xray_patched"] == [], module
        assert not probe["scipy_loaded"], f"{module} imports scipy at init"
        files = probe["module_files"]
        for bundled in ("boto3", "botocore", "numpy", "scipy"):
            assert files[bundled].startswith(str(lambda_package.opt)), files
        assert files["chalice"].startswith(str(lambda_package.task)), files
        assert files["awslambdaric"].startswith(str(lambda_package.runtime)), files


def test_the_api_handler_answers_an_api_gateway_proxy_event_with_200(run):
    """Given a REST API proxy event for GET /treeherder/api/repository/, when app.app handles it, then 200."""
    event = _api_gateway_event("GET", "/treeherder/api/repository")
    report, lines = run("app.app", [event])
    assert report["init_error"] is None, lines[-20:]
    (result,) = report["results"]
    assert result["ok"], result
    response = result["result"]
    assert response["statusCode"] == 200, response
    assert json.loads(response["body"]) == []


def test_an_sqs_batch_is_ingested_and_queued_for_loading(run, aws):
    """Given a Datazilla blob sent to the ingest queue, when the ingest function gets the batch Lambda builds
    from it, then no record fails and the bucket's notification of the stored blob queues it for loading on
    the processing queue (besides the test event S3 sends when the notification is configured)."""
    sqs = aws["session"].client("sqs", endpoint_url=aws["url"])
    ingest_url = sqs.get_queue_url(QueueName=f"{PREFIX}-ingest")["QueueUrl"]
    blob = json.loads((ROOT / "tests" / "support" / "fixtures" / "talos_tp5n.json").read_text())
    sqs.send_message(QueueUrl=ingest_url, MessageBody=json.dumps({"project": PROJECT, "blob": blob}))
    received = sqs.receive_message(QueueUrl=ingest_url, MaxNumberOfMessages=10, AttributeNames=["All"])["Messages"]
    event = {"Records": [_sqs_record(m, f"{PREFIX}-ingest") for m in received]}

    report, lines = run("chalicelib.workers.datazilla.ingest", [event])

    assert report["init_error"] is None, lines[-20:]
    (result,) = report["results"]
    assert result["ok"], result
    assert result["result"] == {"batchItemFailures": []}
    processing_url = sqs.get_queue_url(QueueName=f"{PREFIX}-processing")["QueueUrl"]
    queued = sqs.receive_message(QueueUrl=processing_url, MaxNumberOfMessages=10)["Messages"]
    stored = [o.key for m in queued for o in stored_objects(json.loads(m["Body"]))]
    assert [blobs.row_of_key(key)[0] for key in stored] == [PROJECT]


def test_a_scheduled_run_logs_json_lines_with_its_request_id(run):
    """Given the 5-minute pushlog schedule's event, when sync_pushlogs runs, then its INFO line is a JSON
    line of the runtime's format carrying the invocation's request id."""
    report, lines = run("chalicelib.workers.pushlog.sync_pushlogs", [_scheduled_event()])
    assert report["init_error"] is None, lines[-20:]
    (result,) = report["results"]
    assert result["ok"], result
    logged = [r for r in _json_lines(lines) if r.get("logger") == "chalicelib.workers.pushlog"]
    assert logged, lines[-20:]
    assert logged[0]["level"] == "INFO"
    assert logged[0]["message"].startswith("pushlog sync: 0 branch(es)")
    assert logged[0]["requestId"] == report["request_ids"][0]


def test_xray_patches_boto_when_the_stage_enables_it(run):
    report, lines = run("chalicelib.workers.selfserve.complete_job_requests", [], probe=True, SHIPYARD_XRAY="true",
                        AWS_XRAY_CONTEXT_MISSING="IGNORE_ERROR")
    assert report["init_error"] is None, lines[-20:]
    assert "botocore" in report["probe"]["xray_patched"]


def test_a_bad_setting_fails_the_init_and_names_itself(run):
    report, lines = run("app.app", [_api_gateway_event("GET", "/balrog/api/rules")], SHIPYARD_XRAY="yes")
    assert report["results"] == []
    assert report["init_error"]["errorType"] == "ConfigError"
    assert "SHIPYARD_XRAY='yes'" in report["init_error"]["errorMessage"]


def test_the_statistics_scipy_computes_run_from_the_trimmed_layer(lambda_package):
    """The layer drops numpy's and scipy's test suites: the metrics worker's Welch test still runs from it."""
    from chalicelib.perf.statistics import welch_one_sided

    args = ([10, 5, 1], [1.0, 2.0, 0.0], [12.0, 3.0, 1.0], [10, 5, 1], [1.5, 2.0, 0.0], [10.0, 3.0, 1.0])
    code = ("import sys, json; sys.path[:0] = json.loads(sys.argv[1]); "
            "from chalicelib.perf.statistics import welch_one_sided as w; "
            "print(json.dumps([None if p != p else p for p in w(*json.loads(sys.argv[2])).tolist()]))")
    paths = [str(lambda_package.task), str(lambda_package.opt / "python/lib/python3.13/site-packages"),
             str(lambda_package.runtime)]
    result = subprocess.run([runtime_python(), "-I", "-S", "-c", code, json.dumps(paths), json.dumps(args)],
                            capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    expected = [None if p != p else p for p in welch_one_sided(*args).tolist()]
    assert json.loads(result.stdout) == expected
    assert expected[0] < 0.05 and expected[2] is None


def test_version_is_the_packages_and_an_unknown_path_reaches_its_familys_404(run):
    """Given the packaged API function, then /version reports pyproject's version (the bundle carries the
    package metadata), and a path API Gateway routes to a greedy catch-all (``/treeherder/{proxy+}``, the rest
    of the path in ``pathParameters.proxy``) is Treeherder's 404, not API Gateway's 403."""
    import tomllib

    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    unknown = _api_gateway_event("GET", "/treeherder/nothing/here", resource="/treeherder/{proxy+}",
                                 path_parameters={"proxy": "nothing/here"})
    report, lines = run("app.app", [_api_gateway_event("GET", "/version"), unknown])
    assert report["init_error"] is None, lines[-20:]
    answered, not_found = (r["result"] for r in report["results"])
    assert answered["statusCode"] == 200, answered
    assert json.loads(answered["body"])["result"][0]["version"] == version
    assert (not_found["statusCode"], json.loads(not_found["body"])) == (404, {"detail": "Not found."})


def _api_gateway_event(method: str, path: str, resource: str | None = None,
                       path_parameters: dict | None = None) -> dict:
    now = time.time()
    headers = {"Accept": "application/json", "Host": "abc123.execute-api.us-east-1.amazonaws.com",
               "User-Agent": "shipyard-tests", "X-Forwarded-For": "127.0.0.1", "X-Forwarded-Port": "443",
               "X-Forwarded-Proto": "https"}
    return {
        "resource": resource or path, "path": path, "httpMethod": method,
        "headers": headers, "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": None, "multiValueQueryStringParameters": None,
        "pathParameters": path_parameters, "stageVariables": None,
        "requestContext": {
            "accountId": ACCOUNT, "resourceId": "r3s0u1", "stage": "api", "requestId": str(uuid.uuid4()),
            "identity": {"sourceIp": "127.0.0.1", "userAgent": "shipyard-tests"},
            "resourcePath": resource or path, "httpMethod": method, "path": f"/api{path}", "apiId": "abc123",
            "domainName": "abc123.execute-api.us-east-1.amazonaws.com", "protocol": "HTTP/1.1",
            "requestTimeEpoch": int(now * 1000),
        },
        "body": None, "isBase64Encoded": False,
    }


def _sqs_record(message: dict, queue: str) -> dict:
    return {
        "messageId": message["MessageId"], "receiptHandle": message["ReceiptHandle"], "body": message["Body"],
        "attributes": message.get("Attributes", {}), "messageAttributes": {}, "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs", "eventSourceARN": f"arn:aws:sqs:us-east-1:{ACCOUNT}:{queue}",
        "awsRegion": "us-east-1",
    }


def _scheduled_event() -> dict:
    return {
        "version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event", "source": "aws.events",
        "account": ACCOUNT, "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "region": "us-east-1",
        "resources": [f"arn:aws:events:us-east-1:{ACCOUNT}:rule/shipyard-dev-SyncPushlogsEvent"], "detail": {},
    }

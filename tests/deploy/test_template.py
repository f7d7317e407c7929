"""The packaged template is one an AWS account accepts: linted, transformed, and created (in moto).

The template is ``make package``'s (``chalice package`` merging
``infra/resources.json``), built once per test run, and checked as CloudFormation would check it:
cfn-lint's rules, the SAM transform run offline by aws-sam-translator (the
library behind CloudFormation's ``AWS::Serverless-2016-10-31`` transform),
and the translated stack created in moto's CloudFormation with a prefix that
is not the default, so that every name is seen to come from the parameter.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from chalicelib import config
from tests.support import deployment_stack as stack

PREFIX = "acme-ci"  # not the template's default: every name must follow the parameter
SIX_TIMES = 6  # AWS: a queue's visibility timeout at least six times its consumer function's timeout
CFN_TEMPLATE_LIMIT = 1_000_000  # bytes, for a template read from S3
CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-0123456789ab"


@pytest.fixture(scope="module")
def packaged(lambda_package) -> Path:
    """``make package``'s sam.json (its archives beside it), built once per test run."""
    return lambda_package.out / "sam.json"


@pytest.fixture(scope="module")
def template(packaged) -> dict[str, Any]:
    return json.loads(packaged.read_text())


@pytest.fixture(scope="module")
def translated(template) -> dict[str, Any]:
    """The SAM transform of the template with default parameters (code locations as after upload)."""
    return stack.translate(_with_s3_code(template), {})


@pytest.fixture(scope="module")
def deployed(packaged, template) -> dict[str, Any]:
    """The translated template created in moto's CloudFormation as stack ``acme-ci``; what it made."""
    with mock_aws():
        s3 = boto3.client("s3", region_name=stack.REGION)
        s3.create_bucket(Bucket=stack.ARTIFACTS_BUCKET)
        uploaded = stack.upload_artifacts(template, packaged.parent, s3)
        parameters = {"ShipyardPrefix": PREFIX}
        cfn = boto3.client("cloudformation", region_name=stack.REGION)
        created = stack.create_stack(cfn, PREFIX, stack.without_api_gateway(stack.translate(uploaded, parameters)),
                                     parameters)
        lam = boto3.client("lambda", region_name=stack.REGION)
        iam = boto3.client("iam")
        functions = lam.list_functions()["Functions"]
        roles = {r["RoleName"]: r for r in iam.list_roles()["Roles"]}
        yield {
            "stack": created,
            "resources": cfn.list_stack_resources(StackName=PREFIX)["StackResourceSummaries"],
            "tables": boto3.client("dynamodb", region_name=stack.REGION).list_tables()["TableNames"],
            "queues": boto3.client("sqs", region_name=stack.REGION).list_queues().get("QueueUrls", []),
            "buckets": [b["Name"] for b in s3.list_buckets()["Buckets"]],
            "functions": functions,
            "mappings": lam.list_event_source_mappings()["EventSourceMappings"],
            "policies": {name: [stack.policy_document(iam.get_role_policy(RoleName=name, PolicyName=p)
                                                      ["PolicyDocument"])
                                for p in iam.list_role_policies(RoleName=name)["PolicyNames"]] for name in roles},
        }


def _app_functions() -> tuple[int, int]:
    """How many functions the app makes (the API handler, one per event source) and how many read a queue."""
    from chalice.app import SQSEventConfig

    from app import app

    return 1 + len(app.event_sources), sum(isinstance(s, SQSEventConfig) for s in app.event_sources)


def _with_s3_code(template: dict[str, Any]) -> dict[str, Any]:
    """Code locations as ``aws cloudformation package`` leaves them (the transform wants S3 URIs)."""
    copy = json.loads(json.dumps(template))
    for resource in copy["Resources"].values():
        for key in ("CodeUri", "ContentUri"):
            if isinstance(resource.get("Properties", {}).get(key), str):
                resource["Properties"][key] = f"s3://{stack.ARTIFACTS_BUCKET}/{key.lower()}"
    return copy


def _of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def _lint(path: Path, *extra: str) -> list[dict[str, Any]]:
    result = subprocess.run([str(stack.BIN / "cfn-lint"), "--format", "json", *extra, "--", str(path)],
                            capture_output=True, text=True, timeout=300)
    return json.loads(result.stdout or "[]")


# --- item 6: the linter and the transform accept it ------------------------------------------------


def test_cfn_lint_finds_nothing_in_the_packaged_template(packaged):
    """cfn-lint's every rule: 0 errors, 0 warnings (E1002 among them: at most 1 MB, read from S3)."""
    findings = _lint(packaged)
    assert [(f["Rule"]["Id"], f["Message"]) for f in findings] == []


def test_the_packaged_template_needs_s3_but_fits_cloudformations_limit(packaged):
    """CloudFormation takes 51,200 bytes inline (so deploy needs --s3-bucket) and 1 MB from S3."""
    assert 51_200 < packaged.stat().st_size <= CFN_TEMPLATE_LIMIT


def test_the_sam_transform_translates_it_offline(translated):
    kinds = {r["Type"] for r in translated["Resources"].values()}
    assert not any(kind.startswith("AWS::Serverless::") for kind in kinds)
    assert {"AWS::Lambda::Function", "AWS::Lambda::EventSourceMapping", "AWS::ApiGateway::RestApi",
            "AWS::ApiGateway::Stage", "AWS::DynamoDB::Table", "AWS::SQS::Queue", "AWS::S3::Bucket"} <= kinds


# --- item 1: parameters drive every name ------------------------------------------------------------


def test_no_prefix_literal_survives_packaging(template):
    """The default prefix appears once: as the parameter's default. Names, ARNs, environments use the parameter."""
    default = template["Parameters"]["ShipyardPrefix"]["Default"]
    rest = json.loads(json.dumps(template))
    rest["Parameters"]["ShipyardPrefix"]["Default"] = "<default>"
    assert default not in json.dumps(rest)


def test_every_event_source_mapping_reports_partial_batch_failures_of_its_own_queue(translated):
    queues = _of_type(translated, "AWS::SQS::Queue")
    mappings = _of_type(translated, "AWS::Lambda::EventSourceMapping")
    assert len(mappings) == _app_functions()[1]
    for mapping in mappings.values():
        source = mapping["Properties"]["EventSourceArn"]
        # by reference: CloudFormation creates the queue first, whatever the prefix
        assert source in ({"Fn::GetAtt": [q, "Arn"]} for q in queues) or \
            source in ({"Fn::Sub": f"${{{q}.Arn}}"} for q in queues)
        assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_every_function_reads_the_prefix_from_the_parameter(translated):
    for function in _of_type(translated, "AWS::Lambda::Function").values():
        assert function["Properties"]["Environment"]["Variables"]["SHIPYARD_PREFIX"] == {"Ref": "ShipyardPrefix"}


def test_outputs_name_the_api_the_bucket_and_every_queue(template):
    outputs = template["Outputs"]
    assert {"EndpointURL", "ApiDomainTarget", "ApiDomainURL", "BlobBucketName"} <= set(outputs)
    for name in _of_type(template, "AWS::SQS::Queue"):
        assert outputs[f"{name}Url"]["Value"] == {"Ref": name}


# --- item 3: the API at a host root ----------------------------------------------------------------


def test_a_custom_domain_maps_its_root_to_the_api_stage(template):
    # given a domain name and its certificate as parameters
    parameters = {"ApiDomainName": "shipyard.example.com", "ApiCertificateArn": CERTIFICATE}
    # when the template is translated with them
    translated = stack.translate(_with_s3_code(template), parameters)
    # then a regional domain with that certificate maps its root (no base path) to the API's stage
    (domain,) = _of_type(translated, "AWS::ApiGateway::DomainName").values()
    assert domain["Properties"]["DomainName"] == {"Ref": "ApiDomainName"}
    assert domain["Properties"]["RegionalCertificateArn"] == {"Ref": "ApiCertificateArn"}
    assert domain["Properties"]["EndpointConfiguration"] == {"Types": ["REGIONAL"]}
    (mapping,) = _of_type(translated, "AWS::ApiGateway::BasePathMapping").values()
    assert "BasePath" not in mapping["Properties"]
    (stage_name,) = _of_type(translated, "AWS::ApiGateway::Stage")
    assert mapping["Properties"]["Stage"] == {"Ref": stage_name}
    (api_name,) = _of_type(translated, "AWS::ApiGateway::RestApi")
    assert mapping["Properties"]["RestApiId"] == {"Ref": api_name}
    # and the API is regional, as a regional domain needs
    assert translated["Resources"][api_name]["Properties"]["EndpointConfiguration"] == {"Types": ["REGIONAL"]}


def test_without_a_domain_there_is_none_and_a_domain_needs_its_certificate(template):
    for name in ("ApiDomain", "ApiRootMapping"):
        assert template["Resources"][name]["Condition"] == "HasApiDomain"
    rule = template["Rules"]["DomainNeedsCertificate"]
    assert rule["Assertions"][0]["Assert"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "ApiCertificateArn"}, ""]}]}


# --- item 4: SQS as AWS recommends -----------------------------------------------------------------


def test_every_queue_hides_a_message_six_times_as_long_as_its_consumer_may_run(translated, template):
    defaults = {name: p.get("Default") for name, p in template["Parameters"].items()}
    queues = _of_type(translated, "AWS::SQS::Queue")
    functions = _of_type(translated, "AWS::Lambda::Function")
    for mapping in _of_type(translated, "AWS::Lambda::EventSourceMapping").values():
        queue = queues[_referenced(mapping["Properties"]["EventSourceArn"])]
        visibility = queue["Properties"]["VisibilityTimeout"]
        visibility = int(defaults[visibility["Ref"]]) if isinstance(visibility, dict) else int(visibility)
        function = functions[_referenced(mapping["Properties"]["FunctionName"])]
        assert visibility >= SIX_TIMES * int(function["Properties"]["Timeout"])


def _referenced(node: dict[str, Any]) -> str:
    if "Ref" in node:
        return node["Ref"]
    if "Fn::GetAtt" in node:
        return node["Fn::GetAtt"][0]
    return re.fullmatch(r"\$\{(\w+)\.Arn\}", node["Fn::Sub"]).group(1)


# --- item 5: data survives mistakes ----------------------------------------------------------------


def test_every_table_is_retained_and_recoverable_to_a_point_in_time(template):
    tables = _of_type(template, "AWS::DynamoDB::Table")
    assert len(tables) == len(config.TABLES)
    for table in tables.values():
        assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"
        assert table["Properties"]["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}


def test_the_bucket_is_retained_versioned_private_and_encrypted(template):
    bucket = template["Resources"]["BlobBucket"]
    assert bucket["DeletionPolicy"] == bucket["UpdateReplacePolicy"] == "Retain"
    props = bucket["Properties"]
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert all(props["PublicAccessBlockConfiguration"][k] for k in
               ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"))
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    assert props["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}


def test_the_bucket_notifies_the_processing_queue_of_each_blob_stored_under_objectstore(template):
    """What queues a blob for loading (the upload sends no message): S3 event notifications to SQS."""
    from chalicelib.store import blobs

    bucket = template["Resources"]["BlobBucket"]
    (notification,) = bucket["Properties"]["NotificationConfiguration"]["QueueConfigurations"]
    assert notification["Queue"] == {"Fn::GetAtt": ["ProcessingQueue", "Arn"]}
    assert notification["Event"] == "s3:ObjectCreated:*"
    assert notification["Filter"] == {"S3Key": {"Rules": [{"Name": "prefix", "Value": blobs.OBJECTSTORE_PREFIX}]}}
    assert blobs.objectstore_key("talos", 1).startswith(blobs.OBJECTSTORE_PREFIX)
    # S3 checks that it may send when the notification is configured: the queue's policy comes first,
    # admitting S3 for this bucket of this account only
    assert bucket["DependsOn"] == "ProcessingQueuePolicy"
    policy = template["Resources"]["ProcessingQueuePolicy"]["Properties"]
    assert policy["Queues"] == [{"Ref": "ProcessingQueue"}]
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert (statement["Effect"], statement["Principal"], statement["Action"]) == \
        ("Allow", {"Service": "s3.amazonaws.com"}, "sqs:SendMessage")
    assert statement["Resource"] == {"Fn::GetAtt": ["ProcessingQueue", "Arn"]}
    bucket_name = bucket["Properties"]["BucketName"]["Fn::Sub"]
    assert statement["Condition"] == {
        "ArnEquals": {"aws:SourceArn": {"Fn::Sub": f"arn:${{AWS::Partition}}:s3:::{bucket_name}"}},
        "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}


def test_the_api_stage_and_every_function_are_traced(translated):
    (stage,) = _of_type(translated, "AWS::ApiGateway::Stage").values()
    assert stage["Properties"]["TracingEnabled"] is True
    for function in _of_type(translated, "AWS::Lambda::Function").values():
        assert function["Properties"]["TracingConfig"] == {"Mode": "Active"}


# --- item 6: created in moto's CloudFormation ------------------------------------------------------


def test_the_translated_stack_is_created(deployed):
    assert deployed["stack"]["StackStatus"] == "CREATE_COMPLETE"
    assert all(r["ResourceStatus"] == "CREATE_COMPLETE" for r in deployed["resources"])


def test_the_stack_makes_its_tables_queues_and_bucket_under_the_prefix_given(deployed):
    assert len(deployed["tables"]) == len(config.TABLES) and all(t.startswith(f"{PREFIX}-") for t in deployed["tables"])
    names = [url.rsplit("/", 1)[-1] for url in deployed["queues"]]
    assert len(names) == 2 * len(config.QUEUES) and all(n.startswith(f"{PREFIX}-") for n in names)
    assert f"{PREFIX}-blobs" in deployed["buckets"]


def test_the_stack_makes_its_functions_and_their_queue_triggers(deployed):
    functions = {f["FunctionArn"]: f for f in deployed["functions"]}
    assert len(functions) == _app_functions()[0]
    for function in functions.values():
        assert function["Environment"]["Variables"]["SHIPYARD_PREFIX"] == PREFIX
    mappings = deployed["mappings"]
    assert len(mappings) == _app_functions()[1]
    for mapping in mappings:
        assert mapping["FunctionArn"] in functions
        assert mapping["EventSourceArn"].split(":")[-1].startswith(f"{PREFIX}-")
        assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_the_roles_policies_name_only_resources_of_the_prefix_given(deployed):
    function_roles = {name: docs for name, docs in deployed["policies"].items() if docs}
    assert len(function_roles) == _app_functions()[0]
    for docs in function_roles.values():
        for doc in docs:
            for statement in doc["Statement"]:
                resources = statement["Resource"]
                for arn in resources if isinstance(resources, list) else [resources]:
                    assert re.search(rf"(:table/|:|:::){re.escape(PREFIX)}-", arn), arn

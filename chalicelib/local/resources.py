"""Creating Shipyard's resources from ``infra/resources.json``.

The local stack and the tests deploy the very template that ``chalice package
--merge-template`` merges for AWS, into moto's CloudFormation: its
stand-alone part. Entries without a ``Type`` and the ``Globals`` section
complete what Chalice generates (functions, roles, the REST API) and mean
nothing without it, so they are left out here.

moto's CloudFormation creates the bucket without its ``NotificationConfiguration``
and knows no ``AWS::SQS::QueuePolicy``; ``wire_what_moto_skips`` applies both
from the same template through the S3 and SQS APIs, so the bucket notifies the
processing queue here as it does on AWS.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from chalicelib import config
from chalicelib.store.clients import client

TEMPLATE = Path(__file__).resolve().parents[2] / "infra" / "resources.json"


def template() -> dict[str, Any]:
    return json.loads(TEMPLATE.read_text())


def standalone(merge_template: dict[str, Any]) -> dict[str, Any]:
    """The resources (and everything else) of the merge template that stand without Chalice's."""
    kept = {k: v for k, v in merge_template.items() if k != "Globals"}
    kept["Resources"] = {name: r for name, r in merge_template["Resources"].items() if "Type" in r}
    return kept


def deploy(
    prefix: str | None = None, visibility_timeout: int | None = None, max_receive_count: int | None = None
) -> str:
    """Create (or find) the stack named after the prefix; returns its status."""
    prefix = prefix or config.prefix()
    cfn = client("cloudformation")
    existing = {s["StackName"] for s in cfn.list_stacks(StackStatusFilter=["CREATE_COMPLETE"])["StackSummaries"]}
    if prefix in existing:
        return "CREATE_COMPLETE"
    parameters = [{"ParameterKey": "ShipyardPrefix", "ParameterValue": prefix}]
    if visibility_timeout is not None:
        parameters.append({"ParameterKey": "QueueVisibilityTimeout", "ParameterValue": str(visibility_timeout)})
    if max_receive_count is not None:
        parameters.append({"ParameterKey": "MaxReceiveCount", "ParameterValue": str(max_receive_count)})
    body = json.dumps(_what_moto_creates(standalone(template())))
    cfn.create_stack(StackName=prefix, TemplateBody=body, Parameters=parameters)
    status = cfn.describe_stacks(StackName=prefix)["Stacks"][0]["StackStatus"]
    if status != "CREATE_COMPLETE":
        raise RuntimeError(f"stack {prefix} ended {status}")
    wire_what_moto_skips(prefix, template(), {"ShipyardPrefix": prefix})
    return status


_MOTO_SKIPS = ("AWS::SQS::QueuePolicy",)


def _what_moto_creates(stack: dict[str, Any]) -> dict[str, Any]:
    """The template less the resources moto's CloudFormation ignores (with a warning) and what depends on them."""
    skipped = {name for name, r in stack["Resources"].items() if r["Type"] in _MOTO_SKIPS}
    resources = {}
    for name, resource in stack["Resources"].items():
        if name in skipped:
            continue
        depends = resource.get("DependsOn")
        if depends is not None:
            kept = [d for d in ([depends] if isinstance(depends, str) else depends) if d not in skipped]
            resource = {k: v for k, v in resource.items() if k != "DependsOn"} | ({"DependsOn": kept} if kept else {})
        resources[name] = resource
    return {**stack, "Resources": resources}


def wire_what_moto_skips(stack_name: str, template_body: dict[str, Any], parameters: dict[str, str],
                         make_client: Callable[[str], Any] = client) -> None:
    """Apply the template's bucket notifications and queue policies that moto's CloudFormation ignores."""
    cfn, sqs = make_client("cloudformation"), make_client("sqs")
    physical = {r["LogicalResourceId"]: r["PhysicalResourceId"]
                for r in cfn.list_stack_resources(StackName=stack_name)["StackResourceSummaries"]}
    resolve = _Resolver(physical, parameters, sqs, make_client("sts").get_caller_identity()["Account"])
    for name, resource in template_body["Resources"].items():
        properties = resource.get("Properties", {})
        if resource.get("Type") == "AWS::SQS::QueuePolicy":
            policy = json.dumps(resolve(properties["PolicyDocument"]))
            for queue in properties["Queues"]:
                sqs.set_queue_attributes(QueueUrl=resolve(queue), Attributes={"Policy": policy})
        elif resource.get("Type") == "AWS::S3::Bucket" and "NotificationConfiguration" in properties:
            queues = [{"QueueArn": resolve(q["Queue"]), "Events": [q["Event"]],
                       "Filter": {"Key": {"FilterRules": q["Filter"]["S3Key"]["Rules"]}}}
                      for q in properties["NotificationConfiguration"].get("QueueConfigurations", [])]
            make_client("s3").put_bucket_notification_configuration(
                Bucket=physical[name], NotificationConfiguration={"QueueConfigurations": queues})


class _Resolver:
    """The few intrinsic functions those two resources use, resolved against the created stack."""

    def __init__(self, physical: dict[str, str], parameters: dict[str, str], sqs: Any, account: str) -> None:
        self.physical, self.sqs = physical, sqs
        region = sqs.meta.region_name
        self.pseudo = {"AWS::Partition": "aws", "AWS::Region": region, "AWS::AccountId": account, **parameters}

    def __call__(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self(item) for item in node]
        if not isinstance(node, dict):
            return node
        if set(node) == {"Ref"}:
            return self.pseudo.get(node["Ref"]) or self.physical[node["Ref"]]
        if set(node) == {"Fn::GetAtt"}:
            return self._arn(node["Fn::GetAtt"][0])
        if set(node) == {"Fn::Sub"}:
            return re.sub(r"\$\{([^}]+)\}", lambda m: self._variable(m.group(1)), node["Fn::Sub"])
        return {key: self(value) for key, value in node.items()}

    def _variable(self, name: str) -> str:
        if name.endswith(".Arn"):
            return self._arn(name.removesuffix(".Arn"))
        return self.pseudo.get(name) or self.physical[name]

    def _arn(self, queue: str) -> str:
        attributes = self.sqs.get_queue_attributes(QueueUrl=self.physical[queue], AttributeNames=["QueueArn"])
        return attributes["Attributes"]["QueueArn"]

"""The packaged template, as close to a real deployment as this machine allows.

``make package`` builds ``sam.json`` and the code archives; the archives
go to an artifacts bucket as ``aws cloudformation package`` would put them
(``CodeUri``/``ContentUri`` become ``s3://`` locations); the SAM transform is
run offline by aws-sam-translator, CloudFormation's own transform library;
the translated template is created as a stack in moto's CloudFormation.
"""

from __future__ import annotations

import ast
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ACCOUNT = "123456789012"  # moto's
REGION = "us-east-1"
ARTIFACTS_BUCKET = "shipyard-artifacts"


CODE_LOCATIONS = {"AWS::Serverless::Function": "CodeUri", "AWS::Serverless::LayerVersion": "ContentUri"}


def upload_artifacts(template: dict[str, Any], directory: Path, s3: Any,
                     bucket: str = ARTIFACTS_BUCKET) -> dict[str, Any]:
    """What ``aws cloudformation package --s3-bucket BUCKET`` does to the code archives the template names."""
    uploaded = json.loads(json.dumps(template))
    for resource in uploaded["Resources"].values():
        key = CODE_LOCATIONS.get(resource["Type"])
        location = resource["Properties"].get(key) if key else None
        if not isinstance(location, str) or location.startswith("s3://"):
            continue
        data = (directory / location).read_bytes()
        name = hashlib.md5(data).hexdigest()  # noqa: S324 - the CLI names artifacts by their MD5 too
        s3.put_object(Bucket=bucket, Key=name, Body=data)
        resource["Properties"][key] = f"s3://{bucket}/{name}"
    return uploaded


class _NoManagedPolicies:
    """The SAM translator asks IAM for managed policy ARNs only for a function's ``Policies``; ours have roles."""

    def load(self) -> dict[str, str]:
        return {}


def translate(template: dict[str, Any], parameters: dict[str, str]) -> dict[str, Any]:
    """The ``AWS::Serverless-2016-10-31`` transform, run offline as CloudFormation runs it."""
    from samtranslator.translator.transform import transform

    return transform(json.loads(json.dumps(template)), dict(parameters), _NoManagedPolicies())


# moto's CloudFormation creates a RestApi without importing its Body (so its Deployment fails: "no
# methods") and knows no Stage: the API's resources are checked by cfn-lint and the SAM translation.
NOT_IN_MOTO = ("AWS::ApiGateway::",)


def without_api_gateway(template: dict[str, Any]) -> dict[str, Any]:
    """The translated template less what moto cannot create: the REST API, its stage, domain, and permission."""
    dropped = {name for name, r in template["Resources"].items() if r["Type"].startswith(NOT_IN_MOTO)}
    dropped |= {name for name, r in template["Resources"].items() if r["Type"] == "AWS::Lambda::Permission"
                and r["Properties"]["Principal"] == "apigateway.amazonaws.com"}
    kept = {name: r for name, r in template["Resources"].items() if name not in dropped}
    outputs = {name: o for name, o in template.get("Outputs", {}).items()
               if not set(_references(o)) & dropped}
    return {**template, "Resources": kept, "Outputs": outputs}


def _references(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = []
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.append(value.split(".")[0])
            elif key == "Fn::GetAtt":
                found.append(value[0] if isinstance(value, list) else value.split(".")[0])
            elif key == "Fn::Sub":
                text = value if isinstance(value, str) else value[0]
                found += [v.split(".")[0] for v in _sub_variables(text)]
                if not isinstance(value, str):
                    found += _references(value[1])
            else:
                found += _references(value)
        return found
    if isinstance(node, list):
        return [r for item in node for r in _references(item)]
    return []


def _sub_variables(text: str) -> list[str]:
    import re

    return re.findall(r"\$\{([^!}][^}]*)\}", text)


def policy_document(stored: str | dict[str, Any]) -> dict[str, Any]:
    """A role's inline policy as moto returns it: moto keeps one made by CloudFormation as Python's text of it."""
    if isinstance(stored, dict):
        return stored
    try:
        return json.loads(stored)
    except json.JSONDecodeError:
        return ast.literal_eval(stored)


def create_stack(cfn: Any, name: str, template: dict[str, Any], parameters: dict[str, str]) -> dict[str, Any]:
    """The stack as CloudFormation would make it: what moto's skips (the bucket's notification, the queue
    policy) applied as the local stack applies it (``resources.wire_what_moto_skips``)."""
    from chalicelib.local import resources

    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template),
                     Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
                     Capabilities=["CAPABILITY_IAM"])
    resources.wire_what_moto_skips(name, template, parameters)
    return cfn.describe_stacks(StackName=name)["Stacks"][0]

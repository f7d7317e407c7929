"""Creating Shipyard's resources from ``infra/resources.json``.

The local stack and the tests deploy the very template that ``chalice package
--merge-template`` merges for AWS, into moto's CloudFormation: its
stand-alone part. Entries without a ``Type`` and the ``Globals`` section
complete what Chalice generates (functions, roles, the REST API) and mean
nothing without it, so they are left out here.
"""

from __future__ import annotations

import json
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
    body = json.dumps(standalone(template()))
    cfn.create_stack(StackName=prefix, TemplateBody=body, Parameters=parameters)
    status = cfn.describe_stacks(StackName=prefix)["Stacks"][0]["StackStatus"]
    if status != "CREATE_COMPLETE":
        raise RuntimeError(f"stack {prefix} ended {status}")
    return status

"""`chalice package --merge-template infra/resources.json` builds a deployable template."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def packaged(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("package")
    env = dict(os.environ, AWS_DEFAULT_REGION="us-east-1")
    env.pop("SHIPYARD_PREFIX", None)
    result = subprocess.run(
        [str(BIN / "chalice"), "package", "--stage", "dev", "--merge-template", "infra/resources.json", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    lint = subprocess.run([str(BIN / "cfn-lint"), str(out / "sam.json")], capture_output=True, text=True, timeout=300)
    return {"template": json.loads((out / "sam.json").read_text()), "lint": lint}


def test_packaged_template_passes_cfn_lint(packaged):
    lint = packaged["lint"]
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_packaged_template_holds_the_resources_of_infra(packaged):
    infra = json.loads((ROOT / "infra" / "resources.json").read_text())
    resources = packaged["template"]["Resources"]
    for name, resource in infra["Resources"].items():
        assert resources[name]["Type"] == resource.get("Type", resources[name]["Type"])


def test_queue_handlers_listen_to_queues_the_template_creates(packaged):
    template = packaged["template"]
    default_prefix = template["Parameters"]["ShipyardPrefix"]["Default"]
    queue_names = {
        r["Properties"]["QueueName"]["Fn::Sub"].replace("${ShipyardPrefix}", default_prefix)
        for r in template["Resources"].values() if r["Type"] == "AWS::SQS::Queue"
    }
    sources = [
        template["Resources"][event["Properties"]["Queue"]["Fn::Sub"][2:-len(".Arn}")]]["Properties"]["QueueName"]["Fn::Sub"]
        .replace("${ShipyardPrefix}", default_prefix)
        for r in template["Resources"].values() if r["Type"] == "AWS::Serverless::Function"
        for event in r["Properties"].get("Events", {}).values() if event["Type"] == "SQS"
    ]
    assert sources and set(sources) <= queue_names


def test_every_queue_has_a_dead_letter_queue(packaged):
    resources = packaged["template"]["Resources"]
    for name, r in resources.items():
        if r["Type"] == "AWS::SQS::Queue" and not name.endswith("DeadLetterQueue"):
            target = r["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
            assert resources[target]["Type"] == "AWS::SQS::Queue"

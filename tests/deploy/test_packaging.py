"""`make package`: a deployable template, and artifacts that hold exactly what the tests ran.

The artifact itself is run the way Lambda runs it in tests/deploy/test_lambda_artifact.py.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from deploy import package

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def lint(lambda_package) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "cfn-lint"), str(lambda_package.out / "sam.json")],
                          capture_output=True, text=True, timeout=300)


# --- the lock -------------------------------------------------------------------------------------


def test_the_lock_pins_every_declared_runtime_dependency_at_its_declared_version():
    """Given pyproject.toml's dependencies, when the lock was made (`make lock`), then it pins each as declared."""
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = package.locked_pins()
    for requirement in declared:
        name, version = re.fullmatch(r"([A-Za-z0-9._-]+)==(\S+)", requirement).groups()
        assert pins.get(package.normalise_name(name)) == version, f"{requirement} is not what requirements.txt locks"


def test_every_locked_package_has_hashes_and_an_exact_pin():
    entries = re.split(r"\n(?=[A-Za-z0-9])", (ROOT / "requirements.txt").read_text().split("\n", 2)[2].strip())
    assert len(entries) == len(package.locked_pins()) >= 15
    for entry in entries:
        assert re.match(r"[A-Za-z0-9._-]+==\S+ \\\n", entry), entry
        assert "--hash=sha256:" in entry, entry


def test_the_tests_run_the_locked_versions():
    """What the bundle holds is what this suite runs with: the venv has every locked pin, boto3 and botocore too."""
    for name, version in package.locked_pins().items():
        assert importlib.metadata.version(name) == version, name


def test_pip_refuses_a_package_with_no_wheel_for_the_runtime(tmp_path):
    """Given a lock naming numpy 1.26 (no cp313 wheel exists), the layer is not built without it.

    (pip stops at "no matching distribution", before any hash is compared.)
    """
    lock = tmp_path / "lock.txt"
    lock.write_text("numpy==1.26.4 \\\n    --hash=sha256:"
                    "2a02aba9ed12e4ac4eb3ea9421c420301a0c6460d9830d74a9df87efa4912010\n")
    with pytest.raises(package.PackageError, match="numpy"):
        package.install_locked(tmp_path / "site-packages", lock)


# --- the artifacts --------------------------------------------------------------------------------


def test_chalice_left_nothing_out(lambda_package):
    assert "Could not install" not in lambda_package.chalice_output


def test_every_function_runs_on_python_3_13_as_the_venv_does(lambda_package):
    functions = [r for r in lambda_package.template["Resources"].values() if r["Type"] == "AWS::Serverless::Function"]
    assert len(functions) == len(lambda_package.handlers) >= 10
    assert {f["Properties"]["Runtime"] for f in functions} == {f"python{sys.version_info[0]}.{sys.version_info[1]}"}
    assert {f["Properties"]["Runtime"] for f in functions} == {"python3.13"}


def test_every_function_has_the_layer_and_logs_json_lines_at_info(lambda_package):
    resources = lambda_package.template["Resources"]
    for name, r in resources.items():
        if r["Type"] == "AWS::Serverless::Function":
            assert r["Properties"]["Layers"] == [{"Ref": "ManagedLayer"}], name
            assert r["Properties"]["LoggingConfig"] == {"LogFormat": "JSON", "ApplicationLogLevel": "INFO",
                                                        "SystemLogLevel": "INFO"}, name
    assert resources["ManagedLayer"]["Type"] == "AWS::Serverless::LayerVersion"


def test_the_layer_holds_every_locked_package_at_its_locked_version(lambda_package):
    prefix = "python/lib/python3.13/site-packages/"
    with zipfile.ZipFile(lambda_package.out / package.LAYER_ZIP) as zipped:
        tops = {name.removeprefix(prefix).split("/", 1)[0] for name in zipped.namelist() if name.startswith(prefix)}
    held = {package.normalise_name(t.removesuffix(".dist-info").rsplit("-", 1)[0]): t.removesuffix(".dist-info").rsplit(
        "-", 1)[1] for t in tops if t.endswith(".dist-info")}
    # Besides the lock, Shipyard's own metadata, so /version reports pyproject's version on Lambda.
    project = tomllib.loads((package.ROOT / "pyproject.toml").read_text())["project"]
    assert held.pop(project["name"]) == project["version"]
    assert held == package.locked_pins()


def test_every_module_has_its_pyc_for_the_runtime(lambda_package):
    """Both zips carry a cpython-313 .pyc beside each .py: /var/task and /opt are read-only."""
    for zip_name in (package.FUNCTION_ZIP, package.LAYER_ZIP):
        with zipfile.ZipFile(lambda_package.out / zip_name) as zipped:
            names = set(zipped.namelist())
        sources = [n for n in names if n.endswith(".py")]
        assert sources
        missing = [s for s in sources if _pyc_of(s) not in names]
        assert missing == [], missing[:5]


def _pyc_of(source: str) -> str:
    folder, _, name = source.rpartition("/")
    return f"{folder}/__pycache__/{name[:-3]}.cpython-313.pyc".lstrip("/")


def test_the_function_holds_the_app_and_not_the_local_stand_in(lambda_package):
    with zipfile.ZipFile(lambda_package.out / package.FUNCTION_ZIP) as zipped:
        names = set(zipped.namelist())
    assert {"app.py", "chalice/app.py", "chalicelib/boot.py", "chalicelib/workers/metrics.py"} <= names
    assert not [n for n in names if n.startswith(("chalicelib/local/", "chalicelib/cli/"))]


def test_function_and_layer_unzip_within_lambdas_250_mb(lambda_package):
    assert lambda_package.unzipped_total <= 250 * 2**20
    assert lambda_package.sizes["layer"]["unzipped"] > 50 * 2**20  # numpy and scipy are in it


# --- the template ---------------------------------------------------------------------------------


def test_packaged_template_passes_cfn_lint(lint):
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_packaged_template_holds_the_resources_of_infra(lambda_package):
    infra = json.loads((ROOT / "infra" / "resources.json").read_text())
    resources = lambda_package.template["Resources"]
    for name, resource in infra["Resources"].items():
        assert resources[name]["Type"] == resource.get("Type", resources[name]["Type"])


def test_queue_handlers_listen_to_queues_the_template_creates(lambda_package):
    template = lambda_package.template
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


def test_every_queue_has_a_dead_letter_queue(lambda_package):
    resources = lambda_package.template["Resources"]
    for name, r in resources.items():
        if r["Type"] == "AWS::SQS::Queue" and not name.endswith("DeadLetterQueue"):
            target = r["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
            assert resources[target]["Type"] == "AWS::SQS::Queue"


def test_a_path_taking_every_method_alike_is_declared_once_as_any():
    """Chalice writes each of a route's methods in full; the catch-all and KernelCI routes take all seven, and
    written out they put the template over CloudFormation's 1 MB. API Gateway's ANY method stands for them."""
    op = {"x-amazon-apigateway-integration": {"type": "aws_proxy", "uri": "u"}}
    every = {m: dict(op) for m in ("get", "post", "put", "delete", "patch", "head", "options")}
    template = {"Resources": {"RestAPI": {"Type": "AWS::Serverless::Api", "Properties": {"DefinitionBody": {
        "paths": {"/all": dict(every), "/some": {"get": dict(op), "post": dict(op)},
                  "/differs": {**every, "get": {"x-amazon-apigateway-integration": {"type": "mock"}}}}}}}}}
    assert package._collapse_any_methods(template) == 1
    paths = template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]["paths"]
    assert paths["/all"] == {package.ANY_METHOD: op}
    assert set(paths["/some"]) == {"get", "post"} and len(paths["/differs"]) == 7

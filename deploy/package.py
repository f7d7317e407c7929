"""`make package`: the deployment artifacts, built so that they run on Lambda as they ran in the tests.

``chalice package`` alone resolves requirements.txt with pip's own choices and, when a
dependency has no wheel for the runtime, prints "Could not install dependencies" and
still exits 0 with a package that cannot import ``app``. Here Chalice builds only the
template and the function's code; the layer's contents are installed by pip from the
hashed lock (requirements.txt) with Lambda's platform tags, so a wheel that does not
exist for the runtime fails the build, and the layer holds exactly the versions the
tests ran with. Then every ``.py`` of both zips is compiled for the runtime
(``/var/task`` and ``/opt`` are read-only: without ``.pyc`` every cold start compiles
the whole import graph again) and the artifact is checked against the lock and against
Lambda's size limit.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.txt"
MERGE_TEMPLATE = ROOT / "infra" / "resources.json"

RUNTIME = "python3.13"
RUNTIME_VERSION = (3, 13)
# Amazon Linux 2023 (the python3.12+ runtimes) has glibc 2.34; a manylinux wheel for any glibc
# up to that one runs there. pip takes --platform literally, so every tag is named.
GLIBC_MINORS = range(17, 35)
MACHINE = "x86_64"
# Lambda's limit: function and all its layers, unzipped (262,144,000 bytes).
UNZIPPED_LIMIT = 250 * 2**20
FUNCTION_ZIP = "deployment.zip"
LAYER_ZIP = "layer-deployment.zip"

# Test suites of the bundled libraries: never imported by Shipyard, 40+ MB of numpy's and scipy's.
TEST_DIRS = ("tests",)
# Local-only parts of chalicelib: the moto-backed stand-in and the developer CLI.
APP_EXCLUDED = ("chalicelib/local", "chalicelib/cli")

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)


class PackageError(RuntimeError):
    """The artifact would not run on Lambda as it ran in the tests."""


@dataclass
class Artifact:
    out: Path
    runtime: str
    sizes: dict[str, dict[str, int]] = field(default_factory=dict)
    handlers: list[str] = field(default_factory=list)
    chalice_output: str = ""

    @property
    def unzipped_total(self) -> int:
        return sum(s["unzipped"] for s in self.sizes.values())


def locked_pins(lock: Path = LOCK) -> dict[str, str]:
    """The lock's ``name==version`` pins, names normalised as pip normalises them."""
    return {normalise_name(name): version for name, version in _PIN.findall(lock.read_text())}


def normalise_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pip_platform_args() -> list[str]:
    """pip's flags for wheels that run on the Lambda runtime rather than on this machine."""
    args = ["--only-binary=:all:", "--implementation", "cp", "--abi", "cp313", "--python-version", "3.13"]
    for minor in GLIBC_MINORS:
        args += ["--platform", f"manylinux_2_{minor}_{MACHINE}"]
    return args + ["--platform", f"manylinux2014_{MACHINE}"]


def install_locked(target: Path, lock: Path = LOCK, only: set[str] | None = None) -> None:
    """Install the lock's wheels for the runtime into ``target``, every file checked against its hash.

    ``only`` limits it to some of the locked packages (their pins and hashes still from the lock).
    """
    requirements = lock
    if only is not None:
        requirements = target.parent / f"{target.name}-requirements.txt"
        requirements.write_text(_lock_subset(lock.read_text(), {normalise_name(n) for n in only}))
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
               "--target", str(target), "--no-deps", "--require-hashes", "--no-compile",
               *pip_platform_args(), "-r", str(requirements)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900)  # noqa: S603 - our argv, no shell
    if result.returncode != 0:
        raise PackageError(f"pip could not install the lock for {RUNTIME}:\n{_pip_errors(result.stderr)}")


def _pip_errors(stderr: str) -> str:
    # This machine's pip configuration names local indexes that may be absent: not the error.
    return "\n".join(line for line in stderr.splitlines() if "is ignored: it is neither a file" not in line)


def _lock_subset(text: str, names: set[str]) -> str:
    """The lock's entries (pin and its ``--hash`` lines) for ``names``."""
    kept, keep = [], False
    for line in text.splitlines():
        match = _PIN.match(line)
        if match:
            keep = normalise_name(match.group(1)) in names
        elif line and not line[0].isspace():
            keep = False
        if keep and not line.lstrip().startswith("#"):
            kept.append(line)
    return "\n".join(kept) + "\n"


def _stage_project(stage: Path) -> None:
    """The app as Chalice sees it, without local-only code; its dependencies come as vendor/."""
    shutil.copy2(ROOT / "app.py", stage / "app.py")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "chalicelib", stage / "chalicelib", ignore=ignore)
    for excluded in APP_EXCLUDED:
        shutil.rmtree(stage / excluded)
    (stage / ".chalice").mkdir()
    for config in (ROOT / ".chalice").glob("*.json"):
        shutil.copy2(config, stage / ".chalice" / config.name)
    # Chalice resolves nothing itself: an empty requirements file, the layer from vendor/.
    (stage / "requirements.txt").write_text("")


def _write_metadata(site_packages: Path) -> str:
    """Shipyard's own package metadata beside its dependencies, as pip would install it.

    ``/version`` (KernelCI) reports ``importlib.metadata.version("shipyard")``;
    the bundle holds the app's sources, not an installed package, so the
    metadata is written from pyproject.toml here. Returns the version.
    """
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    info = site_packages / f"{project['name']}-{project['version']}.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {project['name']}\n"
                                   f"Version: {project['version']}\n")
    return str(project["version"])


def _trim(site_packages: Path) -> None:
    for tests in sorted(p for name in TEST_DIRS for p in site_packages.glob(f"*/**/{name}") if p.is_dir()):
        if tests.exists():
            shutil.rmtree(tests)


def _run_chalice(stage: Path, out: Path) -> str:
    env = dict(os.environ, AWS_DEFAULT_REGION=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))
    env.pop("SHIPYARD_PREFIX", None)
    chalice = Path(sys.executable).parent / "chalice"
    result = subprocess.run(  # noqa: S603 - our argv, no shell
        [str(chalice), "package", "--stage", "dev", "--merge-template", str(MERGE_TEMPLATE), str(out)],
        cwd=stage, env=env, capture_output=True, text=True, timeout=900,
    )
    output = result.stdout + result.stderr
    if result.returncode != 0:
        raise PackageError(f"chalice package failed:\n{output}")
    if "Could not install" in output:
        raise PackageError(f"chalice left dependencies out:\n{output}")
    return output


def _compile_zip(path: Path) -> None:
    """Rewrite a zip with ``.pyc`` beside every module, valid without looking at the source.

    ``unchecked-hash`` pycs are used as they are: the code is read-only on Lambda, and a
    timestamp check would depend on the mtimes the zip extraction leaves.
    """
    with tempfile.TemporaryDirectory(prefix="shipyard-pyc-") as scratch:
        tree = Path(scratch)
        with zipfile.ZipFile(path) as zipped:
            zipped.extractall(tree)
        ok = compileall.compile_dir(
            tree, quiet=2, workers=0, ddir=None,
            invalidation_mode=compileall.py_compile.PycInvalidationMode.UNCHECKED_HASH,
        )
        if not ok:
            raise PackageError(f"some modules of {path.name} do not compile for {RUNTIME}")
        rebuilt = path.with_suffix(".tmp")
        with zipfile.ZipFile(rebuilt, "w", zipfile.ZIP_DEFLATED) as zipped:
            for file in sorted(p for p in tree.rglob("*") if p.is_file()):
                info = zipfile.ZipInfo(file.relative_to(tree).as_posix(), date_time=(2020, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = (0o100755 if os.access(file, os.X_OK) else 0o100644) << 16
                zipped.writestr(info, file.read_bytes())
        rebuilt.replace(path)


def _check_layer_holds_the_lock(layer_zip: Path, pins: dict[str, str]) -> None:
    prefix = f"python/lib/{RUNTIME}/site-packages/"
    with zipfile.ZipFile(layer_zip) as zipped:
        found = {}
        for name in zipped.namelist():
            top = name.removeprefix(prefix).split("/", 1)[0]
            if name.startswith(prefix) and top.endswith(".dist-info"):
                dist, version = top.removesuffix(".dist-info").rsplit("-", 1)
                found[normalise_name(dist)] = version
    missing = {n: v for n, v in pins.items() if found.get(n) != v}
    if missing:
        raise PackageError(f"the layer lacks locked packages: {missing} (it holds {found})")


# Lambda's own logging, as chalicelib/boot.py expects it: the runtime writes every record as a
# JSON line with the request id, and keeps INFO (it drops lines below ApplicationLogLevel).
# Chalice's config has no key for it, so it is set on each function of the template.
LOGGING_CONFIG = {"LogFormat": "JSON", "ApplicationLogLevel": "INFO", "SystemLogLevel": "INFO"}


# What API Gateway's ANY method stands for (its swagger extension), and Chalice writes one by one.
ANY_METHOD = "x-amazon-apigateway-any-method"
EVERY_METHOD = frozenset({"get", "post", "put", "delete", "patch", "head", "options"})


def _collapse_any_methods(template: dict) -> int:
    """A path whose seven methods all reach the Lambda alike is declared once, as ANY; returns how many.

    Chalice writes each method of a route out in full; the routes that take
    every method (KernelCI's resources, every family's 404 catch-alls,
    chalicelib/api/unknown_paths.py) would put the template over
    CloudFormation's 1 MB. API Gateway hands the request's own method to the
    Lambda either way, and Chalice dispatches on it.
    """
    collapsed = 0
    for resource in template["Resources"].values():
        body = resource.get("Properties", {}).get("DefinitionBody")
        if not isinstance(body, dict):
            continue
        for path, item in body.get("paths", {}).items():
            methods = {k for k in item if k in EVERY_METHOD}
            if methods != EVERY_METHOD:
                continue
            operations = [item[m] for m in sorted(methods)]
            if any(op != operations[0] for op in operations[1:]):
                continue
            body["paths"][path] = {**{k: v for k, v in item.items() if k not in EVERY_METHOD},
                                   ANY_METHOD: operations[0]}
            collapsed += 1
    return collapsed


def _set_logging(sam_json: Path) -> None:
    template = json.loads(sam_json.read_text())
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["LoggingConfig"] = dict(LOGGING_CONFIG)
    _collapse_any_methods(template)
    sam_json.write_text(json.dumps(template, indent=1) + "\n")


def _check_template(template: dict) -> list[str]:
    handlers = []
    for name, resource in template["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        runtime = resource["Properties"].get("Runtime")
        if runtime != RUNTIME:
            raise PackageError(f"{name} runs on {runtime}, not {RUNTIME}")
        handlers.append(resource["Properties"]["Handler"])
    return sorted(handlers)


def zip_sizes(path: Path) -> dict[str, int]:
    with zipfile.ZipFile(path) as zipped:
        return {"zipped": path.stat().st_size, "unzipped": sum(i.file_size for i in zipped.infolist())}


def build(out: Path, lock: Path = LOCK) -> Artifact:
    """Build ``sam.json``, the function zip and its layer zip into ``out``."""
    if sys.version_info[:2] != RUNTIME_VERSION:
        raise PackageError(f"run with Python {'.'.join(map(str, RUNTIME_VERSION))}: Chalice takes the Lambda "
                           f"runtime from the interpreter it runs on (this is {sys.version.split()[0]})")
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    for stale in (FUNCTION_ZIP, LAYER_ZIP, "sam.json"):
        (out / stale).unlink(missing_ok=True)
    pins = locked_pins(lock)
    with tempfile.TemporaryDirectory(prefix="shipyard-package-") as scratch:
        stage = Path(scratch) / "project"
        stage.mkdir()
        _stage_project(stage)
        install_locked(stage / "vendor", lock)
        _trim(stage / "vendor")
        _write_metadata(stage / "vendor")
        output = _run_chalice(stage, out)
    _set_logging(out / "sam.json")
    for zipped in (FUNCTION_ZIP, LAYER_ZIP):
        if not (out / zipped).exists():
            raise PackageError(f"chalice package wrote no {zipped}:\n{output}")
        _compile_zip(out / zipped)
    _check_layer_holds_the_lock(out / LAYER_ZIP, pins)
    artifact = Artifact(out=out, runtime=RUNTIME, chalice_output=output)
    artifact.handlers = _check_template(json.loads((out / "sam.json").read_text()))
    artifact.sizes = {"function": zip_sizes(out / FUNCTION_ZIP), "layer": zip_sizes(out / LAYER_ZIP)}
    if artifact.unzipped_total > UNZIPPED_LIMIT:
        raise PackageError(f"function and layer unzip to {_mb(artifact.unzipped_total)}, over Lambda's "
                           f"{_mb(UNZIPPED_LIMIT)}")
    return artifact


def _mb(size: int) -> str:
    """In Lambda's unit: its "250 MB" is 250 MiB."""
    return f"{size / 2**20:.1f} MB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="where sam.json and the zips go")
    args = parser.parse_args(argv)
    try:
        artifact = build(args.out)
    except PackageError as err:
        print(f"make package: {err}", file=sys.stderr)
        return 1
    print(f"{artifact.out}: {len(artifact.handlers)} functions on {artifact.runtime}")
    for part, size in artifact.sizes.items():
        print(f"  {part:<8} {_mb(size['zipped']):>9} zipped  {_mb(size['unzipped']):>9} unzipped")
    print(f"  unzipped total {_mb(artifact.unzipped_total)} of Lambda's {_mb(UNZIPPED_LIMIT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

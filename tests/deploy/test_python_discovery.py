"""`make` finds Python 3.13 on a fresh machine (deploy/python313.sh), or says what to install."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy" / "python313.sh"
REAL_313 = getattr(sys, "_base_executable", None) or sys.executable


def _tools(tmp_path: Path) -> str:
    """A PATH with only what the script runs besides Python (so no python3.13 of this machine)."""
    folder = tmp_path / "tools"
    if not folder.exists():
        folder.mkdir()
        for tool in ("ls", "sort", "cat"):
            found = shutil.which(tool)
            assert found, tool
            (folder / tool).symlink_to(found)
    return str(folder)


def _find(path: str, home: Path) -> subprocess.CompletedProcess:
    env = {"PATH": path.replace("TOOLS", _tools(home)), "HOME": str(home)}
    return subprocess.run(["/bin/sh", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=30)


def _bin_with(tmp_path: Path, name: str, target: str) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    (folder / name).symlink_to(target)
    return folder


def test_python3_13_on_path_is_taken_first(tmp_path):
    folder = _bin_with(tmp_path, "python3.13", REAL_313)
    found = _find(f"{folder}:TOOLS", tmp_path)
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == "python3.13"


def test_a_pyenv_3_13_is_found_when_python3_13_is_not_on_path(tmp_path):
    """Given only pyenv's versions folder (its shim answers nothing without PYENV_VERSION), the newest 3.13.x."""
    for version in ("3.13.1", "3.13.10", "3.12.7"):
        (tmp_path / ".pyenv" / "versions" / version / "bin").mkdir(parents=True)
    newest = tmp_path / ".pyenv" / "versions" / "3.13.10" / "bin" / "python3.13"
    newest.symlink_to(REAL_313)
    (tmp_path / ".pyenv" / "versions" / "3.13.1" / "bin" / "python3.13").symlink_to(REAL_313)
    found = _find("TOOLS", tmp_path)
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == str(newest)


def test_a_python3_13_command_that_is_not_3_13_is_not_taken(tmp_path):
    """Like pyenv's shim without PYENV_VERSION: a python3.13 on PATH that runs no Python 3.13."""
    folder = _bin_with(tmp_path, "python3.13", shutil.which("true"))
    found = _find(f"{folder}:TOOLS", tmp_path)
    assert found.returncode == 1


def test_without_python_3_13_it_says_what_to_install(tmp_path):
    found = _find("TOOLS", tmp_path)
    assert found.returncode == 1
    assert found.stdout == ""
    assert "Shipyard needs Python 3.13" in found.stderr
    assert "pyenv install 3.13" in found.stderr
    assert "make PYTHON=" in found.stderr

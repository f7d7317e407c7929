"""The tests' own map: ``tests/`` mirrors the code, and a test gets AWS only by asking for it.

Files are parsed, nothing is imported or run. The folders are listed in
docs/testing.md ("Where the tests are").
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
# A shared fixture file: the root's and each folder's conftest, and the plugins the root registers.
SHARED_FIXTURE_FILES = sorted([*TESTS.rglob("conftest.py"), *(TESTS / "support" / "plugins").glob("*.py")])


def _folders() -> list[Path]:
    return sorted(p for p in TESTS.rglob("*") if p.is_dir() and p.name != "__pycache__"
                  and "fixtures" not in p.relative_to(TESTS).parts)


def _autouse_fixtures(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for decorator in node.decorator_list:
            if isinstance(decorator, ast.Call) and any(
                    k.arg == "autouse" and not (isinstance(k.value, ast.Constant) and k.value.value is False)
                    for k in decorator.keywords):
                found.append(f"{path.relative_to(TESTS.parent)}::{node.name}")
    return found


def test_no_test_file_is_left_in_the_flat_root():
    """Given the tests folder, then its root holds only the package marker and the root conftest:
    a test lives in the folder of the code it covers, a helper in tests/support/."""
    loose = sorted(p.name for p in TESTS.glob("*.py") if p.name not in ("__init__.py", "conftest.py"))
    assert loose == [], f"move these into tests/<family>/, tests/<layer>/ or tests/support/: {loose}"


def test_every_test_folder_is_a_package():
    """Given any folder under tests/ (recorded data aside), then it has an ``__init__.py``:
    the suite imports ``tests.support.x`` and two folders may hold files of the same name."""
    missing = [str(p.relative_to(TESTS.parent)) for p in _folders() if not (p / "__init__.py").exists()]
    assert missing == []


def test_support_holds_helpers_not_tests():
    """Given tests/support/, then no file in it is collected as tests."""
    assert sorted((TESTS / "support").rglob("test_*.py")) == []


def test_no_shared_fixture_is_autouse():
    """Given every conftest and shared plugin, when their fixtures are read, then none is autouse.

    An autouse fixture there would apply to every test below it, pure-domain
    tests included; the embedded AWS (``aws`` and what builds on it) starts
    only for a test that names it.
    """
    assert SHARED_FIXTURE_FILES, "the shared fixture files moved: update this test"
    assert [name for path in SHARED_FIXTURE_FILES for name in _autouse_fixtures(path)] == []

"""The manual's own map: README.md and docs/*.md point at things that exist.

Files are read, nothing is imported or run, so the checks cost milliseconds.
They hold what a reader follows without thinking: a relative link opens a
page and lands on its heading, a ``python -m benchmarks.X --option`` the
manual shows is a module that parses that option, and nothing in the
repository names a path of the machine it was written on.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"```.*?```", re.S)
LINK = re.compile(r"\]\(([^)\s]+)\)")
BENCHMARK = re.compile(r"python -m benchmarks\.(\w+)([^\n#`|]*)")


def _anchors(page: Path) -> set[str]:
    """GitHub's heading ids: lower case, punctuation but ``-``/``_`` dropped, spaces as hyphens, repeats numbered."""
    seen: dict[str, int] = {}
    found = set()
    for line in FENCE.sub("", page.read_text()).splitlines():
        heading = re.match(r"#{1,6}\s+(.*)", line)
        if heading:
            slug = re.sub(r"[^\w\- ]", "", heading.group(1).strip().lower()).replace(" ", "-")
            count = seen.get(slug, 0)
            seen[slug] = count + 1
            found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def _broken_links(page: Path) -> list[str]:
    broken = []
    for target in LINK.findall(FENCE.sub("", page.read_text())):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):
            continue  # a URL: not ours to resolve offline
        path, _, anchor = target.partition("#")
        destination = (page.parent / path).resolve() if path else page
        if not destination.exists():
            broken.append(f"{page.relative_to(ROOT)}: {target} (no such file)")
        elif anchor and destination.suffix == ".md" and anchor not in _anchors(destination):
            broken.append(f"{page.relative_to(ROOT)}: {target} (no such heading)")
    return broken


def _options_parsed_by(module: Path) -> set[str] | None:
    """The ``--options`` a benchmark's argparse declares; None when it builds no ArgumentParser."""
    tree = ast.parse(module.read_text())
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)]
    if not any(call.func.attr == "ArgumentParser" for call in calls):
        return None
    return {arg.value for call in calls if call.func.attr == "add_argument"
            for arg in call.args if isinstance(arg, ast.Constant) and str(arg.value).startswith("--")}


def test_the_heading_ids_follow_githubs_rule():
    """Given headings with code, punctuation and a repeat, then their ids are the ones GitHub makes."""
    page = ROOT / "docs" / "architecture.md"
    assert {"layers", "one-request-traced-a-talos-upload", "unknown-paths"} <= _anchors(page)


def test_every_relative_link_of_the_manual_opens_a_page_and_its_heading():
    """Given README.md and every docs/ page, when each relative link is followed, then its file exists
    and its #anchor is one of that page's headings."""
    assert [broken for page in PAGES for broken in _broken_links(page)] == []


def test_every_benchmark_command_the_manual_shows_exists_with_its_options():
    """Given each ``python -m benchmarks.X ...`` in the manual, then benchmarks/X.py exists, parses its
    arguments (so ``--help`` answers instead of running the benchmark) and declares each --option shown."""
    problems = []
    commands = [(page, m.group(1), m.group(2)) for page in PAGES for m in BENCHMARK.finditer(page.read_text())]
    assert len(commands) >= 20, "the manual's benchmark commands moved: update this test"
    for page, name, rest in commands:
        module = ROOT / "benchmarks" / f"{name}.py"
        if not module.exists():
            problems.append(f"{page.name}: benchmarks.{name} does not exist")
            continue
        options = _options_parsed_by(module)
        if options is None:
            problems.append(f"{page.name}: benchmarks.{name} parses no arguments")
            continue
        problems += [f"{page.name}: benchmarks.{name} has no {option}"
                     for option in re.findall(r"(?<![\w-])--[a-z][\w-]*", rest) if option not in options]
    assert problems == []


def test_nothing_in_the_repository_names_a_path_of_the_machine_it_was_written_on():
    """Given the manual, the code, the tests, the benchmarks, the template, the Makefile and CI, then none
    names the development machine's work tree or the shared folder beside the repository."""
    machine_paths = ("/" + "work/", ".." + "/shared")  # spelled apart, so that this file does not match itself
    files = [*PAGES, ROOT / "Makefile", *(ROOT / ".ci").glob("*")]
    for folder in ("chalicelib", "tests", "benchmarks", "infra", "deploy"):
        files += [p for p in (ROOT / folder).rglob("*") if p.is_file() and p.suffix in (".py", ".json", ".md", ".sh",
                                                                                        ".txt", ".yml", ".toml")]
    named = [f"{p.relative_to(ROOT)}: {needle}" for p in files for needle in machine_paths
             if needle in p.read_text(errors="replace")]
    assert named == []

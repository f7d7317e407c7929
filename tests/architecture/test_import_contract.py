"""The import contract: the layers the architecture page draws are the layers the code has.

Every module under ``chalicelib/`` and ``app.py`` is parsed (no import runs),
and every ``import`` is read, also those inside functions: a function-level
import is an edge like any other, it only hides better. Modules group into
*units* (a top-level package or module of ``chalicelib``; under ``api`` each
subpackage or module is its own unit, so the families' API packages are
checked against each other), and units into layers, bottom to top:

0. **foundation** - ``config``, ``safe_json``, ``observability``, ``boot`` (the
   once-per-process setup both ``app.py`` and the workers package run; it reads
   the configuration and nothing else of ours);
1. **domain** - ``perf``, ``datazilla``, ``treeherder``, ``pushlog``, ``kernelci``,
   ``balrog``, ``selfserve`` and ``root_paths`` (the families' first path
   segments: pure, and it needs KernelCI's reserved names). Pure: no store, no
   AWS SDK, no Chalice, no HTTP client. A domain package may use another's
   types as long as no two depend on each other;
2. **adapters** - ``store`` (alone talks to AWS) and ``upstream`` (alone talks
   to the origin systems over HTTP, such as hg.mozilla.org's json-pushes: it is
   I/O like the store, so it can be neither domain nor a use case). They may
   import domain types and the foundation, nothing above;
3. **use cases** - ``services`` (one module per use case: domain + adapters)
   and ``auth`` (request signatures, tokens and sessions checked against the store);
4. **translation** - ``api.*``, ``workers``, ``web``: HTTP requests and queue
   messages in, services called, answers out;
5. **entry points** - ``app.py``, ``local`` (the stand-in for AWS), ``cli``.

An import from a lower layer to a higher one fails the test, naming the
module, line and target; so does any cycle between two units, whatever their
layers (a cycle makes the order in which modules load matter, and hides
which of the two is the lower one). :data:`TEMPORARY_EDGES` names the edges
of cycles that are known and owned by work in flight; they are left out of
the cycle search, and the test fails once one of them no longer closes a
cycle, so its entry goes too.

Run ``python -m tests.architecture.test_import_contract`` for the graph
itself: units, edges between them, upward edges and cycles.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

LAYERS: dict[str, int] = {
    "chalicelib": 0,  # the root package: a docstring
    "config": 0, "safe_json": 0, "observability": 0, "boot": 0,
    "perf": 1, "datazilla": 1, "treeherder": 1, "pushlog": 1, "kernelci": 1, "balrog": 1, "selfserve": 1,
    "root_paths": 1,
    "store": 2, "upstream": 2,
    "services": 3, "auth": 3,
    "api": 4, "workers": 4, "web": 4,
    "app": 5, "local": 5, "cli": 5,
}
LAYER_NAMES = ("foundation", "domain", "adapters", "use cases", "translation", "entry points")

# Third-party and standard-library modules that only some layers may import.
AWS_SDKS = ("boto3", "botocore", "pynamodb", "aws_xray_sdk", "moto")
HTTP_CLIENTS = ("urllib.request", "http.client", "requests", "urllib3", "socket")
FORBIDDEN: dict[str, tuple[str, ...]] = {
    # Domain code is pure: it can be tested and benchmarked without AWS, a server or a network.
    "domain": AWS_SDKS + HTTP_CLIENTS + ("chalice",),
    # Only the store talks to AWS and only upstream to other hosts; HTTP shapes belong to api/ and workers/.
    "services": AWS_SDKS + HTTP_CLIENTS + ("chalice",),
    "auth": AWS_SDKS + HTTP_CLIENTS + ("chalice",),
    "workers": AWS_SDKS + HTTP_CLIENTS,
    "web": AWS_SDKS + HTTP_CLIENTS,
    "api": AWS_SDKS + HTTP_CLIENTS,
}

# Edges that close a cycle, known and owned by work in flight. Empty is the goal.
TEMPORARY_EDGES: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    line: int
    target: str  # the imported module (``pkg.mod`` for ``from pkg import mod``)

    def __str__(self) -> str:
        return f"{self.module}:{self.line} imports {self.target}"


def module_files(root: Path = ROOT) -> dict[str, Path]:
    files = sorted((root / "chalicelib").rglob("*.py")) + [root / "app.py"]
    named = {}
    for path in files:
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        named[".".join(parts)] = path
    return named


def imports_of(name: str, source: str, known: set[str], is_package: bool = False) -> list[Import]:
    """Every import in the module's source, at any depth, relative ones resolved."""
    found = []
    package = name.split(".") if is_package else name.split(".")[:-1]
    for node in ast.walk(ast.parse(source, name)):
        if isinstance(node, ast.Import):
            found += [Import(name, node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                found.append(Import(name, node.lineno, submodule if submodule in known else source))
    return list(dict.fromkeys(found))  # ``from m import a, b`` is one edge


def unit_of(module: str) -> str | None:
    """The unit a module of ours belongs to (None for a module that is not ours)."""
    parts = module.split(".")
    if parts == ["app"]:
        return "app"
    if parts[0] != "chalicelib":
        return None
    if len(parts) == 1:
        return "chalicelib"
    if parts[1] == "api" and len(parts) > 2:
        return f"api.{parts[2]}"
    return parts[1]


def layer_of(unit: str) -> int:
    top = unit.split(".")[0]
    if top not in LAYERS:
        raise AssertionError(f"{unit} is in no layer: add it to LAYERS (and to docs/architecture.md)")
    return LAYERS[top]


@cache
def all_imports(root: Path = ROOT) -> list[Import]:
    """Every import of the app, parsed once per test session (the tests only read it)."""
    files = module_files(root)
    known = set(files)
    return [imp for name, path in files.items()
            for imp in imports_of(name, path.read_text(), known, is_package=path.name == "__init__.py")]


def unit_edges(imports: list[Import]) -> dict[tuple[str, str], list[Import]]:
    edges: dict[tuple[str, str], list[Import]] = defaultdict(list)
    for imp in imports:
        source, target = unit_of(imp.module), unit_of(imp.target)
        if source and target and source != target:
            edges[(source, target)].append(imp)
    return dict(edges)


def cycles(edges: dict[tuple[str, str], list[Import]]) -> list[list[str]]:
    """The strongly connected components of more than one unit (Tarjan), each sorted."""
    graph: dict[str, set[str]] = defaultdict(set)
    for source, target in edges:
        graph[source].add(target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def upward(edges: dict[tuple[str, str], list[Import]]) -> list[Import]:
    return [imp for (source, target), found in sorted(edges.items()) if layer_of(source) < layer_of(target)
            for imp in found]


def forbidden_libraries(imports: list[Import]) -> list[Import]:
    bad = []
    for imp in imports:
        unit = unit_of(imp.module)
        if unit is None:
            continue
        layer = LAYER_NAMES[layer_of(unit)]
        rules = FORBIDDEN.get(unit.split(".")[0]) or (FORBIDDEN["domain"] if layer == "domain" else ())
        if any(imp.target == lib or imp.target.startswith(lib + ".") for lib in rules):
            bad.append(imp)
    return bad


def _edges_within(component: list[str], edges: dict[tuple[str, str], list[Import]]) -> list[str]:
    members = set(component)
    return [f"  {source} -> {target}: {found[0]}" for (source, target), found in sorted(edges.items())
            if source in members and target in members]


# --- the contract -------------------------------------------------------------------------------------------


def test_every_unit_has_a_layer():
    """Given every module of the app, when each is placed, then none is outside the layer list."""
    for name in module_files():
        unit = unit_of(name)
        assert unit is not None, name
        layer_of(unit)


def test_no_import_goes_up_a_layer():
    """Given the import graph, when an import's target sits in a higher layer, then it is named here."""
    found = upward(unit_edges(all_imports()))
    assert not found, "imports from a lower layer to a higher one:\n" + "\n".join(f"  {imp}" for imp in found)


def test_no_cycle_between_units():
    """Given the import graph, when two units reach each other, then the cycle and its imports are named."""
    edges = {pair: found for pair, found in unit_edges(all_imports()).items() if pair not in TEMPORARY_EDGES}
    found = cycles(edges)
    report = [f"cycle {' <-> '.join(c)}:\n" + "\n".join(_edges_within(c, edges)) for c in found]
    assert not found, "import cycles between units:\n" + "\n".join(report)


def test_temporary_edges_still_close_a_cycle():
    """An exception outlives its cycle only by mistake: once the import is gone, or no longer closes a cycle
    (its target does not reach back to its source), its entry must go too."""
    edges = unit_edges(all_imports())
    closing = {pair for c in cycles(edges) for pair in edges if pair[0] in c and pair[1] in c}
    stale = [pair for pair in TEMPORARY_EDGES if pair not in closing]
    assert not stale, f"TEMPORARY_EDGES lists edges that close no cycle: {stale}"


def test_libraries_stay_in_their_layer():
    """Given the imports of AWS SDKs, HTTP clients and Chalice, then each is in a layer allowed to use it."""
    found = forbidden_libraries(all_imports())
    assert not found, "libraries imported outside their layer:\n" + "\n".join(f"  {imp}" for imp in found)


def test_the_reader_sees_function_level_imports():
    """The contract is only as good as its parser: an import inside a function body is an edge too."""
    source = "def f():\n    from chalicelib.store import jobs\n    return jobs\n"
    found = imports_of("chalicelib.treeherder.probe", source, {"chalicelib.store.jobs"})
    assert [(i.line, i.target) for i in found] == [(2, "chalicelib.store.jobs")]
    assert upward(unit_edges(found)) == found


def test_the_checks_catch_a_cycle_and_a_library_out_of_its_layer():
    """Given a domain module importing boto3 and two units importing each other, then both are found."""
    probe = imports_of("chalicelib.perf.probe", "import boto3\nfrom chalicelib.datazilla import blob\n",
                       {"chalicelib.datazilla.blob"})
    back = imports_of("chalicelib.datazilla.probe", "from chalicelib.perf import probe\n", {"chalicelib.perf.probe"})
    assert [i.target for i in forbidden_libraries(probe)] == ["boto3"]
    assert cycles(unit_edges(probe + back)) == [["datazilla", "perf"]]


def main() -> None:
    """Print the graph: edges between units with counts, upward edges, cycles, forbidden libraries."""
    imports = all_imports()
    edges = unit_edges(imports)
    units = sorted({u for pair in edges for u in pair})
    print(f"{len(imports)} imports, {len(units)} units, {len(edges)} edges between units")
    for (source, target), found in sorted(edges.items()):
        arrow = "UP " if layer_of(source) < layer_of(target) else "   "
        print(f"{arrow}{source} -> {target} ({len(found)})")
    found_cycles = cycles(edges)
    print(f"\n{len(found_cycles)} cycles")
    for c in found_cycles:
        print(" <-> ".join(c))
        print("\n".join(_edges_within(c, edges)))
    up = upward(edges)
    print(f"\n{len(up)} upward imports in {len({(unit_of(i.module), unit_of(i.target)) for i in up})} unit edges")
    for imp in up:
        print(f"  {imp}")
    libs = forbidden_libraries(imports)
    print(f"\n{len(libs)} library imports outside their layer")
    for imp in libs:
        print(f"  {imp}")


if __name__ == "__main__":
    sys.exit(main())

"""The house by stage: wings import only the wings below them, and every path the docs name exists.

The order is by what a wing needs, not by when its stage runs: ``tasks/read`` is pure (PDF to
text to facts) and needs no other stage; ``tasks/fetch`` holds the one HTTP client policy, the
raw archive and the download stage; ``tasks/discover`` sits above both because its sources hand
requests to the fetcher and the drop folder reads a dropped PDF's masthead to learn its symbol.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("reportwatch", "warehouse", "tasks", "flows", "deployments")

# lowest first: a module may import its own wing and the wings listed before it, never after
WINGS: list[tuple[str, ...]] = [
    ("reportwatch",),  # settings, errors, data contracts, series loading
    ("warehouse",),  # the only room that imports duckdb
    ("tasks.retry", "tasks.runlog"),  # shared by every stage
    ("tasks.read",),
    ("tasks.fetch",),
    ("tasks.discover",),
    ("tasks.load",),
    ("tasks.alerts",),
    ("tasks.outputs",),
    ("tasks.reprocess",),
    ("flows",),  # Prefect flows: wiring only
    ("reportwatch.demo",),  # the loopback mirror and the sample generator
    ("flows.cli",),
    ("deployments",),
]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


def _wing(module: str) -> str:
    """The longest wing name that is ``module`` or a package holding it."""
    names = [name for group in WINGS for name in group]
    found = [n for n in names if module == n or module.startswith(n + ".")]
    return max(found, key=len) if found else module


def _rank(wing: str) -> int:
    return next(i for i, group in enumerate(WINGS) if wing in group)


def _edges(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Every first-party import of every module, lazy (in-function) imports included."""
    edges: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    if f"{node.module}.{alias.name}" in modules:
                        found.add(f"{node.module}.{alias.name}")
                    elif node.module in modules:
                        found.add(node.module)
            elif isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names if alias.name in modules}
        edges[name] = found - {name}
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in edges.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_every_module_belongs_to_a_wing() -> None:
    names = {name for group in WINGS for name in group}
    strays = [m for m in _modules() if _wing(m) not in names and m not in {"tasks", "flows"}]
    assert strays == [], "add the module to a wing (and WINGS) or move it into one"


def test_no_module_imports_a_wing_above_its_own() -> None:
    offenders = []
    for module, imports in sorted(_edges(_modules()).items()):
        if module in {"tasks", "flows"}:
            continue
        for imported in sorted(imports):
            if _rank(_wing(imported)) > _rank(_wing(module)):
                offenders.append(f"{module} imports {imported} ({_wing(imported)} is above)")
    assert offenders == []


def test_no_import_circle() -> None:
    assert _cycles(_edges(_modules())) == []


def test_the_layout_checks_see_real_imports_and_circles() -> None:
    # guard against checks that cannot fail: known edges are seen, a made-up circle is found
    edges = _edges(_modules())
    assert "tasks.fetch.client" in edges["tasks.discover.task"]
    assert "tasks.read.task" in edges["tasks.load"]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _rank(_wing("tasks.fetch.task")) < _rank(_wing("tasks.discover.registry"))


# -- every path the README and docs name exists ---------------------------------------------------
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
TOP = ("flows", "tasks", "warehouse", "reportwatch", "series", "deployments", "bench", "tests",
       "docs", ".ci", "samples")  # fmt: skip
PATH = re.compile(r"(?<![\w./~-])((?:" + "|".join(re.escape(t) for t in TOP) + r")/[\w./-]*)")
PLACEHOLDER = re.compile(r"[<>*{}]|NNNN")


def _named_paths(text: str) -> set[str]:
    found = set()
    for match in PATH.finditer(text):
        path = match.group(1).rstrip(".,:;)")
        end = match.end(1)
        if PLACEHOLDER.search(text[end : end + 1]) or PLACEHOLDER.search(path):
            continue  # a pattern such as tasks/<stage>/ or migrations/NNNN_slug.sql
        found.add(path)
    return found


def test_every_path_named_in_the_readme_and_docs_exists() -> None:
    missing = []
    for doc in DOCS:
        for path in sorted(_named_paths(doc.read_text(encoding="utf-8"))):
            if not (ROOT / path).exists():
                missing.append(f"{doc.relative_to(ROOT)}: {path}")
    assert missing == []


def test_the_path_check_finds_paths() -> None:
    text = "see `tasks/fetch/client.py`, tasks/<stage>/, and /var/lib/reportwatch/data."
    assert _named_paths(text) == {"tasks/fetch/client.py"}

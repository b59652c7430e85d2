"""The app's modules import each other one way only (architecture.md: layers, and the demo data
in one package): no cycle, counting imports inside functions too, which is where a cycle hides
(it works at import time and breaks whoever imports the other module first)."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"


def _module_name(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in APP.rglob("*.py")}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The app modules `name` imports anywhere in its body; `from pkg import mod` counts as mod."""

    def nearest(dotted: str) -> str | None:
        while dotted and dotted not in known:
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str | None] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {nearest(a.name) for a in node.names if a.name.split(".")[0] == "app"}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if base.split(".")[0] == "app":
                found |= {
                    f"{base}.{a.name}" if f"{base}.{a.name}" in known else nearest(base) for a in node.names
                }
    return {m for m in found if m is not None and m != name}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, set(modules)) for name, path in modules.items()}


def test_the_app_has_no_import_cycle() -> None:
    assert _cycles(_graph()) == []


def test_the_check_finds_a_cycle_through_an_import_inside_a_function() -> None:
    graph = _graph()
    # As it was before the demo data became a package: the loader imported the cases lazily,
    # and the cases imported the loader's staff list lazily.
    graph["app.demo.load"].add("app.demo.cases")
    graph["app.demo.cases"].add("app.demo.load")
    assert ["app.demo.cases", "app.demo.load"] in _cycles(graph)


def test_the_demo_data_is_one_package_read_one_way() -> None:
    graph = _graph()
    demo = {m for m in graph if m.startswith("app.demo")}
    assert demo == {
        "app.demo",
        "app.demo.identities",
        "app.demo.catalog",
        "app.demo.unit_admin",
        "app.demo.cases",
        "app.demo.outbound",
        "app.demo.load",
    }
    assert not (APP / "demo.py").exists() and not list(APP.glob("demo_*.py"))
    outside = {m for m in graph if not m.startswith("app.demo")}
    # Only the command line reaches into the demo data; the app itself never does.
    assert {m for m in outside if any(d.startswith("app.demo") for d in graph[m])} == {"app.cli"}

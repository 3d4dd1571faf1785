"""The layout reads as the architecture: apps import one way (org ← journeys ← barriers ← metrics),
no two modules import each other (directly or round a loop), and SQL is PostgreSQL's only."""

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("cxhub", "journeys", "barriers", "metrics")
# What each app may import from the others (the project package cxhub/ wires everything: urls, settings).
ALLOWED = {
    "org": {"lib"},
    "exports": {"lib"},  # rendering jobs; the apps register their renderers with it
    "notifications": {"lib", "org"},  # the bell and the e-mail outbox; the apps write to it
    "journeys": {"lib", "org", "exports", "notifications"},
    "barriers": {"lib", "org", "journeys", "exports", "notifications"},
    "metrics": {"lib", "org", "journeys", "barriers", "exports", "notifications"},
    "lib": set(),
}


def _app(module: str) -> str:
    parts = module.split(".")
    if parts[0] == "cxhub":
        return parts[1] if len(parts) > 1 and parts[1] in ("org", "lib", "exports", "notifications") else "project"
    return parts[0]


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _imports() -> dict[str, set[str]]:
    """Module → the project modules it imports (at any depth of the file, deferred imports included)."""
    modules = _modules()
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text())):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def test_apps_import_one_way():
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in _imports().items()
        for target in targets
        if _app(module) in ALLOWED and _app(target) not in ALLOWED[_app(module)] | {_app(module)}
    )
    assert wrong == []


def test_no_module_imports_round_a_loop():
    graph = _imports()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    loops: list[list[str]] = []

    def visit(module: str) -> None:  # Tarjan's strongly connected components
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in graph.get(module, ()):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == module:
                    break
            if len(component) > 1:
                loops.append(sorted(component))

    for module in sorted(_modules()):
        if module not in index:
            visit(module)
    assert loops == []


def test_no_code_branches_on_the_database_vendor():
    branching = [
        str(path.relative_to(ROOT))
        for package in (*PACKAGES, "bench", "tests")
        for path in (ROOT / package).rglob("*.py")
        if path != Path(__file__) and "connection.vendor" in path.read_text()
    ]
    assert branching == []

"""The house: the package's shape held to the limits it was built to (sizes, one table per
KubeRay fact, layers that import only downwards, no import cycle). Measured from the code's
own syntax tree; nothing is run."""

from __future__ import annotations

import ast

from tests.helpers import ROOT

PACKAGE = ROOT / "generator"
# the folders (and root modules) from the ground up: each imports only from its own floor
# or below
FLOORS = [
    ("fieldpath",), ("diagnostics",), ("errors",), ("kuberay",), ("capacity",), ("load",),
    ("schemas",), ("models",), ("project",), ("render",), ("rules", "importer"), ("validate",),
    ("pipeline",), ("diff",), ("report",), ("commands",), ("cli", "__main__", "__init__"),
]
MAX_MODULE = 400
MAX_FUNCTION = 60
MAX_PIPELINE_FUNCTION = 40
# modules whose code spells a kind's name (string literals and names; docstrings, comments
# and messages that mention it are prose): the kinds table, and the model and renderer
# classes and functions named after it; everything else uses the table's constants
KIND_NAMES = ("RayCluster", "RayService", "RayJob", "RayCronJob", "ComputeTemplate", "Redis",
              "PersistentVolume")
MAX_SPELLED = 6


def floor(module: str) -> int:
    part = module.split(".")[1] if module.count(".") else "__init__"
    return next(i for i, names in enumerate(FLOORS) if part in names)


def imports(tree: ast.Module, module: str) -> set[str]:
    """The package's modules a module imports, at any depth of its code."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("generator"):
            out.add(node.module)
            out.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("generator"))
    return {name.removesuffix(".__init__") for name in out} & set(modules_cache) - {module}


# every module of the package by dotted name (a package by its own name), parsed once
modules_cache = {
    str(path.relative_to(ROOT).with_suffix("")).replace("/", ".").removesuffix(".__init__"):
        ast.parse(path.read_text())
    for path in sorted(PACKAGE.rglob("*.py"))
}


def test_no_module_or_function_is_too_long() -> None:
    long_modules, long_functions = [], []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text()
        if len(text.splitlines()) > MAX_MODULE:
            long_modules.append(str(path))
        limit = MAX_PIPELINE_FUNCTION if path.parent.name == "pipeline" else MAX_FUNCTION
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                if size > limit:
                    long_functions.append(f"{path}:{node.name} ({size} lines)")
    assert long_modules == [] and long_functions == []


def test_every_import_runs_down_or_across_a_floor() -> None:
    upward = [f"{module} -> {name}" for module, tree in modules_cache.items()
              for name in imports(tree, module) if floor(name) > floor(module)]
    assert upward == []


def test_no_import_cycle() -> None:
    graph = {module: imports(tree, module) for module, tree in modules_cache.items()}
    # Tarjan-free: a module is in a cycle when it can reach itself
    cycles = []
    for start in graph:
        seen, todo = set(), list(graph[start])
        while todo:
            name = todo.pop()
            if name == start:
                cycles.append(start)
                break
            if name not in seen:
                seen.add(name)
                todo.extend(graph.get(name, ()))
    # a package's __init__ that imports its own modules is no cycle of code
    assert [c for c in cycles if not any(c == m.rsplit(".", 1)[0] for m in graph[c])] == []


def test_a_kinds_name_is_spelled_in_few_modules() -> None:
    spelled: dict[str, set[str]] = {kind: set() for kind in KIND_NAMES}
    for module, tree in modules_cache.items():
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
                      and node.body and isinstance(node.body[0], ast.Expr)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and id(node) not in docstrings:
                value = node.value
            elif isinstance(node, ast.Name):
                value = node.id
            elif isinstance(node, ast.ClassDef):
                value = node.name
            elif isinstance(node, ast.alias):
                value = node.asname or node.name
            elif isinstance(node, ast.Attribute):
                value = node.attr
            else:
                continue
            if value in spelled:
                spelled[value].add(module)
    over = {kind: sorted(found) for kind, found in spelled.items() if len(found) > MAX_SPELLED}
    assert over == {}

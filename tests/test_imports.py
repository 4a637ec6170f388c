"""The package's modules form layers (issue 11, point 1): no import cycle, and no import inside a function
except in the presentation modules, which load IPython, ipywidgets and matplotlib only when asked.

The imports are read from the source with ``ast`` (what a module *can* import, on every path), and then
``import lagrange_ad`` is run in a fresh interpreter to see what it really loads.
"""

from __future__ import annotations

import ast
import functools
import os
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "lagrange_ad"
MODULES = sorted(p.stem for p in PACKAGE.glob("*.py"))
# loaded lazily (lad.display, lad.show, lad.steppers, lad.explorers) or imported by the chapters themselves:
# they may import widgets and matplotlib when a figure or a stepper is asked for
PRESENTATION = {
    "display", "show", "figures", "widgets", "steppers", "explorers", "exercises",
    "checkpoint_figures", "hessian_figures", "tape_stepper",
}  # fmt: skip


def _tree(module: str) -> ast.Module:
    return ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))


def _targets(node: ast.Import | ast.ImportFrom) -> list[str]:
    """The package's modules an import statement inside lagrange_ad loads ("__init__" for the package)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names if alias.name.split(".")[0] == "lagrange_ad"]
        return [name.split(".")[1] if "." in name else "__init__" for name in names]
    if node.level == 0:
        if node.module is None or node.module.split(".")[0] != "lagrange_ad":
            return []
        dotted = node.module.split(".")
    elif node.level == 1:
        dotted = ["lagrange_ad", *(node.module.split(".") if node.module else [])]
    else:
        return []
    if len(dotted) > 1:
        return [dotted[1]]
    # `from . import zoo`: a submodule where there is one, else a name of the package itself
    return [alias.name if alias.name in MODULES else "__init__" for alias in node.names]


def _module_level(tree: ast.Module):
    """The statements that run when the module is imported: its body, and the bodies of top-level if/try."""
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (ast.If, ast.Try)):
            stack.extend(node.body + node.orelse + getattr(node, "finalbody", []))
            for handler in getattr(node, "handlers", []):
                stack.extend(handler.body)


def import_graph() -> dict[str, set[str]]:
    graph = {}
    for module in MODULES:
        edges = set()
        for node in ast.walk(_tree(module)):  # at the top and inside functions: a cycle either way
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                edges.update(_targets(node))
        graph[module] = edges - {module}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a list of modules (first = last), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(m):
        state[m] = 1
        path.append(m)
        for n in sorted(graph.get(m, ())):
            if state.get(n) == 1:
                return path[path.index(n) :] + [n]
            if n not in state:
                found = visit(n)
                if found:
                    return found
        state[m] = 2
        path.pop()
        return None

    for m in sorted(graph):
        if m not in state:
            found = visit(m)
            if found:
                return found
    return None


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_the_graph_reads_relative_and_absolute_imports():
    tree = ast.parse("from . import zoo, Computation\nfrom .ops import OPS\nimport lagrange_ad.numeric\nimport os")
    assert [t for node in tree.body for t in _targets(node)] == ["zoo", "__init__", "ops", "numeric"]


def test_no_import_cycle_between_the_package_modules():
    graph = import_graph()
    assert graph["computation"] and graph["tracing"]  # the graph is not trivially empty
    assert find_cycle(graph) is None, f"import cycle: {' -> '.join(find_cycle(graph))}"


@pytest.mark.parametrize("module", [m for m in MODULES if m not in PRESENTATION])
def test_no_import_inside_a_function(module):
    tree = _tree(module)
    top = {id(node) for node in _module_level(tree)}
    inner = [
        f"line {node.lineno}: {ast.unparse(node)}"
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in top
    ]
    assert not inner, f"{module}.py imports inside a function (a sign of a cycle or a misplaced concern): {inner}"


def test_importing_the_package_loads_no_presentation_module():
    code = (
        "import sys, lagrange_ad\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith(('lagrange_ad.', 'matplotlib', "
        "'ipywidgets', 'IPython')))))"
    )
    env = {**os.environ, "PYTHONPATH": str(PACKAGE.parent)}  # this checkout's package, not an installed one
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    out = run.stdout.split()
    loaded = {m.removeprefix("lagrange_ad.") for m in out if m.startswith("lagrange_ad.")}
    assert loaded and not loaded & PRESENTATION, loaded
    assert not [m for m in out if not m.startswith("lagrange_ad.")], out


# The symbolic path, and what the reader's browser runs (issue 15): none of these may import numpy (only
# ``arrays`` tries, and lets it be missing) or a module that needs it. tests/test_no_numpy.py runs them
# with numpy unimportable; this reads their imports, so it also names the edge that would break it.
NUMPY_FREE = {
    "errors", "arrays", "ops", "floats", "usage", "values", "lean", "cache", "computation", "sympy_form", "tex",
    "equations", "tracing", "plan", "tape", "lagrangian", "linear_system", "typeset", "graph_svg", "frames",
    "reader", "try_it", "scalar", "elided",
}  # fmt: skip


@functools.cache
def _graph() -> dict[str, set[str]]:
    return import_graph()


def _reaches(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, stack = set(), [start]
    while stack:
        for n in graph.get(stack.pop(), ()):
            if n not in seen:
                seen.add(n)
                stack.append(n)
    return seen


@pytest.mark.parametrize("module", sorted(NUMPY_FREE))
def test_the_symbolic_path_imports_nothing_that_needs_numpy(module):
    outside = _reaches(_graph(), module) - NUMPY_FREE
    assert not outside, f"{module}.py reaches {sorted(outside)}, which need numpy"
    imports_numpy = [
        ast.unparse(node)
        for node in ast.walk(_tree(module))
        if isinstance(node, (ast.Import, ast.ImportFrom))
        and any((alias.name if isinstance(node, ast.Import) else (node.module or "")).split(".")[0] == "numpy"
                for alias in node.names)
    ]  # fmt: skip
    assert module == "arrays" or not imports_numpy, f"{module}.py imports numpy: {imports_numpy}"


def test_linear_system_no_longer_imports_numeric():
    """Issue 11's layer inversion: back substitution at numbers reads the float tape, not layer 5."""
    assert "numeric" not in _reaches(_graph(), "linear_system")

"""docs/students.md: what it tells students to install is enough to run every released chapter.

A student installs ``lagrange-ad[student]``. Every module a chapter notebook imports must come
with it: the package's dependencies or the ``student`` extra, directly or through their own
requirements (read from the installed distributions' metadata), or Python's standard library.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "book").glob("*.ipynb"))  # every notebook of the book


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[(@]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _closure(names: set[str]) -> set[str]:
    """The distributions ``names`` pull in (without extras), by their installed metadata."""
    seen, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        todo += [_name(r) for r in requires if "extra ==" not in r]
    return seen


def _imports(path: Path) -> set[str]:
    found = set()
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        tree = ast.parse("\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith("%")))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module.split(".")[0])
    return found


def _student_requirements() -> list[str]:
    """The package's dependencies and its ``student`` extra, with extras of itself expanded."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    found, todo = list(project["dependencies"]), list(extras["student"])
    while todo:
        requirement = todo.pop()
        own = re.match(r"lagrange-ad\[([\w,\s-]+)\]", requirement)
        if own:
            todo += [r for extra in own[1].split(",") for r in extras[extra.strip()]]
        else:
            found.append(requirement)
    return found


def test_the_student_extra_exists():
    assert {_name(r) for r in _student_requirements()} >= {"jupyterlab", "autograd"}
    assert 'pip install "lagrange-ad[student] @' in (ROOT / "docs" / "students.md").read_text()


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_students_install_covers_the_chapter(chapter):
    installed = _closure({_name(r) for r in _student_requirements()})
    providers = metadata.packages_distributions()
    missing = []
    for module in sorted(_imports(chapter) - set(sys.stdlib_module_names) - {"lagrange_ad"}):
        dists = {d.lower().replace("_", "-") for d in providers.get(module, [])}
        if not dists & installed:
            missing.append(f"{module} (from {sorted(dists) or 'no installed distribution'})")
    assert not missing, f"{chapter.name} imports what lagrange-ad[student] does not install: {missing}"

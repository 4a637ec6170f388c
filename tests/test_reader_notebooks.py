"""The reader's notebooks (``python scripts/editions.py notebooks``): what the README tells a reader to open.

They must hold every chapter with its solutions, and nothing a grader relies on: no hidden tests, no
nbgrader marker lines, no nbgrader metadata (JupyterLab's nbgrader panel then shows no assignment).
"""

from __future__ import annotations

import doctest
import importlib.util
import json
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def editions():
    spec = importlib.util.spec_from_file_location("editions_script", ROOT / "scripts" / "editions.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_reader_notebooks_hold_every_chapter_and_nothing_for_the_grader(tmp_path):
    script = editions()
    out = tmp_path / "notebooks"
    assert script.main(["notebooks", "--out", str(out)]) == 0
    sources = script.toc_notebooks()
    assert len(sources) >= 12 and {p.name for p in sources} <= {p.name for p in out.glob("*.ipynb")}
    solutions = 0
    for source in sources:
        text = (out / source.name).read_text()
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", '"nbgrader"'):
            assert marker not in text, f"{source.name}: {marker}"
        nb = nbformat.read(out / source.name, as_version=4)
        nbformat.validate(nb)
        original = json.loads(source.read_text())
        solution_ids = [c["id"] for c in original["cells"] if c["metadata"].get("nbgrader", {}).get("solution")]
        kept = {c.id for c in nb.cells}
        assert set(solution_ids) <= kept, f"{source.name}: a solution is missing"  # solutions stay
        solutions += len(solution_ids)
    assert solutions >= 20  # the book's exercises are there, with their answers
    assert (out / "references.bib").is_file()


def test_reader_notebook_doctests():
    script = editions()
    assert doctest.testmod(script).failed == 0

"""The two editions of the book: the reader's (solutions folded, no nbgrader markers) and the
student's (no solutions, no model answers, nothing a grader relies on).

The reader's edition is the ordinary build (the ``book_html`` fixture). The student's is built by
``python scripts/editions.py student`` from the same execution cache.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import REPO, TEST_OUTPUT
from test_grading import DEMO, NOTEBOOKS, _page_text, distinctive_lines, hidden_lines, written_answers

pytestmark = [pytest.mark.book, pytest.mark.slow]

CHAPTERS = [p for p in NOTEBOOKS.values() if p != DEMO]
# a self-check's ✓ output; not its code (print("✓ x is correct."), f"✓ {name} is correct.")
CHECK_OUTPUT = re.compile(r"(?<![\"'])✓ (?!\{)\S+ is correct\.")
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


def _solution_lines(path: Path) -> set[str]:
    nb = nbformat.read(path, as_version=4)
    return {" ".join(line.split()) for line in distinctive_lines(nb, "BEGIN SOLUTION", "END SOLUTION")
            if not line.startswith("#")}


def _page(html_dir: Path, notebook: Path) -> str:
    return _page_text(html_dir / notebook.relative_to(REPO).with_suffix(".html"))


@pytest.fixture(scope="module")
def student_html(book_html) -> Path:
    """The student edition, built from the reader's execution cache."""
    out = TEST_OUTPUT / "student"
    done = subprocess.run([sys.executable, "scripts/editions.py", "student", "--out", str(out), "--all",
                           "--cache", str(book_html.parent / ".jupyter_cache")],
                          cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, "the student edition failed to build:\n" + (done.stdout + done.stderr)[-4000:]
    return out / "_build" / "html"


@pytest.mark.parametrize("notebook", CHAPTERS, ids=lambda p: p.stem)
def test_reader_edition_folds_solutions_without_markers(book_html, notebook):
    text = _page(book_html, notebook)
    assert not [m for m in MARKERS if m in text], f"{notebook.name}: nbgrader markers on the page"
    solutions = _solution_lines(notebook)
    assert solutions and any(line in text for line in solutions), "the reader's edition keeps the solutions"
    assert CHECK_OUTPUT.search(text), "the reader's edition shows the self-checks' ✓ (and the search finds it)"


@pytest.mark.parametrize("notebook", CHAPTERS, ids=lambda p: p.stem)
def test_student_edition_has_no_solution_and_no_model_answer(student_html, notebook):
    text = _page(student_html, notebook)
    nb = nbformat.read(notebook, as_version=4)
    secret = {
        "solution": _solution_lines(notebook),
        "model answer": {" ".join(line.split()) for line in written_answers(nb)},
        "hidden test": {" ".join(line.split()) for line in hidden_lines(nb)},
    }
    leaks = [f"{kind}: {line!r}" for kind, lines in secret.items() for line in sorted(lines) if line in text]
    leaks += [f"marker {m}" for m in MARKERS if m in text]
    # a self-check's output (not its code: print("✓ x is correct."), f"✓ {name} is correct.")
    leaks += [f"a self-check's output {m[0]!r}" for m in re.finditer(r"(?<![\"'])✓ (?!\{)\S+ is correct\.", text)]
    assert not leaks, f"the student edition of {notebook.name} shows:\n  " + "\n  ".join(leaks)
    assert "raise NotImplementedError()" in text, "the exercises are there, as students receive them"

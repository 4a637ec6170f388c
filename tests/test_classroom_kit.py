"""The classroom kit's pieces, fast: LMS names, careless notebooks, feedback helpers, doctests.

The whole term, with nbgrader, is tests/test_classroom.py (slow).
"""

from __future__ import annotations

import doctest
import importlib
import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from classroom_kit import feedback, intake  # noqa: E402

MODULES = ["course", "intake", "grading", "report", "manual", "feedback", "nbgrader_plugins"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(f"classroom_kit.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0




@pytest.mark.parametrize("name, student", [
    ("Doe, Jane_1234_attempt_2026-03-01-10-15-30.ipynb", "1234"),
    ("Assignment 4_jdoe_attempt_2026-03-01-10-15-30_ch04.ipynb", "jdoe"),
    ("doejane_late_1234_5678_ch04_lagrange.ipynb", "doejane"),
    ("Jane Doe_1234_assignsubmission_file_", "1234"),
    ("alice.ipynb", "alice"),
    ("Jane Doe", "jane-doe"),
])
def test_lms_names(name, student):
    assert intake.student_of(name)[0] == student


def test_inspection_of_careless_notebooks(tmp_path):
    release = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x = 1")
    cell.metadata["nbgrader"] = {"grade_id": "ch4-ex1-solution"}
    release.cells = [cell]
    path = tmp_path / "x.ipynb"
    path.write_text("{not json")
    assert "not a Jupyter notebook" in intake.inspect(path, release, "ch04").problem
    nbformat.write(release, path)
    assert intake.inspect(path, release, "ch04").problem is None


def test_feedback_helpers():
    assert feedback.scrub_paths("/home/t/x/y.py and 1/2 and /etc") == "y.py and 1/2 and /etc"
    assert "<math" in feedback.tex_to_mathml("$x_1$") and "\\frac" not in feedback.tex_to_mathml("$\\frac{a}{b}$")
    assert feedback.plain_roles("{doc}`Chapter 3 <ch03>`") == "Chapter 3 <ch03>"

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


def test_course_option_anywhere_and_an_unreleased_chapter_is_refused(tmp_path):
    import subprocess

    root = Path(__file__).resolve().parents[1]
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    for args in (["--course", str(tmp_path), "collect", "5", str(downloads)],
                 ["collect", "5", str(downloads), "--course", str(tmp_path)]):
        done = subprocess.run([sys.executable, "scripts/classroom.py", *args], cwd=root, capture_output=True,
                              text=True)
        assert done.returncode == 1 and "ch05 was never released" in done.stdout, done.stdout + done.stderr
    log = (tmp_path / "logs" / "classroom.log").read_text()
    assert log.count("never released") == 2, "every step's output is kept in the course's log file"


def test_one_bad_entry_never_stops_the_others(tmp_path):
    (tmp_path / "alice.ipynb").write_text("{}")
    (tmp_path / "bob").mkdir()
    (tmp_path / "carol").mkdir()
    (tmp_path / "carol" / "ch03_constrained.ipynb").write_text("{}")
    (tmp_path / "carol" / "ch03_constrained-Copy1.ipynb").write_text("{}")
    (tmp_path / "notes.txt").write_text("x")
    found = intake.read_downloads(tmp_path, "ch03_constrained.ipynb")
    assert sorted(found.entries) == ["alice", "carol"]
    assert found.entries["carol"].path.name == "ch03_constrained.ipynb"
    reasons = dict(found.skipped)
    assert reasons["bob"] == "a folder without a notebook" and "not a notebook" in reasons["notes.txt"]
    assert reasons["carol/ch03_constrained-Copy1.ipynb"] == "a copy (-CopyN)"

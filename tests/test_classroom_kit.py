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


# ------------------------------------------------------------------ the watch of refused calls

def _run_exercise(solution: str, refused=("library solvers", "forward"), extra_cell=None, forked=False):
    """One exercise (solution, check, hidden test refusing ``refused``) run by ResilientExecute;
    ``{grade_id: error names}`` of its test cells, and the refused names the watch reported."""
    import nbcells
    from classroom_kit import forkserver
    from classroom_kit.nbgrader_plugins import ResilientExecute
    from nbformat.v4 import new_code_cell, new_notebook

    cells = [new_code_cell("import numpy as np\nimport lagrange_ad as lad\n"
                           "A = np.triu(np.ones((3, 3))) + np.eye(3)\ne = np.array([0.0, 0.0, 1.0])")]
    if extra_cell:
        cells.append(new_code_cell(extra_cell))
    cells += nbcells.exercise(
        5, 3, prompt="Back substitution.",
        solution="def back_substitute(A, e):\n    ### BEGIN SOLUTION\n" + solution + "\n    ### END SOLUTION",
        check="assert np.allclose(A @ back_substitute(A, e), e)", check_points=1,
        # the test's own call of a refused function does not count: no student code on the stack
        hidden="assert np.allclose(back_substitute(A, e), np.linalg.solve(A, e))", hidden_points=1,
        not_accepted=refused)
    for cell in cells:  # what nbgrader hands the executor: the markers are gone
        cell.source = "\n".join(line for line in cell.source.split("\n") if "### " not in line)
    executor = ResilientExecute(timeout=60)
    if forked:
        executor.kernel_manager_class = forkserver.ForkedKernelManager
    nb, _ = executor.preprocess(new_notebook(cells=cells), {"metadata": {"path": "."}})
    errors = {c.metadata["nbgrader"]["grade_id"]: [o.ename for o in c.outputs if o.output_type == "error"]
              for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")}
    return errors, sorted({n for calls in executor._calls.values() for n in calls}), nb


HONEST = ("    lam = np.zeros(len(e))\n    for i in reversed(range(len(e))):\n"
          "        lam[i] = (e[i] - A[i, i + 1:] @ lam[i + 1:]) / A[i, i]\n    return lam")


@pytest.mark.parametrize(("solution", "extra", "called"), [
    (HONEST, None, []),
    ("    return np.linalg.solve(A, e)", None, ["numpy.linalg.solve"]),
    ("    return getattr(np.linalg, 'in' + 'v')(A) @ e", None, ["numpy.linalg.inv"]),
    ("    return mine(A, e)", "import scipy.linalg\n\ndef mine(A, e):\n    return scipy.linalg.solve_triangular(A, e)",
     ["scipy.linalg.solve_triangular"]),
    ("    import sympy\n    return np.array(sympy.Matrix(A).LUsolve(sympy.Matrix(e)), dtype=float).ravel()", None,
     ["sympy.matrices.MatrixBase.LUsolve"]),
    ("    import threading\n    box = []\n    t = threading.Thread(target=lambda: box.append(np.linalg.solve(A, e)))\n"
     "    t.start()\n    t.join()\n    return box[0]", None, ["numpy.linalg.solve"]),
    ("    import sys\n    sys.setprofile(None)\n    return np.linalg.solve(A, e)", None, ["sys.setprofile"]),
    ("    lad.forward(lad.Computation.from_equations('z2 = 2 * z1', inputs='z1'), {'z1': 1.0})\n" + HONEST, None,
     ["lagrange_ad.forward"]),
])
def test_refused_calls_zero_the_exercise_however_made(solution, extra, called):
    errors, reported, _ = _run_exercise(solution, extra_cell=extra)
    expected = [] if not called else ["NotAccepted"]
    assert errors == {"ch5-ex3-check": expected, "ch5-ex3-hidden": expected}, errors
    assert reported == called


def test_another_librarys_derivatives_are_refused_where_derivatives_are_asked():
    solution = ("    import autograd\n    autograd.grad(lambda x: x * x)(1.0)  # a derivative done for me\n" + HONEST)
    errors, reported, _ = _run_exercise(solution, refused=("library autodiff",))
    assert errors == {"ch5-ex3-check": ["NotAccepted"], "ch5-ex3-hidden": ["NotAccepted"]}
    assert "autograd.grad" in reported
    errors, _, _ = _run_exercise(solution, refused=("library solvers",))  # not refused there
    assert errors == {"ch5-ex3-check": [], "ch5-ex3-hidden": []}


def test_kernels_are_forked_from_the_template_and_survive_os_exit(tmp_path, monkeypatch):
    from classroom_kit import forkserver

    monkeypatch.setenv("MPLBACKEND", "agg")
    template = forkserver.start(tmp_path)
    try:
        errors, _, nb = _run_exercise(HONEST, extra_cell="import os\nos._exit(1)", forked=True)
        assert errors == {"ch5-ex3-check": [], "ch5-ex3-hidden": []}  # graded after the restart
        assert [o.get("ename") for o in nb.cells[1].outputs if o.output_type == "error"] == ["KernelDied"]
        _, _, nb = _run_exercise(HONEST.replace("    lam =", "    import os, sys\n    print(os.getppid(), "
                                                            "'sympy' in sys.modules)\n    lam ="), forked=True)
        check = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "ch5-ex3-check")
        parent, preloaded = check.outputs[0].text.split()
        assert int(parent) == template.pid and preloaded == "True"  # a fork of the template
    finally:
        forkserver.stop()
    monkeypatch.delenv(forkserver.SOCKET_ENV, raising=False)

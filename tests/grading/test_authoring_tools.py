"""scripts/nbcells.py and scripts/classroom.py without running nbgrader (fast)."""

import doctest
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import classroom  # noqa: E402
import nbcells  # noqa: E402


@pytest.mark.parametrize("module", [nbcells, classroom])
def test_doctests(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def _exercise_nb():
    cells = nbcells.exercise(
        4, 2, prompt="p", solution="x = None\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION",
        check='from lagrange_ad.exercises import check_value\ncheck_value("x", x, 1)', check_points=1,
        hidden="assert x == 1", hidden_points=2,
    ) + nbcells.written_exercise(4, 3, question="Why?", model_answer="Because.", points=1)
    return nbformat.v4.new_notebook(cells=cells)


def test_built_cells_follow_the_convention_and_validate():
    from nbgrader.nbgraderformat import MetadataValidator

    nb = _exercise_nb()
    MetadataValidator().validate_nb(nb)
    assert nbcells.problems(nb, chapter=4) == []


@pytest.mark.parametrize(("break_it", "complaint"), [
    (lambda nb: nb.cells[1].metadata.pop("tags"), "missing tag(s) ['hide-input']"),
    (lambda nb: nb.cells[3].metadata.update(tags=[]), "missing tag(s) ['remove-cell']"),
    (lambda nb: nb.cells[2].metadata.nbgrader.update(locked=False), "'locked' should be True"),
    (lambda nb: nb.cells[2].metadata.nbgrader.update(grade_id="ch4-ex2-test"), "does not follow"),
    (lambda nb: nb.cells[3].metadata.nbgrader.update(grade_id="ch4-ex2-check"), "used twice"),
    (lambda nb: nb.cells[3].metadata.nbgrader.update(grade_id="ch5-ex2-hidden"), "belongs to chapter 5"),
    (lambda nb: setattr(nb.cells[0], "source", "Write ### BEGIN SOLUTION here"), "outside an exercise cell"),
    (lambda nb: setattr(nb.cells[3], "source", "### BEGIN HIDDEN TESTS\ncheck_value('x', x, 1)\n"
                                              "### END HIDDEN TESTS"), "bare name"),
    (lambda nb: setattr(nb.cells[1], "source", "x = 1"), "no '### BEGIN SOLUTION'"),
])
def test_problems_names_each_break(break_it, complaint):
    nb = _exercise_nb()
    break_it(nb)
    found = nbcells.problems(nb, chapter=4)
    assert any(complaint in p for p in found), found


def test_cell_builders_refuse_misuse():
    with pytest.raises(ValueError, match="-solution"):
        nbcells.solution_cell("ch1-ex1-check", "### BEGIN SOLUTION\n### END SOLUTION")
    with pytest.raises(ValueError, match="BEGIN SOLUTION"):
        nbcells.solution_cell("ch1-ex1-solution", "x = 1")
    with pytest.raises(ValueError, match="points"):
        nbcells.check_cell("ch1-ex1-check", "pass", 0)
    with pytest.raises(ValueError, match="delimiters"):
        nbcells.hidden_cell("ch1-ex1-hidden", "### BEGIN HIDDEN TESTS\npass\n### END HIDDEN TESTS", 1)


def test_every_book_chapter_with_exercises_follows_the_convention():
    for path in sorted((ROOT / "book").glob("ch*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        assert nbcells.problems(nb, chapter=nbcells.chapter_of(path)) == [], path.name


class _Log:
    def __init__(self):
        self.lines = []

    def say(self, text):
        self.lines.append(text)

    def write(self, text):
        pass


def test_classroom_names_what_is_wrong(tmp_path):
    with pytest.raises(classroom.ClassroomError, match="chapter 99"):
        classroom.chapter_notebook("99")
    with pytest.raises(classroom.ClassroomError, match="neither a chapter number"):
        classroom.chapter_notebook(str(tmp_path / "nope.ipynb"))
    demo = ROOT / "tests" / "grading" / "demo_chapter.ipynb"
    with pytest.raises(classroom.ClassroomError, match="never released"):
        classroom.collect(tmp_path / "course", str(demo), tmp_path, _Log())


def test_classroom_collect_files_submissions_under_the_released_name(tmp_path):
    demo = ROOT / "tests" / "grading" / "demo_chapter.ipynb"
    course = tmp_path / "course"
    (course / "release" / "demo_chapter").mkdir(parents=True)
    (course / "release" / "demo_chapter" / demo.name).write_text(demo.read_text())
    downloads = tmp_path / "downloads"
    (downloads / "bob").mkdir(parents=True)
    (downloads / "carol").mkdir()  # no notebook: skipped and said, the others collected
    nbformat.write(nbformat.v4.new_notebook(), downloads / "alice.ipynb")
    nbformat.write(nbformat.v4.new_notebook(), downloads / "bob" / "whatever name.ipynb")
    log = _Log()
    assert classroom.collect(course, str(demo), downloads, log) == ["alice", "bob"]
    assert any("skipped carol: a folder without a notebook" in line for line in log.lines), log.lines
    for student in ("alice", "bob"):
        folder = course / "submitted" / student / "demo_chapter"
        assert (folder / "demo_chapter.ipynb").exists() and (folder / "timestamp.txt").exists()

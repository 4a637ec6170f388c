"""The classroom kit end to end, with the real nbgrader command line and gradebook.

One course directory (a temporary folder) holds, as assignments, every notebook in
_toc.yml that has nbgrader cells (named after its chapter: ``ch03``) and the demo
chapter tests/grading/demo_chapter.ipynb (``demo_chapter``). One ``nbgrader
generate_assignment "*"`` releases them all; two ``nbgrader autograde`` runs grade
every student (the hostile ones with a short per-cell timeout). The tests then read
the release, the autograded notebooks and the SQLite gradebook.

Students of every notebook:
  ref       the teacher's solutions                     → every autograded cell full marks
  blank     the released notebook, untouched            → zero
  wrong<r>  round r of tests/grading/wrong_answers/<stem>.py → exactly the listed tests lose
and of the demo also:
  alt       every other exercise left blank             → exactly those exercises' tests lose
  x-...     hostile submissions (HOSTILE below)         → graded, losing only what they should
"""

from __future__ import annotations

import html.parser
import json
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).parent / "grading"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import nbcells  # noqa: E402
import submissions as S  # noqa: E402
from course import DEMO, ROOT, Course, assignment_id, exercise_notebooks  # noqa: E402

pytestmark = pytest.mark.slow

NOTEBOOKS = {assignment_id(p): p for p in [DEMO, *exercise_notebooks()]}
DEMO_ID = assignment_id(DEMO)
HOSTILE_TIMEOUT = 10  # seconds per cell for the hostile students (the config's is longer)


@dataclass
class Expect:
    """Which test cells must score 0 (all others full marks), and which may go either way."""

    fails: set[str]
    maybe: set[str] = field(default_factory=set)


def hostile_submissions(release, source) -> dict[str, tuple[nbformat.NotebookNode, Expect]]:
    """The demo's hostile students: each notebook and what it must lose."""
    ref = S.reference(release, source)
    ex1, ex2 = {"ch0-ex1-check", "ch0-ex1-hidden"}, {"ch0-ex2-check", "ch0-ex2-hidden"}
    wrong = S.wrong_answers(DEMO)
    patched = S.fill(ref, {"ch0-ex1-solution": wrong["ch0-ex1-solution"][0]["source"],
                           "ch0-ex3-solution": wrong["ch0-ex3-solution"][0]["source"]})
    return {
        # an infinite loop: interrupted after the timeout; only that exercise is lost
        "x-loop": (S.append_to(ref, "ch0-ex1-solution", "while True:\n    pass", before=True), Expect(ex1)),
        # a loop that swallows the interrupt: the kernel is restarted, earlier cells replayed
        "x-stubborn": (S.append_to(ref, "ch0-ex2-solution",
                                   "import time\nwhile True:\n    try:\n        time.sleep(0.05)\n"
                                   "    except KeyboardInterrupt:\n        pass"), Expect(ex2)),
        "x-sysexit": (S.append_to(ref, "ch0-ex3-solution", "import sys\nsys.exit()"), Expect(set())),
        "x-osexit": (S.insert_after(ref, "ch0-ex3-solution", "import os\nos._exit(1)"), Expect(set())),
        "x-exit": (S.insert_after(ref, "ch0-ex1-check", "exit()"), Expect(set())),
        "x-delete": (S.insert_after(ref, "ch0-ex1-solution",
                                    "import os, shutil\nfor f in os.listdir('.'):\n"
                                    "    shutil.rmtree(f) if os.path.isdir(f) else os.remove(f)\n"
                                    "shutil.rmtree(os.getcwd())"), Expect(set())),
        "x-print": (S.insert_after(ref, "ch0-ex1-solution",
                                   "print('x' * 5_000_000)\nfor i in range(100_000):\n    print(i)"),
                    Expect(set())),
        # wrong answers, then the helpers replaced by ones that always pass: the visible checks may
        # be fooled, the hidden tests (which reload the module or use plain asserts) must not be
        "x-patch": (S.insert_after(patched, "ch0-ex1-solution",
                                   "import lagrange_ad.exercises as ex\n"
                                   "for name in ex.__all__:\n"
                                   "    setattr(ex, name, lambda *a, **k: print('✓ fooled'))\n"
                                   "check_value = check_lambda = ex.check_value"),
                    Expect({"ch0-ex1-hidden", "ch0-ex3-hidden"}, maybe={"ch0-ex1-check", "ch0-ex3-check"})),
        # careless: exercise 1's solution and self-check deleted together (nbgrader 0.9.6 alone drops
        # the whole submission with a KeyError); exercise 1 scores 0, the others are graded
        "x-deleted": (_deleted(ref, "ch0-ex1-solution", "ch0-ex1-check"), Expect(ex1)),
        # wrong answers, and the locked tests edited, deleted, or renamed: nbgrader restores them
        "x-locked": (_tampered(ref, wrong), Expect(ex1 | {"ch0-ex4-check", "ch0-ex4-hidden",
                                                          "ch0-ex5-check", "ch0-ex5-hidden"})),
    }


def _deleted(ref, *grade_ids):
    nb = S.fill(ref, {})
    cells = S.cells_by_id(nb)
    for gid in grade_ids:
        nb.cells.remove(cells[gid])
    return nb


def _tampered(ref, wrong):
    nb = S.fill(ref, {gid: wrong[gid][0]["source"]
                      for gid in ("ch0-ex1-solution", "ch0-ex4-solution", "ch0-ex5-solution")})
    nb = S.fill(nb, {"ch0-ex1-check": "pass", "ch0-ex1-hidden": "pass"})
    cells = S.cells_by_id(nb)
    cells["ch0-ex4-check"].metadata["nbgrader"]["grade_id"] = "mine"
    cells["ch0-ex4-check"].source = "pass"
    nb.cells.remove(cells["ch0-ex5-check"])
    cells["ch0-ex5-hidden"].metadata.pop("nbgrader")
    cells["ch0-ex5-hidden"].source = "pass"
    return nb


def alternate_blank(release, source):
    """Reference solutions with every other exercise (1st, 3rd, ...) left blank."""
    exercises = list(dict.fromkeys(S.exercise_of(g) for g in S.solution_ids(release)))
    blanked = exercises[::2]
    nb = S.reference(release, source)
    blank_cells = S.cells_by_id(release)
    nb = S.fill(nb, {gid: blank_cells[gid].source for gid in S.solution_ids(release)
                     if S.exercise_of(gid) in blanked})
    fails = {gid for gid in S.graded_ids(release) if S.exercise_of(gid) in blanked}
    return nb, Expect(fails)


@dataclass
class Graded:
    courses: dict[str, Course]  # assignment -> the course it is graded in
    generate_log: str
    autograde_runs: list
    expected: dict  # (assignment, student) -> Expect


def _selected(request) -> dict[str, Path]:
    """The notebooks the selected tests need (``-k ch03`` grades only chapter 3)."""
    wanted = set()
    for item in request.session.items:
        if getattr(item, "module", None) is request.module:
            callspec = getattr(item, "callspec", None)
            wanted.add(callspec.params.get("aid", DEMO_ID) if callspec else DEMO_ID)
    return {aid: path for aid, path in NOTEBOOKS.items() if aid in wanted}


def _students(path: Path, release, source) -> dict[str, tuple]:
    students = {"ref": (S.reference(release, source), Expect(set())),
                "blank": (S.blank(release), Expect(set(S.graded_ids(release))))}
    for r, (answers, fails) in enumerate(S.wrong_rounds(S.wrong_answers(path) or {}), start=1):
        students[f"wrong{r}"] = (S.fill(S.reference(release, source), answers), Expect(fails))
    if path == DEMO:
        students["alt"] = alternate_blank(release, source)
        students.update(hostile_submissions(release, source))
    return students


def _release_and_grade(root: Path, notebooks: dict[str, Path], *autograde_options: str):
    """One course: release every notebook, submit every student, autograde them all."""
    course = Course(root)
    for aid, path in notebooks.items():
        course.add_source(path, aid)
    generate = course.nbgrader("generate_assignment", "*", "--force")
    expected = {}
    for aid, path in notebooks.items():
        if not (course.root / "release" / aid / path.name).exists():
            continue  # test_generate_assignment reports it
        release, source = course.release(aid, path.name), course.source(aid, path.name)
        for student, (nb, expect) in _students(path, release, source).items():
            course.submit(student, aid, path.name, nb)
            expected[(aid, student)] = expect
    # Generous: a chapter takes 10-60 s per submission on a busy two-core machine.
    run = course.nbgrader("autograde", "*", "--force", *autograde_options, timeout=300 + 120 * len(expected))
    return course, generate.stdout + generate.stderr, run, expected


@pytest.fixture(scope="module")
def graded(tmp_path_factory, request) -> Graded:
    notebooks = _selected(request)
    # Two courses graded side by side (each nbgrader run spends much of its time waiting on
    # kernels): the chapters with nbgrader's configured timeout, the demo and its hostile
    # students with a short one.
    jobs = [(tmp_path_factory.mktemp("chapters"), {a: p for a, p in notebooks.items() if a != DEMO_ID}, ()),
            (tmp_path_factory.mktemp("demo"), {a: p for a, p in notebooks.items() if a == DEMO_ID},
             (f"--Execute.timeout={HOSTILE_TIMEOUT}",))]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda job: _release_and_grade(job[0], job[1], *job[2]),
                                [job for job in jobs if job[1]]))
    graded = Graded({}, "", [], {})
    for course, log, run, expected in results:
        graded.courses.update({path.name: course for path in (course.root / "source").iterdir()})
        graded.generate_log += log
        graded.autograde_runs.append(run)
        graded.expected.update(expected)
    return graded


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.splitlines()[-lines:])


def _check_scores(graded: Graded, aid: str, student: str):
    """Compare one student's gradebook scores with the expectation; a readable failure."""
    path = NOTEBOOKS[aid]
    expect = graded.expected[(aid, student)]
    try:
        scores = graded.courses[aid].scores(aid, student, path.stem)
    except Exception as err:  # MissingEntry and friends: say which submission is missing
        pytest.fail(f"{aid}/{student} is not in the gradebook ({err}); autograde log:\n"
                    + _tail("".join(run.stderr for run in graded.autograde_runs)))
    wrong = []
    for gid, cell in scores.items():
        if cell.needs_manual_grade or gid.endswith("-answer") or gid in expect.maybe:
            continue
        want = 0.0 if gid in expect.fails else cell.max_score
        if cell.score != want:
            wrong.append(f"{gid}: scored {cell.score}, expected {want} of {cell.max_score}")
    missing = expect.fails - set(scores)
    assert not missing, f"{aid}/{student}: no such test cells {sorted(missing)}"
    if wrong:
        outputs = _cell_errors(graded.courses[aid], student, aid, path.name,
                               [w.split(":")[0] for w in wrong])
        pytest.fail(f"{aid}/{student}:\n  " + "\n  ".join(wrong) + "\n" + outputs)


def _cell_errors(course, student, aid, name, gids) -> str:
    try:
        nb = course.autograded(student, aid, name)
    except FileNotFoundError:
        return "(no autograded notebook)"
    lines = []
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in gids:
            for out in cell.get("outputs", []):
                if out.output_type == "error":
                    lines.append(f"  {gid}: {out.ename}: {out.evalue}"[:300])
    return "\n".join(lines)


# --------------------------------------------------------------------------------- the release

def _strings(node) -> list[str]:
    """Every string in a JSON-like tree (cell sources, outputs, metadata)."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return []


def _blocks(nb, begin: str, end: str) -> tuple[set[str], set[str]]:
    """(lines inside begin/end blocks, lines outside them), stripped."""
    inside, outside = set(), set()
    for cell in nb.cells:
        in_block = False
        for line in cell.source.splitlines():
            if begin in line:
                in_block = True
            elif end in line:
                in_block = False
            else:
                (inside if in_block else outside).add(line.strip())
    return inside, outside


def distinctive_lines(nb, begin: str, end: str) -> set[str]:
    """Lines that occur only inside the blocks: if they show up, the block leaked."""
    inside, outside = _blocks(nb, begin, end)
    return {line for line in inside - outside if len(line) >= 8}


def written_answers(nb) -> set[str]:
    """Lines of the model answers of written (markdown solution) cells."""
    return {line.strip() for cell in nb.cells
            if cell.cell_type == "markdown" and cell.metadata.get("nbgrader", {}).get("solution")
            for line in cell.source.splitlines() if len(line.strip()) >= 8 and not line.startswith(("```", ":"))}


def hidden_lines(nb) -> set[str]:
    return distinctive_lines(nb, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


@pytest.mark.parametrize("aid", NOTEBOOKS)
def test_generate_assignment(graded, aid):
    assert aid in graded.courses, f"{aid} was not put in a course"
    release = graded.courses[aid].root / "release" / aid / NOTEBOOKS[aid].name
    assert release.exists(), f"nbgrader generate_assignment made no {release.name}:\n{_tail(graded.generate_log)}"
    assert f"assignment '{aid}'" not in "".join(
        line for line in graded.generate_log.splitlines() if "ERROR" in line
    ), _tail(graded.generate_log)


@pytest.mark.parametrize("aid", NOTEBOOKS)
def test_release_has_no_solution_and_no_hidden_test(graded, aid):
    path = NOTEBOOKS[aid]
    release_file = graded.courses[aid].root / "release" / aid / path.name
    if not release_file.exists():
        pytest.fail(f"no release of {aid}")
    source = nbformat.read(path, as_version=4)
    text = "\n".join(_strings(json.loads(release_file.read_text())))
    secret = {
        "solution line": distinctive_lines(source, "BEGIN SOLUTION", "END SOLUTION"),
        "hidden test line": hidden_lines(source),
        "model answer line": written_answers(source),
    }
    assert secret["solution line"] or secret["hidden test line"], f"{path.name}: nothing to look for"
    leaks = [f"{kind}: {line!r}" for kind, lines in secret.items() for line in sorted(lines) if line in text]
    for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        if marker in text:
            leaks.append(f"marker {marker!r}")
    assert not leaks, f"the release of {path.name} contains:\n  " + "\n  ".join(leaks)
    release = nbformat.read(release_file, as_version=4)
    assert not any(cell.get("outputs") for cell in release.cells), "the release has outputs"


@pytest.mark.parametrize("aid", NOTEBOOKS)
def test_metadata_validates(aid):
    from nbgrader.nbgraderformat import MetadataValidator

    path = NOTEBOOKS[aid]
    nb = nbformat.read(path, as_version=4)
    MetadataValidator().validate_nb(nb)  # raises on invalid nbgrader metadata
    problems = nbcells.problems(nb, chapter=nbcells.chapter_of(path))
    assert not problems, f"{path.name} breaks docs/exercises.md:\n  " + "\n  ".join(problems)
    assert any(cell.metadata.get("nbgrader", {}).get("grade") for cell in nb.cells)


# --------------------------------------------------------------------------------- autograde

@pytest.mark.parametrize("aid", NOTEBOOKS)
def test_reference_solution_gets_full_marks(graded, aid):
    _check_scores(graded, aid, "ref")


@pytest.mark.parametrize("aid", NOTEBOOKS)
def test_blank_submission_gets_zero(graded, aid):
    _check_scores(graded, aid, "blank")
    assert graded.courses[aid].submission_score(aid, "blank") == 0


@pytest.mark.parametrize("aid", NOTEBOOKS)
def test_wrong_answers_lose_exactly_their_tests(graded, aid):
    path = NOTEBOOKS[aid]
    table = S.wrong_answers(path)
    if table is None:
        pytest.fail(f"no wrong answers registered for {path.name}: add "
                    f"tests/grading/wrong_answers/{path.stem}.py (docs/exercises.md, section 6)")
    source = nbformat.read(path, as_version=4)
    solutions, tests = set(S.solution_ids(source)), set(S.graded_ids(source))
    problems = [f"{gid} is not a solution cell" for gid in table if gid not in solutions]
    problems += [f"{gid} has no wrong answer" for gid in sorted(solutions - set(table))]
    problems += [f"{gid}: 'fails' names {sorted(set(e['fails']) - tests)}, not test cells"
                 for gid, entries in table.items() for e in entries if not set(e["fails"]) <= tests]
    problems += [f"{gid}: a wrong answer that fails nothing" for gid, entries in table.items()
                 for e in entries if not e["fails"]]
    assert not problems, f"tests/grading/wrong_answers/{path.stem}.py:\n  " + "\n  ".join(problems)
    for r in range(len(S.wrong_rounds(table))):
        _check_scores(graded, aid, f"wrong{r + 1}")


def test_blanking_some_exercises_loses_exactly_their_points(graded):
    _check_scores(graded, DEMO_ID, "alt")


HOSTILE = ["x-loop", "x-stubborn", "x-sysexit", "x-osexit", "x-exit", "x-delete", "x-print", "x-patch",
           "x-locked", "x-deleted"]


@pytest.mark.parametrize("student", HOSTILE)
def test_hostile_submission_is_graded_correctly(graded, student):
    assert (DEMO_ID, student) in graded.expected, "the demo was not released"
    _check_scores(graded, DEMO_ID, student)


def test_hostile_list_is_complete(graded):
    assert sorted(s for (a, s) in graded.expected if s.startswith("x-")) == sorted(HOSTILE)


def test_huge_output_is_truncated(graded):
    graded_file = graded.courses[DEMO_ID].root / "autograded" / "x-print" / DEMO_ID / DEMO.name
    assert graded_file.exists()
    assert graded_file.stat().st_size < 500_000, f"{graded_file.stat().st_size:,} bytes"


def test_every_submission_is_in_the_gradebook_with_a_score(graded):
    for run in graded.autograde_runs:
        assert run.returncode == 0, f"nbgrader autograde failed:\n{_tail(run.stderr)}"
    missing = []
    for aid, student in graded.expected:
        score = graded.courses[aid].submission_score(aid, student)
        graded_file = graded.courses[aid].root / "autograded" / student / aid / NOTEBOOKS[aid].name
        if score is None or not graded_file.exists():
            missing.append(f"{aid}/{student}: score {score}, autograded notebook "
                           f"{'present' if graded_file.exists() else 'missing'}")
    assert not missing, "\n".join(missing)


# --------------------------------------------------------------------------------- the book

class _Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def _page_text(path: Path) -> str:
    if path.suffix == ".html":
        parser = _Text()
        parser.feed(path.read_text(errors="replace"))
        text = "".join(parser.parts)
    elif path.suffix == ".ipynb":
        text = "\n".join(_strings(json.loads(path.read_text())))
    else:
        text = path.read_text(errors="replace")
    return re.sub(r"\s+", " ", text)


@pytest.mark.book
def test_built_book_contains_no_hidden_test(book_html):
    """No page, and no other file of the built book (a copied source notebook...), shows a hidden test."""
    chapters = [p for aid, p in NOTEBOOKS.items() if p != DEMO]
    if not chapters:
        pytest.skip("no notebook in _toc.yml has exercises yet")
    # A chapter's own hidden lines are looked for in the files named after it; the markers everywhere.
    own = {p.stem: {" ".join(line.split()) for line in hidden_lines(nbformat.read(p, as_version=4))}
           for p in chapters}
    markers = {"BEGIN HIDDEN TESTS", nbcells.HIDDEN_NOTE}
    leaks = {}
    for path in sorted(book_html.rglob("*")):
        if path.suffix not in {".html", ".ipynb", ".txt", ".md", ".py", ".json"} or not path.is_file():
            continue
        text = _page_text(path)
        found = [line for line in sorted(own.get(path.stem, set()) | markers) if line in text]
        if found:
            leaks[str(path.relative_to(book_html))] = found
    # The same search does find the visible self-checks on the chapter pages: it would see hidden ones.
    for p in chapters:
        page = book_html / p.relative_to(ROOT).with_suffix(".html")
        visible = {" ".join(line.split()) for cell in nbformat.read(p, as_version=4).cells
                   if cell.metadata.get("nbgrader", {}).get("grade_id", "").endswith("-check")
                   for line in cell.source.splitlines() if len(line.strip()) >= 8}
        assert page.exists() and any(line in _page_text(page) for line in visible), page
    hint = ("\n(_sources/ holds copies of the source notebooks, hidden tests included: set "
            "html_copy_source: false in _config.yml's sphinx config)" if any(
                f.startswith("_sources") for f in leaks) else "")
    assert not leaks, "hidden tests in the built book:\n" + "\n".join(
        f"  {f}: {len(lines)} line(s), e.g. {lines[0]!r}" for f, lines in leaks.items()) + hint

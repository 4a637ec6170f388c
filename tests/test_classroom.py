"""A whole term of docs/teacher.md, command by command, with careless students.

The test reads every command of docs/teacher.md's code blocks and runs them in
order in a shell whose $HOME holds the LMS downloads the commands name and whose
$LAGRANGE_AD_COURSE is a temporary course. The downloads (chapter 4) hold:

  1234  Doe, Jane: the reference answers and a written answer; an older blank attempt beside it
  2345  Roe, Rick: a wrong exercise 4.1, on time; later a corrected notebook, after the due date
  3456  Smith, Ann: a folder with the blank release, a -Copy1 and a checkpoint
  4567  Lee, Bo: deleted exercise 4.1's solution *and* check cells
  5678  Kim, Al: an empty (0-byte) file
  6789  Park, Su: chapter 3's notebook
  7890  Wu, Yi: a notebook without cells
and a PDF and a __MACOSX folder. The test then checks the console, the CSV, the
gradebook and the feedback pages against what the page promises.
"""

from __future__ import annotations

import copy
import csv
import os
import re
import shlex
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "grading"))
sys.path.insert(0, str(ROOT / "scripts"))
import submissions as S  # noqa: E402

pytestmark = pytest.mark.slow

DOC = ROOT / "docs" / "teacher.md"
CHAPTER = ROOT / "book" / "ch04_lagrange.ipynb"
WRITTEN = "A step nobody reads gives ∂L/∂z_i = −λ_i = 0, so λ_i = 0: moving it changes nothing downstream."


# The page's JupyterHub part runs as root with real Unix users: tests/test_hub.py and
# tests/test_exchange_load.py run it; this test walks the command-line term before it.
HUB_PART = "## A whole class on JupyterHub"


def doc_commands(path: Path = DOC) -> list[str]:
    """The commands of the page's ```bash blocks before its JupyterHub part, in order."""
    text = path.read_text().split(HUB_PART)[0]
    blocks = re.findall(r"```bash\n(.*?)```", text, re.S)
    return [line.strip() for block in blocks for line in block.splitlines()
            if line.strip() and not line.strip().startswith("#")]


def _stamp(text: str) -> float:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC).timestamp()


def _ch04_zip(path: Path, release, source, other_chapter) -> None:
    wrong = S.wrong_answers(CHAPTER)["ch4-ex1-solution"][0]["source"]
    jane = S.fill(S.reference(release, source), {"ch4-ex3-answer": WRITTEN})
    deleted = copy.deepcopy(S.reference(release, source))
    cells = S.cells_by_id(deleted)
    deleted.cells.remove(cells["ch4-ex1-solution"])
    deleted.cells.remove(cells["ch4-ex1-check"])
    empty_nb = nbformat.v4.new_notebook()
    entries = {
        "Doe, Jane_1234_attempt_2026-03-01-10-15-30.ipynb": (jane, "2026-03-01 10:15"),
        "Doe, Jane_1234_attempt_2026-02-27-09-00-00.ipynb": (S.blank(release), "2026-02-27 09:00"),
        "Roe, Rick_2345_attempt_2026-03-02-16-00-00.ipynb": (S.fill(S.reference(release, source),
                                                                    {"ch4-ex1-solution": wrong}), "2026-03-02 16:00"),
        "Smith, Ann_3456_attempt_2026-03-02-08-00-00/ch04_lagrange.ipynb": (S.blank(release), "2026-03-02 08:00"),
        "Smith, Ann_3456_attempt_2026-03-02-08-00-00/ch04_lagrange-Copy1.ipynb": (jane, "2026-03-02 08:30"),
        "Smith, Ann_3456_attempt_2026-03-02-08-00-00/.ipynb_checkpoints/ch04_lagrange-checkpoint.ipynb":
            (jane, "2026-03-02 08:40"),
        "Lee, Bo_4567_attempt_2026-03-01-12-00-00.ipynb": (deleted, "2026-03-01 12:00"),
        "Kim, Al_5678_attempt_2026-03-01-13-00-00.ipynb": (None, "2026-03-01 13:00"),
        "Park, Su_6789_attempt_2026-03-01-14-00-00.ipynb": (other_chapter, "2026-03-01 14:00"),
        "Wu, Yi_7890_attempt_2026-03-01-15-00-00.ipynb": (empty_nb, "2026-03-01 15:00"),
        "syllabus.pdf": ("%PDF-1.4", "2026-03-01 09:00"),
        "__MACOSX/._Doe, Jane_1234.ipynb": ("junk", "2026-03-01 09:00"),
    }
    with zipfile.ZipFile(path, "w") as archive:
        for name, (content, when) in entries.items():
            info = zipfile.ZipInfo(name, date_time=datetime.strptime(when, "%Y-%m-%d %H:%M").timetuple()[:6])
            if content is None:
                data = ""
            elif isinstance(content, str):
                data = content
            else:
                data = nbformat.writes(content)
            archive.writestr(info, data)


def _late_folder(path: Path, release, source) -> None:
    """Rick's corrected notebook, a day late, as a plain folder download (file time = submission time)."""
    path.mkdir(parents=True)
    target = path / "Roe, Rick_2345.ipynb"
    nbformat.write(S.reference(release, source), target)
    os.utime(target, (_stamp("2026-03-03 18:30"), _stamp("2026-03-03 18:30")))


@pytest.fixture(scope="module")
def term(tmp_path_factory):
    """Run the page's commands in order; {command: completed process} and the course folder."""
    tmp = tmp_path_factory.mktemp("term")
    home, course = tmp / "home", tmp / "course"
    (home / "Downloads").mkdir(parents=True)
    env = dict(os.environ, HOME=str(home), LAGRANGE_AD_COURSE=str(course))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    commands = doc_commands()
    runs = {}
    for command in commands:
        if "~/Downloads/ch04.zip" in command:
            release = nbformat.read(course / "release" / "ch04" / CHAPTER.name, as_version=4)
            source = nbformat.read(CHAPTER, as_version=4)
            other = nbformat.read(ROOT / "book" / "ch03_constrained.ipynb", as_version=4)
            _ch04_zip(home / "Downloads" / "ch04.zip", release, source, other)
        if "~/Downloads/ch04-late" in command:
            _late_folder(home / "Downloads" / "ch04-late", release, source)
        done = subprocess.run(["bash", "-c", command], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=900)
        runs.setdefault(command, []).append(done)
        assert done.returncode == 0, f"`{command}` failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return runs, course


def _out(term, prefix: str, index: int = 0) -> str:
    runs, _ = term
    matching = [r for command, rs in runs.items() if command.startswith(prefix) for r in rs]
    return matching[index].stdout


def _grades(course: Path) -> dict[str, dict]:
    with open(course / "grades.csv") as f:
        return {row["student_id"]: row for row in csv.DictReader(f)}


def test_the_page_walks_the_whole_term():
    steps = [shlex.split(c)[2] for c in doc_commands() if c.startswith("python scripts/classroom.py")]
    assert steps == ["release", "collect", "autograde", "answers", "score", "feedback", "grades",
                     "collect", "regrade", "grades", "status", "release", "grades"], steps


def test_collect_takes_the_newest_notebook_and_says_what_it_skipped(term):
    out = _out(term, "python scripts/classroom.py collect 4 ~/Downloads/ch04.zip")
    assert "Collected 7 submission(s) of ch04" in out, out
    for skipped in ["Doe, Jane_1234_attempt_2026-02-27-09-00-00.ipynb: an older attempt of 1234",
                    "ch04_lagrange-Copy1.ipynb: a copy (-CopyN)", "ch04_lagrange-checkpoint.ipynb: a checkpoint",
                    "syllabus.pdf: not a notebook (.pdf)", "__MACOSX: not a submission"]:
        assert skipped in out, f"{skipped!r} not reported:\n{out}"
    for problem in ["5678", "the file is empty"], ["6789", "the notebook of chapter 3"], ["7890", "empty"]:
        line = next(line for line in out.splitlines() if line.strip().startswith(problem[0]))
        assert problem[1] in line, line


def test_no_submission_is_lost_and_none_is_silently_zero(term):
    _, course = term
    rows = _grades(course)
    assert set(rows) == {"1234", "2345", "3456", "4567", "5678", "6789", "7890"}
    status = {s: r["ch04 status"] for s, r in rows.items()}
    assert status == {"1234": "graded", "2345": "graded", "3456": "graded", "4567": "graded",
                      "5678": "failed", "6789": "failed", "7890": "failed"}, status
    assert "empty (0 bytes)" in rows["5678"]["ch04 notes"]
    assert "chapter 3" in rows["6789"]["ch04 notes"]
    assert rows["5678"]["ch04 score"] == "", "a failed submission has no score, not 0"
    # deleted cells: exercise 4.1 scores 0, exercise 4.2 is graded, the note names the cells
    lee = rows["4567"]
    assert (float(lee["ch04 ex1"]), float(lee["ch04 ex2"])) == (0.0, 2.0), lee
    assert "ch4-ex1-solution" in lee["ch04 notes"] and "ch4-ex1-check" in lee["ch04 notes"]
    assert float(rows["3456"]["ch04 score"]) == 0.0  # the blank release from the folder, not the Copy1


def test_autograde_shows_progress_and_a_table(term):
    out = _out(term, "python scripts/classroom.py autograde 4")
    assert re.search(r"^4/7 done: \S+ graded", out, re.M) or re.search(r"^7/7 done", out, re.M), out
    assert "ch04: 4 graded, 3 could not be graded (5678, 6789, 7890)" in out, out
    assert "To look at:" in out and "5678 ch04: failed" in out
    assert "SAWarning" not in out and "Kernel is running" not in out


def test_written_answer_is_listed_then_scored(term):
    _, course = term
    out = _out(term, "python scripts/classroom.py answers 4")
    assert "1 to grade" in out and "1234 ch4-ex3-answer" in out, out
    page = (course / "answers" / "ch04.html").read_text()
    assert "moving it changes nothing downstream" in page
    assert "Model answer of ch4-ex3-answer" in page
    rows = _grades(course)
    assert rows["1234"]["ch04 status"] == "graded"
    assert float(rows["1234"]["ch04 score"]) == 4 + 1.5 and float(rows["1234"]["ch04 ex3"]) == 1.5


def test_feedback_hides_the_hidden_tests(term):
    _, course = term
    source = nbformat.read(CHAPTER, as_version=4)
    hidden = {line.strip() for c in source.cells if c.metadata.get("nbgrader", {}).get("grade_id", "").endswith(
        "hidden") for line in c.source.splitlines() if len(line.strip()) > 12 and "HIDDEN" not in line}
    assert hidden
    pages = {p.parts[-3]: p.read_text() for p in (course / "feedback").glob("*/ch04/*.html")}
    assert set(pages) == {"1234", "2345", "3456", "4567"}, sorted(pages)
    import html

    for student, page in pages.items():
        text = html.unescape(page)
        leaks = [line for line in hidden if line in text]
        assert not leaks, f"{student}'s feedback shows hidden test code: {leaks}"
        assert "1.3" not in re.sub(r"<[^>]+>", " ", text).split(), "an expected value"
        assert str(course) not in text and str(ROOT) not in text, "a path of the teacher's machine"
        assert "cdn" not in text.lower() and "<script src" not in text, "something from the network"
        assert 'id="toc"' not in page and "Test cell" not in text
        assert "<math" in page, "the prompts' math as MathML"
        assert "import matplotlib.pyplot" not in text, "the chapter's narrative: only the exercises belong here"
    assert "Hidden tests of exercise 4.1: failed" in pages["2345"]
    assert "Hint:" in pages["2345"]
    assert "Hidden tests of exercise 4.2: passed" in pages["2345"]
    assert "Your scores" in pages["1234"]


def test_grades_csv_is_ready_for_an_lms(term):
    _, course = term
    with open(course / "grades.csv") as f:
        header = next(csv.reader(f))
    assert header[0] == "student_id"
    at = header.index("ch04 score")
    assert header[at:at + 5] == ["ch04 score", "ch04 max", "ch04 status", "ch04 submitted", "ch04 hours late"]
    assert {"ch04 ex1", "ch04 ex2", "ch04 ex3", "ch04 notes", "total score"} <= set(header)
    rows = _grades(course)
    # chapter 3, released last and not collected: missing for everyone, no score (not 0)
    assert {r["ch03 status"] for r in rows.values()} == {"missing"}
    assert {r["ch03 score"] for r in rows.values()} == {""}
    assert rows["1234"]["ch04 submitted"] == "2026-03-01 10:15 UTC"
    assert float(rows["1234"]["ch04 hours late"]) == 0


def test_late_resubmission_is_regraded_and_shows_its_lateness(term):
    _, course = term
    out = _out(term, "python scripts/classroom.py regrade 4 2345")
    assert "1/1 done: 2345 graded" in out, out
    rick = _grades(course)["2345"]
    assert float(rick["ch04 score"]) == 4.0, rick  # corrected: both exercises, no written answer
    assert float(rick["ch04 hours late"]) == pytest.approx(25.5), rick
    assert rick["ch04 submitted"] == "2026-03-03 18:30 UTC"


def test_status_prints_every_student(term):
    out = _out(term, "python scripts/classroom.py status")
    for student in ("1234", "2345", "3456", "4567", "5678", "6789", "7890"):
        assert re.search(rf"^{student}\s", out, re.M), out
    assert "FAILED" in out


def test_grades_are_not_written_into_the_repository(tmp_path):
    done = subprocess.run([sys.executable, "scripts/classroom.py", "grades", "grades.csv", "--course",
                           str(tmp_path)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 1 and "inside the repository" in done.stdout, done.stdout
    assert not (ROOT / "grades.csv").exists()

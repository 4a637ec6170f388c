"""The teacher's term, one command per step (docs/teacher.md walks through it).

    python scripts/classroom.py release 4 --due "2026-03-02 17:00 UTC"
    python scripts/classroom.py collect 4 ~/Downloads/ch04.zip   # an LMS download: folder or .zip
    python scripts/classroom.py autograde 4                      # in parallel; progress, then a table
    python scripts/classroom.py answers 4                        # the written answers to read
    python scripts/classroom.py score 4 1234 ch4-ex3-answer 1.5  # a written answer's score
    python scripts/classroom.py feedback 4                       # one HTML page per student
    python scripts/classroom.py grades                           # <course>/grades.csv for the LMS
    python scripts/classroom.py regrade 4 1234                   # one student again
    python scripts/classroom.py status                           # every student, every chapter

The course folder is ./classroom (gitignored) unless ``--course DIR`` (anywhere
on the line) or $LAGRANGE_AD_COURSE names another. A chapter is its number or
the path of a notebook. Each step's full log is appended to
<course>/logs/classroom.log; each graded submission's to
<course>/logs/<chapter>/<student>.log.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from classroom_kit import feedback, grading, intake, manual, report  # noqa: E402
from classroom_kit.course import (  # noqa: E402
    ClassroomError,
    assignment_id,
    chapter_notebook,
    course_dir,
    nbgrader,
    released_notebook,
)


class Log:
    """Short lines on the console; everything, with the time, in <course>/logs/classroom.log."""

    def __init__(self, course: Path):
        (course / "logs").mkdir(parents=True, exist_ok=True)
        self.file = open(course / "logs" / "classroom.log", "a")  # noqa: SIM115 (closed in main)
        self.file.write(f"\n=== {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC: {' '.join(sys.argv[1:])}\n")

    def say(self, text: str) -> None:
        print(text, flush=True)
        self.file.write(text + "\n")
        self.file.flush()

    def write(self, text: str) -> None:  # nbgrader's own output: the file only
        self.file.write(text)


def release(course: Path, chapter: str, due: str | None, log: Log) -> Path:
    notebook = chapter_notebook(chapter)
    aid = assignment_id(notebook)
    source = course / "source" / aid
    source.mkdir(parents=True, exist_ok=True)
    shutil.copy(notebook, source / notebook.name)
    nbgrader(course, "generate_assignment", aid, "--force", log=log)
    if due:
        nbgrader(course, "db", "assignment", "add", aid, f"--duedate={due}", log=log)
    out = course / "release" / aid / notebook.name
    log.say(f"Released {aid}{' (due ' + due + ')' if due else ''}: hand out {out}")
    return out


def _collected_at(folder: Path) -> datetime | None:
    """The submission time of what was collected into ``folder`` before, if anything."""
    stamp = folder / "timestamp.txt"
    if not stamp.exists():
        return None
    return datetime.strptime(stamp.read_text().strip(), "%Y-%m-%d %H:%M:%S.%f UTC").replace(tzinfo=UTC)


def collect(course: Path, chapter: str, downloads: Path, log: Log) -> list[str]:
    aid = assignment_id(chapter_notebook(chapter))
    released = released_notebook(course, aid)  # refuses a chapter that was never released
    if not downloads.exists():
        raise ClassroomError(f"{downloads} does not exist")
    folder, tmp = intake.unpacked(downloads)
    try:
        if not folder.is_dir():
            raise ClassroomError(f"{downloads} is neither a folder nor a .zip of submissions")
        found = intake.read_downloads(folder, released.name)
        release_nb = nbformat.read(released, as_version=4)
        for student, entry in sorted(found.entries.items()):
            dest = course / "submitted" / student / aid
            if _collected_at(dest) and _collected_at(dest) > entry.submitted:
                found.skipped.append((entry.source, f"older than the submission of {student} collected before"))
                continue
            dest.mkdir(parents=True, exist_ok=True)
            shutil.copy(entry.path, dest / released.name)  # nbgrader grades by the released file's name
            (dest / "timestamp.txt").write_text(entry.submitted.strftime("%Y-%m-%d %H:%M:%S.%f UTC"))
            problem = intake.inspect(dest / released.name, release_nb, aid).problem
            where = f"{entry.source}" + (f" → {entry.path.name}" if entry.path.name != entry.source else "")
            log.say(f"  {student:<16} {entry.submitted:%Y-%m-%d %H:%M} UTC  {where}"
                    + (f"  (cannot be graded: {problem})" if problem else ""))
    finally:
        if tmp is not None:
            tmp.cleanup()
    for what, why in found.skipped:
        log.say(f"  skipped {what}: {why}")
    log.say(f"Collected {len(found.entries)} submission(s) of {aid}; skipped {len(found.skipped)} entr"
            f"{'y' if len(found.skipped) == 1 else 'ies'}.")
    return sorted(found.entries)


def autograde(course: Path, chapter: str, students: list[str] | None, force: bool, workers: int,
              log: Log) -> None:
    aid = assignment_id(chapter_notebook(chapter))
    records = grading.autograde(course, aid, students=students, force=force, workers=workers, say=log.say)
    failed = [s for s, r in records.items() if r["status"] == "failed"]
    log.say(f"{aid}: {len(records) - len(failed)} graded, {len(failed)} could not be graded"
            + (f" ({', '.join(failed)})" if failed else "") + f". Logs: {course / 'logs' / aid}")
    log.say(report.summary(course, only=aid))


def _options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--course", default=argparse.SUPPRESS,
                        help="course directory (default: $LAGRANGE_AD_COURSE or ./classroom)")
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0], parents=[common],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    sub = parser.add_subparsers(dest="step", required=True)

    def step(name, help_text):
        return sub.add_parser(name, help=help_text, parents=[common])

    p = step("release", "generate the student version of a chapter")
    p.add_argument("chapter")
    p.add_argument("--due", help='due date, e.g. "2026-03-02 17:00 UTC" (late work is measured against it)')
    p = step("collect", "file students' notebooks (a folder or .zip downloaded from the LMS)")
    p.add_argument("chapter")
    p.add_argument("downloads", type=Path)
    for name, text in (("autograde", "grade the chapter's collected submissions"),
                       ("regrade", "grade the given students' submissions again")):
        p = step(name, text)
        p.add_argument("chapter")
        p.add_argument("students", nargs="*" if name == "autograde" else "+",
                       help="only these students (default: everyone not yet graded)")
        p.add_argument("--force", action="store_true", help="grade again submissions already graded")
        p.add_argument("--workers", type=int, default=grading.default_workers(),
                       help="submissions graded at once (default: the number of CPUs + 1)")
    p = step("answers", "list the written answers to read (an HTML page)")
    p.add_argument("chapter")
    p = step("score", "give a written answer its points")
    p.add_argument("chapter")
    p.add_argument("student")
    p.add_argument("cell", help="the answer's grade_id, e.g. ch4-ex3-answer")
    p.add_argument("points", type=float)
    p = step("feedback", "one HTML feedback page per graded student")
    p.add_argument("chapter")
    p = step("grades", "export every grade as one CSV")
    p.add_argument("csv", nargs="?", type=Path, help="default: <course>/grades.csv")
    p = step("status", "every student's status in every chapter (or one)")
    p.add_argument("chapter", nargs="?")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _options().parse_args(argv)
    course = course_dir(getattr(args, "course", None))
    log = Log(course)
    try:
        if args.step == "release":
            release(course, args.chapter, args.due, log)
        elif args.step == "collect":
            collect(course, args.chapter, args.downloads.expanduser(), log)
        elif args.step in ("autograde", "regrade"):
            autograde(course, args.chapter, args.students or None, args.force or args.step == "regrade",
                      args.workers, log)
        elif args.step == "answers":
            page, answers = manual.write_answers_page(course, assignment_id(chapter_notebook(args.chapter)))
            pending = [a for a in answers if a["pending"]]
            log.say(f"{len(answers)} written answer(s), {len(pending)} to grade: open {page}")
            for a in pending:
                log.say(f"  {a['student']} {a['cell']} (0 to {a['max']:g} points)")
        elif args.step == "score":
            aid = assignment_id(chapter_notebook(args.chapter))
            total = manual.set_score(course, aid, args.student, args.cell, args.points)
            log.say(f"{args.student} {args.cell}: {args.points:g} points; {aid} total now {total:g}")
        elif args.step == "feedback":
            aid = assignment_id(chapter_notebook(args.chapter))
            pages = feedback.generate(course, aid, log=log)
            log.say(f"Feedback for {len(pages)} student(s) in {course / 'feedback'}")
        elif args.step == "grades":
            target = report.export_csv(course, args.csv or course / "grades.csv")
            log.say(f"Wrote {target}")
        elif args.step == "status":
            aid = assignment_id(chapter_notebook(args.chapter)) if args.chapter else None
            log.say(report.summary(course, only=aid))
    except ClassroomError as err:
        log.say(f"error: {err}")
        return 1
    finally:
        log.file.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

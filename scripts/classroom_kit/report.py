"""Every student's status in every released chapter, and the gradebook CSV.

A chapter's status for one student is one of

- ``graded``: autograded, no written answer waits for the teacher;
- ``pending manual``: autograded, a written answer still needs a manual score
  (the score shown is not final);
- ``failed``: handed in but it could not be graded (the reason is in *notes*);
- ``not graded yet``: collected, autograde has not run on it;
- ``missing``: nothing was handed in.

The CSV has one row per student: per chapter its score, maximum, status,
submission time, hours late (against the due date stored in the gradebook) and
one column per exercise, then the total. Its first column, ``student_id``, is
what an LMS grade import matches on.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from .course import ROOT, ClassroomError, released_assignments
from .grading import read_status, submitted_students

STATUSES = ("graded", "pending manual", "failed", "not graded yet", "missing")


@dataclass
class Result:
    """One student's result in one chapter."""

    status: str
    score: float | None = None
    max_score: float | None = None
    exercises: dict[str, float] = field(default_factory=dict)  # 'ex1' -> points
    submitted: str = ""
    hours_late: float | None = None
    notes: str = ""


def _exercise(grade_id: str) -> str:
    match = re.match(r"ch\d+-(ex\d+)-", grade_id)
    return match[1] if match else grade_id


def results(course: Path) -> tuple[list[str], dict[str, dict[str, Result]], dict[str, dict[str, float]]]:
    """(assignments, {student: {assignment: Result}}, {assignment: {exercise: max points}})."""
    from nbgrader.api import Gradebook, MissingEntry

    aids = released_assignments(course)
    table: dict[str, dict[str, Result]] = {}
    maxima: dict[str, dict[str, float]] = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        students = {s.id for s in gb.students}
        for aid in aids:
            students |= set(submitted_students(course, aid)) | set(read_status(course, aid))
        for aid in aids:
            status = read_status(course, aid)
            submitted = set(submitted_students(course, aid))
            try:
                assignment = gb.find_assignment(aid)
                maxima[aid] = {}
                for notebook in assignment.notebooks:
                    for cell in notebook.grade_cells:
                        ex = _exercise(cell.name)
                        maxima[aid][ex] = maxima[aid].get(ex, 0.0) + cell.max_score
            except MissingEntry:
                maxima[aid] = {}
            for student in students:
                record = status.get(student, {})
                notes = []
                if record.get("missing") and record.get("status") == "graded":
                    notes.append("deleted cells, scored 0: " + ", ".join(record["missing"]))
                if student not in submitted:
                    result = Result("missing")
                elif record.get("status") == "failed":
                    result = Result("failed", notes=record.get("problem") or "")
                else:
                    try:
                        sub = gb.find_submission(aid, student)
                    except MissingEntry:
                        table.setdefault(student, {})[aid] = Result("not graded yet")
                        continue
                    exercises: dict[str, float] = {}
                    pending = []
                    for notebook in sub.notebooks:
                        for grade in notebook.grades:
                            ex = _exercise(grade.name)
                            exercises[ex] = exercises.get(ex, 0.0) + (grade.score or 0.0)
                            if grade.needs_manual_grade:
                                pending.append(grade.name)
                    if pending:
                        notes.append("to grade by hand: " + ", ".join(pending))
                    late = sub.total_seconds_late
                    result = Result("pending manual" if pending else "graded", sub.score, sub.max_score,
                                    exercises, sub.timestamp.strftime("%Y-%m-%d %H:%M UTC") if sub.timestamp else "",
                                    round(late / 3600, 2) if assignment.duedate else None, "; ".join(notes))
                table.setdefault(student, {})[aid] = result
    return aids, table, maxima


def _inside_repository(path: Path) -> bool:
    path = path.resolve()
    return path.is_relative_to(ROOT) and not path.is_relative_to(ROOT / "classroom")


def export_csv(course: Path, target: Path) -> Path:
    """Write the gradebook CSV; refuse a place inside the repository where git would see it."""
    if _inside_repository(target):
        raise ClassroomError(f"{target} is inside the repository, where students' grades could be "
                             f"committed; write it into the course folder ({course}) or outside the repository")
    aids, table, maxima = results(course)
    header = ["student_id"]
    for aid in aids:
        header += [f"{aid} score", f"{aid} max", f"{aid} status", f"{aid} submitted", f"{aid} hours late"]
        header += [f"{aid} {ex}" for ex in maxima[aid]]
        header += [f"{aid} notes"]
    header += ["total score", "total max"]
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for student in sorted(table):
            row, total, total_max = [student], 0.0, 0.0
            for aid in aids:
                r = table[student].get(aid, Result("missing"))
                full = sum(maxima[aid].values())
                row += ["" if r.score is None else r.score, full, r.status, r.submitted,
                        "" if r.hours_late is None else r.hours_late]
                row += ["" if r.score is None else r.exercises.get(ex, 0.0) for ex in maxima[aid]]
                row += [r.notes]
                total += r.score or 0.0
                total_max += full
            writer.writerow(row + [total, total_max])
    return target


def summary(course: Path, only: str | None = None) -> str:
    """A plain-text table: one line per student, a column per chapter, then every problem."""
    aids, table, maxima = results(course)
    aids = [a for a in aids if only is None or a == only]
    if not table:
        return "no students yet"
    short = {"graded": "", "pending manual": " (manual)", "failed": "FAILED", "not graded yet": "not graded",
             "missing": "missing"}
    width = max(len(s) for s in table) + 2
    lines = ["student".ljust(width) + "".join(a.rjust(18) for a in aids)]
    problems = []
    for student in sorted(table):
        cells = []
        for aid in aids:
            r = table[student].get(aid, Result("missing"))
            full = sum(maxima[aid].values())
            text = f"{r.score:g}/{full:g}{short[r.status]}" if r.score is not None else short[r.status]
            cells.append(text.rjust(18))
            if r.notes or r.status in ("failed", "not graded yet"):
                problems.append(f"  {student} {aid}: {r.status}{': ' + r.notes if r.notes else ''}")
        lines.append(student.ljust(width) + "".join(cells))
    if problems:
        lines += ["", "To look at:", *problems]
    return "\n".join(lines)

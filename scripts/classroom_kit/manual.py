"""Written answers: list them for reading, and record the teacher's score.

>>> import nbformat
>>> cell = nbformat.v4.new_markdown_cell("A is upper triangular.")
>>> answer_text(cell)
'A is upper triangular.'
"""

from __future__ import annotations

import html
from pathlib import Path

import nbformat

from .course import ClassroomError


def answer_text(cell) -> str:
    return cell.source.strip()


def _gradebook(course: Path):
    from nbgrader.api import Gradebook

    return Gradebook(f"sqlite:///{course / 'gradebook.db'}")


def written_answers(course: Path, aid: str) -> list[dict]:
    """Every written answer of a chapter: student, cell, score, max, whether it waits, the text."""
    found = []
    with _gradebook(course) as gb:
        for sub in sorted(gb.assignment_submissions(aid), key=lambda s: s.student.id):
            for notebook in sub.notebooks:
                path = course / "autograded" / sub.student.id / aid / f"{notebook.name}.ipynb"
                cells = {}
                if path.exists():
                    nb = nbformat.read(path, as_version=4)
                    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
                for grade in notebook.grades:
                    if grade.cell.cell_type != "markdown":
                        continue
                    cell = cells.get(grade.name)
                    found.append({"student": sub.student.id, "cell": grade.name, "notebook": notebook.name,
                                  "score": grade.score, "max": grade.max_score,
                                  "pending": grade.needs_manual_grade,
                                  "text": answer_text(cell) if cell is not None else "(no such cell)"})
    return found


def model_answers(course: Path, aid: str) -> dict[str, str]:
    """``{answer cell: the teacher's model answer}`` from the chapter's source notebook."""
    found = {}
    for path in sorted((course / "source" / aid).glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            gid = cell.metadata.get("nbgrader", {}).get("grade_id", "")
            if cell.cell_type == "markdown" and gid.endswith("-answer"):
                found[gid] = answer_text(cell)
    return found


def write_answers_page(course: Path, aid: str) -> tuple[Path, list[dict]]:
    """An HTML page with every written answer of the chapter, the ones to grade first."""
    answers = sorted(written_answers(course, aid), key=lambda a: (not a["pending"], a["cell"], a["student"]))
    out = course / "answers" / f"{aid}.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = []
    for cell, text in sorted(model_answers(course, aid).items()):
        rows.append(f"<details><summary>Model answer of {html.escape(cell)}</summary>"
                    f"<pre style='white-space:pre-wrap'>{html.escape(text)}</pre></details>")
    for a in answers:
        state = "TO GRADE" if a["pending"] else f"{a['score']:g} / {a['max']:g}"
        rows.append(f"<section><h2>{html.escape(a['student'])} — {html.escape(a['cell'])} ({state})</h2>"
                    f"<pre style='white-space:pre-wrap'>{html.escape(a['text'])}</pre>"
                    f"<p><code>python scripts/classroom.py score {aid} {html.escape(a['student'])} "
                    f"{html.escape(a['cell'])} POINTS</code> (0 to {a['max']:g})</p></section>")
    out.write_text(f"<!doctype html><html lang='en'><meta charset='utf-8'><title>{aid}: written answers"
                   f"</title><body><h1>{aid}: written answers</h1>{''.join(rows) or '<p>none</p>'}</body></html>")
    return out, answers


def set_score(course: Path, aid: str, student: str, cell: str, points: float) -> float:
    """Record the teacher's score of one written answer (it is then final); the chapter's new total."""
    from nbgrader.api import MissingEntry

    with _gradebook(course) as gb:
        try:
            sub = gb.find_submission(aid, student)
        except MissingEntry:
            raise ClassroomError(f"no graded submission of {aid} by {student}") from None
        for notebook in sub.notebooks:
            for grade in notebook.grades:
                if grade.name == cell:
                    if not 0 <= points <= grade.max_score:
                        raise ClassroomError(f"{cell} is worth 0 to {grade.max_score:g} points, not {points:g}")
                    grade.manual_score = points
                    grade.needs_manual_grade = False
                    gb.db.commit()
                    return gb.find_submission(aid, student).score
        names = sorted(g.name for n in sub.notebooks for g in n.grades)
        raise ClassroomError(f"{aid} has no graded cell {cell!r}; its cells are {', '.join(names)}")

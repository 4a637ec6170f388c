"""Students' submissions, made from the released notebook.

A submission starts as the student's copy (solutions stubbed, hidden tests gone)
and gets some solution cells filled in: with the teacher's reference solution,
with a registered wrong answer, or with something hostile.
"""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell

WRONG_DIR = Path(__file__).with_name("wrong_answers")


def _grade_id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def cells_by_id(nb) -> dict:
    return {_grade_id(c): c for c in nb.cells if _grade_id(c)}


def solution_ids(nb) -> list[str]:
    """grade_ids of the code solution cells (what a student fills in)."""
    return [_grade_id(c) for c in nb.cells
            if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")]


def graded_ids(nb) -> dict[str, float]:
    """``{grade_id: points}`` of the autograded test cells."""
    return {_grade_id(c): float(c.metadata["nbgrader"].get("points", 0)) for c in nb.cells
            if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")}


def exercise_of(grade_id: str) -> str:
    """'ch3-ex1' for 'ch3-ex1-hidden2'."""
    return grade_id.rsplit("-", 1)[0]


def fill(release, answers: dict[str, str]):
    """A copy of the released notebook with the given solution cells' sources."""
    nb = copy.deepcopy(release)
    cells = cells_by_id(nb)
    for gid, source in answers.items():
        if gid not in cells:
            raise KeyError(f"no cell with grade_id {gid!r} in the released notebook")
        cells[gid].source = source
    return nb


def reference(release, source):
    """The released notebook with every solution cell as the teacher wrote it."""
    src = cells_by_id(source)
    return fill(release, {gid: src[gid].source for gid in solution_ids(release)})


def blank(release):
    """Exactly what the student received."""
    return copy.deepcopy(release)


def wrong_answers(notebook: Path) -> dict[str, list[dict]] | None:
    """The registered wrong answers of a notebook, or None if there is no table."""
    path = WRONG_DIR / f"{notebook.stem}.py"
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location(f"wrong_answers_{notebook.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.WRONG_ANSWERS


def wrong_rounds(table: dict[str, list[dict]]) -> list[tuple[dict[str, str], set[str]]]:
    """Group the table into submissions: round r uses the r-th wrong answer of every cell.

    Returns ``[(answers {solution grade_id: source}, failing test grade_ids)]``.
    """
    rounds = []
    for r in range(max((len(v) for v in table.values()), default=0)):
        answers, fails = {}, set()
        for gid, entries in table.items():
            if r < len(entries):
                answers[gid] = entries[r]["source"]
                fails |= set(entries[r]["fails"])
        rounds.append((answers, fails))
    return rounds


def insert_after(nb, grade_id: str, source: str):
    """A copy of ``nb`` with a new (student-added) code cell after the cell ``grade_id``."""
    nb = copy.deepcopy(nb)
    index = next(i for i, c in enumerate(nb.cells) if _grade_id(c) == grade_id)
    nb.cells.insert(index + 1, new_code_cell(source))
    return nb


def append_to(nb, grade_id: str, source: str, before: bool = False):
    """A copy of ``nb`` with ``source`` added at the end (or start) of cell ``grade_id``."""
    nb = copy.deepcopy(nb)
    cell = cells_by_id(nb)[grade_id]
    cell.source = f"{source}\n{cell.source}" if before else f"{cell.source}\n{source}"
    return nb


def read(path: Path):
    return nbformat.read(path, as_version=4)

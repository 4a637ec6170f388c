"""A throwaway nbgrader course for the grading tests.

Runs the real ``nbgrader`` command line with the repository's nbgrader_config.py
(commands run in the repository root; ``LAGRANGE_AD_COURSE`` points the course
directory at a temporary folder) and reads scores from the SQLite gradebook.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEMO = Path(__file__).with_name("demo_chapter.ipynb")


def toc_notebooks(root: Path = ROOT) -> list[Path]:
    """Every .ipynb that _toc.yml lists (files without extension are resolved)."""
    toc_file = root / "_toc.yml"
    if not toc_file.exists():
        return []
    found = []

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                path = root / node["file"]
                candidates = [path] if path.suffix else [path.with_suffix(".ipynb")]
                found.extend(p for p in candidates if p.suffix == ".ipynb" and p.exists())
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(yaml.safe_load(toc_file.read_text()))
    return found


def has_exercises(path: Path) -> bool:
    """True when the notebook has nbgrader solution or graded cells."""
    nb = nbformat.read(path, as_version=4)
    return any(
        cell.metadata.get("nbgrader", {}).get("solution") or cell.metadata.get("nbgrader", {}).get("grade")
        for cell in nb.cells
    )


def exercise_notebooks(root: Path = ROOT) -> list[Path]:
    """The chapter notebooks with exercises, in toc order."""
    return [p for p in toc_notebooks(root) if has_exercises(p)]


def assignment_id(path: Path) -> str:
    """``ch03`` for book/ch03_lagrangian.ipynb; the file stem otherwise.

    >>> assignment_id(Path("book/ch03_lagrangian.ipynb")), assignment_id(Path("x/demo_chapter.ipynb"))
    ('ch03', 'demo_chapter')
    """
    match = re.match(r"(ch\d+)", path.name)
    return match[1] if match else path.stem


@dataclass
class CellScore:
    score: float | None
    max_score: float
    needs_manual_grade: bool


class Course:
    """A course directory in ``root``; every method runs real nbgrader commands."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.root / 'gradebook.db'}"

    def env(self) -> dict:
        env = dict(os.environ, LAGRANGE_AD_COURSE=str(self.root))
        # The kernels import lagrange_ad from this checkout even if it is not installed.
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        return env

    def nbgrader(self, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
        """Run ``nbgrader *args`` in the repository root (so nbgrader_config.py applies)."""
        return subprocess.run(
            [sys.executable, "-m", "nbgrader", *args],
            cwd=ROOT, env=self.env(), capture_output=True, text=True, timeout=timeout,
        )

    def add_source(self, notebook: Path, assignment: str) -> Path:
        dest = self.root / "source" / assignment / notebook.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(notebook, dest)
        return dest

    def source(self, assignment: str, name: str) -> nbformat.NotebookNode:
        return nbformat.read(self.root / "source" / assignment / name, as_version=4)

    def release(self, assignment: str, name: str) -> nbformat.NotebookNode:
        return nbformat.read(self.root / "release" / assignment / name, as_version=4)

    def submit(self, student: str, assignment: str, name: str, nb: nbformat.NotebookNode) -> Path:
        dest = self.root / "submitted" / student / assignment / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, dest)
        # nbgrader's late-submission check reads this file; absent it only logs a warning.
        (dest.parent / "timestamp.txt").write_text("2026-01-01 00:00:00.000000 UTC")
        return dest

    def autograded(self, student: str, assignment: str, name: str) -> nbformat.NotebookNode:
        return nbformat.read(self.root / "autograded" / student / assignment / name, as_version=4)

    def scores(self, assignment: str, student: str, notebook: str) -> dict[str, CellScore]:
        """``{grade_id: CellScore}`` of one submitted notebook, from the gradebook."""
        from nbgrader.api import Gradebook

        with Gradebook(self.db_url) as gb:
            nb = gb.find_submission_notebook(notebook, assignment, student)
            return {
                grade.name: CellScore(grade.score, grade.max_score, grade.needs_manual_grade)
                for grade in nb.grades
            }

    def submission_score(self, assignment: str, student: str) -> float | None:
        from nbgrader.api import Gradebook, MissingEntry

        with Gradebook(self.db_url) as gb:
            try:
                return gb.find_submission(assignment, student).score
            except MissingEntry:
                return None

"""Where things are: the course folder, the chapters, the released notebooks.

>>> assignment_id(Path("book/ch03_constrained.ipynb"))
'ch03'
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class ClassroomError(Exception):
    """A step cannot run; the message says what to fix."""


def chapter_notebook(chapter: str) -> Path:
    """The notebook of a chapter number (``3`` → book/ch03_*.ipynb) or a notebook path."""
    if chapter.isdigit():
        found = sorted((ROOT / "book").glob(f"ch{int(chapter):02d}_*.ipynb"))
        if len(found) != 1:
            raise ClassroomError(f"chapter {chapter}: expected one book/ch{int(chapter):02d}_*.ipynb, "
                                 f"found {[p.name for p in found] or 'none'}")
        return found[0]
    path = Path(chapter)
    if path.suffix != ".ipynb" or not path.exists():
        raise ClassroomError(f"{chapter!r} is neither a chapter number nor an existing .ipynb file")
    return path.resolve()


def assignment_id(notebook: Path) -> str:
    """``ch03`` for book/ch03_constrained.ipynb, the file's stem for any other notebook."""
    match = re.match(r"(ch\d+)", notebook.name)
    return match[1] if match else notebook.stem


def course_dir(option: str | None) -> Path:
    """``--course``, else $LAGRANGE_AD_COURSE, else ./classroom of this repository."""
    return Path(option or os.environ.get("LAGRANGE_AD_COURSE") or ROOT / "classroom").resolve()


def released_notebook(course: Path, aid: str) -> Path:
    """The notebook handed out for ``aid``; a ClassroomError if it was never released."""
    found = sorted((course / "release" / aid).glob("*.ipynb"))
    if not found:
        raise ClassroomError(f"{aid} was never released in {course}: run `classroom.py release` first")
    return found[0]


def released_assignments(course: Path) -> list[str]:
    """Every assignment released in the course, sorted."""
    folder = course / "release"
    return sorted(p.name for p in folder.iterdir() if any(p.glob("*.ipynb"))) if folder.is_dir() else []


def nbgrader_env(course: Path) -> dict:
    """The environment for nbgrader and the students' kernels."""
    env = dict(os.environ, LAGRANGE_AD_COURSE=str(course))
    # Students' kernels import lagrange_ad from this checkout even when it is not installed.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def nbgrader(course: Path, *args: str, log=None) -> str:
    """Run one nbgrader command with this repository's configuration; its output, or a ClassroomError."""
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=ROOT, env=nbgrader_env(course),
                          capture_output=True, text=True)
    output = done.stdout + done.stderr
    if log is not None:
        log.write(f"$ nbgrader {' '.join(args)}\n{output}\n")
    if done.returncode != 0:
        raise ClassroomError(f"nbgrader {args[0]} failed (exit {done.returncode}):\n"
                             + "\n".join(output.splitlines()[-15:]))
    return output

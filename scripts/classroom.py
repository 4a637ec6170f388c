"""The teacher's workflow, one command per step (see docs/teacher.md).

    python scripts/classroom.py release 3            # book/ch03_*.ipynb → classroom/release/ch03/
    python scripts/classroom.py collect 3 DOWNLOADS  # DOWNLOADS/<student>.ipynb or <student>/*.ipynb
    python scripts/classroom.py autograde 3          # runs every submission, fills the gradebook
    python scripts/classroom.py feedback 3           # HTML feedback per student
    python scripts/classroom.py grades grades.csv    # one row per student and assignment

Each step is a plain nbgrader command run in the repository root, so
nbgrader_config.py applies; ``--course DIR`` (or LAGRANGE_AD_COURSE) chooses the
course directory, ./classroom by default. A chapter is given by its number or
by the path of a notebook.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


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
    """``ch03`` for book/ch03_lagrangian.ipynb, the file's stem for any other notebook."""
    match = re.match(r"(ch\d+)", notebook.name)
    return match[1] if match else notebook.stem


def course_dir(option: str | None) -> Path:
    return Path(option or os.environ.get("LAGRANGE_AD_COURSE") or ROOT / "classroom").resolve()


def nbgrader(course: Path, *args: str) -> None:
    """Run one nbgrader command with this repository's configuration; raise if it fails."""
    env = dict(os.environ, LAGRANGE_AD_COURSE=str(course))
    # Students' kernels import lagrange_ad from this checkout even when it is not installed.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    print("$ nbgrader " + " ".join(args), flush=True)
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=ROOT, env=env)
    if done.returncode != 0:
        raise ClassroomError(f"nbgrader {args[0]} failed (exit {done.returncode}); its log is above")


def release(course: Path, chapter: str) -> Path:
    notebook = chapter_notebook(chapter)
    aid = assignment_id(notebook)
    source = course / "source" / aid
    source.mkdir(parents=True, exist_ok=True)
    shutil.copy(notebook, source / notebook.name)
    nbgrader(course, "generate_assignment", aid, "--force")
    out = course / "release" / aid
    print(f"Hand out {out / notebook.name}")
    return out


def _student_files(downloads: Path) -> dict[str, Path]:
    """``{student: notebook}`` from DOWNLOADS/<student>.ipynb or DOWNLOADS/<student>/<one>.ipynb."""
    found = {}
    for entry in sorted(downloads.iterdir()):
        if entry.is_file() and entry.suffix == ".ipynb":
            found[entry.stem] = entry
        elif entry.is_dir():
            notebooks = [p for p in entry.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts]
            if len(notebooks) != 1:
                raise ClassroomError(f"{entry}: expected one notebook per student folder, "
                                     f"found {len(notebooks)}")
            found[entry.name] = notebooks[0]
    bad = [s for s in found if not re.fullmatch(r"[A-Za-z0-9_.-]+", s)]
    if bad:
        raise ClassroomError(f"student ids may use letters, digits, '_', '-' and '.' only: {bad}")
    return found


def collect(course: Path, chapter: str, downloads: Path) -> list[str]:
    notebook = chapter_notebook(chapter)
    aid = assignment_id(notebook)
    if not downloads.is_dir():
        raise ClassroomError(f"{downloads} is not a folder of submissions")
    files = _student_files(downloads)
    if not files:
        raise ClassroomError(f"no .ipynb files in {downloads}")
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    for student, path in files.items():
        dest = course / "submitted" / student / aid
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, dest / notebook.name)  # nbgrader grades by the released file's name
        (dest / "timestamp.txt").write_text(stamp)
    print(f"Collected {len(files)} submission(s) of {aid}: {', '.join(files)}")
    return list(files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--course", help="course directory (default: $LAGRANGE_AD_COURSE or ./classroom)")
    sub = parser.add_subparsers(dest="step", required=True)
    sub.add_parser("release", help="generate the student version of a chapter").add_argument("chapter")
    step = sub.add_parser("collect", help="file students' notebooks as submissions")
    step.add_argument("chapter")
    step.add_argument("downloads", type=Path)
    step = sub.add_parser("autograde", help="grade every collected submission of a chapter")
    step.add_argument("chapter")
    step.add_argument("--force", action="store_true", help="grade again submissions already graded")
    sub.add_parser("feedback", help="HTML feedback for every graded submission").add_argument("chapter")
    sub.add_parser("grades", help="export all grades as CSV").add_argument(
        "csv", nargs="?", default="grades.csv", type=Path)
    args = parser.parse_args(argv)
    course = course_dir(args.course)
    try:
        if args.step == "release":
            release(course, args.chapter)
        elif args.step == "collect":
            collect(course, args.chapter, args.downloads)
        elif args.step == "autograde":
            aid = assignment_id(chapter_notebook(args.chapter))
            nbgrader(course, "autograde", aid, *(["--force"] if args.force else []))
        elif args.step == "feedback":
            nbgrader(course, "generate_feedback", assignment_id(chapter_notebook(args.chapter)), "--force")
        elif args.step == "grades":
            nbgrader(course, "export", f"--to={args.csv.resolve()}")
            print(f"Wrote {args.csv}")
    except ClassroomError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Students' downloads in, gradeable notebooks out; nothing dropped without a word.

An LMS download is a folder (or a .zip) with one entry per student and attempt:
``alice.ipynb``, ``alice/<any name>.ipynb``, or LMS names such as
``Doe, Jane_1234_attempt_2025-03-01-10-15-30.ipynb`` (Blackboard),
``doejane_late_1234_5678_ch03.ipynb`` (Canvas) or the folder
``Jane Doe_1234_assignsubmission_file_`` (Moodle).

>>> student_of("Doe, Jane_1234_attempt_2025-03-01-10-15-30.ipynb")
('1234', datetime.datetime(2025, 3, 1, 10, 15, 30, tzinfo=datetime.timezone.utc))
>>> student_of("doejane_late_1234_5678_ch03_constrained.ipynb")[0]
'doejane'
>>> student_of("Jane Doe_1234_assignsubmission_file_")[0]
'1234'
>>> student_of("alice.ipynb")[0]
'alice'
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import nbformat

VALID_ID = re.compile(r"[A-Za-z0-9_.-]+")
_ATTEMPT = re.compile(r"_attempt_(\d{4})-(\d{2})-(\d{2})(?:-(\d{2})-(\d{2})-(\d{2}))?")
_CANVAS = re.compile(r"^([a-z]+)_(?:late_)?\d+_\d+_", re.IGNORECASE)
_MOODLE = re.compile(r"_assignsubmission_.*$")
_COPY = re.compile(r"-Copy\d+$")
_IGNORED = {".ipynb_checkpoints", "__MACOSX", ".DS_Store", "Thumbs.db"}
_GRADE_ID = re.compile(r"^ch(\d+)-ex\d+-")


def student_of(name: str) -> tuple[str, datetime | None]:
    """(student id, submission time named in the entry or None) of one download entry."""
    stem = name[: -len(".ipynb")] if name.endswith(".ipynb") else name
    when = None
    attempt = _ATTEMPT.search(stem)
    if attempt:
        parts = [int(x) for x in attempt.groups(default="0")]
        when = datetime(*parts, tzinfo=UTC)
        stem = stem[: attempt.start()]
    elif _CANVAS.match(stem):
        stem = _CANVAS.match(stem)[1]
    stem = _MOODLE.sub("", stem)
    if "_" in stem:
        stem = stem.rsplit("_", 1)[1] or stem.rsplit("_", 1)[0]
    student = stem.strip()
    if not VALID_ID.fullmatch(student):
        student = re.sub(r"[^A-Za-z0-9_.-]+", "-", student.lower()).strip("-") or "unnamed"
    return student, when


@dataclass
class Entry:
    """One student's chosen notebook and when it was submitted."""

    student: str
    path: Path
    submitted: datetime
    source: str  # the download entry it came from, for messages


@dataclass
class Intake:
    entries: dict[str, Entry] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (entry, why)


def _mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC)


def _choose(notebooks: list[Path], released_name: str) -> tuple[Path, list[tuple[Path, str]]]:
    """The one notebook of a student's folder, and the others with why they were left."""
    originals = [p for p in notebooks if not _COPY.search(p.stem)] or notebooks
    named = [p for p in originals if p.name == released_name] or originals
    chosen = max(named, key=lambda p: p.stat().st_mtime)
    left = []
    for p in notebooks:
        if p != chosen:
            why = ("a copy (-CopyN)" if _COPY.search(p.stem) else
                   f"not the released file name ({released_name})" if p not in named else "older")
            left.append((p, why))
    return chosen, left


def read_downloads(downloads: Path, released_name: str) -> Intake:
    """Every student's newest notebook in a downloads folder, and every entry that was skipped."""
    intake = Intake()
    for entry in sorted(downloads.iterdir()):
        label = entry.name
        if entry.name in _IGNORED or entry.name.startswith("."):
            intake.skipped.append((label, "not a submission (system or checkpoint file)"))
            continue
        if entry.is_dir():
            everything = sorted(entry.rglob("*.ipynb"))
            notebooks = [p for p in everything if not (set(p.relative_to(entry).parts) & _IGNORED)]
            intake.skipped += [(f"{label}/{p.relative_to(entry)}", "a checkpoint or system file")
                               for p in everything if p not in notebooks]
            if not notebooks:
                intake.skipped.append((label, "a folder without a notebook"))
                continue
            path, left = _choose(notebooks, released_name)
            intake.skipped += [(f"{label}/{p.relative_to(entry)}", why) for p, why in left]
        elif entry.suffix == ".ipynb":
            path = entry
        else:
            intake.skipped.append((label, f"not a notebook ({entry.suffix or 'no extension'})"))
            continue
        student, when = student_of(entry.name)
        found = Entry(student, path, when or _mtime(path), label)
        old = intake.entries.get(student)
        if old is None or found.submitted > old.submitted:
            if old is not None:
                intake.skipped.append((old.source, f"an older attempt of {student}"))
            intake.entries[student] = found
        else:
            intake.skipped.append((label, f"an older attempt of {student}"))
    return intake


def unpacked(downloads: Path) -> tuple[Path, tempfile.TemporaryDirectory | None]:
    """A folder of the downloads: the folder itself, or a .zip unpacked into a temporary folder."""
    if downloads.is_file() and downloads.suffix == ".zip":
        tmp = tempfile.TemporaryDirectory()
        with zipfile.ZipFile(downloads) as archive:
            for info in archive.infolist():
                target = Path(tmp.name) / info.filename
                if not target.resolve().is_relative_to(Path(tmp.name).resolve()):
                    continue  # a path that would leave the folder: never written
                archive.extract(info, tmp.name)
                if not info.is_dir():  # keep the LMS's time: it is the submission time
                    stamp = datetime(*info.date_time).timestamp()
                    os.utime(target, (stamp, stamp))
        return Path(tmp.name), tmp
    return downloads, None


# ----------------------------------------------------------------------------- gradeable?


@dataclass
class Inspection:
    problem: str | None  # why it cannot be graded at all, or None
    missing: list[str]  # exercise cells of the release that the student deleted


def inspect(path: Path, released: nbformat.NotebookNode, aid: str) -> Inspection:
    """Can ``path`` be graded as assignment ``aid``? Which of its exercise cells are gone?"""
    expected = [c.metadata["nbgrader"]["grade_id"] for c in released.cells
                if "grade_id" in c.metadata.get("nbgrader", {})]
    if not path.exists():
        return Inspection("no notebook was submitted", expected)
    if path.stat().st_size == 0:
        return Inspection("the file is empty (0 bytes), not a notebook", expected)
    try:
        nb = nbformat.read(path, as_version=4)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        return Inspection(f"not a Jupyter notebook (unreadable JSON: {err})", expected)
    except Exception as err:  # nbformat's own validation and version errors
        return Inspection(f"not a Jupyter notebook nbgrader can read ({type(err).__name__}: {err})", expected)
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
    ids = [g for g in ids if isinstance(g, str)]
    missing = [g for g in expected if g not in ids]
    if len(missing) < len(expected):
        return Inspection(None, missing)
    chapters = sorted({int(m[1]) for g in ids if (m := _GRADE_ID.match(g))})
    if chapters:
        other = ", ".join(f"chapter {n}" for n in chapters)
        return Inspection(f"this is the notebook of {other}, not of {aid}", missing)
    if not any(c.source.strip() for c in nb.cells):
        return Inspection("the notebook is empty", missing)
    return Inspection(f"none of {aid}'s exercise cells is in this notebook (another notebook?)", missing)

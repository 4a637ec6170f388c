"""Autograde every submission of one chapter, in parallel, losing none.

Each submission is first inspected (``intake.inspect``): a notebook that cannot be
graded (empty, not JSON, another chapter's) is not run and is recorded as
*failed* with the reason. The others are graded by nbgrader's own Autograde app
(``nbgrader.apps.NbGraderAPI.autograde``, what ``nbgrader autograde`` and the
formgrader run), one submission at a time in each of ``workers`` processes (CPUs + 1) that
import nbgrader once. The SQLite gradebook takes one writer at a time: a
submission that meets a locked database is graded again.

Every submission gets a log (``<course>/logs/<assignment>/<student>.log``) and a
line in ``<course>/logs/<assignment>/status.json``: graded or failed, the reason,
the exercise cells the student deleted, the seconds it took.
"""

from __future__ import annotations

import atexit
import json
import multiprocessing
import os
import re
import sqlite3
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import nbformat

from .course import ROOT, ClassroomError, nbgrader_env, released_notebook
from .intake import inspect

RETRIES = 3  # a locked SQLite database is retried this many times

_api = None  # the worker process's NbGraderAPI

# The grading kernels draw no figure (nobody looks at them: the feedback shows the exercises, and
# matplotlib's inline backend would render every figure of the chapter), and use one BLAS thread
# each (several kernels share the cores).
KERNEL_ENV = {"MPLBACKEND": "agg", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _start_worker(course: str) -> None:
    """Runs once in every worker process: nbgrader with this repository's configuration."""
    global _api
    os.environ.update(nbgrader_env(Path(course)))  # the kernels inherit it
    os.environ.update(KERNEL_ENV)
    # Library warnings and the kernels' start-up chatter go to a file, not the teacher's console.
    noise = os.open(Path(course) / "logs" / "grading-stderr.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    os.dup2(noise, 2)
    os.chdir(ROOT)
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    config.CourseDirectory.root = course
    # Each submission's kernel is a fresh fork of a process that has imported the heavy modules
    # once (classroom_kit/forkserver.py): about a second of CPU less per submission. Linux only (no
    # fork on Windows; on macOS a fork after loading system frameworks is not safe).
    if os.environ.get("LAGRANGE_AD_FORK_KERNELS", "1") != "0" and sys.platform.startswith("linux"):
        from . import forkserver

        try:
            forkserver.start(Path(course) / "logs")
        except Exception as err:  # kernels then start the usual way
            print(f"kernel template not started ({err}); kernels start the usual way", file=sys.stderr)
        else:
            atexit.register(forkserver.stop)
            config.ResilientExecute.kernel_manager_class = forkserver.ForkedKernelManager
    _api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def _grade_one(aid: str, student: str) -> dict:
    """Autograde one submission in this worker; nbgrader's result dict plus the seconds."""
    start = time.monotonic()
    for attempt in range(RETRIES + 1):
        result = _api.autograde(aid, student, force=True, create=True)
        text = result.get("log", "") + result.get("error", "")
        if result["success"] or "database is locked" not in text or attempt == RETRIES:
            break
        time.sleep(1 + attempt)
    result["seconds"] = time.monotonic() - start
    return result


def _reason(result: dict) -> str:
    """The exception that made nbgrader fail a submission, from its log."""
    text = result.get("log", "") + "\n" + result.get("error", "")
    found = [m[1] for m in re.finditer(r"^\s*((?:\w+\.)*\w*(?:Error|Exception|Exit)\b:?.*)$", text, re.M)
             if "NbGraderException" not in m[1]]
    return (found[0] if found else "nbgrader failed; see the log").strip()[:300]


def _wal(course: Path) -> None:
    """Readers do not block the writer: the gradebook in write-ahead-log mode."""
    db = course / "gradebook.db"
    if db.exists():
        with sqlite3.connect(db) as con:
            con.execute("PRAGMA journal_mode=WAL")


def default_workers() -> int:
    """CPUs + 1: a worker spends part of each submission waiting on its kernel (start-up, replies),
    and a third worker on two CPUs fills those gaps (benchmarks/README.md, grading throughput)."""
    return (os.cpu_count() or 1) + 1


def submitted_students(course: Path, aid: str) -> list[str]:
    folder = course / "submitted"
    return sorted(p.name for p in folder.iterdir() if (p / aid).is_dir()) if folder.is_dir() else []


def read_status(course: Path, aid: str) -> dict:
    path = course / "logs" / aid / "status.json"
    return json.loads(path.read_text()) if path.exists() else {}


def autograde(course: Path, aid: str, *, students: list[str] | None = None, force: bool = False,
              workers: int | None = None, say: Callable[[str], None] = print) -> dict:
    """Grade the chapter's submissions (all, or ``students``); ``{student: status record}``."""
    released = released_notebook(course, aid)
    release_nb = nbformat.read(released, as_version=4)
    everyone = submitted_students(course, aid)
    if students:
        unknown = sorted(set(students) - set(everyone))
        if unknown:
            raise ClassroomError(f"no submission of {aid} from {', '.join(unknown)}")
    todo = students or everyone
    status = read_status(course, aid)
    if not force and not students:
        todo = [s for s in todo if status.get(s, {}).get("status") != "graded"]
    logs = course / "logs" / aid
    logs.mkdir(parents=True, exist_ok=True)
    records, gradeable = {}, []
    for student in todo:
        found = inspect(course / "submitted" / student / aid / released.name, release_nb, aid)
        records[student] = {"status": "failed" if found.problem else "queued", "problem": found.problem,
                            "missing": found.missing, "seconds": 0.0}
        if found.problem:
            (logs / f"{student}.log").write_text(f"not graded: {found.problem}\n")
        else:
            gradeable.append(student)
    done = len(todo) - len(gradeable)
    for student in todo:
        if records[student]["problem"]:
            say(f"{aid}: {student} cannot be graded: {records[student]['problem']}")
    if gradeable:
        _wal(course)
        context = multiprocessing.get_context("spawn")  # no forked copy of a parent's event loop
        workers = workers or default_workers()
        with ProcessPoolExecutor(max_workers=max(1, min(workers, len(gradeable))), mp_context=context,
                                 initializer=_start_worker, initargs=(str(course),)) as pool:
            futures = {pool.submit(_grade_one, aid, s): s for s in gradeable}
            for future in as_completed(futures):
                student = futures[future]
                try:
                    result = future.result()
                except Exception as err:  # a worker died: this submission is listed, the others go on
                    result = {"success": False, "error": f"the grading process failed: {err!r}", "seconds": 0.0}
                (logs / f"{student}.log").write_text(result.get("log", "") + result.get("error", ""))
                record = records[student]
                record["seconds"] = round(result["seconds"], 1)
                record["status"] = "graded" if result["success"] else "failed"
                if not result["success"]:
                    record["problem"] = f"nbgrader could not grade it: {_reason(result)}"
                done += 1
                note = record["problem"] or "graded"
                say(f"{done}/{len(todo)} done: {student} {note} ({record['seconds']} s)")
    status.update(records)
    (logs / "status.json").write_text(json.dumps(status, indent=1, sort_keys=True))
    return records

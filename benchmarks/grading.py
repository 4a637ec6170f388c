"""Grading throughput: N generated submissions of one chapter, autograded in parallel.

    python -m benchmarks.grading                 # 100 submissions of chapter 4, 2 workers
    python -m benchmarks.grading --n 20 --chapter 3 --workers 1

It releases the chapter into a temporary course, generates the submissions from the
release (a mix like a real class: correct, blank, each registered wrong answer in turn,
and hostile ones: an infinite loop, a killed kernel, exit(), megabytes of printing,
monkeypatched check helpers, deleted cells, an empty file), collects them with the
classroom's own `collect` (as an LMS download would be), and times
`classroom.py autograde` (scripts/classroom_kit/grading.py) on them. Target: 100
submissions of one chapter in at most 5 minutes on 2 cores (issue 14).
"""

from __future__ import annotations

import argparse
import copy
import os
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests" / "grading"))

HOSTILE = {
    "loop": ("prepend", "while True:\n    pass"),
    "kill": ("append", "import os\nos._exit(1)"),
    "exit": ("append", "exit()"),
    "print": ("append", "print('x' * 2_000_000)"),
    "patch": ("append", "import lagrange_ad.exercises as ex\nfor name in ex.__all__:\n"
                        "    setattr(ex, name, lambda *a, **k: print('✓ fooled'))"),
    "deleted": ("delete", None),
    "empty": ("empty", None),
}


def make_class(release, source, wrong_table: dict, n: int) -> dict:
    """``{student: notebook or None (an empty file)}``: about 40 % correct, 20 % blank,
    30 % wrong, 10 % hostile (one of each kind in turn)."""
    import submissions as S

    rounds = S.wrong_rounds(wrong_table or {})
    solutions = S.solution_ids(release)
    first = solutions[0]
    out = {}
    for i in range(n):
        kind = ["correct", "correct", "blank", "wrong", "correct", "wrong", "correct", "wrong", "blank",
                "hostile"][i % 10]
        student = f"s{i:03d}-{kind}"
        nb = S.reference(release, source)
        if kind == "blank":
            nb = S.blank(release)
        elif kind == "wrong" and rounds:
            nb = S.fill(nb, rounds[(i // 10) % len(rounds)][0])
        elif kind == "hostile":
            name = list(HOSTILE)[(i // 10) % len(HOSTILE)]
            student = f"s{i:03d}-{name}"
            how, code = HOSTILE[name]
            if how == "empty":
                nb = None
            elif how == "delete":
                nb = copy.deepcopy(nb)
                nb.cells.remove(S.cells_by_id(nb)[first])
            else:
                nb = S.append_to(nb, first, code, before=how == "prepend")
        out[student] = nb
    return out


def run(n: int, chapter: str, workers: int) -> dict:
    import nbformat
    import submissions as S
    from classroom import collect, release
    from classroom_kit import grading, report
    from classroom_kit.course import chapter_notebook

    class Quiet:
        lines: list = []

        def say(self, text):
            self.lines.append(text)
            if " done: " in text:  # progress, on stderr: the run is long
                print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)

        def write(self, text):
            pass

    log = Quiet()
    with tempfile.TemporaryDirectory() as tmp:
        course, downloads = Path(tmp) / "course", Path(tmp) / "downloads"
        downloads.mkdir()
        notebook = chapter_notebook(chapter)
        start = time.perf_counter()
        released = release(course, chapter, None, log)
        t_release = time.perf_counter() - start
        students = make_class(nbformat.read(released, as_version=4), nbformat.read(notebook, as_version=4),
                              S.wrong_answers(notebook), n)
        for student, nb in students.items():
            path = downloads / f"{student}.ipynb"
            path.write_text("" if nb is None else nbformat.writes(nb))
        collect(course, chapter, downloads, log)
        aid = released.parent.name
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        records = grading.autograde(course, aid, workers=workers, say=log.say)
        seconds = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the workers and, through them, the kernels
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        summary = report.summary(course, only=aid)
    return {"n": n, "chapter": aid, "workers": workers, "release_s": t_release, "autograde_s": seconds, "cpu_s": cpu,
            "status": Counter(r["status"] for r in records.values()),
            "mean_s": sum(r["seconds"] for r in records.values()) / max(1, len(records)),
            "summary": summary}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--chapter", default="4")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--table", action="store_true", help="print the score table too")
    args = parser.parse_args(argv)
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"
    result = run(args.n, args.chapter, args.workers)
    print(f"{result['n']} submissions of {result['chapter']}, {result['workers']} workers, "
          f"{os.cpu_count()} CPUs, load average before: {load}")
    print(f"autograde: {result['autograde_s']:.0f} s ({result['autograde_s'] / result['n']:.2f} s a submission; "
          f"{result['mean_s']:.1f} s each in its worker); release {result['release_s']:.0f} s")
    print(f"CPU time of the workers and kernels: {result['cpu_s']:.0f} s "
          f"({result['cpu_s'] / result['n']:.1f} s a submission)")
    print("status: " + ", ".join(f"{k} {v}" for k, v in sorted(result["status"].items())))
    target = result["autograde_s"] <= 300 * result["n"] / 100
    print(f"target (100 in 5 min): {'met' if target else 'NOT met'}")
    if args.table:
        print(result["summary"])
    return 0


if __name__ == "__main__":
    sys.exit(main())

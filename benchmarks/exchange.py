"""Load on nbgrader's exchange: many students submit within a minute, as their own Unix users.

    sudo python -m benchmarks.exchange                      # 50 students, submissions spread over 60 s
    sudo python -m benchmarks.exchange --students 5 --window 5 --json out.json

The course is set up as scripts/hub.py sets up a hub (shared environment, exchange, role settings;
no hub is started: this is the command line a student's terminal would use). Then:

1. the instructor generates and releases chapter 10 (``nbgrader generate_assignment``,
   ``release_assignment``), every student fetches it (``nbgrader fetch_assignment``);
2. each student's notebook gets an answer carrying a token only that student has: every other
   student the right code, the others a wrong one, and a written answer with the token;
3. **timed**: the students' ``nbgrader submit`` start one after another, evenly spread over the
   window (a deadline rush), each as its own Unix user, all running at once when they overlap;
4. **timed**: the instructor's ``nbgrader collect`` and ``nbgrader autograde``;
5. checked: every student has exactly one collected submission, holding their own token and no
   other student's; the autograded score is the one their code deserves (3 of the 3 automatic
   points, or 0); nothing is lost. The users and folders are removed afterwards (``--keep`` keeps them).

Needs root (useradd, commands run as the users). Times are wall clock: the exchange is a folder on
one disk here, and every student's nbgrader runs on this machine's cores (on a real hub each runs in
its own server), so the submit latencies measure this machine's CPU as much as the exchange.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import pwd
import resource
import secrets
import shutil
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
import hub as H  # noqa: E402

ASSIGNMENT, NOTEBOOK = "ch10", "ch10_history"
RIGHT = ("def costates(states, controls, a, h):\n    p = [0.0] * len(states)\n    p[-1] = states[-1]\n"
         "    for t in range(len(states) - 2, -1, -1):\n        p[t] = h * states[t] + p[t + 1] * (1 - h * a)\n"
         "    return p\n")
WRONG = ("def costates(states, controls, a, h):\n    p = [states[0]]\n    for t in range(1, len(states)):\n"
         "        p.append(h * states[t] + p[-1] * (1 - h * a))\n    return p\n")
AUTO_POINTS = 3  # ch10-ex1-check (1) + ch10-ex1-hidden (2); the written answer (2) is graded by hand


class LoadError(Exception):
    """A step of the benchmark failed; the message has the command's output."""


def check(done: subprocess.CompletedProcess, what: str) -> subprocess.CompletedProcess:
    if done.returncode != 0:
        raise LoadError(f"{what} failed (exit {done.returncode}):\n{(done.stdout or '')[-2000:]}"
                        f"\n{(done.stderr or '')[-3000:]}")
    return done


def answer(notebook: Path, token: str, right: bool) -> None:
    """Fill a fetched notebook: code right or wrong, a written answer carrying the token."""
    nb = json.loads(notebook.read_text())
    for cell in nb["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id == "ch10-ex1-solution":
            cell["source"] = (RIGHT if right else WRONG) + f"# {token}\n"
        elif grade_id == "ch10-ex2-answer":
            cell["source"] = f"The costate is the multiplier. ({token})"
    notebook.write_text(json.dumps(nb, indent=1))


def run(students: int = 50, window: float = 60.0, keep: bool = False, prefix: Path | None = None,
        log=print) -> dict:
    """Set up, submit, collect, autograde, check; return the measurements and the checks."""
    if os.geteuid() != 0:
        raise LoadError("run as root: the benchmark creates Unix users and runs nbgrader as them")
    tag = "lx" + secrets.token_hex(2)
    root = Path(f"/srv/lagrange-ad-exchange-load-{tag}")
    names = [f"{tag}-s{i:03d}" for i in range(students)]
    course = H.Course(instructor=f"{tag}-teach", students=names, prefix=prefix or H.DEFAULT_PREFIX,
                      state=root / "hub", exchange=root / "exchange")
    result = {"students": students, "window_s": window, "machine": machine(), "root": str(root),
              "users": course.users}
    try:
        root.mkdir(parents=True)
        os.chmod(root, 0o755)
        started = time.monotonic()
        H.setup(course, create_users=True, proxy=False)  # no hub: no proxy
        result["setup_s"] = round(time.monotonic() - started, 1)
        log(f"set up {students} students and an instructor in {result['setup_s']} s")

        teach = course.instructor
        check(H.nbgrader(course, teach, "generate_assignment", ASSIGNMENT, "--force"), "generate_assignment")
        check(H.nbgrader(course, teach, "release_assignment", ASSIGNMENT, "--force"), "release_assignment")
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=4) as pool:  # preparation, not the load being measured
            list(pool.map(lambda s: check(H.nbgrader(course, s, "fetch_assignment", ASSIGNMENT),
                                          f"{s}: fetch_assignment"), names))
        result["fetch_s"] = round(time.monotonic() - started, 1)
        tokens = {s: secrets.token_hex(8) for s in names}
        right = {s: i % 2 == 0 for i, s in enumerate(names)}
        for s in names:
            notebook = Path(pwd.getpwnam(s).pw_dir) / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
            answer(notebook, tokens[s], right[s])  # root writes; the file stays the student's
        log(f"released, fetched ({result['fetch_s']} s) and answered")

        result.update(submit_rush(course, names, window))
        log(f"{students} submissions started within {result['submit_window_s']} s, all done after "
            f"{result['submit_total_s']} s (latency median {result['submit_median_s']} s, "
            f"max {result['submit_max_s']} s, {result['submit_cpu_s']} CPU s in all), "
            f"failed: {result['submit_failed']}")

        started, cpu = time.monotonic(), children_cpu()
        check(H.nbgrader(course, teach, "collect", ASSIGNMENT), "collect")
        result["collect_s"] = round(time.monotonic() - started, 1)
        result["collect_cpu_s"] = round(children_cpu() - cpu, 1)
        started, cpu = time.monotonic(), children_cpu()
        graded = H.nbgrader(course, teach, "autograde", ASSIGNMENT)
        result["autograde_s"] = round(time.monotonic() - started, 1)
        result["autograde_cpu_s"] = round(children_cpu() - cpu, 1)  # with the kernels it started
        result["autograde_exit"] = graded.returncode
        log(f"collect {result['collect_s']} s, autograde {result['autograde_s']} s "
            f"(exit {graded.returncode})")
        result.update(verify(course, names, tokens, right))
        log(f"collected {result['collected']}, graded {result['graded']}, lost {result['lost']}, "
            f"mixed up {result['mixed_up']}, wrong scores {result['wrong_scores']}")
        return result
    finally:
        if not keep:
            for user in course.users:
                subprocess.run(["userdel", "--remove", user], capture_output=True)
            shutil.rmtree(root, ignore_errors=True)


def submit_rush(course, names, window: float) -> dict:
    """Start one ``nbgrader submit`` per student, evenly over ``window`` seconds, as that student."""
    cmd = [str(course.python), "-m", "nbgrader", "submit", ASSIGNMENT]
    procs, starts, ends = {}, {}, {}
    cpu_before = children_cpu()
    t0 = time.monotonic()
    gap = window / max(len(names) - 1, 1)
    pending = list(names)
    while pending or any(s not in ends for s in procs):
        now = time.monotonic() - t0
        while pending and now >= gap * (len(names) - len(pending)):
            s = pending.pop(0)
            procs[s] = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                        **H.user_process_options(course, s))
            starts[s] = time.monotonic() - t0
        for s, proc in procs.items():
            if s not in ends and proc.poll() is not None:
                ends[s] = time.monotonic() - t0
        time.sleep(0.02)
    failed = {s: procs[s].stdout.read()[-1500:] for s in names if procs[s].returncode != 0}
    for proc in procs.values():
        proc.stdout.close()
    latency = [ends[s] - starts[s] for s in names]
    return {"submit_cpu_s": round(children_cpu() - cpu_before, 1),
            "submit_window_s": round(max(starts.values()), 1), "submit_total_s": round(max(ends.values()), 1),
            "submit_median_s": round(statistics.median(latency), 1), "submit_max_s": round(max(latency), 1),
            "submit_failed": len(failed), "submit_failures": failed}


def verify(course, names, tokens, right) -> dict:
    """Count what arrived, what was graded, and whether any submission holds another's token."""
    from nbgrader.api import Gradebook, MissingEntry

    root = course.course_root()
    inbound = course.exchange / H.COURSE_ID / "inbound"
    in_exchange = {s: len(list(inbound.glob(f"{s}+{ASSIGNMENT}+*"))) for s in names}
    collected, mixed, wrong_scores, graded = 0, [], [], 0
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for s in names:
            notebook = root / "submitted" / s / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
            if not notebook.exists():
                continue
            collected += 1
            text = notebook.read_text()
            others = [o for o in names if o != s and tokens[o] in text]
            if tokens[s] not in text or others:
                mixed.append(s)
            try:
                sub = gb.find_submission(ASSIGNMENT, s)
            except MissingEntry:
                continue
            if not (root / "autograded" / s / ASSIGNMENT / f"{NOTEBOOK}.ipynb").exists():
                continue
            graded += 1
            if sub.code_score != (AUTO_POINTS if right[s] else 0):
                wrong_scores.append((s, sub.code_score))
    return {"in_exchange": sum(in_exchange.values()), "collected": collected, "graded": graded,
            "lost": len(names) - graded, "mixed_up": len(mixed), "mixed_up_students": mixed,
            "wrong_scores": len(wrong_scores), "wrong_score_list": wrong_scores}


def children_cpu() -> float:
    """CPU seconds used so far by this process's finished children (and theirs): unlike wall
    clock, not inflated by whatever else the machine is running."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def machine() -> str:
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"
    return f"Python {platform.python_version()}, {os.cpu_count()} CPUs, load average {load} at the start"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--window", type=float, default=60.0, help="seconds over which the submits start")
    parser.add_argument("--prefix", type=Path, help="the shared environment's folder (scripts/hub.py's --prefix)")
    parser.add_argument("--keep", action="store_true", help="keep the users and folders (to look at them)")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)
    try:
        result = run(args.students, args.window, keep=args.keep, prefix=args.prefix)
    except (LoadError, H.HubError) as err:
        print(f"exchange benchmark: {err}", file=sys.stderr)
        return 2
    rows = [("students", result["students"]), ("submits started within (s)", result["submit_window_s"]),
            ("last submit done after (s)", result["submit_total_s"]),
            ("submit latency median / max (s)", f"{result['submit_median_s']} / {result['submit_max_s']}"),
            ("CPU time of all submits (s)", result["submit_cpu_s"]),
            ("submits failed", result["submit_failed"]), ("in the exchange", result["in_exchange"]),
            ("collect: wall / CPU (s)", f"{result['collect_s']} / {result['collect_cpu_s']}"),
            ("autograde: wall / CPU (s)", f"{result['autograde_s']} / {result['autograde_cpu_s']}"),
            ("collected", result["collected"]), ("graded", result["graded"]), ("lost", result["lost"]),
            ("mixed up", result["mixed_up"]), ("wrong scores", result["wrong_scores"])]
    print(f"\n{result['machine']}\n\n| | |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    ok = result["lost"] == result["mixed_up"] == result["wrong_scores"] == result["submit_failed"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

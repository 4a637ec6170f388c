"""Part 4: building the book, executing every notebook, from clean and again with nothing changed.

Both builds go to a private output folder (never the shared ``_build``), as the README builds the book:
``jupyter-book build <source> -W -n --keep-going --path-output <folder>``. The source is a snapshot of
``_config.yml``, ``_toc.yml`` and ``book/`` taken at the start: colleagues editing a chapter during the
minutes of the first build would otherwise make the second one re-execute it, and "nothing changed"
would not be true. The second build finds every notebook in the execution cache and every page up to
date. Each build's log is kept in the output folder.
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import time
from pathlib import Path

from .timing import fmt_seconds, table

REPO = Path(__file__).resolve().parent.parent
TARGETS = {"from clean": 180.0, "cached": 20.0}


# stderr lines of every kernel start, not warnings of the build
NOISE = ("Kernel is running over TCP without encryption",)


def snapshot(folder: Path) -> Path:
    """Copy the book's sources (config, toc, book/) into ``folder``; returns it."""
    folder.mkdir(parents=True)
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy2(REPO / name, folder / name)
    shutil.copytree(REPO / "book", folder / "book", ignore=shutil.ignore_patterns("_build", ".ipynb_checkpoints"))
    return folder


def _build(source: Path, output: Path, name: str) -> dict:
    command = ["jupyter-book", "build", str(source), "-W", "-n", "--keep-going", "--path-output", str(output)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    log = done.stdout + done.stderr
    (output / f"build-{name.replace(' ', '-')}.log").write_text(log)
    problems = [line for line in log.splitlines() if any(w in line for w in ("WARNING", "ERROR", "Error"))]
    problems = [line for line in problems if not any(n in line for n in NOISE)]
    return {"returncode": done.returncode, "wall": wall, "cpu": cpu, "problems": problems[:20], "log_tail": log[-3000:]}


def run(output: str | Path) -> tuple[str, dict]:
    """Part 4 as (printable report, results). Deletes ``output`` first: the first build is from clean."""
    output = Path(output)
    if output.resolve() in (REPO.resolve(), (REPO / "_build").resolve()):
        raise ValueError("build the benchmark book into a private folder, not the shared one")
    shutil.rmtree(output, ignore_errors=True)
    source = snapshot(output / "source")
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else ["?"] * 3
    builds = {name: _build(source, output, name) for name in ("from clean", "cached")}
    body = []
    for name, b in builds.items():
        status = "ok" if b["returncode"] == 0 else f"FAILED (exit {b['returncode']})"
        met = "yes" if b["returncode"] == 0 and b["wall"] < TARGETS[name] else "NO"
        body.append([name, fmt_seconds(b["wall"]), fmt_seconds(b["cpu"]), f"< {TARGETS[name]:.0f} s", met, status])
    report = [
        f"### 4. Book build (wall clock; machine load {' '.join(load)} at the start)", "",
        table(["build", "wall", "CPU (all processes)", "target", "met", "status"], body), "",
        f"Command: `jupyter-book build {source} -W -n --keep-going --path-output {output}` (source: a snapshot "
        "of _config.yml, _toc.yml and book/); the logs are in that folder.", "",
    ]  # fmt: skip
    for name, b in builds.items():
        if b["returncode"] != 0 or b["problems"]:
            report += [f"Problems in the {name} build:", "```", *b["problems"], "```", ""]
            if b["returncode"] != 0 and not b["problems"]:
                report += ["```", b["log_tail"], "```", ""]
    return "\n".join(report), {"builds": builds}

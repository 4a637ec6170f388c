"""Timing: CPU seconds of this process, best of a few runs.

The benchmarks share a 2-core machine with other work, so wall-clock time says as much about the
neighbours as about the code. ``time.process_time`` counts only the CPU time this process used; the
best of several runs drops the remaining noise (cache misses after a context switch, a garbage
collection that another run did not need).
"""

from __future__ import annotations

import time


def cpu_time(fn, runs: int = 3, budget: float = 0.5, max_runs: int = 200, setup=None) -> tuple[float, object]:
    """(best CPU seconds of ``fn()``, the last result).

    Runs ``fn`` at least ``runs`` times, and more (up to ``max_runs``) while the runs so far used less than
    ``budget`` seconds: a function of a millisecond is timed a few hundred times, one of seconds ``runs``
    times. ``setup()``, if given, runs untimed before each run (for example to clear a cache).
    """
    best, spent, result, done = float("inf"), 0.0, None, 0
    while done < runs or (spent < budget and done < max_runs):
        if setup is not None:
            setup()
        start = time.process_time()
        result = fn()
        elapsed = time.process_time() - start
        best, spent, done = min(best, elapsed), spent + elapsed, done + 1
    return best, result


def cpu_times(fns: dict, runs: int = 3, budget: float = 1.0, max_runs: int = 200) -> dict:
    """{name: best CPU seconds} for several functions timed in turns (a, b, a, b...), so that a change in
    the machine's load during the measurement affects them all alike: their ratio is what is wanted."""
    best = dict.fromkeys(fns, float("inf"))
    spent, done = 0.0, 0
    while done < runs or (spent < budget and done < max_runs):
        for name, fn in fns.items():
            start = time.process_time()
            fn()
            elapsed = time.process_time() - start
            best[name], spent = min(best[name], elapsed), spent + elapsed
        done += 1
    return best


def fmt_seconds(t: float | None) -> str:
    """A time with a readable unit: 812 µs, 4.31 ms, 2.07 s."""
    if t is None:
        return "—"
    if t < 1e-3:
        return f"{t * 1e6:.0f} µs"
    if t < 1.0:
        return f"{t * 1e3:.2f} ms"
    return f"{t:.2f} s"


def fmt_ratio(r: float | None, digits: int = 2) -> str:
    return "—" if r is None else f"{r:.{digits}f}"


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A Markdown table (readable in a terminal and pasteable into README.md)."""
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows, strict=True)]
    line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"  # noqa: E731
    return "\n".join([line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)])

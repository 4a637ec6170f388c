"""Pictures of checkpointing: a schedule stepped one reversal at a time, and time against memory.

>>> from lagrange_ad import checkpointing as ck
>>> frames, labels = schedule_frames(ck.revolve_schedule(6, 2))
>>> len(frames), labels[0]
(7, 'start: x<sub>0</sub> is kept')
"""

from __future__ import annotations

from html import escape

import matplotlib.pyplot as plt

from . import checkpointing as ck
from .figures import describe
from .widgets import frame_stepper

__all__ = ["schedule_svg", "schedule_frames", "schedule_stepper", "time_memory_plot"]

_KEPT, _CURRENT, _DONE, _OPEN = "#1f4e79", "#c55a11", "#d9d9d9", "#ffffff"


def schedule_svg(n: int, kept, current, reversed_steps, title: str) -> str:
    """The chain's states x_0 … x_n as boxes: kept in a slot (dark), current (orange border), and below
    them the steps, grey once reversed."""
    box, gap = 44, 8
    width = 20 + (n + 1) * (box + gap)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="96" '
        f'viewBox="0 0 {width} 96" style="max-width:100%;height:auto;font-family:sans-serif">',
        f"<title>{escape(title)}</title>",
    ]
    for i in range(n + 1):
        x = 10 + i * (box + gap)
        fill = _KEPT if i in kept else _OPEN
        stroke, sw = (_CURRENT, 4) if i == current else ("#333", 1)
        text = "#ffffff" if i in kept else "#000000"
        parts.append(
            f'<rect x="{x}" y="8" width="{box}" height="30" rx="6" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="{sw}"/>'
        )
        parts.append(f'<text x="{x + box / 2}" y="28" font-size="13" text-anchor="middle" fill="{text}">x{i}</text>')
        if i >= 1:
            sx = x - gap - box / 2
            done = i in reversed_steps
            parts.append(
                f'<rect x="{sx}" y="52" width="{box}" height="24" rx="4" fill="{_DONE if done else _OPEN}" '
                f'stroke="#777"/>'
            )
            parts.append(f'<text x="{sx + box / 2}" y="69" font-size="12" text-anchor="middle">F{i}</text>')
    parts.append("</svg>")
    return "".join(parts)


def schedule_frames(schedule: ck.Schedule) -> tuple[list[str], list[str]]:
    """One frame per reversed step (and one to start): what is kept, what is current, the advances so far."""
    n = schedule.n
    kept, current, done, advances, since = {0}, 0, set(), 0, 0
    frames = [schedule_svg(n, kept, current, done, "start: only x0 is kept")]
    labels = ["start: x<sub>0</sub> is kept"]
    for action, i in schedule.actions:
        if action == "advance":
            current, advances, since = i, advances + 1, since + 1
        elif action == "store":
            kept.add(i)
        elif action == "free":
            kept.discard(i)
        elif action == "restore":
            current = i
        elif action == "reverse":
            done.add(i)
            held = len(kept)
            frames.append(schedule_svg(n, set(kept), current, set(done), f"step {i} reversed"))
            labels.append(
                f"reverse F<sub>{i}</sub> from x<sub>{i - 1}</sub> after {since} advance(s); "
                f"{advances} in all, {held} state(s) kept"
            )
            since = 0
    return frames, labels


def schedule_stepper(schedule: ck.Schedule, title=None):
    """A kernel-free stepper through a schedule, one reversal per frame."""
    frames, labels = schedule_frames(schedule)
    return frame_stepper(frames, labels, title=title)


def time_memory_plot(n: int, ax=None, max_slots: int | None = None):
    """Advances (time) against states kept (memory) for a chain of n steps: revolve's optimum computed by
    the package's schedules, Griewank's formula, the √n scheme and keeping everything."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 3.8), layout="constrained")
    top = max_slots or n
    slots = list(range(1, top + 1))
    ax.plot(slots, [ck.revolve_schedule(n, s).advances for s in slots], "o", color="#1f4e79", ms=5,
            label="revolve schedule (package)")  # fmt: skip
    ax.plot(slots, [ck.revolve_formula(n, s) for s in slots], "-", color="#c55a11", lw=1.2,
            label="Griewank's formula")  # fmt: skip
    sq = ck.sqrt_schedule(n)
    ax.plot([sq.peak_slots], [sq.advances], "s", color="#2e7d32", ms=8, label="√n checkpoints")
    full = ck.store_all_schedule(n)
    ax.plot([full.peak_slots], [full.advances], "D", color="#6a1b9a", ms=7, label="keep every state")
    ax.set_yscale("log")
    ax.set_xscale("log")
    ax.set_xlabel("states kept at once (memory)", fontsize=11)
    ax.set_ylabel("forward steps run (time)", fontsize=11)
    ax.set_title(f"Reversing a chain of n = {n} steps", fontsize=12)
    ax.tick_params(labelsize=10)
    ax.legend(fontsize=10, frameon=False)
    ax.grid(True, which="major", alpha=0.3)
    describe(
        ax.figure,
        f"Log-log plot of forward steps run against states kept for a chain of {n} steps: the revolve "
        f"schedule's points lie on Griewank's formula, from {ck.revolve_formula(n, 1)} steps with one "
        f"state to {full.advances} with {full.peak_slots}; the square-root scheme sits at "
        f"{sq.peak_slots} states and {sq.advances} steps.",
    )
    return ax

"""λ flowing backward on the graph of a tape: one SVG frame per step of the reverse sweep.

Each node is a step z_i (its operation and value inside); beside it, once some step has passed something
back to it, its λ so far. A node turns dark when its λ is final, which happens when the sweep reaches it:
every step that reads z_i is newer, so it has already passed its share. The frames are precomputed, so the
stepper needs no kernel (see :func:`lagrange_ad.widgets.frame_stepper`).

>>> from lagrange_ad import minitape as mt
>>> tape = mt.Tape()
>>> x = tape.input(2.0)
>>> _ = x * x + 1
>>> frames, labels = sweep_frames(tape, names={1: "x"})
>>> len(frames), labels[1]
(4, 'step 3 (+) passes λ<sub>3</sub> = 1 to z<sub>2</sub>')
>>> "λ = 4" in frames[-1]
True
"""

from __future__ import annotations

from html import escape

from .errors import LagrangeADError
from .widgets import frame_stepper

__all__ = ["graph_svg", "sweep_frames", "sweep_stepper"]

_FOUND, _CURRENT, _OPEN, _PARTIAL = "#1f4e79", "#c55a11", "#ffffff", "#fbe5d6"
_W, _H = 150, 64  # room per layer and per node
_HALO = ' stroke="#ffffff" stroke-width="3" paint-order="stroke"'  # a white outline under a label's letters


def _number(v: float) -> str:
    return f"{v:.4g}".replace("-", "−")


def _layout(tape) -> dict[int, tuple[float, float]]:
    """x by depth (longest path from an input), y by order within the depth."""
    depth = {}
    for i in range(1, len(tape) + 1):
        depth[i] = 1 + max((depth[k] for k in tape.args[i]), default=-1)
    columns: dict[int, list[int]] = {}
    for i, d in depth.items():
        columns.setdefault(d, []).append(i)
    return {i: (50 + d * _W, 44 + r * _H) for d, col in columns.items() for r, i in enumerate(col)}


def graph_svg(tape, lam=None, final=(), current=None, names=None, title="") -> str:
    """The tape's graph as SVG: λ so far beside each node (``lam``: {i: value}), ``final`` nodes dark,
    ``current`` (a step) orange with the edges to its arguments drawn thick."""
    if len(tape) == 0:
        raise LagrangeADError("the tape is empty: record some steps before drawing it")
    lam, names = lam or {}, names or {}
    pos = _layout(tape)
    width = max(x for x, _ in pos.values()) + 120
    height = max(y for _, y in pos.values()) + 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" style="max-width:100%;height:auto;font-family:sans-serif">',
        f"<title>{escape(title or 'the graph of the tape')}</title>",
    ]
    for i in range(1, len(tape) + 1):
        for k in tape.args[i]:
            (x1, y1), (x2, y2) = pos[k], pos[i]
            thick = i == current
            colour = _CURRENT if thick else "#999999"
            parts.append(
                f'<line x1="{x1 + 22}" y1="{y1}" x2="{x2 - 22}" y2="{y2}" stroke="{colour}" '
                f'stroke-width="{3 if thick else 1.2}"/>'
            )
    for i in range(1, len(tape) + 1):
        x, y = pos[i]
        fill = _CURRENT if i == current else _FOUND if i in final else _PARTIAL if i in lam else _OPEN
        text = "#ffffff" if fill in (_CURRENT, _FOUND) else "#000000"
        label = names.get(i, f"z{i}")
        op = tape.ops[i] if tape.ops[i] not in ("", "input") else ""
        parts.append(f'<rect x="{x - 22}" y="{y - 16}" width="44" height="32" rx="8" fill="{fill}" stroke="#333"/>')
        parts.append(
            f'<text x="{x}" y="{y - 2}" font-size="13" text-anchor="middle" fill="{text}">{escape(label)}</text>'
        )
        if op:
            parts.append(
                f'<text x="{x}" y="{y + 12}" font-size="11" text-anchor="middle" fill="{text}">{escape(op)}</text>'
            )
        parts.append(
            f'<text x="{x - 24}" y="{y + 28}" font-size="11" fill="#333"{_HALO}>= {_number(tape.values[i])}</text>'
        )
        if i in lam:
            # above the node, where edges (which leave and enter its sides) do not run; the halo keeps it
            # legible where a steep edge still passes
            weight = "bold" if i in final else "normal"
            parts.append(
                f'<text x="{x}" y="{y - 21}" font-size="12" font-weight="{weight}" text-anchor="middle" '
                f'fill="#000"{_HALO}>λ = {_number(lam[i])}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def sweep_frames(tape, names=None, sweep_order=None) -> tuple[list[str], list[str]]:
    """Frames of the reverse sweep: the opening (λ_n = 1), then one per step, newest first."""
    n = len(tape)
    order = list(range(n, 0, -1)) if sweep_order is None else list(sweep_order)
    lam = {n: 1.0}
    final: set[int] = set()
    frames = [graph_svg(tape, lam, final, None, names, "λ_n = 1: the output's own multiplier")]
    labels = [f"start: λ<sub>{n}</sub> = 1 (the output)"]
    for i in order:
        final.add(i)
        for k, d in zip(tape.args[i], tape.partials[i], strict=True):
            lam[k] = lam.get(k, 0.0) + lam.get(i, 0.0) * d
        to = ", ".join(f"z<sub>{k}</sub>" for k in dict.fromkeys(tape.args[i])) or "nothing (an input)"
        op = f" ({escape(tape.ops[i])})" if tape.ops[i] not in ("", "input") else ""
        labels.append(f"step {i}{op} passes λ<sub>{i}</sub> = {_number(lam.get(i, 0.0))} to {to}")
        frames.append(graph_svg(tape, dict(lam), set(final), i, names, f"step {i} passes its λ back"))
    return frames, labels


def sweep_stepper(tape, names=None, title=None):
    """A kernel-free stepper of the reverse sweep on the tape's graph."""
    frames, labels = sweep_frames(tape, names)
    return frame_stepper(frames, labels, title=title)

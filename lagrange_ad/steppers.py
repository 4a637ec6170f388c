"""The back-substitution stepper: A λ = e solved one λ at a time, newest step first, as precomputed frames.

Frame 0 shows the whole system; frame k (k = 1 … n) solves row i = n − k + 1 for λ_i: A with that row
highlighted (and the λ's it uses), the equation of the row, its solution, and every λ found so far (with
numbers, when input values are given). The frames are plain HTML with math in ``$$ … $$``, made by
:mod:`lagrange_ad.frames` (which needs no numpy, so the reader's browser makes the same ones); the stepper
shows them with :func:`lagrange_ad.widgets.frame_stepper`, which needs no kernel.

The markers each frame carries for a browser or a test are described in :mod:`lagrange_ad.frames`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import sympy

from .computation import Computation
from .errors import ShapeError
from .figures import figure_html
from .frames import (  # noqa: F401 - the frames' names, as the chapters and explorers import them from here
    MAX_ENTRY_SIZE,
    MAX_FULL_STEPS,
    _frames_and_labels,
    _math,
    _size,
    _value_span,
    back_substitution_announcements,
    back_substitution_frames,
    back_substitution_labels,
)
from .numeric import forward, gradient, multipliers
from .tracing import trace
from .typeset import latex
from .widgets import frame_stepper

__all__ = [
    "back_substitution_frames",
    "back_substitution_labels",
    "back_substitution_announcements",
    "back_substitution_stepper",
    "figure_frames",
    "unrolled_loop_frames",
]

def back_substitution_stepper(
    comp: Computation, values=None, digits: int = 3, full_entries=None, title=None, interval: int = 1500
):
    """Back substitution as a kernel-free stepper (slider and play button) over the precomputed frames.

    The arguments are those of :func:`back_substitution_frames`, plus the stepper's ``title`` (HTML) and
    ``interval`` (milliseconds per frame when playing).

    >>> import lagrange_ad as lad
    >>> stepper = back_substitution_stepper(lad.trace(lambda x: lad.exp(x), "x"), {"x": 1.0})
    >>> len(stepper.frames), stepper.slider.max
    (3, 2)
    """
    frames, labels, said = _frames_and_labels(comp, values, digits, full_entries)
    if title is None:
        title = "Back substitution: solving \\(A\\lambda = e\\) from the last row up"
    stepper = frame_stepper(frames, labels=labels, title=title, interval=interval, announcements=said)
    stepper.add_class("lad-backsub")
    return stepper


# --------------------------------------------------------------------------------------------------
# other steppers: a loop unrolled K times; a picture redrawn for each value of a parameter
# --------------------------------------------------------------------------------------------------


def unrolled_loop_frames(make, counts, names: str, values: dict, shared: str) -> tuple[list[str], list[str]]:
    """Frames for a loop unrolled K times, one per K in ``counts``: the steps, and the contribution
    λ_k ∂f_k/∂z_c of each step k that reads the shared input c, with their sum beside ``lad.gradient``.
    For scalar computations (each ∂f_k/∂z_c is evaluated at the forward pass as one number).

    ``make(K)`` returns the Python function with its loop run K times; ``names`` are its inputs (as for
    :func:`lagrange_ad.trace`) and ``values`` their numbers. Returns ``(frames, labels)``.

    >>> def make(k):
    ...     def fn(x, c):
    ...         for _ in range(k):
    ...             x = x + c
    ...         return x * x
    ...     return fn
    >>> frames, labels = unrolled_loop_frames(make, [1, 2], "x c", {"x": 0.5, "c": 0.1}, "c")
    >>> labels
    ['K = 1: 4 steps', 'K = 2: 5 steps']
    >>> 'data-sum="2.8"' in frames[1]  # d/dc (x + 2c)² = 2 · 2 (x + 2c): two contributions of 1.4
    True
    """
    frames, labels = [], []
    for k in counts:
        comp = trace(make(k), names)
        index = next((s.index for s in comp.inputs if s.name == shared), None)
        if index is None:
            raise ShapeError(f"{shared!r} is not an input of the traced function (inputs: {names})")
        symbol = comp.step(index).symbol
        lam = multipliers(comp, values)
        zs = forward(comp, values)
        at = {s.symbol: zs[s.index] for s in comp.steps}
        rows = [
            rf"z_{{{s.index}}} &= " + (rf"\text{{input }} {s.name}" if s.is_input else latex(s.formula))
            for s in comp.steps
        ]
        parts = []
        for user in comp.b(index):
            local = float(sympy.diff(comp.step(user).formula, symbol).subs(at))
            parts.append((user, float(lam[user]) * local))
        total = sum(p for _, p in parts)
        items = "".join(
            rf"<li>through \(z_{{{user}}}\): \(\lambda_{{{user}}}\,\partial f_{{{user}}}/\partial z_{{{index}}}"
            rf" = {part:.4f}\)</li>"
            for user, part in parts
        )
        frames.append(
            _math(r"\begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}")
            + f"<p>{len(parts)} {'use' if len(parts) == 1 else 'uses'} of \\({shared}\\), "
            + f"one contribution each:</p><ul>{items}</ul>"
            + f'<p class="lad-loop-sum" data-sum="{total:.12g}">their sum {total:.6f}; '
            f"<code>lad.gradient</code>: {float(gradient(comp, values)[shared]):.6f}</p>"
        )
        labels.append(f"K = {k}: {len(comp)} steps")
    return frames, labels


def figure_frames(draw, values, alt) -> list[str]:
    """One picture per value: ``draw(value)`` returns a matplotlib figure, shown by the book's standard.

    Each picture is an SVG with its alt text (:func:`lagrange_ad.figures.figure_html`).

    ``alt(value)`` gives each picture's alternative text. The figures are closed once drawn.

    >>> import matplotlib.pyplot as plt
    >>> def draw(v):
    ...     fig, ax = plt.subplots(figsize=(2, 1))
    ...     ax.plot([0, 1], [0, v])
    ...     return fig
    >>> frames = figure_frames(draw, [1.0, 2.0], alt=lambda v: f"a line of slope {v}")
    >>> len(frames), "image/svg+xml" in frames[0], 'alt="a line of slope 2.0"' in frames[1]
    (2, True, True)
    """
    frames = []
    for value in values:
        fig = draw(value)
        frames.append(figure_html(fig, alt=alt(value)))  # the book's figure standard: SVG, alt text
        plt.close(fig)
    return frames

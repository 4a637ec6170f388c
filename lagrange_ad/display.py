"""Pictures of a computation: LaTeX of A λ = e, L and its conditions; structure plots; the graph; a table.

Every LaTeX function returns a :class:`TeX` string: it is a plain ``str`` (so it can be pasted into
other LaTeX or HTML), and a notebook shows it as typeset display math (``$$ … $$``, MathJax).
The plots draw with matplotlib (no graphviz). The LaTeX and the table live in
:mod:`lagrange_ad.typeset`, which needs neither numpy nor matplotlib (the reader's browser runs it); this
module re-exports every one of those names, and adds the plots.

>>> import lagrange_ad as lad
>>> from lagrange_ad import display
>>> comp = lad.trace(lambda x: lad.exp(x), "x")
>>> print(display.matrix_latex(lad.linear_system(comp)[0], highlight_row=0))
\\begin{bmatrix}
{\\color{#c2185b}{-1}} & {\\color{#c2185b}{e^{z_{1}}}} \\\\
0 & -1
\\end{bmatrix}
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import sympy
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

from .computation import Computation
from .errors import LagrangeADError, ShapeError
from .figures import BOOK_WIDTH_IN, MIN_FONT_PT, alt_text, describe, figure_html, use_book_figures
from .graph_svg import describe_graph
from .graph_svg import layers as _layers
from .graph_svg import node_order as _node_order
from .linear_system import linear_system, step_slices
from .typeset import (
    COL_COLOR,
    ROW_COLOR,
    STACK_ABOVE,
    HTMLTable,
    TeX,
    _visible_len,  # noqa: F401 - tests measure lines with it
    block_entry_latex,
    block_system_latex,
    conditions_latex,
    entry_latex,
    lagrangian_latex,
    latex,
    matrix_latex,
    number_latex,
    split_latex,
    steps_table,
    system_latex,
    term_lines,
    value_latex,
)

__all__ = [
    "TeX", "HTMLTable", "ROW_COLOR", "COL_COLOR",
    "matrix_latex", "system_latex", "block_system_latex", "lagrangian_latex", "conditions_latex",
    "structure_plot", "graph_plot", "steps_table",
    "number_latex", "value_latex", "latex", "entry_latex", "block_entry_latex", "split_latex",
    "term_lines", "STACK_ABOVE", "use_book_figures", "figure_html", "describe", "alt_text",
]  # fmt: skip

_DIAG_COLOR = "#37474f"
_OFF_COLOR = "#ef6c00"


# ---------------------------------------------------------------------------------------------------
# pictures


def _new_axes(size):
    # Made through pyplot (which sets up the notebook's figure display), then closed: the inline
    # backend does not show it again at the end of the cell, so a returned figure appears once.
    fig, ax = plt.subplots(figsize=size, layout="constrained")
    plt.close(fig)
    return fig, ax


def _pattern_of(obj):
    """(scalar nonzero pattern, block boundaries or None, step labels or None) of what to plot."""
    if isinstance(obj, Computation):
        A, _ = linear_system(obj)
        size = A.shape[0]
        pattern = np.zeros((size, size), dtype=bool)
        for (r, c), v in A.todok().items():
            pattern[r, c] = v != 0
        shaped = any(s.shape for s in obj.steps)
        bounds = [sl.start for sl in step_slices(obj)] + [size] if shaped else None
        labels = [f"$z_{{{s.index}}}$" for s in obj.steps]
        return pattern, bounds, labels
    if isinstance(obj, sympy.MatrixBase):
        pattern = np.array([[obj[r, c] != 0 for c in range(obj.shape[1])] for r in range(obj.shape[0])], dtype=bool)
        return pattern, None, None
    arr = np.asarray(obj)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise ShapeError(f"structure_plot needs a Computation or a square matrix/pattern, got shape {arr.shape}")
    return arr.astype(bool), None, None


def structure_plot(comp_or_pattern, ax=None, title=None, diagonal="−1", off_diagonal="∂f/∂z"):
    """A spy-style picture of A's nonzero pattern: diagonal and off-diagonal entries in two colours.

    Takes a :class:`~lagrange_ad.Computation` (A is computed; for matrix-valued steps every scalar
    entry is drawn, with grid lines between the steps' blocks), a sympy matrix, or an n×n boolean
    pattern such as :func:`lagrange_ad.block_pattern`'s. Draws into ``ax`` and returns it; without
    ``ax`` it makes a figure and returns the figure (shown once when it ends a notebook cell).
    ``diagonal`` and ``off_diagonal`` say in the legend what the entries are: a triangular A of
    steps has −1 and ∂f/∂z; a matrix that is not (chapter 9) passes its own.

    >>> import lagrange_ad as lad
    >>> fig = structure_plot(lad.trace(lambda x: lad.exp(x) * x, "x"), title="A")
    >>> fig.axes[0].get_title()
    'A'
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['diagonal (−1)', 'off-diagonal (∂f/∂z)']
    """
    pattern, bounds, labels = _pattern_of(comp_or_pattern)
    size = pattern.shape[0]
    fig = None
    if ax is None:
        side = min(7.0, 2.0 + 0.35 * (len(labels) if labels else size))
        fig, ax = _new_axes((side, side))
    codes = pattern.astype(int)
    codes[np.diag_indices(size)] *= 2  # 0 zero, 1 off-diagonal, 2 diagonal
    cmap = ListedColormap(["#ffffff", _OFF_COLOR, _DIAG_COLOR])
    ax.imshow(codes, cmap=cmap, vmin=0, vmax=2, interpolation="nearest")
    ax.set_xlim(-0.5, size - 0.5)
    ax.set_ylim(size - 0.5, -0.5)
    if bounds is not None:
        for b in bounds[1:-1]:
            ax.axhline(b - 0.5, color="#9e9e9e", lw=0.6)
            ax.axvline(b - 0.5, color="#9e9e9e", lw=0.6)
        centres = [(lo + hi - 1) / 2 for lo, hi in zip(bounds[:-1], bounds[1:], strict=False)]
    else:
        centres = list(range(size))
    if labels is not None and len(labels) <= 40:
        ax.set_xticks(centres, labels, fontsize=8)
        ax.set_yticks(centres, labels, fontsize=8)
    elif labels is None and size <= 40:
        ax.set_xticks(range(size), [str(k + 1) for k in range(size)], fontsize=8)
        ax.set_yticks(range(size), [str(k + 1) for k in range(size)], fontsize=8)
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    handles = [
        Patch(color=_DIAG_COLOR, label=f"diagonal ({diagonal})"),
        Patch(color=_OFF_COLOR, label=f"off-diagonal ({off_diagonal})"),
    ]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=2, fontsize=8, frameon=False)
    if title is not None:
        ax.set_title(title, pad=18 if size <= 40 else 6)
    _describe_pattern(ax, pattern, labels is not None and bounds is not None)
    if fig is not None:
        fig.lad_alt = ax.lad_alt
    return fig if fig is not None else ax


def _describe_pattern(ax, pattern, scalar_entries: bool):
    """Alt text of a structure plot: its size, how many nonzeros where, and (small ones) which."""
    size = pattern.shape[0]
    above = [(r + 1, c + 1) for r, c in zip(*np.nonzero(np.triu(pattern, 1)), strict=True)]
    below = int(np.count_nonzero(np.tril(pattern, -1)))
    what = "every scalar entry of A" if scalar_entries else "A"
    text = (
        f"Nonzero pattern of {what}, {size}×{size}: {int(np.count_nonzero(np.diag(pattern)))} nonzeros on the "
        f"diagonal, {len(above)} above it and {below} below it"
    )
    if above and size <= 12 and not below:
        text += "; above the diagonal at (row, column) " + ", ".join(f"({r}, {c})" for r, c in above)
    ax.lad_alt = text


#: Curvatures tried for an arrow, in order: the first whose path keeps clear of every other node wins.
_BENDS = (0.0, 0.2, -0.2, 0.35, -0.35, 0.5, -0.5, 0.7, -0.7)
#: Room (points) an arrow keeps from a node it does not touch.
_CLEARANCE_PT = 4.0
#: Font size (points) of the node labels: ≥ figures.MIN_FONT_PT at the book's width.
GRAPH_FONT_PT = 10


def _bezier(p0, p1, bend: float, samples: int = 24):
    """Points along matplotlib's ``arc3,rad=bend`` path from p0 to p1 (display coordinates)."""
    (x0, y0), (x1, y1) = p0, p1
    cx, cy = (x0 + x1) / 2 + bend * (y1 - y0), (y0 + y1) / 2 - bend * (x1 - x0)
    t = np.linspace(0.0, 1.0, samples)[:, None]
    return (1 - t) ** 2 * np.array([x0, y0]) + 2 * (1 - t) * t * np.array([cx, cy]) + t**2 * np.array([x1, y1])


def _clearance(path, centres, radii, skip) -> float:
    """How far (display units) the path stays outside every node but its two ends (negative: crosses one)."""
    worst = np.inf
    for k, (c, r) in enumerate(zip(centres, radii, strict=True)):
        if k in skip:
            continue
        worst = min(worst, float(np.min(np.hypot(*(path - c).T))) - r)
    return worst


def _overlaps(boxes, gap: float) -> bool:
    """Whether any two boxes (display extents) come closer than ``gap``."""
    for k, a in enumerate(boxes):
        for b in boxes[k + 1 :]:
            if a.x0 < b.x1 + gap and b.x0 < a.x1 + gap and a.y0 < b.y1 + gap and b.y0 < a.y1 + gap:
                return True
    return False


def _fit_labels(comp: Computation, labels: dict):
    """Keep the nodes' boxes apart: smaller labels (down to 8 pt), else no names in them.

    A deep graph with long names (inception modules: ``m1b2_1``) has more label than room between its
    layers. The names stay in the alt text and the steps table. Returns the renderer used to measure.
    """
    figure = next(iter(labels.values())).figure
    gap = 2 * figure.dpi / 72  # 2 pt

    def crowded():
        figure.draw_without_rendering()
        renderer = figure._get_renderer()
        return _overlaps([t.get_bbox_patch().get_window_extent(renderer) for t in labels.values()], gap), renderer

    tight, renderer = crowded()
    # (8 pt, not MIN_FONT_PT itself: a figure drawn a fraction of a pixel narrower would fall below 10 px)
    for size in (9, 8.5, max(8.0, MIN_FONT_PT)):
        if not tight:
            return renderer
        for text in labels.values():
            text.set_fontsize(size)
        tight, renderer = crowded()
    if tight:
        for s in comp.steps:  # z_i and a shape, without the name
            lines = labels[s.index].get_text().split("\n")
            labels[s.index].set_text("\n".join(line for line in lines if line != s.name))
        tight, renderer = crowded()
    return renderer


def graph_plot(comp: Computation, ax=None, title=None):
    """The computation graph: nodes z_i (inputs as squares), arrows a(i) → i, laid out in layers.

    A step's layer is one more than the deepest step it reads, so every arrow points right. Labels sit
    inside their nodes; an arrow that would pass through or under another node bends around it (the
    smallest bend that keeps clear of every node). Draws into ``ax`` and returns it; without ``ax`` it
    returns a new figure, at most the book's width (:data:`lagrange_ad.figures.BOOK_WIDTH_IN`).
    The axes carry alt text listing the steps and what each reads.

    >>> import lagrange_ad as lad
    >>> fig = graph_plot(lad.trace(lambda x, w: lad.tanh(w * x), "x w"))
    >>> sorted(t.get_text() for t in fig.axes[0].texts if t.get_text())[:3]
    ['$z_{1}$\\nx', '$z_{2}$\\nw', '$z_{3}$']
    >>> fig.axes[0].lad_alt.split(";")[0]
    'Computation graph with 4 nodes: inputs z1 (x), z2 (w)'
    """
    if not isinstance(comp, Computation):
        raise LagrangeADError(f"graph_plot needs a Computation, got {type(comp).__name__}")
    layer = _layers(comp)
    y = _node_order(comp, layer)
    depth = max(layer) + 1
    low, high = min(y.values()), max(y.values())
    height = high - low + 1
    fig = None
    if ax is None:
        fig, ax = _new_axes((min(BOOK_WIDTH_IN, 1.2 + 1.3 * depth), min(6.0, 1.0 + 0.95 * height)))
    pos = {s.index: (layer[s.index - 1], -y[s.index]) for s in comp.steps}
    ax.set_xlim(-0.6, depth - 0.4)
    ax.set_ylim(-high - 0.7, -low + 0.7)
    ax.set_axis_off()
    if title is not None:
        ax.set_title(title)
    labels = {}
    for s in comp.steps:
        label = f"$z_{{{s.index}}}$"
        if s.name != f"z{s.index}":
            label += f"\n{s.name}"
        if s.shape:
            label += f"\n{s.shape[0]}×{s.shape[1]}"
        # a one-line label fits a circle; a name under it, a rounded box (a circle that held it
        # would be tall enough to touch its neighbours)
        style = "square,pad=0.35" if s.is_input else ("circle,pad=0.25" if "\n" not in label else "round,pad=0.3")
        face = "#e3f2fd" if s.is_input else ("#fce4ec" if s.index == len(comp) else "#fff8e1")
        labels[s.index] = ax.text(
            *pos[s.index], label, ha="center", va="center", fontsize=GRAPH_FONT_PT, zorder=3,
            bbox=dict(boxstyle=style, fc=face, ec="#455a64", lw=1.0),
        )  # fmt: skip
    # Node sizes are known only once drawn: measure them, then route every arrow around the others.
    figure = ax.figure
    renderer = _fit_labels(comp, labels)
    order = [s.index for s in comp.steps]
    centres = [np.asarray(ax.transData.transform(pos[i])) for i in order]
    radii = []
    for i in order:
        box = labels[i].get_bbox_patch().get_window_extent(renderer)
        radii.append(max(box.width, box.height) / 2)
    points = figure.dpi / 72  # display units per point
    for s in comp.steps:
        for a in s.args:
            # an arrow that must bend goes above or below by how many layers it skips, in turn: the
            # skips of a dense block spread over both sides instead of piling up on one
            side = 1.0 if (layer[s.index - 1] - layer[a - 1]) % 2 else -1.0
            ends = {order.index(a), order.index(s.index)}
            start, stop = centres[order.index(a)], centres[order.index(s.index)]
            bend = max(
                _BENDS,
                key=lambda b: (
                    min(_clearance(_bezier(start, stop, b), centres, radii, ends), _CLEARANCE_PT * points),
                    b * side >= 0,
                    -abs(b),
                ),
            )
            ax.annotate(
                "", xy=pos[s.index], xytext=pos[a], zorder=2,
                arrowprops=dict(
                    arrowstyle="-|>", color="#546e7a", lw=1.1,
                    shrinkA=radii[order.index(a)] / points + 1, shrinkB=radii[order.index(s.index)] / points + 1,
                    connectionstyle=f"arc3,rad={bend}",
                ),
            )  # fmt: skip
    describe(ax, describe_graph(comp))
    if fig is not None:
        describe(fig, ax.lad_alt)
    return fig if fig is not None else ax



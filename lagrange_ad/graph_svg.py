"""The computation graph laid out in layers, and drawn as SVG text in plain Python (no matplotlib).

:func:`layers` and :func:`node_order` place the steps (every arrow a(i) → i points one way); the book's
matplotlib figure (:func:`lagrange_ad.display.graph_plot`) and :func:`graph_svg`, which the reader's
browser shows (:mod:`lagrange_ad.try_it`), both use them, and both describe the graph in the same words
(:func:`describe_graph`). The SVG is at most :data:`MAX_WIDTH` px wide, its text is at least 10 px at the
size drawn, and it carries a ``<title>`` (its accessible name). A graph too deep to fit the width left to
right is drawn top to bottom instead.

>>> import lagrange_ad as lad
>>> comp = lad.trace(lambda x, w: lad.tanh(w * x), "x w")
>>> layers(comp)
[0, 0, 1, 2]
>>> svg = graph_svg(comp)
>>> svg.startswith("<svg") and "<title>Computation graph with 4 nodes" in svg
True
"""

from __future__ import annotations

import html
import math

from .computation import Computation
from .errors import LagrangeADError

#: The widest the drawing may be (px): the book's text column.
MAX_WIDTH = 688
#: Font sizes (px) of a node's label and of the name under it: never below 10 px.
LABEL_PX, NAME_PX = 14, 11
#: Curvatures tried for an arrow, in order: the first whose path keeps clear of every other node wins.
BENDS = (0.0, 0.2, -0.2, 0.35, -0.35, 0.5, -0.5, 0.7, -0.7)

_RADIUS = 17  # px, a node
_GAP = 6  # px an arrow keeps from a node it does not touch
_STEP_ALONG, _STEP_ACROSS = 92, 64  # px between layers, and between nodes of a layer
_MIN_ALONG = 52  # px: closer than this, layers go top to bottom instead
_MARGIN = 30


def layers(comp: Computation) -> list[int]:
    """Each step's column: one more than the deepest step it reads; an input sits just before its first user."""
    layer = []
    for s in comp.steps:
        layer.append(0 if not s.args else 1 + max(layer[a - 1] for a in s.args))
    for s in comp.inputs:  # inputs move right, next to where they are used, to keep arrows short
        users = comp.b(s.index)
        if users:
            layer[s.index - 1] = min(layer[k - 1] for k in users) - 1
    return layer


def node_order(comp: Computation, layer: list[int]) -> dict[int, float]:
    """Vertical position of each step: computed steps level with what they read, inputs beside their user."""
    y: dict[int, float] = {}
    by_layer: dict[int, list[int]] = {}
    for s in comp.steps:
        by_layer.setdefault(layer[s.index - 1], []).append(s.index)

    def mean_placed(indices):
        placed = [y[a] for a in indices if a in y]
        return sum(placed) / len(placed) if placed else None

    for lay in sorted(by_layer):
        desired = {}
        for i in by_layer[lay]:
            step = comp.steps[i - 1]
            if not step.is_input:
                computed = [a for a in step.args if not comp.steps[a - 1].is_input]
                desired[i] = mean_placed(computed or step.args)
            else:
                users = comp.b(i)
                near = mean_placed(comp.a(users[0])) if users else None
                desired[i] = None if near is None else near + 0.8
        free = [i for i in by_layer[lay] if desired[i] is None]  # nothing placed to line up with
        for pos, i in enumerate(free):
            desired[i] = pos - (len(free) - 1) / 2
        # keep the desired order, at least one unit apart
        order = sorted(by_layer[lay], key=lambda i: (desired[i], i))
        for k, i in enumerate(order):
            y[i] = desired[i] if k == 0 else max(desired[i], y[order[k - 1]] + 1.0)
    return y


def describe_graph(comp: Computation) -> str:
    """The graph in words (the figure's alt text): the inputs, what each step reads, the result."""

    def name(s):
        return f"z{s.index}" + (f" ({s.name})" if s.name != f"z{s.index}" else "")

    inputs = ", ".join(name(s) for s in comp.inputs)
    reads = "; ".join(f"{name(s)} reads " + ", ".join(f"z{a}" for a in s.args) for s in comp.steps if not s.is_input)
    return f"Computation graph with {len(comp)} nodes: inputs {inputs or 'none'}; {reads}; the result is z{len(comp)}"


def bezier(p0, p1, bend: float, samples: int = 24) -> list[tuple[float, float]]:
    """Points along the quadratic curve from p0 to p1 bent by ``bend`` (matplotlib's ``arc3,rad=bend``)."""
    (x0, y0), (x1, y1) = p0, p1
    cx, cy = (x0 + x1) / 2 + bend * (y1 - y0), (y0 + y1) / 2 - bend * (x1 - x0)
    out = []
    for k in range(samples):
        t = k / (samples - 1)
        a, b, c = (1 - t) ** 2, 2 * (1 - t) * t, t * t
        out.append((a * x0 + b * cx + c * x1, a * y0 + b * cy + c * y1))
    return out


def clearance(path, centres, radii, skip) -> float:
    """How far the path stays outside every node but those in ``skip`` (negative: it crosses one)."""
    worst = math.inf
    for k, ((cx, cy), r) in enumerate(zip(centres, radii, strict=True)):
        if k not in skip:
            worst = min(worst, min(math.hypot(x - cx, y - cy) for x, y in path) - r)
    return worst


def _bend(start, stop, centres, radii, ends, span: tuple[float, float]) -> float:
    """The smallest bend (:data:`BENDS`, in order) whose arrow keeps :data:`_GAP` from every other node and
    stays within ``span`` (the x's the drawing may use, so it stays within :data:`MAX_WIDTH`); if none does,
    the one that keeps farthest from the nodes. Only nodes near the arrow's box are looked at."""
    (x0, y0), (x1, y1) = start, stop
    reach = 0.7 * math.hypot(x1 - x0, y1 - y0) / 2 + 2 * _RADIUS + _GAP  # the farthest a bent arrow strays
    near = [
        k
        for k, (cx, cy) in enumerate(centres)
        if k not in ends
        and min(x0, x1) - reach <= cx <= max(x0, x1) + reach
        and min(y0, y1) - reach <= cy <= max(y0, y1) + reach
    ]
    nodes, sizes = [centres[k] for k in near], [radii[k] for k in near]
    best, best_clear = 0.0, -math.inf
    for b in BENDS:
        path = bezier(start, stop, b)
        if not all(span[0] <= x <= span[1] for x, _ in path):
            continue
        clear = clearance(path, nodes, sizes, ()) if nodes else math.inf
        if clear >= _GAP:
            return b
        if clear > best_clear:
            best, best_clear = b, clear
    return best


def _positions(comp: Computation) -> tuple[dict[int, tuple[float, float]], float, float]:
    """Pixel centres of the nodes, and the drawing's width and height: left to right if that fits
    :data:`MAX_WIDTH`, else top to bottom."""
    layer = layers(comp)
    across = node_order(comp, layer)
    low = min(across.values())
    depth = max(layer) - min(layer) + 1
    breadth = max(across.values()) - low + 1
    first = min(layer)
    along = min(_STEP_ALONG, (MAX_WIDTH - 2 * _MARGIN) / max(depth - 1, 1))
    if along >= _MIN_ALONG:  # left to right
        pos = {
            i: (_MARGIN + (layer[i - 1] - first) * along, _MARGIN + (across[i] - low) * _STEP_ACROSS) for i in across
        }
        return pos, 2 * _MARGIN + (depth - 1) * along, 2 * _MARGIN + (breadth - 1) * _STEP_ACROSS + 12
    step = min(_STEP_ACROSS, (MAX_WIDTH - 2 * _MARGIN) / max(breadth - 1, 1))
    pos = {i: (_MARGIN + (across[i] - low) * step, _MARGIN + (layer[i - 1] - first) * _STEP_ALONG) for i in across}
    return pos, 2 * _MARGIN + (breadth - 1) * step, 2 * _MARGIN + (depth - 1) * _STEP_ALONG + 12


def _node(comp: Computation, s, x: float, y: float) -> str:
    face = "#e3f2fd" if s.is_input else ("#fce4ec" if s.index == len(comp) else "#fff8e1")
    r = _RADIUS
    if s.is_input:
        shape = f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r}" height="{2 * r}" rx="3"'
    else:
        shape = f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}"'
    parts = [
        f'{shape} fill="{face}" stroke="#455a64" stroke-width="1"/>',
        f'<text x="{x:.1f}" y="{y + 5:.1f}" text-anchor="middle" font-size="{LABEL_PX}" font-style="italic">z'
        f'<tspan font-size="{NAME_PX}" font-style="normal" dy="4">{s.index}</tspan></text>',
    ]
    below = [] if s.name == f"z{s.index}" else [s.name]
    if s.shape:
        below.append(f"{s.shape[0]}×{s.shape[1]}")
    if below:
        parts.append(
            f'<text x="{x:.1f}" y="{y + r + NAME_PX + 1:.1f}" text-anchor="middle" font-size="{NAME_PX}">'
            f"{html.escape(' '.join(below))}</text>"
        )
    return "".join(parts)


def graph_svg(comp: Computation) -> str:
    """The computation graph as an SVG document (a string): nodes z_i (inputs as squares, the result
    in pink), arrows a(i) → i, each bent as little as keeps it clear of the other nodes.

    >>> import lagrange_ad as lad
    >>> svg = graph_svg(lad.trace(lambda x: lad.exp(x) * x, "x"))
    >>> svg.count("<circle"), svg.count("<rect"), svg.count("marker-end")  # z2, z3; the input x; 3 arrows
    (2, 1, 3)
    """
    if not isinstance(comp, Computation):
        raise LagrangeADError(f"graph_svg needs a Computation, got {type(comp).__name__}")
    pos, _, _ = _positions(comp)
    order = [s.index for s in comp.steps]
    centres = [pos[i] for i in order]
    radii = [_RADIUS * math.sqrt(2) if comp.steps[i - 1].is_input else _RADIUS for i in order]
    # arrows may bend beside the nodes, as far as the width left over allows (a tall, narrow graph has room)
    left, right = min(x for x, _ in centres), max(x for x, _ in centres)
    room = max(0.0, (MAX_WIDTH - 2 * _MARGIN - (right - left)) / 2)
    span = (left - room, right + room)
    arrows, xs, ys = [], [left - _RADIUS, right + _RADIUS], [y for _, y in centres]
    for s in comp.steps:
        for a in s.args:
            start, stop = pos[a], pos[s.index]
            bend = _bend(start, stop, centres, radii, {a - 1, s.index - 1}, span)
            arrows.append(_arrow(start, stop, bend, radii[a - 1], radii[s.index - 1]))
            path = bezier(start, stop, bend)
            xs += [x for x, _ in path]
            ys += [y for _, y in path]
    # the drawing's box: every node (and the name under it) and every arrow, with a margin
    x0, y0 = min(xs) - _MARGIN + _RADIUS, min(ys) - _MARGIN
    width = min(MAX_WIDTH, max(xs) - min(xs) + 2 * _MARGIN - 2 * _RADIUS)
    height = max(ys) - min(ys) + 2 * _MARGIN + NAME_PX + 4
    title = html.escape(describe_graph(comp))
    body = "".join(arrows) + "".join(_node(comp, s, *pos[s.index]) for s in comp.steps)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="lad-graph" role="img" width="{width:.0f}" '
        f'height="{height:.0f}" viewBox="{x0:.0f} {y0:.0f} {width:.0f} {height:.0f}" font-family="sans-serif">'
        f"<title>{title}</title>"
        '<defs><marker id="lad-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#546e7a"/></marker></defs>'
        f"{body}</svg>"
    )


def _arrow(start, stop, bend: float, r_start: float, r_stop: float) -> str:
    """A curved arrow from node ``start`` to node ``stop``, starting and ending on their outlines."""
    (x0, y0), (x1, y1) = start, stop
    cx, cy = (x0 + x1) / 2 + bend * (y1 - y0), (y0 + y1) / 2 - bend * (x1 - x0)

    def towards(px, py, qx, qy, r):  # the point at distance r from p towards q
        d = math.hypot(qx - px, qy - py) or 1.0
        return px + (qx - px) * r / d, py + (qy - py) * r / d

    ax, ay = towards(x0, y0, cx, cy, r_start + 1)
    bx, by = towards(x1, y1, cx, cy, r_stop + 2)
    return (
        f'<path d="M {ax:.1f} {ay:.1f} Q {cx:.1f} {cy:.1f} {bx:.1f} {by:.1f}" fill="none" stroke="#546e7a" '
        'stroke-width="1.2" marker-end="url(#lad-arrow)"/>'
    )

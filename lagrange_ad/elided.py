r"""A long program's A λ = e in a form that fits the text column: elided, plus a drawing of its pattern.

A 50-step program has a 50×50 A; written out in full it is wider than the book's text column even in
10 px type. :func:`elided_system_latex` writes its first and last :data:`KEEP` rows and columns (blocks
∂f_k/∂z_i, −1 on the diagonal, as :func:`lagrange_ad.typeset.block_system_latex` does) with ``\cdots``,
``\vdots`` and ``\ddots`` between them, and λ and e elided alike; :func:`pattern_svg` draws which entries
of the whole A are nonzero, as a small SVG (no matplotlib: it runs in the reader's browser too).

>>> import lagrange_ad as lad
>>> def chain(x):
...     for _ in range(9):
...         x = lad.sin(x)
...     return x
>>> comp = lad.trace(chain, "x")
>>> shown_steps(len(comp))
[1, 2, 3, 8, 9, 10]
>>> r"\ddots" in elided_system_latex(comp) and pattern_svg(comp).startswith("<svg")
True
"""

from __future__ import annotations

import html

from .computation import Computation
from .linear_system import nonzero_blocks
from .typeset import TeX, block_entry_latex

__all__ = ["KEEP", "shown_steps", "elided_system_latex", "pattern_svg"]

#: Rows (and columns) of A written out at each end of an elided A λ = e.
KEEP = 3
#: The pattern drawing: at most this many px a side, cells at most CELL_PX, text TEXT_PX (≥ 10 px).
PATTERN_PX, CELL_PX, TEXT_PX = 240, 8, 12

_ROW = " \\\\\n"


def shown_steps(n: int, keep: int = KEEP) -> list[int]:
    """The steps (from 1) whose rows and columns an elided A of n steps writes out: all, if n ≤ 2·keep + 1.

    >>> shown_steps(5), shown_steps(50)
    ([1, 2, 3, 4, 5], [1, 2, 3, 48, 49, 50])
    """
    if n <= 2 * keep + 1:
        return list(range(1, n + 1))
    return [*range(1, keep + 1), *range(n - keep + 1, n + 1)]


def _with_gap(items: list[str], n: int, keep: int, gap: str) -> list[str]:
    """``items`` (one per shown step) with ``gap`` between the first and the last ``keep``, if elided."""
    if len(items) == n:
        return items
    return [*items[:keep], gap, *items[keep:]]


def elided_system_latex(comp: Computation, keep: int = KEEP) -> TeX:
    r"""A λ = e in blocks with only the first and last ``keep`` rows and columns written out.

    The entries are :func:`lagrange_ad.typeset.block_entry_latex`'s (−1 on the diagonal, ∂f_k/∂z_i where
    A is nonzero, 0 elsewhere), read off A; ``\cdots``/``\vdots`` stand for the rows and columns left out,
    ``\ddots`` for the diagonal between them. λ and e are elided the same way.

    >>> import lagrange_ad as lad
    >>> comp = lad.trace(lambda x: lad.exp(x), "x")
    >>> print(elided_system_latex(comp))  # small: nothing left out
    \begin{bmatrix}
    -1 & \tfrac{\partial f_{2}}{\partial z_{1}} \\
    0 & -1
    \end{bmatrix}
    \begin{bmatrix}
    \lambda_{1} \\
    \lambda_{2}
    \end{bmatrix}
    =
    \begin{bmatrix}
    0 \\
    -1
    \end{bmatrix}
    """
    n = len(comp)
    steps = shown_steps(n, keep)
    nonzero = nonzero_blocks(comp)
    rows = []
    for i in steps:
        cells = [block_entry_latex(comp, i, k) if (i, k) in nonzero else "0" for k in steps]
        rows.append(" & ".join(_with_gap(cells, n, keep, "\\cdots")))
    if len(steps) < n:
        middle = ["\\vdots"] * len(steps)
        rows.insert(keep, " & ".join([*middle[:keep], "\\ddots", *middle[keep:]]))
    lam = _with_gap([f"\\lambda_{{{i}}}" for i in steps], n, keep, "\\vdots")
    e = _with_gap(["-1" if i == n else "0" for i in steps], n, keep, "\\vdots")

    def matrix(lines):
        return "\\begin{bmatrix}\n" + _ROW.join(lines) + "\n\\end{bmatrix}"

    return TeX(f"{matrix(rows)}\n{matrix(lam)}\n=\n{matrix(e)}")


def pattern_svg(comp: Computation) -> str:
    """Which entries of A are nonzero, as an SVG: a square a step, filled where A_ik ≠ 0 (the diagonal's
    −1 in a darker colour), with the first and last step numbered on each axis and a ``<title>``.

    >>> import lagrange_ad as lad
    >>> svg = pattern_svg(lad.trace(lambda x: lad.exp(x), "x"))
    >>> svg.count('class="nz"'), svg.count('class="diag"')
    (1, 2)
    """
    n = len(comp)
    nonzero = nonzero_blocks(comp)
    cell = min(CELL_PX, PATTERN_PX / n)
    side = cell * n
    margin = TEXT_PX * 2.5  # room for the step numbers left of and above the grid
    size = margin + side + TEXT_PX  # room on the right for the last column's number, centred on it
    off_diagonal = len(nonzero) - n
    title = (f"The pattern of A: {n} by {n}, one square a step; {n} diagonal entries −1 and {off_diagonal} "
             "other nonzero entries ∂f_k/∂z_i, all above the diagonal (row i, column k > i)")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{size:.0f}" height="{size:.0f}" '
        f'viewBox="0 0 {size:.1f} {size:.1f}" class="lad-pattern">',
        f"<title>{html.escape(title)}</title>",
        f'<rect x="{margin:.1f}" y="{margin:.1f}" width="{side:.1f}" height="{side:.1f}" fill="#fff" '
        'stroke="#666" stroke-width="1"/>',
    ]
    for i, k in sorted(nonzero):
        kind, fill = ("diag", "#c2185b") if i == k else ("nz", "#1565c0")
        parts.append(f'<rect class="{kind}" x="{margin + (k - 1) * cell:.2f}" y="{margin + (i - 1) * cell:.2f}" '
                     f'width="{cell:.2f}" height="{cell:.2f}" fill="{fill}"/>')
    for step in sorted({1, n}):
        at = margin + (step - 0.5) * cell
        parts.append(f'<text x="{at:.1f}" y="{margin - 4:.1f}" font-size="{TEXT_PX}" text-anchor="middle">'
                     f"{step}</text>")
        parts.append(f'<text x="{margin - 4:.1f}" y="{at + TEXT_PX / 3:.1f}" font-size="{TEXT_PX}" '
                     f'text-anchor="end">{step}</text>')
    parts.append("</svg>")
    return "\n".join(parts)

"""Back substitution as precomputed frames, A λ = e solved one λ at a time, newest step first; no numpy.

Frame 0 shows the whole system; frame k (k = 1 … n) solves row i = n − k + 1 for λ_i: A with that row
highlighted (and the λ's it uses), the equation of the row, its solution, and every λ found so far (with
numbers, when input values are given). The frames are plain HTML with math in ``$$ … $$``; each has a
caption (:func:`back_substitution_labels`) and a sentence a screen reader hears
(:func:`back_substitution_announcements`). The kernel-free stepper of :mod:`lagrange_ad.steppers` shows
them with ipywidgets; the reader's browser (:mod:`lagrange_ad.try_it`) with its own Previous/Next. This
module needs neither numpy nor ipywidgets.

Each frame carries a marker a browser (or a test) can read::

    <span class="lad-lambda" data-index="5">      which λ the frame solves for (0 in the opening frame)
    <span class="lad-lambda-value" data-index="7" data-value="[[0.35, -0.35]]">
                                                   a λ found so far, with its numbers (when values are given)

>>> import lagrange_ad as lad
>>> comp = lad.trace(lambda x: lad.exp(x), "x")
>>> frames = back_substitution_frames(comp, {"x": 0.0})
>>> len(frames)
3
>>> import re
>>> [re.search(r'class="lad-lambda" data-index="(\\d+)"', f).group(1) for f in frames]
['0', '2', '1']
"""

from __future__ import annotations

import html
import json

import sympy

from .computation import Computation
from .errors import ShapeError
from .linear_system import back_substitution, linear_system, nonzero_blocks
from .typeset import (
    block_entry_latex,
    block_system_latex,
    entry_latex,
    latex,
    number_latex,
    system_latex,
    term_lines,
    value_latex,
)

__all__ = ["back_substitution_frames", "back_substitution_labels", "back_substitution_announcements",
           "opening_announcement"]

#: A is printed with its real entries only up to this many steps ...
MAX_FULL_STEPS = 12
#: ... and when no entry has more sympy nodes than this; otherwise entries are written ∂f_k/∂z_i.
MAX_ENTRY_SIZE = 40
#: A λ's value in the z's is printed only up to this many sympy nodes.
MAX_SOLUTION_SIZE = 400
#: Formulas are cut into lines of about this many characters (the frame's width in the book).
LINE_WIDTH = 60


def _math(tex: str) -> str:
    # HTML-escape so that "<" in the LaTeX cannot start a tag; MathJax reads the text back unescaped.
    return f"$${html.escape(tex, quote=False)}$$"


def _lam(i: int) -> str:
    return f"\\lambda_{{{i}}}"


def _block_equation(comp: Computation, i: int, pattern) -> tuple[str, str]:
    """Row i in blocks: the equation and its solution for λ_i."""
    n = len(comp)
    if i == n:
        return f"-{_lam(n)} = -1", f"{_lam(n)} = 1"
    used = [k + 1 for k in range(n) if k + 1 != i and pattern[i - 1][k]]
    terms = " + ".join(f"{block_entry_latex(comp, i, k)} {_lam(k)}" for k in used) or "0"
    return f"-{_lam(i)} + {terms} = 0", f"{_lam(i)} = {terms}"


def _plain(value):
    """A λ's numbers as Python floats: a number, or a list of rows (from a numpy array or lists)."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return float(value)


def _numbers_attr(value) -> str:
    return html.escape(json.dumps(_plain(value)), quote=True)


def _value_span(i: int, value) -> str:
    """An empty marker holding λ_i's exact numbers (``data-value``, JSON) for browser and unit tests."""
    return f'<span class="lad-lambda-value" data-index="{i}" data-value="{_numbers_attr(value)}"></span>'


def _size(expr) -> int:
    """The number of nodes of a sympy expression: cheap, unlike printing it."""
    return sum(1 for _ in sympy.preorder_traversal(expr))


class _Printer:
    """Prints each piece once: frames repeat A and the λ's found so far, and sympy's LaTeX is slow."""

    def __init__(self, comp: Computation, digits: int, full_entries: bool | None):
        self.comp = comp
        self.digits = digits
        self.A, _ = linear_system(comp)  # once; block_pattern and system_latex reuse it
        blocks = nonzero_blocks(comp, self.A)
        steps = range(1, len(comp) + 1)
        self.pattern = [[(i, k) in blocks for k in steps] for i in steps]  # rows of booleans, from 0
        self.blocks = any(s.shape for s in comp.steps)
        dok = self.A.todok()
        if full_entries is None:  # real entries when A is small enough to read
            full_entries = not self.blocks and len(comp) <= MAX_FULL_STEPS
            full_entries = full_entries and all(_size(v) <= MAX_ENTRY_SIZE for v in dok.values())
        if full_entries and self.blocks:
            raise ShapeError("full_entries=True needs scalar steps; with matrix-valued steps A is shown in blocks")
        self.full = full_entries
        self.entries = entry_latex(self.A, digits) if full_entries else None
        self._solutions: dict[int, str] = {}

    def system(self, highlight=None) -> str:
        if self.full:
            return system_latex(self.comp, highlight=highlight, A=self.A, entries=self.entries)
        return block_system_latex(self.comp, highlight=highlight, pattern=self.pattern)

    def value(self, s) -> str | None:
        """λ_i in terms of the z's and later λ's (None when too long to print): aligned lines, one per
        component of λ_i, each cut between terms to fit the frame."""
        if s.index not in self._solutions:
            self._solutions[s.index] = None if _size(s.value) > MAX_SOLUTION_SIZE else _value_lines(s)
        return self._solutions[s.index]


def _value_lines(s) -> str:
    """``λ_i = value`` for a solved step as the rows of an ``aligned``: component by component."""
    lam, value = s.lam, s.value
    if not isinstance(value, sympy.MatrixBase):
        lam, value = sympy.Matrix([[lam]]), sympy.Matrix([[value]])
    rows = []
    for r in range(value.shape[0]):
        for c in range(value.shape[1]):
            lines = term_lines(value[r, c], LINE_WIDTH)
            rows.append(f"{latex(lam[r, c])} &= {lines[0]}")
            rows += [f"&\\quad {line}" for line in lines[1:]]
    return " \\\\\n".join(rows)


def _aligned(rows: str) -> str:
    return "\\begin{aligned}\n" + rows + "\n\\end{aligned}"


def _found_so_far(printer: _Printer, solved: list) -> str:
    """The λ's solved so far: their numbers if known, else their values in the z's (or 'found')."""
    if not solved:
        return ""
    lines, markers = [], []
    for s in solved:
        if s.numeric is not None:
            lines.append(f"{_lam(s.index)} &= {value_latex(s.numeric, printer.digits)}")
            markers.append(_value_span(s.index, s.numeric))
            continue
        value = printer.value(s)
        shape = printer.comp.steps[s.index - 1].shape
        if value is not None and not shape:
            lines.append(value)
        else:  # a matrix (shown component by component in its own frame), or too long to print
            what = f"{shape[0]}\\times{shape[1]}" if shape else "scalar"
            lines.append(f"{_lam(s.index)} &\\quad \\text{{found}}\\ ({what})")
    body = "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"
    return f'<div class="lad-found"><p>Found so far:</p>\n{_math(body)}\n{"".join(markers)}</div>'


def _implies(equation: str, solution: str) -> str:
    """The row's equation, and on the next line what it gives (one line would not fit a frame)."""
    return f"\\begin{{aligned}}\n&{equation} \\\\\n\\Longrightarrow\\quad &{solution}\n\\end{{aligned}}"


def _step_frame(printer: _Printer, s, solved: list) -> str:
    comp, pattern = printer.comp, printer.pattern
    i, n = s.index, len(comp)
    step = comp.steps[i - 1]
    parts = [f'<p><span class="lad-lambda" data-index="{i}">Row {i}: solve for \\(\\lambda_{{{i}}}\\)</span>']
    if i == n:
        parts.append(" — the result's own multiplier; the row is \\(\\partial \\mathcal{L}/\\partial z_n = 0\\).</p>")
    else:
        used = [k + 1 for k in range(n) if k + 1 != i and pattern[i - 1][k]]
        known = ", ".join(f"\\(\\lambda_{{{k}}}\\)" for k in used) or "no other multiplier"
        why = (
            f"the steps that read \\(z_{{{i}}}\\)"
            if tuple(used) == comp.b(i)
            else f"the steps whose derivative by \\(z_{{{i}}}\\) is not zero"
        )
        parts.append(f" — it uses {known}, found already ({why}).</p>")
    if step.is_input:
        parts.append(
            f"<p>\\(z_{{{i}}}\\) is the input <code>{html.escape(step.name)}</code>, so "
            f"\\(\\lambda_{{{i}}} = \\partial z_{{{n}}} / \\partial z_{{{i}}}\\) is the gradient with respect to it."
            "</p>"
        )
    if printer.with_system:
        parts.append(_math(printer.system(i)))
    if printer.full:
        parts.append(_math(_implies(latex(s.equation), latex(s.solution))))
    else:
        equation, solution = _block_equation(comp, i, pattern)
        parts.append(_math(_implies(equation, solution)))
        value = printer.value(s)
        what = "Component by component" if step.shape else "In the z's"
        if value is not None:
            parts.append(f"<p>{what}:</p>" + _math(_aligned(value)))
        else:
            parts.append(f"<p>{what} this is too long to print here.</p>")
    if s.numeric is not None:
        parts.append(
            '<p class="lad-lambda-now">At the given inputs: '
            + _math(f"{_lam(i)} = {value_latex(s.numeric, printer.digits)}")
            + "</p>"
        )
    parts.append(_found_so_far(printer, solved))
    return f'<div class="lad-frame">\n{"".join(parts)}\n</div>'


def _opening_frame(printer: _Printer) -> str:
    n = len(printer.comp)
    note = (
        ""
        if printer.full
        else (
            " Its nonzero entries are written as the derivatives \\(\\partial f_k/\\partial z_i\\) they stand for"
            + (" (blocks: \\(-I\\) is an identity of the step's size)." if printer.blocks else ".")
        )
    )
    return (
        '<div class="lad-frame">\n<p><span class="lad-lambda" data-index="0">The system</span> '
        f"\\(A\\lambda = e\\): {n} rows, one per step. \\(A\\) is upper triangular with \\(-1\\) on its "
        "diagonal, so the last row alone gives \\(\\lambda_n\\), and each row above gives one more "
        f"\\(\\lambda\\) from those already found. That is back substitution.{note}</p>\n"
        f"{_math(printer.system()) if printer.with_system else ''}\n</div>"
    )


def _frames_and_labels(comp: Computation, values=None, digits: int = 3, full_entries=None, with_system=True):
    """(frames, labels, announcements). ``with_system=False`` leaves A λ = e out of every frame (the
    page's "try it" shows it once, above, for a long program: n frames of an n×n matrix cost n³)."""
    printer = _Printer(comp, digits, full_entries)
    printer.with_system = with_system
    frames = [_opening_frame(printer)]
    n = len(comp)
    said = [f"Step 1 of {n + 1}: " + opening_announcement(n)]
    solved = []
    for s in back_substitution(comp, at=values):
        frames.append(_step_frame(printer, s, solved))
        said.append(f"Step {len(frames)} of {n + 1}: " + _announcement(printer, s))
        solved.append(s)
    return frames, back_substitution_labels(comp), said


def opening_announcement(n: int) -> str:
    """What a screen reader hears for the opening frame of back substitution on n rows.

    >>> opening_announcement(3)
    'the system A λ = e, 3 rows; back substitution starts at the last row.'
    """
    return f"the system A λ = e, {n} rows; back substitution starts at the last row."


def _plain_number(v, digits: int) -> str:
    return number_latex(v, digits).replace("-", "−").replace("\\infty", "∞")


def _announcement(printer: _Printer, s) -> str:
    """What a screen reader hears for a frame: which λ, from which λ's, and its numbers."""
    i, n = s.index, len(printer.comp)
    if i == n:
        return f"row {n}: λ{n} = 1, the result's own multiplier."
    text = f"row {i}: λ{i}"
    if s.numeric is not None:
        numbers = _plain(s.numeric)
        if not isinstance(numbers, list):
            text += f" = {_plain_number(numbers, printer.digits)}"
        else:
            entries = [v for row in numbers for v in row]
            shown = ", ".join(_plain_number(v, printer.digits) for v in entries[:6])
            more = ", …" if len(entries) > 6 else ""
            text += f" = [{shown}{more}] ({len(numbers)}×{len(numbers[0])})"
    used = [k + 1 for k in range(n) if k + 1 != i and printer.pattern[i - 1][k]]
    text += " from " + (", ".join(f"λ{k}" for k in used) if used else "no other multiplier")
    return text + "."


def back_substitution_announcements(comp: Computation, values=None, digits: int = 3) -> list[str]:
    """The plain-text announcement of each frame (read out by screen readers as the frame changes).

    >>> import lagrange_ad as lad
    >>> back_substitution_announcements(lad.trace(lambda x: lad.exp(x), "x"), {"x": 0.0})[1:]
    ["Step 2 of 3: row 2: λ2 = 1, the result's own multiplier.", 'Step 3 of 3: row 1: λ1 = 1 from λ2.']
    """
    return _frames_and_labels(comp, values, digits)[2]


def back_substitution_frames(comp: Computation, values=None, digits: int = 3, full_entries=None) -> list[str]:
    """One HTML frame per λ (newest step first) after an opening frame: n + 1 frames in all.

    ``values`` (``{input name: number or array}``) adds each λ's numbers, printed with ``digits``
    decimals; the exact numbers are in the ``data-value`` of each ``lad-lambda-value`` marker.
    ``full_entries``: print A with its real entries (True), as symbols ∂f_k/∂z_i (False), or choose by
    size (None: real entries for a small computation of scalar steps).

    >>> import lagrange_ad as lad
    >>> comp = lad.trace(lambda x, w: lad.tanh(w * x), "x w")
    >>> frames = back_substitution_frames(comp, {"x": 0.5, "w": -2.0})
    >>> len(frames), 'data-index="3"' in frames[2]
    (5, True)
    """
    return _frames_and_labels(comp, values, digits, full_entries)[0]


def back_substitution_labels(comp: Computation) -> list[str]:
    """The caption of each frame of :func:`back_substitution_frames` (HTML with inline math).

    >>> import lagrange_ad as lad
    >>> back_substitution_labels(lad.trace(lambda x: lad.exp(x), "x"))[1]
    'solve row 2 for \\\\(\\\\lambda_{2}\\\\)'
    """
    n = len(comp)
    return ["the system \\(A\\lambda = e\\)"] + [f"solve row {i} for \\(\\lambda_{{{i}}}\\)" for i in range(n, 0, -1)]

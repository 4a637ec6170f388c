"""Pictures of a computation: LaTeX of A λ = e, L and its conditions; structure plots; the graph; a table.

Every LaTeX function returns a :class:`TeX` string: it is a plain ``str`` (so it can be pasted into
other LaTeX or HTML), and a notebook shows it as typeset display math (``$$ … $$``, MathJax).
The plots draw with matplotlib (no graphviz).

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

import html
import numbers
import re

import numpy as np
import sympy
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

from .computation import Computation
from .errors import LagrangeADError, ShapeError
from .figures import alt_text, describe, figure_html, use_book_figures
from .lagrangian import multiplier, stationarity_conditions
from .linear_system import block_pattern, linear_system, step_slices
from .tex import STEPS_HEAD, step_rows, steps_markdown

__all__ = [
    "TeX", "HTMLTable", "ROW_COLOR", "COL_COLOR",
    "matrix_latex", "system_latex", "block_system_latex", "lagrangian_latex", "conditions_latex",
    "structure_plot", "graph_plot", "steps_table",
    "number_latex", "value_latex", "latex", "entry_latex", "block_entry_latex", "split_latex",
    "term_lines", "STACK_ABOVE", "use_book_figures", "figure_html", "describe", "alt_text",
]  # fmt: skip

#: Colour of the highlighted row (the equation being solved).
ROW_COLOR = "#c2185b"
#: Colour of the highlighted columns (the λ's already known that the row uses).
COL_COLOR = "#1565c0"
_DIAG_COLOR = "#37474f"
_OFF_COLOR = "#ef6c00"
#: A λ = e is written side by side up to this many steps; above it, λ and e go under A as rows, so that
#: the whole system fits the book's text column.
STACK_ABOVE = 6


class TeX(str):
    """A LaTeX string (without dollars) that a notebook displays as typeset display math.

    >>> t = TeX(r"\\lambda_1 = 2")
    >>> t + "!"
    '\\\\lambda_1 = 2!'
    >>> t._repr_latex_()
    '$$\\\\lambda_1 = 2$$'
    """

    def _repr_latex_(self):
        return f"$${self}$$"


class HTMLTable:
    """A table a notebook shows as Markdown (math in ``$…$``); ``.html`` holds an HTML version.

    Only Markdown is offered to the notebook: the book renders Markdown output with its math typeset,
    while math inside raw HTML output is left as text. ``str()`` gives the Markdown.
    """

    def __init__(self, markdown: str, html_text: str):
        self.markdown = markdown
        self.html = html_text

    def _repr_markdown_(self):
        return self.markdown

    def __str__(self):
        return self.markdown


# ---------------------------------------------------------------------------------------------------
# numbers and matrices


def number_latex(v, digits: int = 3) -> str:
    """A number as LaTeX: integers exactly, other numbers with ``digits`` decimals.

    >>> number_latex(2.0), number_latex(-0.1234567), number_latex(-0.0001), number_latex(1e-12, 2)
    ('2', '-0.123', '-0.000', '0.00')
    """
    v = float(v)
    if not np.isfinite(v):
        return r"\infty" if v > 0 else (r"-\infty" if v < 0 else r"\mathrm{NaN}")
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    text = f"{v:.{digits}f}"
    if float(text) == 0 and not text.startswith("-"):
        return text
    return text


def latex(expr) -> str:
    """sympy's LaTeX, with the package's component multipliers ``lambda_{i,rc}`` written as λ.

    >>> from lagrange_ad.lagrangian import multiplier
    >>> import lagrange_ad as lad
    >>> comp = lad.Computation()
    >>> W = comp.input("W", shape=(1, 2))
    >>> print(latex(multiplier(comp.steps[0])))
    \\left[\\begin{matrix}\\lambda_{1,11} & \\lambda_{1,12}\\end{matrix}\\right]
    """
    expr = sympy.sympify(expr)
    names = {s: "\\" + s.name for s in expr.free_symbols if s.name.startswith("lambda_{")}
    return sympy.latex(expr, symbol_names=names)


def _visible_len(tex: str) -> int:
    """Roughly how many characters wide ``tex`` renders: commands count as one glyph, names of
    functions (\\tanh) as their letters, braces and sub/superscript marks as nothing."""
    tex = re.sub(r"\\(left|right|big|Big|bigg|Bigg)\b", "", tex)
    tex = re.sub(r"\\(operatorname|mathrm|text)\{([^}]*)\}", r"\2", tex)
    tex = re.sub(r"\\(tanh|sinh|cosh|sin|cos|tan|log|exp|max|min)\b", r"\1", tex)
    tex = re.sub(r"\\[a-zA-Z]+", "x", tex)
    return len(re.sub(r"[{}^_\s\\]", "", tex))


def split_latex(expr, lhs: str | None = None, width: int = 50, digits: int | None = None) -> TeX:
    """A long sympy expression (or equation) as aligned lines, broken between the terms of its sum.

    Each line holds terms up to about ``width`` characters as rendered (50 fit the book's column);
    the right-hand side of an equation closes the last line. ``digits``: print decimal numbers with
    that many significant digits. Use it for formulas that would run past the text column.

    >>> a, b, c = sympy.symbols("a b c")
    >>> print(split_latex(sympy.Eq(a * b - c + 2, 0), lhs="f", width=4))
    \\begin{aligned}
    f &= a b - c \\\\
    &\\quad + 2 = 0
    \\end{aligned}
    """
    expr = sympy.sympify(expr)
    if digits is not None:
        expr = expr.xreplace({f: sympy.Float(f, digits) for f in expr.atoms(sympy.Float)})
    rhs = None
    if isinstance(expr, sympy.Equality):
        expr, rhs = expr.lhs, expr.rhs
    lines = term_lines(expr, width)
    if rhs is not None:
        lines[-1] += f" = {latex(rhs)}"
    first = f"{lhs} &= " if lhs is not None else "& "
    out = [first + lines[0]] + ["&\\quad " + line for line in lines[1:]]
    return TeX("\\begin{aligned}\n" + " \\\\\n".join(out) + "\n\\end{aligned}")


def term_lines(expr, width: int = 60) -> list[str]:
    """The LaTeX of a sympy sum cut into lines of whole terms, each about ``width`` characters wide.

    >>> a, b = sympy.symbols("a b")
    >>> term_lines(a - b, width=1)
    ['a', '- b']
    """
    expr = sympy.sympify(expr)
    terms = expr.as_ordered_terms() if isinstance(expr, sympy.Add) else [expr]
    lines, current = [], ""
    for k, t in enumerate(terms):
        negative = t.could_extract_minus_sign() and k + len(terms) > 1
        piece = latex(-t if negative else t)
        piece = ("- " if negative else ("" if k == 0 else "+ ")) + piece
        if current and _visible_len(current + piece) > width:
            lines.append(current)
            current = piece
        else:
            current = f"{current} {piece}" if current else piece
    lines.append(current)
    return lines


def _entry_latex(v, digits: int) -> str:
    if isinstance(v, (numbers.Number, np.number)) and not isinstance(v, sympy.Basic):
        return number_latex(v, digits)
    v = sympy.sympify(v)
    if v.is_Number:
        return number_latex(v, digits) if not v.is_Rational or v.is_Integer else latex(v)
    floats = v.atoms(sympy.Float)
    if floats:
        v = v.xreplace({f: sympy.Float(round(float(f), digits)) for f in floats})
    return latex(v)


def entry_latex(A, digits: int = 3) -> dict:
    """``{(row, col): LaTeX}`` for the nonzero entries of a sympy matrix (0-based), to print A once.

    >>> entry_latex(sympy.Matrix([[-1, sympy.Symbol("z_1")], [0, -1]]))
    {(0, 0): '-1', (0, 1): 'z_{1}', (1, 1): '-1'}
    """
    items = A.todok().items() if hasattr(A, "todok") else np.ndenumerate(np.asarray(A))
    return {(int(r), int(c)): _entry_latex(v, digits) for (r, c), v in sorted(items) if v != 0}


def _colored(tex: str, color: str) -> str:
    # MathJax 3's \color is a switch (as in LaTeX): the outer braces keep it to this entry.
    return f"{{\\color{{{color}}}{{{tex}}}}}"


def _as_rows(A) -> list[list]:
    if isinstance(A, sympy.MatrixBase):
        rows, cols = A.shape
        if isinstance(A, sympy.SparseMatrix | sympy.ImmutableSparseMatrix):
            dok = A.todok()
            return [[dok.get((r, c), sympy.S.Zero) for c in range(cols)] for r in range(rows)]
        return [[A[r, c] for c in range(cols)] for r in range(rows)]
    arr = np.asarray(A, dtype=object)
    if arr.ndim == 0:
        arr = arr.reshape(1, 1)
    elif arr.ndim == 1:
        arr = arr.reshape(1, -1)
    elif arr.ndim != 2:
        raise ShapeError(f"matrix_latex needs a matrix (2 dimensions), got an array of shape {arr.shape}")
    return arr.tolist()


def matrix_latex(A, highlight_row=None, highlight_cols=(), digits: int = 3) -> TeX:
    """A sympy or numpy matrix as a LaTeX ``bmatrix``, with one row and some columns highlighted.

    Rows and columns are counted from 0 (like numpy). Entries of ``highlight_row`` are drawn in
    :data:`ROW_COLOR`, the other entries of ``highlight_cols`` in :data:`COL_COLOR`. Numbers that are not
    integers are printed with ``digits`` decimals.

    >>> import numpy as np
    >>> print(matrix_latex(np.array([[1.0, 0.25], [0.0, -1.0]]), highlight_cols=[1], digits=2))
    \\begin{bmatrix}
    1 & {\\color{#1565c0}{0.25}} \\\\
    0 & {\\color{#1565c0}{-1}}
    \\end{bmatrix}
    """
    rows = _as_rows(A)
    n_rows = len(rows)
    n_cols = len(rows[0]) if rows else 0
    if highlight_row is not None and not 0 <= highlight_row < n_rows:
        raise LagrangeADError(f"highlight_row={highlight_row} is outside the matrix's rows 0..{n_rows - 1}")
    cols = set(highlight_cols)
    bad = [c for c in cols if not 0 <= c < n_cols]
    if bad:
        raise LagrangeADError(f"highlight_cols {sorted(bad)} are outside the matrix's columns 0..{n_cols - 1}")
    lines = []
    for r, row in enumerate(rows):
        cells = []
        for c, v in enumerate(row):
            tex = _entry_latex(v, digits)
            if r == highlight_row:
                tex = _colored(tex, ROW_COLOR)
            elif c in cols:
                tex = _colored(tex, COL_COLOR)
            cells.append(tex)
        lines.append(" & ".join(cells))
    return TeX("\\begin{bmatrix}\n" + " \\\\\n".join(lines) + "\n\\end{bmatrix}")


def value_latex(v, digits: int = 3) -> str:
    """A number or a small matrix as LaTeX (matrices as ``bmatrix``).

    >>> value_latex(0.5), value_latex(np.array([[1.0, 2.5]]))
    ('0.500', '\\\\begin{bmatrix}\\n1 & 2.500\\n\\\\end{bmatrix}')
    """
    if np.ndim(v) == 0:
        return number_latex(v, digits)
    return str(matrix_latex(np.asarray(v, dtype=float), digits=digits))


# ---------------------------------------------------------------------------------------------------
# A λ = e


def _check_scalar(comp: Computation, what: str):
    shaped = [s for s in comp.steps if s.shape]
    if shaped:
        s = shaped[0]
        raise ShapeError(
            f"{what} writes A component by component, but z_{s.index} ({s.name!r}) has shape {s.shape}; "
            "use block_system_latex(comp) for computations with matrix-valued steps"
        )


def _vector(entries: list[str]) -> str:
    return "\\begin{bmatrix}\n" + " \\\\\n".join(entries) + "\n\\end{bmatrix}"


def _lambda_and_e(n: int, row: int | None, cols, stacked: bool = False) -> str:
    """The vectors λ and e of A λ = e (``λ = e`` part), coloured like the highlighted row and columns.

    ``stacked``: λ and e are written as transposed rows, each on a line of its own under A (a tall
    system fits the text column that way); the text then reads ``A λ = e with A = [...], λ = [...]ᵀ,
    e = [...]ᵀ``.
    """
    lam, rhs = [], []
    for k in range(n):
        t, r = f"\\lambda_{{{k + 1}}}", "-1" if k == n - 1 else "0"
        if k == row:
            t, r = _colored(t, ROW_COLOR), _colored(r, ROW_COLOR)
        elif k in cols:
            t = _colored(t, COL_COLOR)
        lam.append(t)
        rhs.append(r)
    if stacked:

        def row_of(entries):
            return "\\begin{bmatrix}\n" + " & ".join(entries) + "\n\\end{bmatrix}^{\\!\\top}"

        return f"\\lambda = {row_of(lam)}, \\\\\ne = {row_of(rhs)}\n\\end{{gathered}}"
    return f"{_vector(lam)}\n=\n{_vector(rhs)}"


def _stacked(n: int, stacked) -> bool:
    return n > STACK_ABOVE if stacked is None else bool(stacked)


def _system(body: str, n: int, row, cols, stacked) -> TeX:
    """A (``body``) followed by λ = e, side by side or stacked (see :data:`STACK_ABOVE`)."""
    if _stacked(n, stacked):
        head = "A\\lambda = e \\quad\\text{with} \\\\\nA = "
        return TeX(f"\\begin{{gathered}}\n{head}{body}, \\\\\n{_lambda_and_e(n, row, cols, stacked=True)}")
    return TeX(f"{body}\n{_lambda_and_e(n, row, cols)}")


def system_latex(
    comp: Computation, highlight: int | None = None, A=None, digits: int = 3, entries=None, stacked=None
) -> TeX:
    """A λ = e written out for a computation of scalar steps, with the real entries of A.

    ``highlight`` is a step index i (1-based): row i is drawn in :data:`ROW_COLOR`, and in the vector λ
    the λ_k that row uses in :data:`COL_COLOR`. ``A`` may be passed to reuse an already computed system, and
    ``entries`` (:func:`entry_latex` of A) to reuse its printed entries over many calls. ``stacked``:
    write λ and e as rows under A (True), beside it (False), or choose by size (None: above
    :data:`STACK_ABOVE` steps).

    >>> import lagrange_ad as lad
    >>> comp = lad.trace(lambda x: lad.exp(x), "x")
    >>> print(system_latex(comp, highlight=1))
    \\begin{bmatrix}
    {\\color{#c2185b}{-1}} & {\\color{#c2185b}{e^{z_{1}}}} \\\\
    0 & -1
    \\end{bmatrix}
    \\begin{bmatrix}
    {\\color{#c2185b}{\\lambda_{1}}} \\\\
    {\\color{#1565c0}{\\lambda_{2}}}
    \\end{bmatrix}
    =
    \\begin{bmatrix}
    {\\color{#c2185b}{0}} \\\\
    -1
    \\end{bmatrix}
    """
    _check_scalar(comp, "system_latex")
    if A is None:
        A, _ = linear_system(comp)
    n = len(comp)
    row = _check_highlight(comp, highlight)
    entries = entry_latex(A, digits) if entries is None else entries
    cols = tuple(c for (r, c) in entries if r == row and c != row)
    lines = []
    for r in range(n):
        cells = [entries.get((r, c), "0") for c in range(n)]
        lines.append(" & ".join(_colored(t, ROW_COLOR) for t in cells) if r == row else " & ".join(cells))
    body = "\\begin{bmatrix}\n" + " \\\\\n".join(lines) + "\n\\end{bmatrix}"
    return _system(body, n, row, cols, stacked)


def _check_highlight(comp: Computation, highlight) -> int | None:
    if highlight is None:
        return None
    n = len(comp)
    if isinstance(highlight, bool) or not isinstance(highlight, (int, np.integer)) or not 1 <= highlight <= n:
        raise LagrangeADError(f"highlight must be a step index 1..{n} (the row of A to show), got {highlight!r}")
    return int(highlight) - 1


def block_entry_latex(comp: Computation, i: int, k: int) -> str:
    """The symbol of a nonzero block A_ik (steps i, k, 1-based): −1 or −I, else (∂f_k/∂z_i)ᵀ.

    >>> import lagrange_ad as lad
    >>> comp = lad.trace(lambda x: lad.exp(x), "x")
    >>> block_entry_latex(comp, 1, 1), block_entry_latex(comp, 1, 2)
    ('-1', '\\\\tfrac{\\\\partial f_{2}}{\\\\partial z_{1}}')
    """
    if i == k:
        return "-1" if not comp.steps[i - 1].shape else "-I"
    d = f"\\tfrac{{\\partial f_{{{k}}}}}{{\\partial z_{{{i}}}}}"  # text-size: 9 block columns must fit a page
    if not comp.steps[i - 1].shape and not comp.steps[k - 1].shape:
        return d
    return f"\\left({d}\\right)^{{\\!\\top}}"


def block_system_latex(comp: Computation, highlight: int | None = None, pattern=None, stacked=None) -> TeX:
    """The n×n block form of A λ = e: −I on the diagonal, (∂f_k/∂z_i)ᵀ where block (i, k) is nonzero.

    Which blocks are nonzero is read off A (:func:`lagrange_ad.block_pattern`); pass ``pattern`` to reuse
    one. ``highlight`` (a step index) colours row i and the λ_k it uses, as in :func:`system_latex`.
    Scalar steps get −1 and ∂f_k/∂z_i (no transpose), so this is also the compact form of a scalar A.
    ``stacked`` places λ and e as in :func:`system_latex`.

    >>> import lagrange_ad as lad
    >>> comp = lad.Computation()
    >>> W = comp.input("W", shape=(1, 2))
    >>> _ = comp.assign(lad.sum(W * W))
    >>> print(block_system_latex(comp))
    \\begin{bmatrix}
    -I & \\left(\\tfrac{\\partial f_{2}}{\\partial z_{1}}\\right)^{\\!\\top} \\\\
    0 & -1
    \\end{bmatrix}
    \\begin{bmatrix}
    \\lambda_{1} \\\\
    \\lambda_{2}
    \\end{bmatrix}
    =
    \\begin{bmatrix}
    0 \\\\
    -1
    \\end{bmatrix}
    """
    pattern = block_pattern(comp) if pattern is None else np.asarray(pattern, dtype=bool)
    n = len(comp)
    if pattern.shape != (n, n):
        raise ShapeError(f"pattern has shape {pattern.shape}, but the computation has {n} steps")
    row = _check_highlight(comp, highlight)
    cols = tuple(k for k in range(n) if row is not None and k != row and pattern[row, k])
    cells = []
    for i in range(n):
        line = []
        for k in range(n):
            tex = block_entry_latex(comp, i + 1, k + 1) if pattern[i, k] else "0"
            line.append(_colored(tex, ROW_COLOR) if i == row else tex)
        cells.append(" & ".join(line))
    body = "\\begin{bmatrix}\n" + " \\\\\n".join(cells) + "\n\\end{bmatrix}"
    return _system(body, n, row, cols, stacked)


# ---------------------------------------------------------------------------------------------------
# L and its stationarity conditions


def _paren(tex: str, expr) -> str:
    return f"\\left({tex}\\right)" if isinstance(expr, sympy.Add) else tex


def _paren_tex(tex: str) -> str:
    """Brackets around a whole-z formula that is a sum or starts with a sign (``z − (a + b)``)."""
    depth, top_level_sign = 0, tex.lstrip().startswith(("-", "+"))
    for ch in tex:
        depth += ch in "({"
        depth -= ch in ")}"
        top_level_sign |= depth == 0 and ch in "+-"
    return f"\\left({tex}\\right)" if top_level_sign else tex


def _lines(first: str, terms: list[str], per_line: int) -> str:
    """``first`` followed by ``terms``, broken into aligned lines of ``per_line`` terms."""
    chunks = [terms[k : k + per_line] for k in range(0, len(terms), per_line)] or [[]]
    out = [f"{first} &= " + " ".join(chunks[0])]
    out += ["&\\quad " + " ".join(chunk) for chunk in chunks[1:]]
    return "\\begin{aligned}\n" + " \\\\\n".join(out) + "\n\\end{aligned}"


def lagrangian_latex(comp: Computation, per_line: int = 3) -> TeX:
    """L(z, λ) = z_n − Σ λ_i (z_i − f_i), one term per step in step order, ``per_line`` terms a line.

    Scalar steps are written with sympy's LaTeX of f_i; matrix-valued steps as ⟨λ_i, z_i − f_i⟩ (the sum
    over components), with f_i in whole z's. Inputs appear pinned to their values, z_i − p_i.

    >>> import lagrange_ad as lad
    >>> print(lagrangian_latex(lad.trace(lambda x: lad.exp(x), "x"), per_line=2))
    \\begin{aligned}
    \\mathcal{L}(z, \\lambda) &= z_{2} - \\lambda_{1} \\left(z_{1} - x\\right) \\\\
    &\\quad - \\lambda_{2} \\left(z_{2} - e^{z_{1}}\\right)
    \\end{aligned}
    """
    comp.output  # noqa: B018 - checks that z_n exists and is a scalar
    terms = [latex(comp.output.symbol)]
    blocks = any(s.shape for s in comp.steps)
    for s in comp.steps:
        if blocks and not s.shape:  # a scalar among blocks: written in whole z's like its neighbours
            terms.append(f"- \\lambda_{{{s.index}}} \\left(z_{{{s.index}}} - {_paren_tex(s.tex)}\\right)")
        elif s.shape:
            f = _paren_tex(s.tex)
            terms.append(f"- \\left\\langle \\lambda_{{{s.index}}},\\, z_{{{s.index}}} - {f} \\right\\rangle")
        else:
            f = s.parameter if s.is_input else s.formula
            terms.append(f"- \\lambda_{{{s.index}}} \\left(z_{{{s.index}}} - {_paren(latex(f), f)}\\right)")
    return TeX(_lines("\\mathcal{L}(z, \\lambda)", terms, per_line))


def _sub(letter: str, i: int) -> str:
    return f"\\{letter}_{{{i}}}" if letter == "lambda" else f"{letter}_{{{i}}}"


def _d(var: str) -> str:
    return f"\\frac{{\\partial \\mathcal{{L}}}}{{\\partial {var}}}"


def conditions_latex(comp: Computation, pattern=None) -> TeX:
    """The stationarity conditions of L in the three groups ∂L/∂λ_i, ∂L/∂z_n, ∂L/∂z_i (i < n), aligned.

    For scalar steps the left-hand sides are sympy's derivatives of L (:func:`lagrange_ad.
    stationarity_conditions`). With matrix-valued steps each group is written in blocks:
    z_i − f_i = 0, 1 − λ_n = 0 and −λ_i + Σ_k (∂f_k/∂z_i)ᵀ λ_k = 0 over the nonzero blocks of A.

    >>> import lagrange_ad as lad
    >>> print(conditions_latex(lad.trace(lambda x: lad.exp(x), "x")))
    \\begin{aligned}
    &\\text{constraints } \\tfrac{\\partial \\mathcal{L}}{\\partial \\lambda_i} = 0: \\\\
    \\frac{\\partial \\mathcal{L}}{\\partial \\lambda_{1}} &= x - z_{1} = 0 \\\\
    \\frac{\\partial \\mathcal{L}}{\\partial \\lambda_{2}} &= - z_{2} + e^{z_{1}} = 0 \\\\[1ex]
    &\\text{result } \\tfrac{\\partial \\mathcal{L}}{\\partial z_n} = 0: \\\\
    \\frac{\\partial \\mathcal{L}}{\\partial z_{2}} &= 1 - \\lambda_{2} = 0 \\\\[1ex]
    &\\text{earlier steps } \\tfrac{\\partial \\mathcal{L}}{\\partial z_i} = 0,\\ i < n: \\\\
    \\frac{\\partial \\mathcal{L}}{\\partial z_{1}} &= - \\lambda_{1} + \\lambda_{2} e^{z_{1}} = 0
    \\end{aligned}
    """
    n = comp.output.index
    head_lambda = "&\\text{constraints } \\tfrac{\\partial \\mathcal{L}}{\\partial \\lambda_i} = 0:"
    head_out = "&\\text{result } \\tfrac{\\partial \\mathcal{L}}{\\partial z_n} = 0:"
    head_z = "&\\text{earlier steps } \\tfrac{\\partial \\mathcal{L}}{\\partial z_i} = 0,\\ i < n:"
    if any(s.shape for s in comp.steps):
        pattern = block_pattern(comp) if pattern is None else np.asarray(pattern, dtype=bool)
        g_lambda = [f"{_d(_sub('lambda', s.index))} &= {s.tex} - z_{{{s.index}}} = 0" for s in comp.steps]
        g_out = [f"{_d(_sub('z', n))} &= 1 - \\lambda_{{{n}}} = 0"]
        g_z = []
        for s in comp.steps[:-1]:
            i = s.index
            used = [k + 1 for k in range(n) if k + 1 != i and pattern[i - 1, k]]
            sums = "".join(f" + {block_entry_latex(comp, i, k)} \\lambda_{{{k}}}" for k in used)
            g_z.append(f"{_d(_sub('z', i))} &= -\\lambda_{{{i}}}{sums} = 0")
    else:
        conds = stationarity_conditions(comp)
        g_lambda = [
            f"{_d(latex(multiplier(s)))} &= {latex(eq.lhs)} = 0"
            for s, eq in zip(comp.steps, conds.wrt_lambda, strict=True)
        ]
        g_out = [f"{_d(latex(comp.output.symbol))} &= {latex(conds.wrt_output[0].lhs)} = 0"]
        g_z = [
            f"{_d(latex(s.symbol))} &= {latex(eq.lhs)} = 0" for s, eq in zip(comp.steps[:-1], conds.wrt_z, strict=True)
        ]
    groups = [[head_lambda] + g_lambda, [head_out] + g_out]
    if g_z:
        groups.append([head_z] + g_z)
    text = " \\\\[1ex]\n".join(" \\\\\n".join(g) for g in groups)
    return TeX("\\begin{aligned}\n" + text + "\n\\end{aligned}")


# ---------------------------------------------------------------------------------------------------
# pictures


def _new_axes(size):
    # Made through pyplot (which sets up the notebook's figure display), then closed: the inline
    # backend does not show it again at the end of the cell, so a returned figure appears once.
    import matplotlib.pyplot as plt  # here, not at the top: `import lagrange_ad` stays light

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


def _layers(comp: Computation) -> list[int]:
    """Each step's column: one more than the deepest step it reads; an input sits just before its first user."""
    layer = []
    for s in comp.steps:
        layer.append(0 if not s.args else 1 + max(layer[a - 1] for a in s.args))
    for s in comp.inputs:  # inputs move right, next to where they are used, to keep arrows short
        users = comp.b(s.index)
        if users:
            layer[s.index - 1] = min(layer[k - 1] for k in users) - 1
    return layer


def _node_order(comp: Computation, layer: list[int]) -> dict[int, float]:
    """Vertical position of each step: computed steps level with what they read, inputs beside their user."""
    y: dict[int, float] = {}
    by_layer: dict[int, list[int]] = {}
    for s in comp.steps:
        by_layer.setdefault(layer[s.index - 1], []).append(s.index)

    def mean_placed(indices):
        placed = [y[a] for a in indices if a in y]
        return float(np.mean(placed)) if placed else None

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
    from .figures import BOOK_WIDTH_IN, describe

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
    figure.draw_without_rendering()
    renderer = figure._get_renderer()
    order = [s.index for s in comp.steps]
    centres = [np.asarray(ax.transData.transform(pos[i])) for i in order]
    radii = []
    for i in order:
        box = labels[i].get_bbox_patch().get_window_extent(renderer)
        radii.append(max(box.width, box.height) / 2)
    points = figure.dpi / 72  # display units per point
    for s in comp.steps:
        for a in s.args:
            ends = {order.index(a), order.index(s.index)}
            start, stop = centres[order.index(a)], centres[order.index(s.index)]
            bend = max(
                _BENDS,
                key=lambda b: (
                    min(_clearance(_bezier(start, stop, b), centres, radii, ends), _CLEARANCE_PT * points),
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
    inputs = ", ".join(f"z{s.index}" + (f" ({s.name})" if s.name != f"z{s.index}" else "") for s in comp.inputs)
    reads = "; ".join(
        f"z{s.index}"
        + (f" ({s.name})" if s.name != f"z{s.index}" else "")
        + " reads "
        + ", ".join(f"z{a}" for a in s.args)
        for s in comp.steps
        if not s.is_input
    )
    describe(
        ax,
        f"Computation graph with {len(comp)} nodes: inputs {inputs or 'none'}; {reads}; the result is z{len(comp)}",
    )
    if fig is not None:
        describe(fig, ax.lad_alt)
    return fig if fig is not None else ax


# ---------------------------------------------------------------------------------------------------
# the table of steps


def steps_table(comp: Computation) -> HTMLTable:
    """The steps as a table: i, name, shape, z_i = f_i, a(i), b(i); Markdown and HTML (math in ``$…$``).

    >>> import lagrange_ad as lad
    >>> print(steps_table(lad.trace(lambda x: lad.exp(x), "x")))
    | $i$ | name | shape | $z_i =$ | $a(i)$ | $b(i)$ |
    |---|---|---|---|---|---|
    | 1 | `x` | scalar | input $x$ | ∅ | {2} |
    | 2 | `z2` | scalar | $\\exp\\left(z_{1}\\right)$ | {1} | ∅ |
    """
    head, rows = STEPS_HEAD, step_rows(comp)  # the rows of comp.table(), the one Markdown table of steps

    def cell(text, tag="td"):
        # \( \) rather than $ $: the book's widget-math typesetting only looks for \( \), \[ \] and $$
        text = re.sub(r"\$(.+?)\$", r"\\(\1\\)", html.escape(text, quote=False))
        if text.startswith("`"):
            text = f"<code>{text.strip('`')}</code>"
        return f"<{tag}>{text}</{tag}>"

    body = "".join("<tr>" + "".join(cell(c) for c in r) + "</tr>" for r in rows)
    table = (
        '<table class="lad-steps-table"><thead><tr>'
        + "".join(cell(h, "th") for h in head)
        + f"</tr></thead><tbody>{body}</tbody></table>"
    )
    return HTMLTable(steps_markdown(comp), table)

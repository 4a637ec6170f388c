"""The LaTeX and HTML of a computation: A λ = e, L, its conditions, matrices, the table of steps.

Every LaTeX function returns a :class:`TeX` string: it is a plain ``str`` (so it can be pasted into other
LaTeX or HTML), and a notebook shows it as typeset display math (``$$ … $$``, MathJax). This is the half of
:mod:`lagrange_ad.display` that needs neither numpy nor matplotlib, so that the reader's browser (the "try
it" component, :mod:`lagrange_ad.try_it`) prints exactly what the book prints; ``display`` re-exports
every name. Matrices may be sympy matrices, numpy arrays (when numpy is there) or lists of rows.

>>> import lagrange_ad as lad
>>> comp = lad.trace(lambda x: lad.exp(x), "x")
>>> print(matrix_latex(lad.linear_system(comp)[0], highlight_row=0))
\\begin{bmatrix}
{\\color{#c2185b}{-1}} & {\\color{#c2185b}{e^{z_{1}}}} \\\\
0 & -1
\\end{bmatrix}
"""

from __future__ import annotations

import html
import math
import numbers
import re

import sympy

from .arrays import INTEGERS, np
from .computation import Computation
from .errors import LagrangeADError, ShapeError
from .lagrangian import lagrangian_derivative, multiplier, stationarity_conditions
from .linear_system import linear_system, nonzero_blocks
from .tex import STEPS_HEAD, step_rows, steps_markdown

__all__ = [
    "TeX", "HTMLTable", "ROW_COLOR", "COL_COLOR",
    "matrix_latex", "system_latex", "block_system_latex", "lagrangian_latex", "conditions_latex",
    "steps_table", "number_latex", "value_latex", "latex", "entry_latex", "block_entry_latex",
    "split_latex", "term_lines", "STACK_ABOVE", "lagrangian_derivative_latex", "plain_name",
]  # fmt: skip

#: Colour of the highlighted row (the equation being solved).
ROW_COLOR = "#c2185b"
#: Colour of the highlighted columns (the λ's already known that the row uses).
COL_COLOR = "#1565c0"
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
    if not math.isfinite(v):
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
    if isinstance(v, numbers.Number) and not isinstance(v, sympy.Basic):  # numpy's numbers are Numbers too
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
    if hasattr(A, "todok"):
        items = A.todok().items()
    else:
        items = [((r, c), v) for r, row in enumerate(_as_rows(A)) for c, v in enumerate(row)]
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
    if np is not None:
        arr = np.asarray(A, dtype=object)
        if arr.ndim == 0:
            arr = arr.reshape(1, 1)
        elif arr.ndim == 1:
            arr = arr.reshape(1, -1)
        elif arr.ndim != 2:
            raise ShapeError(f"matrix_latex needs a matrix (2 dimensions), got an array of shape {arr.shape}")
        return arr.tolist()
    # without numpy: a number, a row (a list of numbers) or a list of rows
    if not isinstance(A, (list, tuple)):
        return [[A]]
    if not any(isinstance(x, (list, tuple)) for x in A):
        return [list(A)]
    if not all(isinstance(x, (list, tuple)) and len(x) == len(A[0]) for x in A):
        raise ShapeError("matrix_latex needs a matrix: rows of equal length")
    return [list(row) for row in A]


def matrix_latex(A, highlight_row=None, highlight_cols=(), digits: int = 3) -> TeX:
    """A sympy or numpy matrix as a LaTeX ``bmatrix``, with one row and some columns highlighted.

    Rows and columns are counted from 0 (like numpy). Entries of ``highlight_row`` are drawn in
    :data:`ROW_COLOR`, the other entries of ``highlight_cols`` in :data:`COL_COLOR`. Numbers that are not
    integers are printed with ``digits`` decimals.

    >>> print(matrix_latex([[1.0, 0.25], [0.0, -1.0]], highlight_cols=[1], digits=2))
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

    >>> value_latex(0.5), value_latex([[1.0, 2.5]])
    ('0.500', '\\\\begin{bmatrix}\\n1 & 2.500\\n\\\\end{bmatrix}')
    """
    if isinstance(v, numbers.Number) or (np is not None and np.ndim(v) == 0):
        return number_latex(v, digits)
    return str(matrix_latex([[float(x) for x in row] for row in _as_rows(v)], digits=digits))


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
    if isinstance(highlight, bool) or not isinstance(highlight, INTEGERS) or not 1 <= highlight <= n:
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
    nonzero = _blocks(comp, pattern)
    n = len(comp)
    row = _check_highlight(comp, highlight)
    cols = tuple(k for k in range(n) if row is not None and k != row and (row, k) in nonzero)
    cells = []
    for i in range(n):
        line = []
        for k in range(n):
            tex = block_entry_latex(comp, i + 1, k + 1) if (i, k) in nonzero else "0"
            line.append(_colored(tex, ROW_COLOR) if i == row else tex)
        cells.append(" & ".join(line))
    body = "\\begin{bmatrix}\n" + " \\\\\n".join(cells) + "\n\\end{bmatrix}"
    return _system(body, n, row, cols, stacked)


# ---------------------------------------------------------------------------------------------------
# L and its stationarity conditions


def _blocks(comp: Computation, pattern=None) -> set[tuple[int, int]]:
    """The nonzero blocks (i, k) of A, counted from 0: read off A, or off ``pattern`` (n×n booleans: an
    array such as :func:`lagrange_ad.block_pattern`'s, or a list of rows)."""
    n = len(comp)
    if pattern is None:
        return {(i - 1, k - 1) for i, k in nonzero_blocks(comp)}
    rows = _as_rows(pattern)
    shape = (len(rows), len(rows[0]) if rows else 0)
    if shape != (n, n):
        raise ShapeError(f"pattern has shape {shape}, but the computation has {n} steps")
    return {(i, k) for i in range(n) for k in range(n) if rows[i][k]}


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


_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def plain_name(symbol) -> str:
    """A variable of L as the book writes it, in plain text: ``lambda_12`` → ``λ₁₂``, ``z_3`` → ``z₃``.

    >>> plain_name(sympy.Symbol("lambda_12")), plain_name("z_3")
    ('λ₁₂', 'z₃')
    """
    name, _, index = str(symbol).partition("_")
    return ("λ" if name == "lambda" else name) + index.translate(_SUBSCRIPTS)


def lagrangian_derivative_latex(comp: Computation, variable, width: int = 50) -> TeX:
    """∂L/∂v = … for one variable v of L (a λ_i or z_i, or its name): :func:`lagrange_ad.lagrangian.
    lagrangian_derivative`, one line, or lines of whole terms when longer than ``width`` characters.

    >>> import lagrange_ad as lad
    >>> print(lagrangian_derivative_latex(lad.trace(lambda x: lad.exp(x), "x"), "z_1"))
    \\frac{\\partial \\mathcal{L}}{\\partial z_{1}} = - \\lambda_{1} + \\lambda_{2} e^{z_{1}}
    """
    d = lagrangian_derivative(comp, variable)  # checks that ``variable`` is one of L's
    lhs = _d(latex(sympy.Symbol(str(variable))))
    rhs = latex(d)
    if _visible_len(rhs) <= width:
        return TeX(f"{lhs} = {rhs}")
    return split_latex(d, lhs=lhs, width=width)


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
        nonzero = _blocks(comp, pattern)
        g_lambda = [f"{_d(_sub('lambda', s.index))} &= {s.tex} - z_{{{s.index}}} = 0" for s in comp.steps]
        g_out = [f"{_d(_sub('z', n))} &= 1 - \\lambda_{{{n}}} = 0"]
        g_z = []
        for s in comp.steps[:-1]:
            i = s.index
            used = [k + 1 for k in range(n) if k + 1 != i and (i - 1, k) in nonzero]
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


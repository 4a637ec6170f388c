"""The second triangular system A λ̇ = −Ȧ λ, solved one row at a time in a kernel-free stepper.

>>> import lagrange_ad as lad
>>> from lagrange_ad.hessian import SecondOrder
>>> so = SecondOrder(lad.trace(lambda x, y: x * x * y, "x y"))
>>> frames, labels = second_sweep_frames(so, {"x": 1.0, "y": 2.0}, {"x": 1.0})
>>> len(frames), labels[-1]
(5, 'row 1: λ̇<sub>1</sub> = 4')
"""

from __future__ import annotations

from .display import matrix_latex
from .widgets import frame_stepper

__all__ = ["second_sweep_frames", "second_sweep_stepper"]


def _num(v: float, digits: int) -> str:
    text = f"{v:.{digits}g}"
    return "0" if text in ("0", "-0") else text


def _column(values, digits: int, upto: int | None = None) -> str:
    """A column vector; entries before ``upto`` (not yet found) shown as a dot."""
    cells = [(_num(v, digits) if upto is None or i >= upto else r"\cdot") for i, v in enumerate(values)]
    return r"\begin{bmatrix}" + r" \\ ".join(cells) + r"\end{bmatrix}"


def second_sweep_frames(so, values, v, digits: int = 3) -> tuple[list[str], list[str]]:
    """Frames of back substitution on A λ̇ = −Ȧ λ (``so`` a :class:`~lagrange_ad.hessian.SecondOrder`): the
    system first, then one frame per row, newest first, with row r's equation at numbers and λ̇ so far."""
    A, _, _, _, rhs, lam_dot = so.system(values, v)
    n = len(rhs)
    # The opening frame has the layout of the others (the system with λ̇ so far, then one equation: here
    # the rule each row follows), so the stepper keeps one height and the page does not jump.
    system = (
        f"$$ {matrix_latex(A, digits=digits)} \\dot\\lambda = -\\dot A\\lambda = {_column(rhs, digits)},"
        f"\\quad \\dot\\lambda = {_column(lam_dot, digits, upto=n)} $$"
        "$$\\dot\\lambda_r = \\textstyle\\sum_{c > r} A_{rc}\\,\\dot\\lambda_c - (-\\dot A\\lambda)_r,"
        "\\quad r = n, n-1, \\ldots, 1$$"
    )
    frames = [system]
    labels = ["the second system: the same A, a new right-hand side"]
    for r in range(n - 1, -1, -1):
        terms = [f"({_num(A[r, c], digits)})\\,\\dot\\lambda_{{{c + 1}}}" for c in range(r + 1, n) if A[r, c] != 0]
        known = " + ".join(terms) if terms else "0"
        equation = f"$$\\dot\\lambda_{{{r + 1}}} = {known} - ({_num(rhs[r], digits)}) = {_num(lam_dot[r], digits)}$$"
        body = (
            f"$$ {matrix_latex(A, highlight_row=r, digits=digits)} "
            f"\\dot\\lambda = {_column(rhs, digits)},\\quad \\dot\\lambda = {_column(lam_dot, digits, upto=r)} $$"
        )
        frames.append(body + equation)
        labels.append(f"row {r + 1}: λ̇<sub>{r + 1}</sub> = {_num(lam_dot[r], digits)}")
    return frames, labels


def second_sweep_stepper(so, values, v, digits: int = 3, title=None):
    """A kernel-free stepper through the second back substitution."""
    frames, labels = second_sweep_frames(so, values, v, digits)
    return frame_stepper(frames, labels, title=title)

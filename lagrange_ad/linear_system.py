"""The linear system A λ = e, read off the stationarity conditions, and its back substitution.

Row i of the system is the condition ∂L/∂z_i = 0. It is linear in the λ's:

    −λ_i + Σ_{k ∈ b(i)} (∂f_k/∂z_i) λ_k = 0   (i < n),        −λ_n = −1   (i = n),

so A has −1 on its diagonal, ∂f_k/∂z_i in row i, column k > i (upper triangular: a step never reads its
future), and e = (0, …, 0, −1). Solving from the last row up, one λ at a time, is back substitution,
which is backpropagation.

>>> import lagrange_ad as lad
>>> comp = lad.trace(lambda x, w: lad.tanh(w * x), "x w")
>>> A, e = lad.linear_system(comp)
>>> A
Matrix([
[-1,  0, z_2,                0],
[ 0, -1, z_1,                0],
[ 0,  0,  -1, 1 - tanh(z_3)**2],
[ 0,  0,   0,               -1]])
>>> e.T
Matrix([[0, 0, 0, -1]])
>>> [(s.index, s.solution) for s in lad.back_substitution(comp)][:2]
[(4, Eq(lambda_4, 1)), (3, Eq(lambda_3, lambda_4*(1 - tanh(z_3)**2)))]
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import sympy

from .arrays import INTEGERS, np
from .cache import derived
from .computation import Computation, check_input_names, require_computation, undefined_step
from .errors import DefinitionError, InputError, LagrangeADError
from .lagrangian import _components, multiplier, stationarity_conditions
from .tape import scalar_numbers, tape_of
from .usage import note


def linear_system(comp: Computation):
    """A and e of A λ = e, over scalar components (blocks of Jacobians for matrix-valued steps).

    Returns two sympy sparse matrices; rows and columns follow the steps in order, each step's
    components row by row.
    """
    note("linear_system")
    require_computation(comp, "linear_system")
    comp.output  # noqa: B018 - checks that z_n exists and is a scalar
    return derived(comp, "linear_system", lambda: _read_off(comp))


def _read_off(comp: Computation):
    """Read A and e off the conditions ∂L/∂z = 0, term by term: each term is a coefficient times one λ."""
    conds = stationarity_conditions(comp)
    lambdas = [lam for step in comp.steps for lam in _components(multiplier(step))]
    column = {lam: c for c, lam in enumerate(lambdas)}
    entries: dict[tuple[int, int], sympy.Expr] = {}
    rhs: dict[tuple[int, int], sympy.Expr] = {}
    rows = [eq for step in comp.steps for eq in conds.by_step[step.index]]
    for r, eq in enumerate(rows):
        constant = []
        for term in sympy.Add.make_args(eq.lhs):
            factors = sympy.Mul.make_args(term)
            lams = [f for f in factors if f in column]
            rest = [f for f in factors if f not in column]
            if len(lams) > 1 or any(not column.keys().isdisjoint(f.free_symbols) for f in rest):
                raise LagrangeADError(f"condition {eq} is not linear in the multipliers (term {term})")
            if not lams:
                constant.append(term)
                continue
            key = (r, column[lams[0]])
            coeff = sympy.Mul(*rest)
            entries[key] = entries[key] + coeff if key in entries else coeff
        constant = sympy.Add(*constant)
        if constant != 0:
            rhs[(r, 0)] = -constant
    entries = {k: v for k, v in entries.items() if v != 0}
    size = len(lambdas)
    return sympy.ImmutableSparseMatrix(size, size, entries), sympy.ImmutableSparseMatrix(size, 1, rhs)


def entry(matrix, i: int, k: int = 1):
    """Entry (i, k) of A, e or any matrix, numbered from 1 as in the book: ``entry(A, i, k)`` is A_ik.

    Rows and columns are A's: one per step for a computation of scalars (for matrix-valued steps, one
    per component, see :func:`step_slices`). ``k`` may be left out for a column such as e. Works on the
    sympy matrices of :func:`linear_system`, on numpy arrays, and on anything indexed ``[row, column]``
    from 0 with a ``shape``; an index outside the matrix is an error that names the range.

    >>> import lagrange_ad as lad
    >>> A, e = lad.linear_system(lad.trace(lambda x, w: lad.tanh(w * x), "x w"))
    >>> entry(A, 1, 3), entry(A, 3, 4), entry(A, 3, 1), entry(e, 4)
    (z_2, 1 - tanh(z_3)**2, 0, -1)
    >>> entry(A, 5, 1)
    Traceback (most recent call last):
    ...
    lagrange_ad.errors.DefinitionError: there is no row 5: the rows are numbered 1 to 4
    """
    shape = tuple(getattr(matrix, "shape", ()))
    if len(shape) not in (1, 2):
        raise DefinitionError(f"entry() takes a matrix (A or e), not a {type(matrix).__name__}")
    rows, columns = shape[0], shape[1] if len(shape) == 2 else 1
    for what, j, count in (("row", i, rows), ("column", k, columns)):
        if isinstance(j, bool) or not isinstance(j, INTEGERS) or not 1 <= j <= count:
            raise DefinitionError(f"there is no {what} {j}: the {what}s are numbered 1 to {count}")
    return matrix[i - 1] if len(shape) == 1 else matrix[i - 1, k - 1]


def step_slices(comp: Computation) -> list[slice]:
    """Which rows/columns of A belong to each step (for matrix-valued steps, a block)."""
    out, start = [], 0
    for step in comp.steps:
        out.append(slice(start, start + step.size))
        start += step.size
    return out


def nonzero_blocks(comp: Computation, A=None) -> set[tuple[int, int]]:
    """The blocks (i, k) of A that are nonzero, steps numbered from 1, read off A itself.

    The pattern as numbers, without numpy; :func:`lagrange_ad.block_pattern` gives it as a boolean array.

    >>> import lagrange_ad as lad
    >>> sorted(nonzero_blocks(lad.trace(lambda x: lad.exp(x), "x")))
    [(1, 1), (1, 2), (2, 2)]
    """
    note("block_pattern")
    require_computation(comp, "block_pattern")
    if A is None:
        A, _ = linear_system(comp)
    owner = _owners(comp)
    return {(owner[r], owner[c]) for (r, c) in A.todok()}


def _owners(comp: Computation) -> list[int]:
    """The step (from 1) that each row and column of A belongs to."""
    return [s.index for s in comp.steps for _ in range(s.size)]


@dataclass
class BackSubstitutionStep:
    """One step of back substitution: solving the rows of step ``index`` for λ_index."""

    index: int
    name: str
    lam: object  # sympy Symbol or ImmutableMatrix
    equation: object  # the row(s) of A λ = e being solved, as sympy Eq
    solution: object  # Eq(λ_i, value)
    value: object  # λ_i in terms of later λ's and the z's (or of the z's alone, if expanded)
    uses: tuple  # the k ∈ b(i) whose λ_k enter
    numeric: object = None  # λ_i at numbers, if asked for


def back_substitution(comp: Computation, at=None, expand: bool = False):
    """Solve A λ = e from the last row up, yielding one :class:`BackSubstitutionStep` per λ.

    Each value is read off row i of A: λ_i = (e_i − Σ_{k>i} A_ik λ_k) / A_ii, in terms of the λ's found
    before it. ``expand=True`` substitutes those, giving λ_i in the z's alone (small computations only).
    ``at`` (input values) adds each λ's number, evaluating the symbolic value at the forward pass's z's.
    """
    note("back_substitution")
    require_computation(comp, "back_substitution")  # now, not at the first step a generator is asked for
    return _back_substitution(comp, at, expand)


def _back_substitution(comp: Computation, at, expand: bool):
    A, e = linear_system(comp)
    slices = step_slices(comp)
    owner = _owners(comp)
    lambdas = [lam for step in comp.steps for lam in _components(multiplier(step))]
    rows = A.todok()
    by_row: dict[int, list] = {}
    for (r, c), v in rows.items():
        by_row.setdefault(r, []).append((c, v))
    numbers = _z_numbers(comp, at) if at is not None else {}
    solved: dict = {}
    for step in reversed(comp.steps):
        values, eqs, uses = [], [], set()
        for r in range(slices[step.index - 1].start, slices[step.index - 1].stop):
            diag = sympy.S.Zero
            later = []
            for c, v in by_row.get(r, []):
                if c == r:
                    diag = v
                elif c > r:
                    later.append(v * lambdas[c])
                    uses.add(int(owner[c]))
                else:
                    raise LagrangeADError(f"A is not upper triangular: row {r} has an entry in column {c}")
            total = sympy.Add(*later)  # at once: adding one term at a time costs quadratic in the row's length
            eqs.append(sympy.Eq(diag * lambdas[r] + total, e[r, 0], evaluate=False))
            value = (e[r, 0] - total) / diag
            if expand:
                value = value.xreplace(solved)
            solved[lambdas[r]] = value
            values.append(value)
        lam = multiplier(step)
        value = sympy.ImmutableMatrix(*step.shape, values) if step.shape else values[0]
        result = BackSubstitutionStep(
            index=step.index,
            name=step.name,
            lam=lam,
            equation=eqs if step.shape else eqs[0],
            solution=sympy.Eq(lam, value, evaluate=False),
            value=value,
            uses=tuple(sorted(uses)),
        )
        if at is not None:
            nums = [_to_float(v.xreplace(numbers)) for v in values]
            for lam_c, num in zip(_components(lam), nums, strict=False):
                numbers[lam_c] = sympy.Float(num)
            result.numeric = _matrix(nums, step.shape) if step.shape else nums[0]
        yield result


def _z_numbers(comp: Computation, at) -> dict:
    """``{z symbol (each component): sympy.Float}`` at the input values ``at``: a computation of scalars on the
    float tape; one with matrices by evaluating each step's formula with sympy, component by component
    (this layer has no numpy). Where the result is not a number, the error names the first step that is not.
    """
    if tape_of(comp) is not None:
        zs, _ = scalar_numbers(comp, at, backward=False)
        return {step.symbol: sympy.Float(zs[step.index]) for step in comp.steps}
    check_input_names(comp.inputs, at)
    numbers, undefined = {}, None
    for step in comp.steps:
        if step.is_input:
            values = _input_components(step, at[step.name])
        else:
            values = [sympy.sympify(f).xreplace(numbers).evalf() for f in _components(step.formula)]
        if undefined is None and not all(v.is_extended_real and v.is_finite for v in values):
            undefined = step
        numbers.update(zip(_components(step.symbol), values, strict=True))
    if undefined is not None and not numbers[comp.output.symbol].is_finite:
        raise undefined_step(comp, undefined, "not a (finite, real) number")
    return numbers


def _input_components(step, raw) -> list:
    """An input's value as sympy Floats, component by component, checked as lad.gradient checks it."""
    array_like = isinstance(raw, (list, tuple)) or hasattr(raw, "shape")
    if isinstance(raw, bool) or not (isinstance(raw, numbers.Real) or array_like):
        raise InputError(f"input {step.name!r} must be a number or an array, not {type(raw).__name__}")
    try:
        matrix = sympy.Matrix(raw) if array_like and getattr(raw, "shape", None) != () else None
        entries = list(matrix) if matrix is not None else [raw]
        values = [sympy.Float(float(v)) for v in entries]
    except (TypeError, ValueError, sympy.SympifyError):
        raise InputError(f"input {step.name!r} must hold numbers; got {raw!r}") from None
    shape = tuple(getattr(raw, "shape", matrix.shape if matrix is not None else ()))
    if shape != step.shape:
        raise InputError(f"input {step.name!r} must have shape {step.shape}, got {shape}")
    if not all(v.is_finite for v in values):
        raise InputError(f"input {step.name!r} contains NaN or infinite entries: {raw!r}")
    return values


def _matrix(entries: list[float], shape: tuple):
    """Row-major ``entries`` as a numpy array of ``shape`` (as lists of rows where numpy is missing)."""
    rows = [entries[r * shape[1] : (r + 1) * shape[1]] for r in range(shape[0])]
    return np.array(rows) if np is not None else rows


def _to_float(expr) -> float:
    # A Dirac delta (derivative of an indicator) is zero away from the switching point and is taken as
    # zero at it, as in every AD system.
    expr = expr.replace(lambda x: isinstance(x, sympy.DiracDelta), lambda x: sympy.S.Zero)
    value = expr.evalf()
    if value.is_extended_real is False or value is sympy.nan:
        return math.nan  # as numpy gives: 1/0 · 0 and the like
    if value.is_infinite:  # √x at 0: an infinite derivative is the true answer (zoo has no sign: +inf)
        return -math.inf if value.is_extended_negative else math.inf
    return float(value)

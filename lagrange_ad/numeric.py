"""Numbers: the forward pass, the multipliers λ and the gradient, without symbolic expressions.

:func:`multipliers` solves the same triangular system A λ = e as :func:`~lagrange_ad.back_substitution`,
but numerically and without ever forming A: each block ∂f_k/∂z_i is applied as a product with λ_k
(a vector-Jacobian product, evaluated from local derivatives at the forward pass's numbers). Steps are
visited from the last to the first; when step k is reached, every step that reads z_k has already passed
its contribution (∂f_k/∂z_i)ᵀ λ_k on, so λ_k is complete. This is the column-oriented form of back
substitution, the usual way to solve a sparse triangular system.

One lowering, two ways to run it. Each step's expression is lowered once into the flat entries of a
:mod:`plan <lagrange_ad.plan>`. Here a plan runs on numpy, forward (:func:`run_forward`) and backward from
any seed (:func:`pull_back`, with the operations' own ``numeric`` and ``vjp`` rules from
:mod:`lagrange_ad.ops`): λ_n = 1 gives the multipliers, a unit vector a row of a Jacobian block
(:func:`lagrange_ad.solvers.jacobian_blocks`). A computation of scalars runs faster on the *tape*
(:mod:`lagrange_ad.tape`), instructions on Python floats lowered from the same entries; where its
``math`` functions refuse (log of a negative number, 1/0) numpy takes over, and gives the NaN or
infinity and the step where it arose. Neither touches sympy.

>>> import lagrange_ad as lad
>>> comp = lad.trace(lambda x, w: lad.tanh(w * x), "x w")
>>> g = lad.gradient(comp, {"x": 0.5, "w": -2.0})
>>> round(g["x"], 6), round(g["w"], 6)
(-0.839949, 0.209987)
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from . import tape as float_tape
from .computation import Computation, Step, check_input_names, require_computation, undefined_step
from .errors import InputError
from .plan import CONST, Plan, Z, inputs_of, plan_of
from .usage import note

# what an input value may be; an array first, as it is the most common (and numbers.Real is a slow check)
_NUMERIC_TYPES = (np.ndarray, numbers.Real, np.generic, list)


def check_values(comp: Computation, values, copy: bool = True) -> dict:
    """Validate input values by name; return them as floats / float arrays of the right shapes.

    ``copy=False`` may return the caller's own arrays (for code that only reads them).
    """
    inputs = inputs_of(comp)
    check_input_names(inputs, values)
    checked = {}
    for step in inputs:
        raw = values[step.name]
        if isinstance(raw, (bool, np.bool_)) or not isinstance(raw, _NUMERIC_TYPES):
            raise InputError(f"input {step.name!r} must be a number or an array, not {type(raw).__name__}")
        try:
            arr = np.asarray(raw, dtype=float)
        except (TypeError, ValueError):
            raise InputError(f"input {step.name!r} must hold numbers; got {raw!r}") from None
        if arr.shape != step.shape:
            raise InputError(f"input {step.name!r} must have shape {step.shape}, got {arr.shape}")
        if not _finite(arr):
            raise InputError(f"input {step.name!r} contains NaN or infinite entries: {raw!r}")
        checked[step.name] = (arr.copy() if copy else arr) if step.shape else float(arr)
    return checked


def forward(comp: Computation, values) -> dict:
    """The forward pass: ``{i: z_i}`` at the given input values.

    Where the result z_n is not a number (NaN or infinite) the error names the first step that is not,
    as :func:`gradient` does; a step whose NaN does not reach the result (the branch ``lad.where`` did not
    take) is returned as it is.

    >>> import lagrange_ad as lad
    >>> lad.forward(lad.trace(lambda x: x * x + 1, "x"), {"x": 3.0})
    {1: 3.0, 2: 9.0, 3: 10.0}
    """
    require_computation(comp, "forward")
    checked = check_values(comp, values, copy=False)
    zs, _ = _solve(comp, checked, backward=False)
    _check_finite(comp, zs)
    held = {id(x) for x in checked.values()}
    return {i: _number(zs[i], held) for i in range(1, len(comp) + 1)}


def perturbed_result(comp: Computation, values, step: int, eps: float) -> float:
    """z_n when the constraint of step ``step`` is loosened by ``eps``: z_i = f_i(z_a(i)) + eps (for an
    input, z_i = p_i + eps), every later step recomputed. Forward passes only, no multipliers.

    Its slope in ``eps`` is what the envelope theorem says λ_i is, so it checks λ independently:

    >>> import lagrange_ad as lad
    >>> comp = lad.trace(lambda x: x * x + 1, "x")
    >>> h = 1e-6
    >>> slope = (perturbed_result(comp, {"x": 3.0}, 2, h) - perturbed_result(comp, {"x": 3.0}, 2, -h)) / (2 * h)
    >>> round(slope, 6), lad.multipliers(comp, {"x": 3.0})[2]
    (1.0, 1.0)
    """
    require_computation(comp, "perturbed_result")
    checked = check_values(comp, values, copy=False)
    comp._step(step)  # a clear error for a step that does not exist
    n = comp.output.index
    with np.errstate(all="ignore"):
        zs, _ = run_forward(plan_of(comp), checked, n, perturb=(step, eps))
    return float(zs[n])


def multipliers(comp: Computation, values) -> dict:
    """Every λ_i = ∂z_n/∂z_i as numbers, by numeric back substitution: ``{i: λ_i}``, newest step first.

    The keys are the steps' numbers, from 1 as in the book. ``multiplier_values`` is another name of this
    function, one that cannot be mistaken for :func:`~lagrange_ad.multiplier_symbol` (the sympy λ_i).

    >>> import lagrange_ad as lad
    >>> lad.multipliers(lad.trace(lambda x: x * x + 1, "x"), {"x": 3.0})
    {3: 1.0, 2: 1.0, 1: 6.0}
    """
    note("multipliers")
    require_computation(comp, "multipliers")
    n = comp.output.index
    zs, lam = _solve(comp, check_values(comp, values, copy=False))
    _check_finite(comp, zs)
    held: set = set()
    return {i: _number(_zero_if_none(lam[i], comp.steps[i - 1].shape), held) for i in range(n, 0, -1)}


multiplier_values = multipliers  # the name that says what it gives (multiplier_symbol: the sympy λ_i)


def gradient(comp: Computation, values, wrt=None) -> dict:
    """∂z_n/∂(input) for every input, as ``{name: float or array}`` (arrays keep the input's shape).

    By the envelope theorem this is the multiplier λ_i of the constraint z_i = p_i pinning the input.
    Where the result is not a number (NaN or infinite) the error names the first step that is not.

    ``wrt`` names the inputs whose gradient is wanted (``("w1", "w2")`` or ``"w1 w2"``; default: every
    input), and the result holds those alone, in that order. Training a network needs ∂loss/∂weights, not
    ∂loss/∂data: a step whose z depends on no wanted input (through a(i), step by step) passes nothing on
    that could reach one, so its λ is never computed, nor any vector-Jacobian product towards such a step.
    In the source network, asking for the weights alone saves the product λ_5 w1ᵀ, the gradient of x.

    >>> import lagrange_ad as lad
    >>> comp = lad.trace(lambda x, w: lad.tanh(w * x), "x w")
    >>> g = lad.gradient(comp, {"x": 0.5, "w": -2.0}, wrt=["w"])
    >>> {name: round(v, 6) for name, v in g.items()}
    {'w': 0.209987}
    """
    note("gradient")
    require_computation(comp, "gradient")
    wanted = _wanted(comp, wrt)
    zs, lam = _solve(comp, check_values(comp, values, copy=False), wrt=wanted)
    _check_finite(comp, zs)
    held: set = set()
    return {s.name: _number(_zero_if_none(lam[s.index], s.shape), held) for s in wanted}


def _wanted(comp: Computation, wrt) -> list[Step]:
    """The inputs named by ``wrt`` (all of them for None), in the order given, each once."""
    inputs = inputs_of(comp)
    if wrt is None:
        return inputs
    names = wrt.replace(",", " ").split() if isinstance(wrt, str) else wrt
    by_name = {s.name: s for s in inputs}
    try:
        unknown = [name for name in names if name not in by_name]
    except TypeError:  # not iterable, or holds something unhashable
        raise InputError(f"wrt names inputs: give a list of names such as {list(by_name)}, not {wrt!r}") from None
    if unknown:
        raise InputError(f"wrt names unknown input(s) {unknown}; the inputs are {list(by_name)}")
    return [by_name[name] for name in dict.fromkeys(names)]


def _zero_if_none(lam, shape: tuple):
    """λ_i, or 0 (of z_i's shape) where no step reads z_i and so nothing was passed back."""
    if lam is not None:
        return lam
    return np.zeros(shape) if shape else 0.0


def _number(v, held: set):
    """A float, or a float array of the caller's own: copied if it is a view, or an array already handed out
    (``held``: ids; an input's own array, a λ that is also another λ: ``+`` passes one λ to both sides)."""
    if np.ndim(v) == 0:
        return float(v)
    if v.base is not None or id(v) in held:
        v = np.array(v, dtype=float)
    held.add(id(v))
    return v


def _finite(v) -> bool:
    """True if ``v`` (a number or array) holds no NaN or infinity.

    v·v is NaN or infinite if any entry is, and it is one pass of BLAS (a third faster than a sum, several
    times faster than a mask); only if it overflows (entries beyond 1e154) is each entry looked at.
    """
    if np.ndim(v) == 0:
        return math.isfinite(v)
    return math.isfinite(np.vdot(v, v)) or bool(np.all(np.isfinite(v)))


def _solve(comp: Computation, checked: dict, backward: bool = True, wrt: list | None = None):
    """``(z, λ)``, indexed by step (index 0 unused); λ is None unless ``backward`` and z_n is a number.

    λ_i is None where nothing was passed back to z_i. With ``wrt`` (input records) only those inputs' λ's
    are sure to be there, and of the z's only z_n.
    """
    comp.output_index()  # checks that z_n exists and is a scalar
    tape = float_tape.tape_of(comp)
    if tape is not None:
        try:
            # the tape always computes every λ: on Python floats the pruning would save next to nothing
            return tape.run([checked[s.name] for s in inputs_of(comp)], backward)
        except (ArithmeticError, ValueError):
            pass  # math refused (log(-1), 1/0...): numpy below gives the NaN or inf, and where it arises
    return _interpret(comp, checked, backward, wrt)


def _check_finite(comp: Computation, zs):
    """If the result z_n is NaN or infinite, raise an error naming the first step that is.

    A step that is not finite but does not reach the result (the branch ``lad.where`` did not take) is
    fine. With a finite result the multipliers are returned as they are: an infinite derivative (√x at
    0) is the true answer.
    """
    n = comp.output_index()
    if _finite(zs[n]):
        return
    for step in comp.steps:
        z = zs[step.index]
        if not _finite(z):
            raise undefined_step(comp, step, "NaN" if np.any(np.isnan(z)) else "infinite")


# --------------------------------------------------------------------------------------------------
# the numpy engine: each step's expression, walked with the operations' numeric and vjp rules
# --------------------------------------------------------------------------------------------------

def run_forward(plan: Plan, checked: dict, n: int, perturb: tuple | None = None):
    """The forward pass: ``(z, inner)`` indexed by step, ``inner[k]`` the values of f_k's nodes by position.

    ``checked`` holds the input values (:func:`check_values`). With ``perturb = (i, eps)``, z_i is f_i + eps
    (an input, p_i + eps), as :func:`perturbed_result` needs. Call inside ``np.errstate``.
    """
    zs = [None] * (n + 1)
    inner = [None] * (n + 1)
    shifted, eps = perturb if perturb is not None else (0, 0.0)
    for s in plan.inputs:
        # numpy scalars, not Python floats: 1/0 must give inf here, not raise ZeroDivisionError
        zs[s.index] = checked[s.name] if s.shape else np.float64(checked[s.name])
        if s.index == shifted:
            zs[s.index] = zs[s.index] + eps
    for k in range(1, n + 1):
        entries = plan.steps[k]
        if entries is None:
            continue
        vals = []
        for op, ref, args, _, _ in entries:
            if op is Z:
                vals.append(zs[ref])
            elif op is CONST:
                vals.append(ref)
            else:
                vals.append(op.numeric(*[vals[a] for a in args]))
        zs[k], inner[k] = (vals[-1] + eps if k == shifted else vals[-1]), vals
    return zs, inner


def pull_back(entries: list, vals: list, seed) -> list[tuple[int, object]]:
    """``(j, (∂f_k/∂z_j)ᵀ seed)`` for the z_j that step k reads, passing ``seed`` back through f_k's nodes
    (``entries`` and their forward values ``vals``) with each operation's vector-Jacobian product.

    A z read by two nodes of f_k appears twice; the caller sums. With seed λ_k this is step k's part of back
    substitution; with a unit vector e_c, row c of every block ∂f_k/∂z_j.
    """
    out = []
    grads = [None] * len(entries)
    grads[-1] = seed
    for p in range(len(entries) - 1, -1, -1):  # parents before children
        g = grads[p]
        if g is None:
            continue
        op, ref, args, needs, _ = entries[p]
        if op is Z:
            out.append((ref, g))
        elif op is not CONST:
            contributions = op.vjp(g, [vals[a] for a in args], vals[p], needs)
            for a, need, c in zip(args, needs, contributions, strict=True):
                if need and c is not None:
                    grads[a] = c if grads[a] is None else grads[a] + c
    return out


def _interpret(comp: Computation, checked: dict, backward: bool, wrt: list | None = None):
    plan = plan_of(comp, wrt)
    n = len(comp)
    with np.errstate(all="ignore"):
        zs, inner = run_forward(plan, checked, n)
        if not backward or not _finite(zs[n]):
            return zs, None  # no gradient of a result that is not a number: the caller says where it broke
        lam = [None] * (n + 1)  # None: nothing passed back (yet)
        lam[n] = 1.0
        for k in range(n, 0, -1):
            entries, g, vals = plan.steps[k], lam[k], inner[k]
            # Step k is the last to use z_k, its inner values and λ_k (steps reading z_k come later, so they
            # are done). Let them go now: a gradient's arrays then reuse their memory instead of asking the
            # system for fresh pages, which at a few MB costs as much as a matrix product.
            inner[k] = None
            if k < n:
                zs[k] = None
            if wrt is not None and entries is not None:
                lam[k] = None  # only the inputs' λ's are wanted
            if entries is None or g is None or not plan.live[k]:
                continue  # an input; a z no step reads; a z that reaches no wanted input
            if not plan.shapes[k] and g == 0:
                continue  # λ_k = 0 passes nothing on (not even 0 × inf = NaN)
            for j, c in pull_back(entries, vals, g):
                lam[j] = c if lam[j] is None else lam[j] + c
    return zs, lam


def finite_difference(comp: Computation, values, h: float = 1e-6) -> dict:
    """Central finite differences of z_n with respect to every input (an independent reference).

    >>> import lagrange_ad as lad
    >>> g = finite_difference(lad.trace(lambda x: x * x, "x"), {"x": 3.0})
    >>> abs(g["x"] - 6.0) < 1e-6
    True
    """
    require_computation(comp, "finite_difference")
    base = check_values(comp, values)
    n = comp.output.index

    def result(vals):
        return float(forward(comp, vals)[n])

    out = {}
    for name, v in base.items():
        arr = np.array(v, dtype=float, ndmin=1 if np.ndim(v) == 0 else np.ndim(v))
        grad = np.zeros_like(arr)
        for idx in np.ndindex(arr.shape):
            up, down = dict(base), dict(base)
            a_up, a_down = arr.copy(), arr.copy()
            step = h * max(1.0, abs(arr[idx]))
            a_up[idx] += step
            a_down[idx] -= step
            up[name] = a_up.reshape(np.shape(v)) if np.ndim(v) else float(a_up[0])
            down[name] = a_down.reshape(np.shape(v)) if np.ndim(v) else float(a_down[0])
            grad[idx] = (result(up) - result(down)) / (2 * step)
        out[name] = grad.reshape(np.shape(v)) if np.ndim(v) else float(grad[0])
    return out

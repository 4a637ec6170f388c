"""Numbers: the forward pass, the multipliers λ and the gradient, without symbolic expressions.

:func:`multipliers` solves the same triangular system A λ = e as :func:`~lagrange_ad.back_substitution`,
but numerically and without ever forming A: each block ∂f_k/∂z_i is applied as a product with λ_k
(a vector-Jacobian product, evaluated from local derivatives at the forward pass's numbers). Steps are
visited from the last to the first; when step k is reached, every step that reads z_k has already passed
its contribution (∂f_k/∂z_i)ᵀ λ_k on, so λ_k is complete. This is the column-oriented form of back
substitution, the usual way to solve a sparse triangular system.

Two engines do this. A computation of scalars runs on a *tape* (:mod:`lagrange_ad.compiled`): flat
instructions on Python floats, built once per computation. Anything else, and any point where the tape's
``math`` functions refuse (log of a negative number, 1/0), runs here on numpy, walking each step's
expression with the operations' own ``numeric`` and ``vjp`` rules (:mod:`lagrange_ad.ops`). Neither
touches sympy.

>>> import lagrange_ad as lad
>>> comp = lad.trace(lambda x, w: lad.tanh(w * x), "x w")
>>> g = lad.gradient(comp, {"x": 0.5, "w": -2.0})
>>> round(g["x"], 6), round(g["w"], 6)
(-0.839949, 0.209987)
"""

from __future__ import annotations

import math
import numbers
from typing import NamedTuple

import numpy as np

from . import compiled
from .computation import Computation
from .errors import InputError
from .lagrangian import derived
from .ops import op_of


def check_values(comp: Computation, values, copy: bool = True) -> dict:
    """Validate input values by name; return them as floats / float arrays of the right shapes.

    ``copy=False`` may return the caller's own arrays (for code that only reads them).
    """
    if not hasattr(values, "keys"):
        raise InputError(f"give the input values as a dict {{name: value}}, not a {type(values).__name__}")
    inputs = _inputs(comp)
    names = [s.name for s in inputs]
    unknown = [k for k in values if k not in names]
    if unknown:
        raise InputError(f"unknown input name(s) {unknown}; the inputs are {names}")
    missing = [n for n in names if n not in values]
    if missing:
        raise InputError(f"missing value(s) for input(s) {missing}; the inputs are {names}")
    checked = {}
    for step in inputs:
        raw = values[step.name]
        numeric_types = (numbers.Real, np.ndarray, np.generic, list)
        if isinstance(raw, (bool, np.bool_)) or not isinstance(raw, numeric_types):
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


class _Input(NamedTuple):
    index: int
    name: str
    shape: tuple


def _inputs(comp: Computation) -> list[_Input]:
    # comp.inputs looks at every step: for a gradient of a long computation, once is all it can afford.
    # Kept as plain records: a kept Step would keep its computation alive (derived() holds it weakly).
    return derived(comp, "inputs", lambda: [_Input(s.index, s.name, s.shape) for s in comp.inputs])


def _evaluate_step(step, zs):
    """Evaluate f_i at numbers; return its value and the values of every node inside it."""
    inner = {}
    order = _postorder(step.node)
    for node in order:
        if node.op == "z":
            v = zs[node.data]
        elif node.op == "const":
            v = node.data
        else:
            v = op_of(node).numeric(*[inner[id(a)] for a in node.args])
        inner[id(node)] = v
    return inner[id(step.node)], inner, order


def _postorder(root):
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node.args))
    return order


def _forward(comp: Computation, values):
    checked = check_values(comp, values)
    zs, inner = {}, {}
    with np.errstate(all="ignore"):
        for step in comp.steps:
            if step.is_input:
                zs[step.index] = checked[step.name]
            else:
                zs[step.index], inner[step.index] = _evaluate_step(step, zs)[:2]
                inner[step.index] = (inner[step.index], _postorder(step.node))
    return zs, inner


def forward(comp: Computation, values) -> dict:
    """The forward pass: ``{i: z_i}`` at the given input values.

    >>> import lagrange_ad as lad
    >>> lad.forward(lad.trace(lambda x: x * x + 1, "x"), {"x": 3.0})
    {1: 3.0, 2: 9.0, 3: 10.0}
    """
    checked = check_values(comp, values, copy=False)
    zs, _ = _solve(comp, checked, backward=False)
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
    checked = check_values(comp, values)
    comp._step(step)  # a clear error for a step that does not exist
    zs = {}
    with np.errstate(all="ignore"):
        for s in comp.steps:
            z = checked[s.name] if s.is_input else _evaluate_step(s, zs)[0]
            zs[s.index] = z + eps if s.index == step else z
    return float(zs[comp.output.index])


def _is_const(node, memo) -> bool:
    key = id(node)
    if key not in memo:
        memo[key] = node.op == "const" or (node.op != "z" and all(_is_const(a, memo) for a in node.args))
    return memo[key]


def multipliers(comp: Computation, values) -> dict:
    """Every λ_i = ∂z_n/∂z_i as numbers, by numeric back substitution: ``{i: λ_i}``, newest step first.

    >>> import lagrange_ad as lad
    >>> lad.multipliers(lad.trace(lambda x: x * x + 1, "x"), {"x": 3.0})
    {3: 1.0, 2: 1.0, 1: 6.0}
    """
    n = comp.output.index
    zs, lam = _solve(comp, check_values(comp, values, copy=False))
    _check_finite(comp, zs)
    held: set = set()
    return {i: _number(lam[i], held) for i in range(n, 0, -1)}


def gradient(comp: Computation, values) -> dict:
    """∂z_n/∂(input) for every input, as ``{name: float or array}`` (arrays keep the input's shape).

    By the envelope theorem this is the multiplier λ_i of the constraint z_i = p_i pinning the input.
    Where the result is not a number (NaN or infinite) the error names the first step that is not.
    """
    zs, lam = _solve(comp, check_values(comp, values, copy=False))
    _check_finite(comp, zs)
    inputs = _inputs(comp)
    held: set = set()
    return {s.name: _number(lam[s.index], held) for s in inputs}


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
    """True if ``v`` (a number or array) holds no NaN or infinity; summing first is cheaper than a mask."""
    if np.ndim(v) == 0:
        return math.isfinite(v)
    return math.isfinite(np.add.reduce(v, axis=None)) or bool(np.all(np.isfinite(v)))


def _solve(comp: Computation, checked: dict, backward: bool = True):
    """``(z, λ)``, indexed by step (index 0 unused); λ is None unless ``backward``."""
    comp.output  # noqa: B018 - checks that z_n exists and is a scalar
    tape = compiled.tape_of(comp)
    if tape is not None:
        try:
            return tape.run([checked[s.name] for s in _inputs(comp)], backward)
        except (ArithmeticError, ValueError):
            pass  # math refused (log(-1), 1/0...): numpy below gives the NaN or inf, and where it arises
    return _interpret(comp, checked, backward)


def _check_finite(comp: Computation, zs):
    """If the result z_n is NaN or infinite, raise an error naming the first step that is.

    A step that is not finite but does not reach the result (the branch ``lad.where`` did not take) is
    fine. With a finite result the multipliers are returned as they are: an infinite derivative (√x at
    0) is the true answer.
    """
    n = comp.output.index
    if _finite(zs[n]):
        return
    for step in comp.steps:
        z = zs[step.index]
        if not _finite(z):
            what = "NaN" if np.any(np.isnan(z)) else "infinite"
            raise InputError(
                f"at these input values z_{step.index} ({step.name} = {step.node!r}) is {what}, so the result "
                f"z_{n} and its gradient are not numbers. Choose inputs where every step is defined: log "
                "and sqrt need positive arguments, a division a nonzero divisor, exp a moderate one"
            )


# --------------------------------------------------------------------------------------------------
# the numpy engine: each step's expression, walked with the operations' numeric and vjp rules
# --------------------------------------------------------------------------------------------------

_LEAF = object()  # marks a leaf (a z or a constant) in a plan


def _plan(comp: Computation) -> list:
    """Per step (None for an input): its expression's nodes in postorder, as
    ``(op, leaf value or step index, argument positions, which arguments need a gradient)``."""
    plan = []
    for step in comp.steps:
        if step.is_input:
            plan.append(None)
            continue
        order = _postorder(step.node)
        position = {id(node): p for p, node in enumerate(order)}
        consts: dict = {}
        entries = []
        for node in order:
            if node.op in ("z", "const"):
                entries.append((_LEAF, node, (), ()))
            else:
                args = tuple(position[id(a)] for a in node.args)
                needs = tuple(not _is_const(a, consts) for a in node.args)
                entries.append((op_of(node), None, args, needs))
        plan.append(entries)
    return plan


def _interpret(comp: Computation, checked: dict, backward: bool):
    plan = derived(comp, "numeric plan", lambda: _plan(comp))
    n = len(comp)
    zs = [None] * (n + 1)
    inner = [None] * (n + 1)  # the values of every node of each step, by position
    with np.errstate(all="ignore"):
        for step, entries in zip(comp.steps, plan, strict=True):
            if entries is None:
                # numpy scalars, not Python floats: 1/0 must give inf here, not raise ZeroDivisionError
                zs[step.index] = checked[step.name] if step.shape else np.float64(checked[step.name])
                continue
            vals = []
            for op, leaf, args, _ in entries:
                if op is _LEAF:
                    vals.append(zs[leaf.data] if leaf.op == "z" else np.asarray(leaf.data)[()])
                else:
                    vals.append(op.numeric(*[vals[a] for a in args]))
            zs[step.index], inner[step.index] = vals[-1], vals
        if not backward:
            return zs, None
        lam = [None] * (n + 1)  # None: nothing passed back yet
        lam[n] = 1.0
        for step in reversed(comp.steps):
            k, entries = step.index, plan[step.index - 1]
            if lam[k] is None:
                lam[k] = np.zeros(step.shape) if step.shape else 0.0
                continue  # no step reads z_k: λ_k = 0, and z_k passes nothing on
            if entries is None or (not step.shape and lam[k] == 0):
                continue
            vals, grads = inner[k], [None] * len(entries)
            grads[-1] = lam[k]
            for p in range(len(entries) - 1, -1, -1):  # parents before children
                g = grads[p]
                if g is None:
                    continue
                op, leaf, args, needs = entries[p]
                if op is _LEAF:
                    if leaf.op == "z":
                        i = leaf.data
                        lam[i] = g if lam[i] is None else lam[i] + g
                    continue
                contributions = op.vjp(g, [vals[a] for a in args], vals[p], needs)
                for a, need, c in zip(args, needs, contributions, strict=False):
                    if need and c is not None:
                        grads[a] = c if grads[a] is None else grads[a] + c
    return zs, lam


def finite_difference(comp: Computation, values, h: float = 1e-6) -> dict:
    """Central finite differences of z_n with respect to every input (an independent reference).

    >>> import lagrange_ad as lad
    >>> g = finite_difference(lad.trace(lambda x: x * x, "x"), {"x": 3.0})
    >>> abs(g["x"] - 6.0) < 1e-6
    True
    """
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

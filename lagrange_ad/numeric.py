"""Numbers: the forward pass, the multipliers λ and the gradient, without symbolic expressions.

:func:`multipliers` solves the same triangular system A λ = e as :func:`~lagrange_ad.back_substitution`,
but numerically and without ever forming A: each block ∂f_k/∂z_i is applied as a product with λ_k
(a vector-Jacobian product, evaluated from local derivatives at the forward pass's numbers). Steps are
visited from the last to the first; when step k is reached, every step that reads z_k has already passed
its contribution (∂f_k/∂z_i)ᵀ λ_k on, so λ_k is complete. This is the column-oriented form of back
substitution, the usual way to solve a sparse triangular system.

>>> import lagrange_ad as lad
>>> comp = lad.trace(lambda x, w: lad.tanh(w * x), "x w")
>>> g = lad.gradient(comp, {"x": 0.5, "w": -2.0})
>>> round(g["x"], 6), round(g["w"], 6)
(-0.839949, 0.209987)
"""

from __future__ import annotations

import numbers

import numpy as np

from .computation import Computation
from .errors import InputError
from .ops import op_of


def check_values(comp: Computation, values) -> dict:
    """Validate input values by name; return them as floats / float arrays of the right shapes."""
    if not hasattr(values, "keys"):
        raise InputError(f"give the input values as a dict {{name: value}}, not a {type(values).__name__}")
    names = [s.name for s in comp.inputs]
    unknown = [k for k in values if k not in names]
    if unknown:
        raise InputError(f"unknown input name(s) {unknown}; the inputs are {names}")
    missing = [n for n in names if n not in values]
    if missing:
        raise InputError(f"missing value(s) for input(s) {missing}; the inputs are {names}")
    checked = {}
    for step in comp.inputs:
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
        if not np.all(np.isfinite(arr)):
            raise InputError(f"input {step.name!r} contains NaN or infinite entries: {raw!r}")
        checked[step.name] = arr.copy() if step.shape else float(arr)
    return checked


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
    zs, _ = _forward(comp, values)
    return {i: (float(v) if np.ndim(v) == 0 else v) for i, v in zs.items()}


def _is_const(node, memo) -> bool:
    key = id(node)
    if key not in memo:
        memo[key] = node.op == "const" or (node.op != "z" and all(_is_const(a, memo) for a in node.args))
    return memo[key]


def multipliers(comp: Computation, values) -> dict:
    """Every λ_i = ∂z_n/∂z_i as numbers, by numeric back substitution: ``{i: λ_i}``.

    >>> import lagrange_ad as lad
    >>> lad.multipliers(lad.trace(lambda x: x * x + 1, "x"), {"x": 3.0})
    {3: 1.0, 2: 1.0, 1: 6.0}
    """
    n = comp.output.index
    zs, inner = _forward(comp, values)
    lam = {n: 1.0}
    with np.errstate(all="ignore"):
        for step in reversed(comp.steps):
            k = step.index
            lam.setdefault(k, np.zeros(step.shape) if step.shape else 0.0)
            if step.is_input:
                continue
            node_values, order = inner[k]
            grads = {id(step.node): lam[k]}
            consts = {}
            for node in reversed(order):  # parents before children
                g = grads.pop(id(node), None)
                if g is None or node.op == "const":
                    continue
                if node.op == "z":
                    lam[node.data] = lam.get(node.data, 0.0) + g
                    continue
                args = [node_values[id(a)] for a in node.args]
                needs = tuple(not _is_const(a, consts) for a in node.args)
                contributions = op_of(node).vjp(g, args, node_values[id(node)], needs)
                for child, need, contribution in zip(node.args, needs, contributions, strict=False):
                    if need and contribution is not None:
                        grads[id(child)] = grads.get(id(child), 0.0) + contribution
    return {i: (float(v) if np.ndim(v) == 0 else np.asarray(v, dtype=float)) for i, v in lam.items()}


def gradient(comp: Computation, values) -> dict:
    """∂z_n/∂(input) for every input, as ``{name: float or array}`` (arrays keep the input's shape).

    By the envelope theorem this is the multiplier λ_i of the constraint z_i = p_i pinning the input.
    """
    lam = multipliers(comp, values)
    out = {}
    for step in comp.inputs:
        v = lam[step.index]
        out[step.name] = np.asarray(v, dtype=float).reshape(step.shape) if step.shape else float(v)
    return out


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

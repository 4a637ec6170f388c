"""Numbers without numpy: forward, multipliers, gradient and central differences of a computation of scalars,
on the float tape (:mod:`lagrange_ad.tape`).

Where numpy is missing (the reader's browser) ``lad.gradient``, ``lad.forward``, ``lad.multipliers`` and
``lad.finite_difference`` are these functions; with numpy they are :mod:`lagrange_ad.numeric`'s, which run
the same tape first and numpy's engine for matrices. Same arguments, same results, same errors for a
computation of scalars; a matrix-valued step says that it needs numpy.

>>> import lagrange_ad as lad
>>> comp = lad.trace(lambda x, w: lad.tanh(w * x), "x w")
>>> {k: round(v, 6) for k, v in gradient(comp, {"x": 0.5, "w": -2.0}).items()}
{'x': -0.839949, 'w': 0.209987}
>>> forward(comp, {"x": 0.5, "w": -2.0})[3], multipliers(comp, {"x": 0.5, "w": -2.0})[4]
(-1.0, 1.0)
"""

from __future__ import annotations

from .computation import Computation, require_computation
from .errors import InputError
from .tape import scalar_numbers
from .usage import note


def forward(comp: Computation, values) -> dict:
    """The forward pass: ``{i: z_i}`` at the given input values (see :func:`lagrange_ad.numeric.forward`)."""
    require_computation(comp, "forward")
    z, _ = scalar_numbers(comp, values, backward=False)
    return {i: z[i] for i in range(1, len(comp) + 1)}


def multipliers(comp: Computation, values) -> dict:
    """Every λ_i = ∂z_n/∂z_i: ``{i: λ_i}``, newest step first (see :func:`lagrange_ad.numeric.multipliers`)."""
    note("multipliers")
    require_computation(comp, "multipliers")
    _, lam = scalar_numbers(comp, values)
    return {i: lam[i] for i in range(len(comp), 0, -1)}


multiplier_values = multipliers


def gradient(comp: Computation, values, wrt=None) -> dict:
    """∂z_n/∂(input) for the inputs named in ``wrt`` (default: every input), as ``{name: float}``."""
    note("gradient")
    require_computation(comp, "gradient")
    _, lam = scalar_numbers(comp, values)
    inputs = {s.name: s.index for s in comp.inputs}
    names = list(inputs) if wrt is None else (wrt.replace(",", " ").split() if isinstance(wrt, str) else list(wrt))
    unknown = [name for name in names if name not in inputs]
    if unknown:
        raise InputError(f"wrt names unknown input(s) {unknown}; the inputs are {list(inputs)}")
    return {name: lam[inputs[name]] for name in dict.fromkeys(names)}


def finite_difference(comp: Computation, values, h: float = 1e-6) -> dict:
    """Central differences of z_n with respect to every input, step h·max(1, |x|) (an independent check).

    >>> import lagrange_ad as lad
    >>> abs(finite_difference(lad.trace(lambda x: x * x, "x"), {"x": 3.0})["x"] - 6.0) < 1e-6
    True
    """
    require_computation(comp, "finite_difference")
    n = len(comp)
    scalar_numbers(comp, values, backward=False)  # the values are checked, and z_n is a number there
    out = {}
    for s in comp.inputs:
        step = h * max(1.0, abs(values[s.name]))
        up, down = {**values, s.name: values[s.name] + step}, {**values, s.name: values[s.name] - step}
        out[s.name] = (scalar_numbers(comp, up, False)[0][n] - scalar_numbers(comp, down, False)[0][n]) / (2 * step)
    return out

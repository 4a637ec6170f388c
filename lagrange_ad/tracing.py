"""Tracing: run a Python function on traced values and record every elementary operation as a step.

While a function is being traced, every elementary operation (:mod:`lagrange_ad.values`) becomes a step
of its own, so a Python loop simply unrolls into the sequence of a :class:`~lagrange_ad.Computation`.

>>> import lagrange_ad as lad
>>> def f(x, c):
...     for _ in range(3):          # the source post's `loop 1:3: x = x + c`
...         x = x + c
...     return lad.tanh(x)
>>> comp = lad.trace(f, "x c")
>>> [s.tex for s in comp.steps]
['x', 'c', 'z_{1} + z_{2}', 'z_{3} + z_{2}', 'z_{4} + z_{2}', '\\\\tanh\\\\left(z_{5}\\\\right)']
"""

from __future__ import annotations

import inspect

from .cache import building
from .computation import Computation
from .errors import ForeignValueError, OutputError, UnsupportedValueError
from .values import Condition, Value

# --------------------------------------------------------------------------------------------------
# trace
# --------------------------------------------------------------------------------------------------


def _parse_inputs(inputs, shapes):
    if isinstance(inputs, str):
        names = inputs.replace(",", " ").split()
        table = {n: () for n in names}
    elif isinstance(inputs, dict):
        table = dict(inputs)
    else:
        table = {n: () for n in inputs}
    for name, shape in (shapes or {}).items():
        if name not in table:
            raise OutputError(f"shapes names {name!r}, which is not one of the inputs {list(table)}")
        table[name] = shape  # Computation.input checks it
    return table


def trace(fn, inputs, shapes=None, max_steps: int = 10_000):
    """Run ``fn`` on traced inputs and record every elementary operation as a step.

    ``inputs`` names the parameters of ``fn`` in order: ``"x w"``, a list of names, or a dict
    ``{name: shape}``. ``shapes`` gives shapes by name (scalars by default). Loops unroll; the trace
    stops with :class:`~lagrange_ad.StepLimitError` after ``max_steps`` steps (default 10 000), which is
    how a loop that never ends shows itself. The value ``fn`` returns becomes z_n and must be a scalar.

    >>> import lagrange_ad as lad
    >>> comp = lad.trace(lambda x, w: lad.sigmoid(w * x), "x w")
    >>> len(comp), comp.output.tex
    (4, '\\\\sigma\\\\left(z_{3}\\\\right)')
    """
    if not callable(fn):
        raise UnsupportedValueError(f"trace needs a Python function to run, not a {type(fn).__name__} ({fn!r})")
    table = _parse_inputs(inputs, shapes)
    try:
        params = inspect.signature(fn).parameters.values()
        positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        if len(positional) != len(table) and not any(p.kind == p.VAR_POSITIONAL for p in params):
            raise OutputError(
                f"{getattr(fn, '__name__', 'the function')} takes {len(positional)} arguments but "
                f"{len(table)} inputs were named: {list(table)}"
            )
    except (TypeError, ValueError) as err:
        if isinstance(err, OutputError):
            raise
    comp = Computation(max_steps=max_steps)
    args = [comp.input(name, shape) for name, shape in table.items()]
    comp.tracing = True
    try:
        with building():
            result = fn(*args)
    finally:
        comp.tracing = False
    if isinstance(result, Condition):
        raise OutputError("the traced function returned a comparison; return a number-valued result")
    if not isinstance(result, Value):
        raise OutputError(
            f"the traced function returned {type(result).__name__} {result!r}, which does not depend on "
            "the inputs: there is no gradient to compute"
        )
    if result.comp is not comp:
        raise ForeignValueError("the traced function returned a value from another computation")
    if result.shape != ():
        raise OutputError(
            f"the result z_n must be a scalar, but the traced function returned shape {result.shape}: "
            "reduce it, e.g. with lad.sum or lad.mean"
        )
    if result.node.op != "z" or result.node.data != len(comp):
        comp.assign(result)  # z_n must be the last step: copy the result into a new final step
    return comp

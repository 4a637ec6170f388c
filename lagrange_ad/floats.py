"""The elementary operations on Python floats: what a tape instruction does (:mod:`lagrange_ad.tape`).

Each operation that a computation of scalars can contain has one :data:`FloatOp`, made from its row of
:data:`lagrange_ad.ops.OPS`: an opcode that the tape's loops branch on (the row's ``tape`` kind), the
function on floats (the row's ``scalar``), and, for an elementwise function, its derivative, *derived by
sympy* from the row's symbolic definition (as ops.py does for numpy) and turned into a function on floats.

The same object is what tracing records for a scalar step (:mod:`lagrange_ad.lean`), so a traced
computation already is most of its tape.

>>> code, f, df, name = FLOAT_OPS["tanh"]
>>> f(0.0), df(0.0), name
(0.0, 1.0, 'tanh')
"""

from __future__ import annotations

import math

import sympy

from .ops import OPS, TAPE_KINDS

# opcodes, in the order of ops.TAPE_KINDS: f(a, b) up to POW, f(a) from UNARY to NOTHING
ADD, MUL, SUB, DIV, POW, UNARY, NEG, NOTHING, WHERE, COPY = range(len(TAPE_KINDS))


#: One operation on floats, ``(code, f, df, name)``: the opcode the tape's loops branch on, the function ``f``,
#: the derivative ``df`` of an elementwise ``f``, and the operation's name in :data:`lagrange_ad.ops.OPS`. A
#: plain tuple, not a NamedTuple: the tape unpacks one per instruction, and CPython unpacks exact tuples
#: faster (measured: 60 % on the forward loop).
FloatOp = tuple


# ``math`` counterparts of ops.NUMPY_NAMES, for the derivatives sympy derives
SCALAR_NAMES = {
    "sigmoid": OPS["sigmoid"].scalar,
    "relu": OPS["relu"].scalar,
    "Indicator": OPS["indicator"].scalar,
    "IndicatorGE": OPS["indicator_ge"].scalar,
    "absolute": abs,
    "DiracDelta": lambda x: 0.0,  # zero away from the switching point, and taken as zero at it
}


def _derivative(name: str):
    """f' for the elementwise function ``name``, derived by sympy from its symbolic form, on floats."""
    t = sympy.Symbol("t")
    return sympy.lambdify(t, sympy.diff(OPS[name].symbolic(t), t), modules=[SCALAR_NAMES, "math"])


#: name -> FloatOp, for every operation with a tape kind (matmul and index need matrices); derivatives
#: derived once, at import
FLOAT_OPS: dict[str, FloatOp] = {
    name: (TAPE_KINDS.index(op.tape), op.scalar, _derivative(name) if op.tape == "unary" else None, name)
    for name, op in OPS.items()
    if op.tape is not None
}


def ieee_value(name: str, xs, error: Exception) -> float:
    """What numpy gives (NaN or ±inf) where ``math`` raised ``error`` computing operation ``name`` of ``xs``:
    the slow path of the float tape and of untraced functions when numpy is not there.

    >>> ieee_value("log", (0.0,), ValueError()), ieee_value("log", (-1.0,), ValueError())
    (-inf, nan)
    >>> ieee_value("div", (-2.0, 0.0), ZeroDivisionError()), ieee_value("exp", (1000.0,), OverflowError())
    (-inf, inf)
    """
    if name == "log" and xs[0] == 0:
        return -math.inf
    if name == "div":
        num, den = xs
        return math.nan if num == 0 or math.isnan(num) else math.copysign(math.inf, num) * math.copysign(1.0, den)
    if name == "pow":
        base, exponent = xs
        if base == 0 and exponent < 0:
            return math.inf
        if isinstance(error, OverflowError):
            return -math.inf if base < 0 and exponent % 2 == 1 else math.inf
        return math.nan
    return math.nan if isinstance(error, ValueError) else math.inf  # overflow; a derivative's 1/0

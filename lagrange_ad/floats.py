"""The elementary operations on Python floats: what a tape instruction does (:mod:`lagrange_ad.tape`).

Each operation that a computation of scalars can contain has one :data:`FloatOp`: an opcode that the tape's
loops branch on, the function on floats (``math``, ``operator``), and, for an elementwise function, its
derivative, *derived by sympy* from the symbolic definition in :data:`lagrange_ad.ops.OPS` (as ops.py does
for numpy) and turned into a function on floats.

The same object is what tracing records for a scalar step (:mod:`lagrange_ad.lean`), so a traced
computation already is most of its tape.

>>> code, f, df, name = FLOAT_OPS["tanh"]
>>> f(0.0), df(0.0), name
(0.0, 1.0, 'tanh')
"""

from __future__ import annotations

import math
import operator

import sympy

from .ops import OPS

# opcodes: f(a, b) up to POW, f(a) from UNARY to NOTHING
ADD, MUL, SUB, DIV, POW, UNARY, NEG, NOTHING, WHERE, COPY = range(10)


#: One operation on floats, ``(code, f, df, name)``: the opcode the tape's loops branch on, the function ``f``,
#: the derivative ``df`` of an elementwise ``f``, and the operation's name in :data:`lagrange_ad.ops.OPS`. A
#: plain tuple, not a NamedTuple: the tape unpacks one per instruction, and CPython unpacks exact tuples
#: faster (measured: 60 % on the forward loop).
FloatOp = tuple


def _sigmoid(x):
    return 0.5 * (math.tanh(0.5 * x) + 1.0)  # as ops' numpy sigmoid, so both give the same numbers


def _indicator(x):
    return 1.0 if x > 0 else 0.0


def _indicator_ge(x):
    return 1.0 if x >= 0 else 0.0


def _relu(x):
    return max(x, 0.0)  # NaN stays NaN, as with np.maximum


def _softmax(x):
    return math.exp(x - x)  # softmax of one number: 1, or NaN for NaN and ±inf as numpy gives


def _log_softmax(x):
    return x - x  # log softmax of one number: 0, or NaN for NaN and ±inf as numpy gives


# ``math`` counterparts of ops.NUMPY_NAMES, for the derivatives sympy derives
SCALAR_NAMES = {
    "sigmoid": _sigmoid,
    "relu": _relu,
    "Indicator": _indicator,
    "IndicatorGE": _indicator_ge,
    "absolute": abs,
    "DiracDelta": lambda x: 0.0,  # zero away from the switching point, and taken as zero at it
}
_MATH = {
    "exp": math.exp, "log": math.log, "sqrt": math.sqrt, "sin": math.sin, "cos": math.cos, "tan": math.tan,
    "tanh": math.tanh,
}  # fmt: skip


def _derivative(name: str):
    """f' for the elementwise function ``name``, derived by sympy from its symbolic form, on floats."""
    t = sympy.Symbol("t")
    return sympy.lambdify(t, sympy.diff(OPS[name].symbolic(t), t), modules=[SCALAR_NAMES, "math"])


_ELEMENTWISE = {**_MATH, "sigmoid": _sigmoid, "relu": _relu, "abs": abs}
_ONE_ARGUMENT = {
    "neg": (NEG, operator.neg),
    "sum": (COPY, None),  # of a scalar: the scalar itself
    "mean": (COPY, None),
    "transpose": (COPY, None),
    "softmax": (NOTHING, _softmax),  # constant 1, derivative 0
    "log_softmax": (NOTHING, _log_softmax),  # constant 0, derivative 0
    "indicator": (NOTHING, _indicator),  # derivative: a Dirac delta, taken as zero
    "indicator_ge": (NOTHING, _indicator_ge),
}
#: name -> FloatOp, for every operation on scalars (matmul and index need matrices); derivatives derived
#: once, at import
FLOAT_OPS: dict[str, FloatOp] = {
    "add": (ADD, operator.add, None, "add"),
    "sub": (SUB, operator.sub, None, "sub"),
    "mul": (MUL, operator.mul, None, "mul"),
    "div": (DIV, operator.truediv, None, "div"),
    "pow": (POW, math.pow, None, "pow"),
    "where": (WHERE, None, None, "where"),
    **{name: (code, f, None, name) for name, (code, f) in _ONE_ARGUMENT.items()},
    **{name: (UNARY, f, _derivative(name), name) for name, f in _ELEMENTWISE.items()},
}

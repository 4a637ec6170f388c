"""Computations of scalar steps compiled to a *tape*: the fast path of the numeric gradient.

A computation whose every value is a scalar is flattened, once, into a list of instructions, one per
elementary operation, each reading and writing numbered *slots* (slot i holds z_i; inner operations of a
step and constants get slots after z_n). Running the tape is two tight loops: forward, the values; backward,
the multipliers, each λ_k handed on to the slots its operation read, newest instruction first: the column
form of back substitution, exactly as in :mod:`lagrange_ad.numeric`.

Why a tape: numeric.py walks every step's expression with numpy, and numpy spends about a microsecond on a
single number; the tape computes with Python floats and the ``math`` module, close to what the plain
Python function costs (``benchmarks/`` measures both).

The numbers are those of numeric.py: the same formulas, and the derivatives of the elementwise functions
are derived by sympy from :data:`lagrange_ad.ops.OPS`'s symbolic definitions, as there. Only where numpy
would return NaN or ±inf (log of a negative number, 1/0, exp(1000)) ``math`` raises instead; the caller
then falls back to numeric.py's numpy path, which gives those very NaNs and infinities.

>>> import lagrange_ad as lad
>>> comp = lad.trace(lambda x, w: lad.tanh(w * x), "x w")
>>> z, lam = tape_of(comp).run([0.5, -2.0])
>>> round(z[4], 6), round(lam[1], 6), round(lam[2], 6)
(-0.761594, -0.839949, 0.209987)
"""

from __future__ import annotations

import math
import operator

import sympy

from .computation import Computation
from .lagrangian import derived
from .ops import OPS, Node

# opcodes: f(a, b) up to POW, f(a) from UNARY to NOTHING
ADD, MUL, SUB, DIV, POW, UNARY, NEG, NOTHING, WHERE, COPY = range(10)


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


# ``math`` counterparts of ops.NUMPY_NAMES, for the derivatives sympy derives
SCALAR_NAMES = {
    "sigmoid": _sigmoid,
    "relu": _relu,
    "Indicator": _indicator,
    "IndicatorGE": _indicator_ge,
    "DiracDelta": lambda x: 0.0,  # zero away from the switching point, and taken as zero at it
}
_MATH = {"exp": math.exp, "log": math.log, "sqrt": math.sqrt, "sin": math.sin, "cos": math.cos, "tanh": math.tanh}


def _derivative(name: str):
    """f' for the elementwise function ``name``, derived by sympy from its symbolic form, on floats."""
    t = sympy.Symbol("t")
    return sympy.lambdify(t, sympy.diff(OPS[name].symbolic(t), t), modules=[SCALAR_NAMES, "math"])


# opcode and forward function of each operation; elementwise functions also get their derivative
_BINARY = {"add": (ADD, operator.add), "sub": (SUB, operator.sub), "mul": (MUL, operator.mul),
           "div": (DIV, operator.truediv), "pow": (POW, math.pow)}  # fmt: skip
_ONE_ARGUMENT = {
    "neg": (NEG, operator.neg),
    "sum": (COPY, None),  # of a scalar: the scalar itself
    "mean": (COPY, None),
    "transpose": (COPY, None),
    "softmax": (NOTHING, _softmax),  # constant 1, derivative 0
    "indicator": (NOTHING, _indicator),  # derivative: a Dirac delta, taken as zero
    "indicator_ge": (NOTHING, _indicator_ge),
}
_ELEMENTWISE = {**_MATH, "sigmoid": _sigmoid, "relu": _relu}
_DERIVATIVES = {name: _derivative(name) for name in _ELEMENTWISE}  # once, at import, as ops.py does
# (opcode, f, df) of the operations a lean step can be (see Computation.record)
_LEAN = {
    **{name: (code, f, None) for name, (code, f) in _BINARY.items()},
    **{name: (code, f, None) for name, (code, f) in _ONE_ARGUMENT.items()},
    **{name: (UNARY, f, _DERIVATIVES[name]) for name, f in _ELEMENTWISE.items()},
}


class Tape:
    """The instructions of one computation, and the slots they use.

    Each instruction is ``(opcode, out, a, b, c, f, df)``: slot ``out`` = ``f`` of slots ``a`` (and ``b``);
    ``df`` is the derivative of an elementwise ``f``; for ``where``, ``a`` is the condition and ``b``/``c``
    the two branches; for ``pow``, ``c`` says which arguments need a derivative (1: the base, 2: the
    exponent).
    """

    def __init__(self, comp: Computation):
        self.n = len(comp)
        self.inputs = []
        self.values: list = [0.0] * (self.n + 1)  # initial slots: constants filled in, the rest 0
        self.code: list = []
        steps, lean, constants = comp.lean_steps()  # a trace's steps may not be Steps yet: no need to make them
        for step in steps:
            if step.shape:
                raise NotScalar(f"z_{step.index} is a matrix")
            if step.node is None:
                self.inputs.append(step.index)
            else:
                self._add(step.node, step.index, {})
        # A lean step (op, a, b) reads slots a and b; a constant of lean steps is numbered -1, -2...: Python
        # reads slot -k from the end of the list, so the constants go there, last first.
        code = self.code
        for out, (op, a, b) in enumerate(lean, len(steps) + 1):
            kind, f, df = _LEAN[op]
            code.append((kind, out, a, b, (a > 0) | (b > 0) << 1, f, df))
        self.values.extend(reversed(constants))

    def _slot(self, node: Node, memo: dict) -> int:
        """The slot holding the value of ``node`` (emitting its instructions first)."""
        if node.op == "z":
            return node.data
        slot = memo.get(id(node))
        if slot is None:
            if node.shape:
                raise NotScalar(f"{node!r} is a matrix")
            slot = self._constant(node) if node.op == "const" else self._add(node, None, memo)
            memo[id(node)] = slot
        return slot

    def _constant(self, node: Node) -> int:
        self.values.append(float(node.data))
        return len(self.values) - 1

    def _add(self, node: Node, out: int | None, memo: dict) -> int:
        """Emit the instruction of ``node`` (after those of its arguments), writing to slot ``out`` (or a new one)."""
        if node.op in ("z", "const"):  # a step that copies another z (or a constant)
            return self._emit("transpose", (node,), [self._slot(node, memo)], out)
        return self._emit(node.op, node.args, [self._slot(a, memo) for a in node.args], out)

    def _emit(self, name: str, nodes: tuple, args: list, out: int | None) -> int:
        """Emit the instruction ``out = name(args)``; ``nodes`` are the argument nodes, ``args`` their slots."""
        if out is None:
            out = len(self.values)
            self.values.append(0.0)
        if name in _BINARY:
            code, f = _BINARY[name]
            needs = (0 if _is_const(nodes[0]) else 1) | (0 if _is_const(nodes[1]) else 2)
            self.code.append((code, out, args[0], args[1], needs, f, None))
        elif name == "where":
            self.code.append((WHERE, out, args[0], args[1], args[2], None, None))
        elif name in _ONE_ARGUMENT:
            code, f = _ONE_ARGUMENT[name]
            self.code.append((code, out, args[0], 0, 0, f, None))
        elif name in _ELEMENTWISE:
            self.code.append((UNARY, out, args[0], 0, 0, _ELEMENTWISE[name], _DERIVATIVES[name]))
        else:  # matmul, index: operations on matrices
            raise NotScalar(f"{name} needs matrices")
        return out

    def run(self, inputs, backward: bool = True):
        """Slots after the forward pass, and (if ``backward``) after the backward pass: ``(z, λ)``.

        ``inputs`` are the input values in the order of the inputs. z[i] and λ[i] are z_i and λ_i (slot 0 is
        unused). Raises ArithmeticError or ValueError where numpy would give NaN or ±inf.
        """
        v = list(self.values)
        for i, x in zip(self.inputs, inputs, strict=True):
            v[i] = x
        for code, o, a, b, c, f, _ in self.code:
            if code <= POW:
                v[o] = f(v[a], v[b])
            elif code <= NOTHING:
                v[o] = f(v[a])
            elif code == WHERE:
                v[o] = v[b] if v[a] > 0 else v[c]
            else:
                v[o] = v[a]
        if not backward:
            return v, None
        lam = [0.0] * len(v)
        lam[self.n] = 1.0
        for code, o, a, b, c, _, df in reversed(self.code):
            g = lam[o]
            if not g:  # λ = 0: this operation does not influence the result, so it passes nothing on
                continue
            if code == ADD:
                lam[a] += g
                lam[b] += g
            elif code == MUL:
                lam[a] += g * v[b]
                lam[b] += g * v[a]
            elif code == UNARY:
                lam[a] += g * df(v[a])
            elif code == SUB:
                lam[a] += g
                lam[b] -= g
            elif code == DIV:
                lam[a] += g / v[b]
                lam[b] -= g * v[a] / (v[b] * v[b])
            elif code == NEG:
                lam[a] -= g
            elif code == POW:
                if c & 1:
                    lam[a] += g * v[b] * math.pow(v[a], v[b] - 1)
                if c & 2:
                    lam[b] += g * v[o] * math.log(v[a])
            elif code == WHERE:  # the indicator's own derivative is zero wherever it exists
                lam[b if v[a] > 0 else c] += g
            elif code == COPY:
                lam[a] += g
        return v, lam


def _is_const(node: Node) -> bool:
    return node.op == "const" or (node.op != "z" and all(_is_const(a) for a in node.args))


class NotScalar(Exception):
    """A computation with a matrix somewhere: numeric.py's numpy path handles it."""


def tape_of(comp: Computation) -> Tape | None:
    """The tape of a computation of scalars (built once per computation), or None if a value is a matrix."""

    def build():
        try:
            return Tape(comp)
        except NotScalar:
            return None

    return derived(comp, "tape", build)

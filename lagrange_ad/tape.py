"""The float tape: a computation of scalar steps as flat instructions on Python floats, the fast path of the
numeric gradient.

A computation whose every value is a scalar is lowered, once, into a list of instructions, one per
elementary operation (from each step's plan entries, :func:`lagrange_ad.plan.step_entries`; a traced step
kept lean already is one), each reading and writing numbered *slots* (slot i holds z_i; inner operations of a
step get slots after z_n, constants slots from the end). Running the tape is two tight loops: forward, the
values; backward, the multipliers, each λ_k handed on to the slots its operation read, newest instruction
first: the column form of back substitution, exactly as in :mod:`lagrange_ad.numeric`.

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
import numbers

from .cache import derived
from .computation import check_input_names, undefined_step
from .errors import InputError
from .floats import ADD, COPY, DIV, FLOAT_OPS, MUL, NEG, NOTHING, POW, SUB, UNARY, WHERE, ieee_value
from .lean import instructions
from .plan import CONST, Z, step_entries


class Tape:
    """The instructions of one computation, and the slots they use.

    Each instruction is ``(op, out, a, b, c)``: slot ``out`` = ``f`` of slots ``a`` (and ``b``), with ``op``
    the operation's :data:`~lagrange_ad.floats.FloatOp` ``(code, f, df, name)``; for ``where``, ``a`` is the
    condition and ``b``/``c`` the two branches; for ``pow``, ``c`` says which arguments are constants (1:
    the base, 2: the exponent), whose derivative must not be asked for (x ** 2 at x < 0 has no log(x)).
    Slot i holds z_i; inner operations of a step, and constants, get slots after z_n. A traced step kept
    lean (:mod:`lagrange_ad.lean`) already is such an instruction: the tape takes it as it is, unless it
    reads a constant (numbered -1, -2... while tracing: it gets its slot here).
    """

    def __init__(self, comp):
        self.n = len(comp)
        self.inputs = []
        self.values: list = [0.0] * (self.n + 1)  # initial slots: constants filled in, the rest 0
        self.code: list = []
        steps, lean, constants = comp._lean_steps()  # a trace's steps may not be Steps yet: no need to make them
        for step in steps:
            if step.shape:
                raise NotScalar(f"z_{step.index} is a matrix")
            if step.node is None:
                self.inputs.append(step.index)
            else:
                self._lower(step_entries(step.node), step.index)
        base = len(self.values) - 1  # lean constant -k goes to slot base + k
        self.values.extend(constants)
        self.code.extend(instructions(lean, base))

    def _lower(self, entries: list, out: int):
        """Emit the instructions of one step from its plan entries (:func:`lagrange_ad.plan.step_entries`),
        the last one writing to slot ``out``."""
        slots = []
        last = len(entries) - 1
        for p, (op, ref, args, needs, shape) in enumerate(entries):
            if shape:
                raise NotScalar("an operation on matrices")
            if op is Z:
                slots.append(ref)
            elif op is CONST:
                self.values.append(float(ref))
                slots.append(len(self.values) - 1)
            else:
                slots.append(self._emit(op.name, [slots[a] for a in args], out if p == last else None, needs))
        if last == 0:  # the step copies another z, or a constant
            self._emit("transpose", [slots[0]], out, (True,))

    def _emit(self, name: str, args: list, out: int | None, needs: tuple) -> int:
        """Append the instruction ``out = name(args)`` (``out``: a new slot if None); return ``out``."""
        op = FLOAT_OPS.get(name)
        if op is None:  # matmul, index: operations on matrices
            raise NotScalar(f"{name} needs matrices")
        if out is None:
            out = len(self.values)
            self.values.append(0.0)
        if name == "pow":  # which arguments are constants (a constant needs no gradient)
            args.append((not needs[0]) | (not needs[1]) << 1)
        args += [0] * (3 - len(args))
        self.code.append((op, out, *args))
        return out

    def run(self, inputs, backward: bool = True):
        """Slots after the forward pass, and (if ``backward``) after the backward pass: ``(z, λ)``.

        ``inputs`` are the input values in the order of the inputs. z[i] and λ[i] are z_i and λ_i (slot 0 is
        unused). Raises ArithmeticError or ValueError where numpy would give NaN or ±inf.
        """
        v = list(self.values)
        for i, x in zip(self.inputs, inputs, strict=True):
            v[i] = x
        for (code, f, _, _), o, a, b, c in self.code:
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
        for (code, _, df, _), o, a, b, c in reversed(self.code):
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
                if not c & 1:
                    lam[a] += g * v[b] * math.pow(v[a], v[b] - 1)
                if not c & 2:  # x ** 2 at x < 0 must not ask for log(x)
                    lam[b] += g * v[o] * math.log(v[a])
            elif code == WHERE:  # the indicator's own derivative is zero wherever it exists
                lam[b if v[a] > 0 else c] += g
            elif code == COPY:
                lam[a] += g
        return v, lam


    def run_ieee(self, inputs, backward: bool = True):
        """:meth:`run` with numpy's arithmetic where ``math`` refuses: NaN and ±inf, as the numpy engine gives
        them. The slow path, for when numpy is not there (the browser); λ is None if z_n is not a number."""
        v = list(self.values)
        for i, x in zip(self.inputs, inputs, strict=True):
            v[i] = x
        for (code, f, _, name), o, a, b, c in self.code:
            if code <= POW:
                v[o] = _ieee(f, name, v[a], v[b])
            elif code <= NOTHING:
                v[o] = _ieee(f, name, v[a])
            elif code == WHERE:
                v[o] = v[b] if v[a] > 0 else v[c]
            else:
                v[o] = v[a]
        if not backward or not math.isfinite(v[self.n]):
            return v, None
        lam = [0.0] * len(v)
        lam[self.n] = 1.0
        for (code, _, df, _), o, a, b, c in reversed(self.code):
            g = lam[o]
            if not g:
                continue
            if code in (ADD, SUB, NEG, WHERE, COPY, MUL):  # these never raise on floats
                self._pass_back(code, g, v, lam, o, a, b, c)
            elif code == UNARY:
                lam[a] += g * _ieee(df, "derivative", v[a])  # √x at 0: +inf
            elif code == DIV:
                lam[a] += _ieee(_divide, "div", g, v[b])
                lam[b] -= _ieee(_divide, "div", g * v[a], v[b] * v[b])
            elif code == POW:
                if not c & 1:
                    lam[a] += g * v[b] * _ieee(math.pow, "pow", v[a], v[b] - 1)
                if not c & 2:
                    lam[b] += g * v[o] * _ieee(math.log, "log", v[a])
        return v, lam

    @staticmethod
    def _pass_back(code, g, v, lam, o, a, b, c):
        if code == ADD:
            lam[a] += g
            lam[b] += g
        elif code == MUL:
            lam[a] += g * v[b]
            lam[b] += g * v[a]
        elif code == SUB:
            lam[a] += g
            lam[b] -= g
        elif code == NEG:
            lam[a] -= g
        elif code == WHERE:
            lam[b if v[a] > 0 else c] += g
        else:
            lam[a] += g


def _divide(a, b):
    return a / b


def _ieee(f, name, *xs):
    """``f(*xs)``, or the NaN or ±inf numpy gives where ``math`` raises."""
    try:
        return f(*xs)
    except (ArithmeticError, ValueError) as error:
        return ieee_value(name, xs, error)


def scalar_inputs(comp, values) -> list[float]:
    """The input values of a computation of scalars, checked (as :func:`lagrange_ad.numeric.check_values`
    does, without numpy), in the tape's order of inputs."""
    inputs = comp.inputs
    check_input_names(inputs, values)
    out = []
    for step in inputs:
        raw = values[step.name]
        shape = getattr(raw, "shape", None)  # a numpy array
        if shape == ():
            raw = float(raw)
        elif shape is not None or isinstance(raw, (list, tuple)):
            got = tuple(shape) if shape is not None else f"a {type(raw).__name__}"
            raise InputError(f"input {step.name!r} must have shape (), got {got}")
        if isinstance(raw, bool) or not isinstance(raw, numbers.Real):
            raise InputError(f"input {step.name!r} must be a number or an array, not {type(raw).__name__}")
        if not math.isfinite(raw):
            raise InputError(f"input {step.name!r} contains NaN or infinite entries: {raw!r}")
        out.append(float(raw))
    return out


def scalar_numbers(comp, values, backward: bool = True):
    """``(z, λ)`` of a computation of scalars at the input ``values`` (a dict by name), on the float tape,
    without numpy: z[i] = z_i and λ[i] = λ_i = ∂z_n/∂z_i (λ is None unless ``backward``).

    Where the result z_n is not a number the error names the first step that is not, as
    :func:`lagrange_ad.gradient` does.

    >>> import lagrange_ad as lad
    >>> z, lam = scalar_numbers(lad.trace(lambda x: x * x + 1, "x"), {"x": 3.0})
    >>> z[3], lam[1]
    (10.0, 6.0)
    >>> scalar_numbers(lad.trace(lambda x: lad.log(x), "x"), {"x": -1.0})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    lagrange_ad.errors.InputError: at these input values z_2 is NaN: z_2 = log(z_1). So the result z_2 is not ...
    """
    tape = tape_of(comp)
    if tape is None:
        raise InputError("this computation has a matrix-valued step: its numbers need numpy (lad.gradient)")
    inputs = scalar_inputs(comp, values)
    try:
        z, lam = tape.run(inputs, backward)
    except (ArithmeticError, ValueError):  # math refused: numpy's NaN and ±inf, and where they arise
        z, lam = tape.run_ieee(inputs, backward)
    n = comp.output_index()
    if not math.isfinite(z[n]):
        step = next(s for s in comp.steps if not math.isfinite(z[s.index]))
        raise undefined_step(comp, step, "NaN" if math.isnan(z[step.index]) else "infinite")
    return z[: n + 1], (lam[: n + 1] if lam is not None else None)


class NotScalar(Exception):
    """A computation with a matrix somewhere: numeric.py's numpy path handles it."""


def tape_of(comp) -> Tape | None:
    """The tape of a computation of scalars (built once per computation), or None if a value is a matrix."""

    def build():
        try:
            return Tape(comp)
        except NotScalar:
            return None

    return derived(comp, "tape", build)

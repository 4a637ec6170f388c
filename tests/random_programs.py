"""Random computations for the property tests, written once and run on several backends.

A :class:`Program` is a list of instructions over registers (the inputs come first). :func:`run`
interprets it with a *backend* ``F`` that supplies the elementary functions (``F.exp``, ``F.where``,
``F.sum``...); the operators ``+ - * / ** @``, unary minus, ``.T``, indexing and comparisons are
Python's own. So the very same program runs

* traced by lagrange_ad (``F = lagrange_ad``, the arguments are traced values),
* on HIPS autograd (``F = AUTOGRAD``, built on ``autograd.numpy`` only),
* on plain numpy (``F = AUTOGRAD`` again, with plain arrays), for finite differences,
* on PyTorch (``F = TorchBackend()``) when torch is importable,

and the references never touch lagrange_ad's own numbers.

Domains are kept safe by construction: ``log``, ``sqrt``, the divisor of ``/`` and the base of a
traced power only ever receive registers known to be positive (``x*x + 0.5``, ``sigmoid``, ``exp``,
``softmax``...). What construction cannot promise (no value near a ``where`` switch or a ``relu``
kink, no overflow) is checked on the numbers by a :class:`Monitor`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import autograd.numpy as anp
import numpy as np
from hypothesis import strategies as st

import lagrange_ad as lad

SHAPES = [(), (), (1, 3), (2, 3), (3, 2), (2, 2), (2, 1), (3, 1)]
UNARY = ["sin", "cos", "tanh", "sigmoid", "exp", "relu", "neg"]
POSITIVE_MAKERS = ["square", "sigmoid", "exp", "sqrt"]
COMPARISONS = [">", ">=", "<", "<="]


# ------------------------------------------------------------------------------------------------
# backends


class AutogradBackend:
    """The elementary functions written with ``autograd.numpy`` (works on plain numpy arrays too)."""

    exp = staticmethod(anp.exp)
    log = staticmethod(anp.log)
    sqrt = staticmethod(anp.sqrt)
    sin = staticmethod(anp.sin)
    cos = staticmethod(anp.cos)
    tanh = staticmethod(anp.tanh)
    sum = staticmethod(anp.sum)
    mean = staticmethod(anp.mean)

    @staticmethod
    def where(cond, a, b):
        # autograd's where does not sum a broadcast branch's gradient back to its shape: broadcast first
        zeros = anp.zeros(np.broadcast_shapes(np.shape(cond), anp.shape(a), anp.shape(b)))
        return anp.where(cond, a + zeros, b + zeros)

    @staticmethod
    def sigmoid(x):
        return 1.0 / (1.0 + anp.exp(-x))

    @staticmethod
    def relu(x):
        return anp.maximum(x, 0.0)

    @staticmethod
    def softmax(x):
        e = anp.exp(x - anp.max(x, axis=1, keepdims=True))
        return e / anp.sum(e, axis=1, keepdims=True)

    @staticmethod
    def cross_entropy(p, y):
        return -anp.sum(y * anp.log(p))


AUTOGRAD = AutogradBackend()


class TorchBackend:
    """The elementary functions written with PyTorch (only built when torch is importable)."""

    def __init__(self):
        import torch

        self.torch = torch
        self.exp, self.log, self.sqrt = torch.exp, torch.log, torch.sqrt
        self.sin, self.cos, self.tanh = torch.sin, torch.cos, torch.tanh
        self.sigmoid, self.relu = torch.sigmoid, torch.relu
        self.sum, self.mean = torch.sum, torch.mean

    def softmax(self, x):
        return self.torch.softmax(x, dim=1)

    def where(self, cond, a, b):
        t = self.torch
        a = a if isinstance(a, t.Tensor) else t.tensor(a, dtype=t.float64)
        b = b if isinstance(b, t.Tensor) else t.tensor(b, dtype=t.float64)
        return t.where(cond, a, b)

    def const(self, c):
        # torch does not mix with numpy arrays the way numpy and lagrange_ad do
        return self.torch.tensor(c, dtype=self.torch.float64) if isinstance(c, np.ndarray) else c


# ------------------------------------------------------------------------------------------------
# programs


@dataclass
class Program:
    inputs: list  # [(name, shape)]
    instructions: list = field(default_factory=list)

    @property
    def names(self) -> str:
        return " ".join(name for name, _ in self.inputs)

    @property
    def shapes(self) -> dict:
        return {name: shape for name, shape in self.inputs if shape}

    def kinds(self) -> set:
        return {ins[0] for ins in self.instructions}

    def reads(self, ins) -> list:
        """The registers an instruction reads (with repeats)."""
        kind = ins[0]
        if kind in ("unary", "positive"):
            return [ins[2]]
        if kind == "loop":
            return [ins[2], ins[3], ins[3]]  # the parameter is read at every pass
        if kind == "index":
            return [ins[1]]
        return [op if isinstance(op, int) else op[1] for op in ins[1:] if isinstance(op, int) or _is_register(op)]

    def reuses_a_value(self) -> bool:
        reads = [r for ins in self.instructions for r in self.reads(ins)]
        return len(reads) != len(set(reads))

    def __repr__(self):
        first = len(self.inputs)
        lines = [f"  r{first + k} = {ins}" for k, ins in enumerate(self.instructions)]
        return "\n".join([f"inputs {self.inputs}", *lines])


class Monitor:
    """Watches a plain-numpy run: the smallest distance to a switch or kink, the largest magnitude, and
    which side of every switch the run is on (so finite differences can avoid crossing one)."""

    def __init__(self):
        self.margin = np.inf
        self.largest = 0.0
        self.sides = []

    def switch(self, difference):
        d = np.asarray(difference, dtype=float)
        self.margin = min(self.margin, float(np.min(np.abs(d))))
        self.sides.append(d > 0)

    def value(self, v):
        a = np.asarray(v, dtype=float)
        self.largest = max(self.largest, float(np.max(np.abs(a))) if np.all(np.isfinite(a)) else np.inf)

    def signature(self):
        return tuple(s.tobytes() for s in self.sides)


def _is_register(op) -> bool:
    return isinstance(op, tuple) and len(op) == 2 and op[0] == "r"


def _operand(regs, op, F):
    kind, x = op
    if kind == "r":
        return regs[x]
    const = getattr(F, "const", None)
    return const(x) if const is not None else x


def _compare(cmp, a, b):
    return {">": a > b, ">=": a >= b, "<": a < b, "<=": a <= b}[cmp]


def _positive(kind, r, F):
    if kind == "square":
        return r * r + 0.5
    if kind == "sigmoid":
        return F.sigmoid(r)
    if kind == "exp":
        return F.exp(r)
    return F.sqrt(r * r + 0.25)


def run(program: Program, F, *args, monitor: Monitor | None = None):
    """Run ``program`` on ``args`` with backend ``F``; the result is a scalar."""
    regs = list(args)
    for ins in program.instructions:
        kind = ins[0]
        if kind == "unary":
            _, fn, i = ins
            if fn == "relu" and monitor:
                monitor.switch(regs[i])
            out = -regs[i] if fn == "neg" else getattr(F, fn)(regs[i])
        elif kind == "positive":
            _, how, i = ins
            out = _positive(how, regs[i], F)
        elif kind in ("log", "sqrt"):
            out = getattr(F, kind)(regs[ins[1]])
        elif kind == "binary":
            _, sym, a, b = ins
            a, b = _operand(regs, a, F), _operand(regs, b, F)
            out = a + b if sym == "+" else a - b if sym == "-" else a * b
        elif kind == "div":
            out = _operand(regs, ins[1], F) / _operand(regs, ins[2], F)
        elif kind == "pow":
            out = _operand(regs, ins[1], F) ** _operand(regs, ins[2], F)
        elif kind == "matmul":
            out = _operand(regs, ins[1], F) @ _operand(regs, ins[2], F)
        elif kind in ("softmax", "sum", "mean"):
            out = getattr(F, kind)(regs[ins[1]])
        elif kind == "transpose":
            out = regs[ins[1]].T
        elif kind == "index":
            _, i, r, c = ins
            out = regs[i][r, c]
        elif kind == "where":
            _, cmp, lhs, rhs, a, b = ins
            lhs, rhs = _operand(regs, lhs, F), _operand(regs, rhs, F)
            if monitor:
                monitor.switch(lhs - rhs)
            out = F.where(_compare(cmp, lhs, rhs), _operand(regs, a, F), _operand(regs, b, F))
        elif kind == "loop":
            # an unrolled loop: every pass reads the same parameter p (and, for "rnn", the start x0)
            _, how, i, j, times = ins
            x0, p = regs[i], regs[j]
            out = x0
            for _ in range(times):
                out = out + p if how == "add" else F.tanh(out * p + x0)
        else:  # pragma: no cover - a typo in the generator
            raise AssertionError(f"unknown instruction {ins}")
        if monitor:
            monitor.value(out)
        regs.append(out)
    # z_n: every register after the inputs counts, so nothing computed is dead
    total = 0.0
    for r in regs[len(program.inputs) :] or regs:
        total = total + F.mean(r)
    return total


# ------------------------------------------------------------------------------------------------
# the hypothesis strategy


def _broadcast(*shapes):
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        return None


_SCALAR_CONSTANTS = st.sampled_from([-1.5, -0.5, 0.25, 1.0, 2.0, 3])
_POSITIVE_CONSTANTS = st.sampled_from([0.5, 1.5, 2.0, 3])


def _array(shape, low, high):
    return st.lists(st.floats(low, high), min_size=int(np.prod(shape)), max_size=int(np.prod(shape))).map(
        lambda xs: np.round(np.array(xs, dtype=float).reshape(shape), 3)
    )


@st.composite
def _constant(draw, shape, positive=False):
    if shape == ():
        return ("c", draw(_POSITIVE_CONSTANTS if positive else _SCALAR_CONSTANTS))
    return ("c", draw(_array(shape, 0.5, 2.0) if positive else _array(shape, -2.0, 2.0)))


@st.composite
def programs(draw, min_instructions=1, max_instructions=8, scalar_only=False, max_inputs=4):
    """A random program: 1–``max_inputs`` inputs (scalars and small matrices), then instructions."""
    shapes = [()] if scalar_only else SHAPES
    n_inputs = draw(st.integers(1, max_inputs))
    inputs = [(f"v{k}", draw(st.sampled_from(shapes))) for k in range(n_inputs)]
    regs = [(shape, False) for _, shape in inputs]  # (shape, known positive)
    program = Program(inputs)
    n = draw(st.integers(min_instructions, max_instructions))

    def pick(pred=lambda shape, pos: True):
        choices = [k for k, (shape, pos) in enumerate(regs) if pred(shape, pos)]
        return draw(st.sampled_from(choices)) if choices else None

    def operand(with_shape=None, positive=False):
        """A register, or sometimes a constant whose shape broadcasts with ``with_shape``."""
        if draw(st.integers(0, 3)) == 0 and with_shape is not None:
            shape = draw(st.sampled_from([(), with_shape] if with_shape else [()]))
            return draw(_constant(shape, positive))
        k = pick((lambda s, p: p) if positive else (lambda s, p: True))
        if k is None:
            return draw(_constant((), positive))
        return ("r", k)

    def shape_of(op):
        return regs[op[1]][0] if op[0] == "r" else np.shape(op[1])

    kinds = ["unary", "positive", "log", "sqrt", "binary", "div", "pow", "where", "loop", "sum", "mean"]
    if not scalar_only:
        kinds += ["matmul", "softmax", "transpose", "index"]
    while len(program.instructions) < n:
        kind = draw(st.sampled_from(kinds))
        ins, result = None, None
        if kind == "unary":
            i = pick()
            fn = draw(st.sampled_from(UNARY))
            ins, result = ("unary", fn, i), (regs[i][0], fn in ("sigmoid", "exp"))
        elif kind == "positive":
            i = pick()
            ins, result = ("positive", draw(st.sampled_from(POSITIVE_MAKERS)), i), (regs[i][0], True)
        elif kind in ("log", "sqrt"):
            i = pick(lambda s, p: p)
            if i is not None:
                ins, result = (kind, i), (regs[i][0], kind == "sqrt")
        elif kind == "binary":
            a = ("r", pick())
            b = operand(with_shape=shape_of(a))
            if draw(st.booleans()):
                a, b = b, a  # constants on either side: 2 * x as well as x * 2
            shape = _broadcast(shape_of(a), shape_of(b))
            if shape is not None:
                sym = draw(st.sampled_from("+-*"))
                both_positive = all(op[0] == "r" and regs[op[1]][1] for op in (a, b))
                ins, result = ("binary", sym, a, b), (shape, sym in "+*" and both_positive)
        elif kind == "div":
            a = operand(with_shape=())
            b = operand(with_shape=(), positive=True)
            shape = _broadcast(shape_of(a), shape_of(b))
            if shape is not None and (a[0] == "r" or b[0] == "r"):
                ins, result = ("div", a, b), (shape, False)
        elif kind == "pow":
            how = draw(st.sampled_from(["integer", "positive base", "constant base"]))
            if how == "integer":  # any base, a small whole exponent
                a, b = ("r", pick()), ("c", draw(st.sampled_from([2, 3])))
            elif how == "positive base":  # a positive base, any exponent
                base = pick(lambda s, p: p)
                a = ("r", base) if base is not None else draw(_constant((), positive=True))
                b = operand(with_shape=())
            else:  # 2 ** x
                a, b = draw(_constant((), positive=True)), ("r", pick())
            shape = _broadcast(shape_of(a), shape_of(b))
            if shape is not None and (a[0] == "r" or b[0] == "r"):
                ins, result = ("pow", a, b), (shape, how == "constant base")
        elif kind == "matmul":
            i = pick(lambda s, p: s != ())
            if i is not None:
                rows, inner = regs[i][0]
                j = pick(lambda s, p, inner=inner: s != () and s[0] == inner)
                right = ("r", j) if j is not None else draw(_constant((inner, draw(st.integers(1, 3)))))
                left = ("r", i)
                if draw(st.booleans()) and j is not None:  # also a constant on the left
                    left = draw(_constant((draw(st.integers(1, 3)), rows)))
                    right = ("r", i)
                ins = ("matmul", left, right)
                result = ((shape_of(left)[0], shape_of(right)[1]), False)
        elif kind in ("softmax", "transpose", "index"):
            i = pick(lambda s, p: s != ())
            if i is not None:
                shape = regs[i][0]
                if kind == "softmax":
                    ins, result = ("softmax", i), (shape, True)
                elif kind == "transpose":
                    ins, result = ("transpose", i), (shape[::-1], regs[i][1])
                else:
                    r, c = draw(st.integers(0, shape[0] - 1)), draw(st.integers(0, shape[1] - 1))
                    ins, result = ("index", i, r, c), ((), regs[i][1])
        elif kind in ("sum", "mean"):
            i = pick()
            ins, result = (kind, i), ((), regs[i][1])
        elif kind == "where":
            lhs = ("r", pick())
            rhs = operand(with_shape=shape_of(lhs))
            a, b = operand(with_shape=()), operand(with_shape=())
            shape = _broadcast(shape_of(lhs), shape_of(rhs), shape_of(a), shape_of(b))
            if shape is not None:
                positive = all(op[0] == "r" and regs[op[1]][1] for op in (a, b))
                ins, result = ("where", draw(st.sampled_from(COMPARISONS)), lhs, rhs, a, b), (shape, positive)
        elif kind == "loop":
            i, j = pick(), pick()
            shape = _broadcast(regs[i][0], regs[j][0])
            if shape is not None:
                how = draw(st.sampled_from(["add", "rnn"]))
                ins, result = ("loop", how, i, j, draw(st.integers(2, 4))), (shape, False)
        if ins is not None and result[0] is not None and all(d <= 3 for d in result[0]):
            program.instructions.append(ins)
            regs.append(result)
    return program


@st.composite
def inputs_for(draw, program: Program, low=-1.5, high=1.5):
    """Input values for ``program``: generic points drawn from a seeded generator (so they rarely sit
    on a switch), in the same order as the inputs."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    shapes = [shape for _, shape in program.inputs]
    return [rng.uniform(low, high, shape) if shape else float(rng.uniform(low, high)) for shape in shapes]


@st.composite
def cases(draw, **kwargs):
    """A random program (``programs(**kwargs)``) and input values for it."""
    program = draw(programs(**kwargs))
    return program, draw(inputs_for(program))


def trace(program: Program):
    """The program traced by lagrange_ad: the computation the tests differentiate."""
    return lad.trace(lambda *a: run(program, lad, *a), program.names, shapes=program.shapes)


def safe(program: Program, args) -> bool:
    """The run stays away from overflow and from every switch point (where, relu)."""
    monitor = Monitor()
    with np.errstate(all="ignore"):
        value = run(program, AUTOGRAD, *args, monitor=monitor)
    return bool(np.isfinite(value)) and monitor.largest < 1e4 and monitor.margin > 1e-6

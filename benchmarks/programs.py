"""The functions the benchmarks differentiate, written once for every framework.

Each builder returns a Python function whose first argument ``m`` is a *namespace* of elementary
functions (``tanh``, ``sin``, ``sigmoid``, ``softmax``, ``log``, ``sum``). The same code then runs

* traced by lagrange_ad (``m = LAD``), one step per elementary operation;
* on plain numbers with numpy (``m = NUMPY``), the baseline a gradient is measured against;
* under HIPS autograd (``m = AUTOGRAD``);
* on sympy symbols (``m = SYMPY``), to build the composed expression that ``sympy.diff`` differentiates.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

import lagrange_ad as lad


def _softmax(xp, x):
    e = xp.exp(x - xp.max(x, axis=1, keepdims=True))
    return e / xp.sum(e, axis=1, keepdims=True)


def _namespace(xp, **extra):
    ns = SimpleNamespace(
        tanh=xp.tanh,
        sin=xp.sin,
        cos=xp.cos,
        log=xp.log,
        sum=xp.sum,
        sigmoid=lambda x: 0.5 * (xp.tanh(0.5 * x) + 1.0),
        softmax=lambda x: _softmax(xp, x),
    )
    ns.__dict__.update(extra)
    return ns


NUMPY = _namespace(np)
LAD = SimpleNamespace(
    tanh=lad.tanh, sin=lad.sin, cos=lad.cos, log=lad.log, sum=lad.sum, sigmoid=lad.sigmoid, softmax=lad.softmax
)


def autograd_namespace():
    import autograd.numpy as anp

    return _namespace(anp)


def sympy_namespace():
    import sympy

    return SimpleNamespace(tanh=sympy.tanh, sin=sympy.sin, cos=sympy.cos)


@dataclass
class Program:
    """A function of named inputs, the values to run it at, and how many steps its trace has."""

    name: str
    fn: object  # fn(m, *inputs)
    inputs: dict  # name -> value (float or array); the order is the order of fn's arguments
    size: int  # the number of steps of its trace (inputs included), or the layer width

    @property
    def names(self) -> list[str]:
        return list(self.inputs)

    @property
    def shapes(self) -> dict:
        return {k: np.shape(v) for k, v in self.inputs.items() if np.ndim(v)}

    def bind(self, m):
        """fn with the namespace filled in: a function of the inputs alone."""
        fn = self.fn
        return lambda *args: fn(m, *args)

    def trace(self):
        return lad.trace(self.bind(LAD), self.names, shapes=self.shapes, max_steps=self.size + 10)


# ------------------------------------------------------------------------------------------------
# scalar graphs


def chain(n: int) -> Program:
    """A chain of exactly n steps: inputs x and w, then tanh, ×w, +0.5, tanh, ... each reading the last."""
    if n < 3:
        raise ValueError("a chain needs at least 3 steps")

    def fn(m, x, w):
        for k in range(n - 2):
            r = k % 3
            x = m.tanh(x) if r == 0 else (x * w if r == 1 else x + 0.5)
        return x

    return Program(f"chain {n}", fn, {"x": 0.3, "w": 0.9}, n)


def dense(depth: int) -> Program:
    """A dense block: layer j is tanh of the mean of the input and all j − 1 earlier layers.

    The mean is written with + and /, so layer j is j + 1 steps and the block ~depth²/2 steps.
    """

    def fn(m, x):
        layers = [x]
        for _ in range(depth):
            total = layers[0]
            for h in layers[1:]:
                total = total + h
            layers.append(m.tanh(total / len(layers)))
        return layers[-1]

    steps = 1 + sum(j + 1 for j in range(1, depth + 1))
    return Program(f"dense {depth}", fn, {"x": 0.7}, steps)


def random_dag(n: int, seed: int = 0, inputs: int = 4) -> Program:
    """A random DAG of exactly n steps: each step is tanh, sin or cos of one earlier value, or +, − or ×
    of two, chosen uniformly among all earlier values (seeded, so the graph is fixed)."""
    rng = np.random.default_rng(seed)
    plan = []
    for k in range(inputs, n):
        op = int(rng.integers(6))
        plan.append((op, int(rng.integers(k)), int(rng.integers(k))))

    def fn(m, *args):
        v = list(args)
        for op, i, j in plan:
            a, b = v[i], v[j]
            if op == 0:
                v.append(m.tanh(a))
            elif op == 1:
                v.append(m.sin(a))
            elif op == 2:
                v.append(m.cos(a))
            elif op == 3:
                v.append(a + b)
            elif op == 4:
                v.append(a - b)
            else:
                v.append(a * b)
        return v[-1]

    values = {f"x{k + 1}": float(x) for k, x in enumerate(rng.uniform(-1, 1, inputs))}
    return Program(f"random DAG {n}", fn, values, n)


# ------------------------------------------------------------------------------------------------
# the source post's network, at a given width


def source_network(width: int, batch: int = 64, seed: int = 0) -> Program:
    """z5 = x w1, z6 = σ(z5), z7 = z6 w2, z8 = softmax(z7), z9 = cross-entropy(z8, y), every layer ``width``
    wide, on a batch of ``batch`` rows with one-hot targets y."""
    rng = np.random.default_rng(seed)
    values = {
        "x": rng.normal(size=(batch, width)),
        "y": np.eye(width)[rng.integers(width, size=batch)],
        "w1": rng.normal(scale=width**-0.5, size=(width, width)),
        "w2": rng.normal(scale=width**-0.5, size=(width, width)),
    }

    def fn(m, x, y, w1, w2):
        return -m.sum(y * m.log(m.softmax(m.sigmoid(x @ w1) @ w2)))

    return Program(f"source network {width}", fn, values, width)


def source_network_deltas(x, y, w1, w2):
    """The hand-written backprop of the source network up to its two deltas: ``(s, p, do, dh)``, the hidden
    layer σ(x w1), the probabilities, and ∂loss/∂ of the two pre-activations (the classic two-layer softmax
    classifier)."""
    s = 0.5 * (np.tanh(0.5 * (x @ w1)) + 1.0)
    o = s @ w2
    e = np.exp(o - o.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    do = p * y.sum(axis=1, keepdims=True) - y  # ∂/∂o of −Σ y log softmax(o)
    dh = (do @ w2.T) * s * (1.0 - s)
    return s, p, do, dh


def source_network_by_hand(x, y, w1, w2):
    """The source network's gradient written out by hand in numpy: the practical floor of what any reverse
    mode can cost for it.

    Returns the gradients with respect to x, y, w1 and w2, as lad.gradient does.
    """
    s, p, do, dh = source_network_deltas(x, y, w1, w2)
    return dh @ w1.T, -np.log(p), x.T @ dh, s.T @ do

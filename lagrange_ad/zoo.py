"""The computations the book studies.

>>> comp, values = source_network()
>>> [s.name for s in comp.steps]
['x', 'y', 'w1', 'w2', 'z5', 'z6', 'z7', 'z8', 'z9']
"""

from __future__ import annotations

import numpy as np

from . import values as t
from .computation import Computation


def source_network(seed: int = 0):
    """The source post's network, exactly as it writes it, with small shapes and fixed numbers.

    z1 = x (1×3), z2 = y (a one-hot 1×2 target), z3 = w1 (3×4), z4 = w2 (4×2),
    z5 = z1 z3, z6 = σ(z5), z7 = z6 z4, z8 = softmax(z7), z9 = loss(z8, z2) (cross-entropy).

    Returns ``(computation, input values)``.

    >>> comp, values = source_network()
    >>> comp.a(9), comp.b(5)
    ((2, 8), (6,))
    """
    comp = Computation()
    x = comp.input("x", (1, 3))
    y = comp.input("y", (1, 2))
    w1 = comp.input("w1", (3, 4))
    w2 = comp.input("w2", (4, 2))
    z5 = comp.assign(x @ w1)
    z6 = comp.assign(t.sigmoid(z5))
    z7 = comp.assign(z6 @ w2)
    z8 = comp.assign(t.softmax(z7))
    comp.assign(t.cross_entropy(z8, y))
    rng = np.random.default_rng(seed)
    values = {
        "x": np.array([[0.5, -1.0, 2.0]]),
        "y": np.array([[0.0, 1.0]]),
        "w1": np.round(rng.normal(0.0, 0.5, (3, 4)), 2),
        "w2": np.round(rng.normal(0.0, 0.5, (4, 2)), 2),
    }
    return comp, values


def source_network_function(x, y, w1, w2):
    """The same network as a plain Python function (runs on numpy arrays, or traced)."""
    return t.cross_entropy(t.softmax(t.sigmoid(x @ w1) @ w2), y)


def loop_example(x, c):
    """The source post's ``loop 1:3: x = x + c``, followed by a square so the result is nonlinear."""
    for _ in range(3):
        x = x + c
    return x * x

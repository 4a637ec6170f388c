"""Network architectures as computations, to see how the shape of A follows the wiring.

Every builder returns an :class:`Architecture`: a :class:`~lagrange_ad.Computation` built with the public
API (so the Lagrangian, A and back substitution apply unchanged), input values, and which steps are the
network's *layers*. The layout is the same for all of them:

* first the inputs: ``x`` (the network's input; for the recurrent network one ``x_t`` per time step),
  then, with ``params=True``, the weights as inputs (so the gradient has an entry per weight, as in
  training); with ``params=False`` the weights are constants baked into the formulas;
* then the layers, one step each: ``z = tanh(Σ_j z_j W_j)`` over the steps the layer reads;
* last, the loss ``½ Σ (last layer)²`` (a scalar, as z_n must be).

``width=1`` makes every layer a scalar (A is then n×n); ``width=m`` makes layers 1×m rows and weights m×m
matrices (A is made of blocks; :func:`~lagrange_ad.block_pattern` shows one cell per step).

>>> arch = dense(3)
>>> [s.name for s in arch.comp.steps]
['x', 'h1', 'h2', 'h3', 'loss']
>>> [arch.comp.a(i) for i in arch.layers]
[(1,), (1, 2), (1, 2, 3)]
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import values as t
from .computation import Computation
from .errors import LagrangeADError


@dataclass
class Architecture:
    """A network as a computation.

    ``block`` lists the steps whose mutual wiring the architecture is about (the network input and its
    layers, in order); ``layers`` the layer steps alone; ``params`` the names of weight inputs.
    """

    name: str
    comp: Computation
    values: dict
    layers: list[int]
    block: list[int]
    params: list[str] = field(default_factory=list)
    description: str = ""

    def __repr__(self):
        return f"<Architecture {self.name}: {len(self.comp)} steps, {len(self.layers)} layers>"


class _Builder:
    """Shared bookkeeping: inputs, weights (constants or inputs), layers and the final loss."""

    def __init__(self, width: int, params: bool, seed: int, batch: int = 1):
        for what, v in (("width", width), ("batch", batch)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise LagrangeADError(f"{what} must be a positive integer, got {v!r}")
        self.width = int(width)
        self.batch = int(batch)
        self.params = bool(params)
        self.rng = np.random.default_rng(seed)
        self.comp = Computation()
        self.values: dict = {}
        self.param_names: list[str] = []
        self.layers: list[int] = []
        self._pending: list[tuple[str, object]] = []

    @property
    def shape(self):
        return () if self.width == 1 and self.batch == 1 else (self.batch, self.width)

    def input(self, name: str):
        value = self.rng.normal(0.0, 1.0, self.shape) if self.shape else float(self.rng.normal())
        self.values[name] = value
        return self.comp.input(name, self.shape)

    def weight(self, name: str, fan_in: int):
        """A weight: an input of the computation if params, else a constant (scaled to keep tanh alive)."""
        scale = 1.0 / np.sqrt(fan_in * self.width)
        if self.width == 1:
            w = float(np.round(self.rng.normal(0.0, scale) + 0.5 / fan_in, 3))
        else:
            w = np.round(self.rng.normal(0.0, scale, (self.width, self.width)), 3)
        if not self.params:
            return w
        self.values[name] = w
        self.param_names.append(name)
        return self.comp.input(name, () if self.width == 1 else (self.width, self.width))

    def weights_for(self, layer_name: str, sources) -> list:
        """One weight per source of a layer (named W<layer>_<source step>)."""
        return [
            self.weight(f"W{layer_name}_{j}" if len(sources) > 1 else f"W{layer_name}", len(sources)) for j in sources
        ]

    def layer(self, name: str, sources: list[int], weights: list):
        """The step ``tanh(Σ_j z_j W_j)``."""
        total = None
        for j, w in zip(sources, weights, strict=True):
            z = self.comp.z(j)
            term = z * w if self.width == 1 else z @ w
            total = term if total is None else total + term
        step = self.comp.assign(t.tanh(total), name=name)
        self.layers.append(step.step.index)
        return step.step.index

    def loss(self, last: int):
        z = self.comp.z(last)
        self.comp.assign(0.5 * t.sum(z * z) if self.shape else 0.5 * z * z, name="loss")

    def finish(self, kind: str, last: int, description: str, block=None) -> Architecture:
        """Close the network with the loss on step ``last`` and package it (``block`` defaults to 1 + layers)."""
        self.loss(last)
        block = [1] + self.layers if block is None else block
        return Architecture(kind, self.comp, self.values, self.layers, block, self.param_names, description)


def _count(k: int, noun: str) -> str:
    """``k`` and the noun, plural when it should be.

    >>> _count(1, "block"), _count(3, "branch"), _count(2, "layer")
    ('1 block', '3 branches', '2 layers')
    """
    if k == 1:
        return f"1 {noun}"
    return f"{k} {noun}es" if noun.endswith(("ch", "sh", "s", "x")) else f"{k} {noun}s"


def _check_depth(depth, what="depth", minimum=1):
    if isinstance(depth, bool) or not isinstance(depth, (int, np.integer)) or depth < minimum:
        raise LagrangeADError(f"{what} must be an integer ≥ {minimum}, got {depth!r}")
    return int(depth)


def chain(depth: int, width: int = 1, params: bool = False, seed: int = 0, batch: int = 1) -> Architecture:
    """A chain (a multilayer perceptron): layer k reads layer k−1 only; A is bidiagonal.

    ``batch`` > 1 feeds a batch of inputs at once (x is batch × width), as in training.

    >>> arch = chain(3)
    >>> [arch.comp.a(i) for i in arch.layers], arch.block
    ([(1,), (2,), (3,)], [1, 2, 3, 4])
    """
    depth = _check_depth(depth)
    b = _Builder(width, params, seed, batch)
    b.input("x")
    # all weights are inputs that come before the layers, so create them first
    weights = [b.weights_for(f"{k}", [0]) for k in range(1, depth + 1)]
    prev = 1
    for k in range(1, depth + 1):
        prev = b.layer(f"h{k}", [prev], weights[k - 1])
    return b.finish("chain", prev, f"chain of {_count(depth, 'layer')}")


def residual(blocks: int, width: int = 1, params: bool = False, seed: int = 0) -> Architecture:
    """A residual network: each block is two steps, ``h = tanh(z W)`` and ``z' = tanh(h W') + z``.

    The skip connection makes ``z'`` read ``z`` as well as ``h``: an entry two places above the diagonal.

    >>> arch = residual(2)
    >>> [(s.name, arch.comp.a(s.index)) for s in arch.comp.steps[1:]]
    [('a1', (1,)), ('r1', (1, 2)), ('a2', (3,)), ('r2', (3, 4)), ('loss', (5,))]
    """
    blocks = _check_depth(blocks, "blocks")
    b = _Builder(width, params, seed)
    b.input("x")
    weights = [(b.weights_for(f"a{k}", [0]), b.weights_for(f"r{k}", [0])) for k in range(1, blocks + 1)]
    prev = 1
    for k in range(1, blocks + 1):
        wa, wr = weights[k - 1]
        a = b.layer(f"a{k}", [prev], wa)
        h = b.comp.z(a) * wr[0] if b.width == 1 else b.comp.z(a) @ wr[0]
        step = b.comp.assign(t.tanh(h) + b.comp.z(prev), name=f"r{k}")  # the skip connection
        b.layers.append(step.step.index)
        prev = step.step.index
    return b.finish("residual", prev, f"residual network of {_count(blocks, 'block')} (2 layers each)")


def inception(modules: int, branches: int = 3, width: int = 1, params: bool = False, seed: int = 0) -> Architecture:
    """Inception-style modules: parallel branches of 1, 2, …, ``branches`` layers, merged by one step.

    Branch k of a module has k layers; the merge step ``m = tanh(Σ ends W)`` reads the last layer of
    every branch. Rows of A fan out (the module input feeds every branch), columns fan in (the merge).

    >>> arch = inception(1, branches=2)
    >>> [(s.name, arch.comp.a(s.index)) for s in arch.comp.steps[1:]]
    [('b1_1', (1,)), ('b2_1', (1,)), ('b2_2', (3,)), ('m1', (2, 4)), ('loss', (5,))]
    """
    modules = _check_depth(modules, "modules")
    branches = _check_depth(branches, "branches")
    b = _Builder(width, params, seed)
    b.input("x")
    plan = []
    for m in range(1, modules + 1):
        branch_weights = [
            [b.weights_for(f"m{m}b{k}_{j}", [0]) for j in range(1, k + 1)] for k in range(1, branches + 1)
        ]
        merge_weights = b.weights_for(f"m{m}", list(range(branches)))
        plan.append((branch_weights, merge_weights))
    prev = 1
    for m, (branch_weights, merge_weights) in enumerate(plan, 1):
        ends = []
        for k, ws in enumerate(branch_weights, 1):
            z = prev
            for j, w in enumerate(ws, 1):
                z = b.layer(f"b{k}_{j}" if modules == 1 else f"m{m}b{k}_{j}", [z], w)
            ends.append(z)
        prev = b.layer(f"m{m}", ends, merge_weights)
    return b.finish("inception", prev, f"{_count(modules, 'inception module')} with {_count(branches, 'branch')}")


def dense(depth: int, width: int = 1, params: bool = False, seed: int = 0) -> Architecture:
    """A DenseNet block: layer k reads the block input x and every earlier layer.

    The block has d = depth + 1 steps (x and the layers), and every pair of them is wired: the part of A
    that belongs to the block is a full upper triangle with d(d−1)/2 nonzero blocks above the diagonal.

    >>> arch = dense(2)
    >>> [arch.comp.a(i) for i in arch.layers]
    [(1,), (1, 2)]
    """
    depth = _check_depth(depth)
    b = _Builder(width, params, seed)
    b.input("x")
    weights = [b.weights_for(f"{k}", list(range(1, k + 1))) for k in range(1, depth + 1)]
    sources = [1]
    for k in range(1, depth + 1):
        sources.append(b.layer(f"h{k}", list(sources), weights[k - 1]))
    return b.finish("dense", sources[-1], f"DenseNet block of {_count(depth, 'layer')}")


def recurrent(steps: int, width: int = 1, params: bool = False, seed: int = 0) -> Architecture:
    """An unrolled recurrent network ``h_t = tanh(h_{t−1} W + x_t U)``, with one input x_t per time step.

    The steps are ordered by time: h0, then (x_t, h_t) for t = 1 … T, so A is block bidiagonal with one
    block per time step. W and U are shared by all time steps: with ``params=True`` they are inputs whose
    rows of A hold an entry for *every* time step (the gradient of a shared weight sums over time).

    >>> arch = recurrent(2)
    >>> [(s.name, arch.comp.a(s.index)) for s in arch.comp.steps]
    [('h0', ()), ('x1', ()), ('h1', (1, 2)), ('x2', ()), ('h2', (3, 4)), ('loss', (5,))]
    """
    steps = _check_depth(steps, "steps")
    b = _Builder(width, params, seed)
    w = b.weight("W", 2)
    u = b.weight("U", 2)
    h = b.input("h0").step.index
    block = [h]
    for k in range(1, steps + 1):
        x = b.input(f"x{k}").step.index
        h = b.layer(f"h{k}", [h, x], [w, u])
        block += [x, h]
    return b.finish("recurrent", h, f"recurrent network unrolled over {_count(steps, 'time step')}", block=block)


#: The builders by name, each called with one size argument (depth, blocks, modules or time steps).
BUILDERS = {
    "chain": chain,
    "residual": residual,
    "inception": inception,
    "dense": dense,
    "recurrent": recurrent,
}


def build(name: str, size: int, **kwargs) -> Architecture:
    """Build an architecture by name: ``build("dense", 4)``.

    >>> build("chain", 2).name
    'chain'
    >>> build("transformer", 2)
    Traceback (most recent call last):
    ...
    lagrange_ad.errors.LagrangeADError: unknown architecture 'transformer'; choose one of chain, ...
    """
    if name not in BUILDERS:
        raise LagrangeADError(f"unknown architecture {name!r}; choose one of {', '.join(BUILDERS)}")
    return BUILDERS[name](size, **kwargs)


def edges(comp: Computation) -> int:
    """The number of edges of the computation graph: Σ_i |a(i)| (pairs "z_k reads z_i").

    >>> edges(dense(3).comp)
    7
    """
    return sum(len(comp.a(s.index)) for s in comp.steps)

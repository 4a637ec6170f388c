"""The architectures of chapter 7: they compute the intended networks, and A has the claimed shape.

Counts are read off lad.block_pattern (A as the package derives it from the Lagrangian) and compared with
formulas; gradients are compared with HIPS autograd on an independent implementation of each network.
"""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

import lagrange_ad as lad
from lagrange_ad import architectures as ar


def off_diagonal(pattern) -> int:
    return int(np.count_nonzero(np.triu(pattern, 1)))


# --------------------------------------------------------------------------------------------------
# the shape of A, read off the package's A


@pytest.mark.parametrize("depth", [1, 2, 3, 5, 7])
def test_dense_block_fills_the_upper_triangle(depth):
    # d counts the steps of the block: the block input x and the `depth` layers
    arch = ar.dense(depth)
    d = depth + 1
    assert arch.block == list(range(1, d + 1))
    p = lad.block_pattern(arch.comp)
    block = p[np.ix_(np.array(arch.block) - 1, np.array(arch.block) - 1)]
    assert np.array_equal(block, np.triu(np.ones((d, d), dtype=bool)))
    assert off_diagonal(block) == d * (d - 1) // 2
    # the only other nonzero: the loss reads the last layer
    assert off_diagonal(p) == d * (d - 1) // 2 + 1


@pytest.mark.parametrize("depth", [1, 3, 6])
def test_chain_is_bidiagonal(depth):
    arch = ar.chain(depth)
    p = lad.block_pattern(arch.comp)
    n = len(arch.comp)
    assert n == depth + 2
    expected = np.eye(n, dtype=bool) | np.eye(n, k=1, dtype=bool)
    assert np.array_equal(p, expected)


@pytest.mark.parametrize("blocks", [1, 2, 4])
def test_residual_skip_connections_sit_two_above_the_diagonal(blocks):
    arch = ar.residual(blocks)
    p = lad.block_pattern(arch.comp)
    n = len(arch.comp)
    assert n == 2 * blocks + 2
    assert off_diagonal(p) == 3 * blocks + 1  # per block: z→a, a→r, z→r (skip); then the loss
    second = np.diagonal(p, offset=2)
    # a skip from the block input (steps 1, 3, 5, ...) to the block output two steps later
    assert [bool(second[i]) for i in range(len(second))] == [i % 2 == 0 for i in range(len(second))]
    assert not np.any(np.triu(p, 3))


@pytest.mark.parametrize("modules,branches", [(1, 2), (1, 3), (2, 3), (2, 4)])
def test_inception_fans_out_and_in(modules, branches):
    arch = ar.inception(modules, branches=branches)
    p = lad.block_pattern(arch.comp)
    per_module_steps = branches * (branches + 1) // 2 + 1
    assert len(arch.comp) == 1 + modules * per_module_steps + 1
    per_module_edges = branches * (branches + 1) // 2 + branches
    assert off_diagonal(p) == modules * per_module_edges + 1
    # the module input's row holds one entry per branch; the merge's column one per branch
    first_merge = arch.comp._names["m1"]
    assert np.count_nonzero(p[0, 1:]) == branches
    assert np.count_nonzero(p[: first_merge - 1, first_merge - 1]) == branches


@pytest.mark.parametrize("steps", [1, 3, 5])
def test_recurrent_is_block_bidiagonal(steps):
    arch = ar.recurrent(steps)
    p = lad.block_pattern(arch.comp)
    # blocks: {h0}, then {x_t, h_t} for each t; every nonzero lies in a diagonal block or the one right of it
    owner = {1: 0}
    for t in range(1, steps + 1):
        owner[2 * t] = owner[2 * t + 1] = t
    owner[len(arch.comp)] = steps + 1  # the loss
    for r, c in np.argwhere(p):
        assert owner[c + 1] - owner[r + 1] in (0, 1), (r + 1, c + 1)
    assert off_diagonal(p) == 2 * steps + 1


def test_shared_recurrent_weights_have_a_full_row():
    arch = ar.recurrent(4, params=True)
    p = lad.block_pattern(arch.comp)
    w = arch.comp._names["W"] - 1
    layers = np.array(arch.layers) - 1
    assert p[w, layers].all()  # W is read at every time step
    assert np.count_nonzero(p[w]) == 1 + len(layers)


@pytest.mark.parametrize("name", list(ar.BUILDERS))
@pytest.mark.parametrize("params", [False, True])
def test_nonzeros_above_the_diagonal_are_the_edges(name, params):
    arch = ar.build(name, 3, params=params)
    p = lad.block_pattern(arch.comp)
    assert off_diagonal(p) == ar.edges(arch.comp)
    assert np.array_equal(p, np.triu(p))
    assert np.all(np.diagonal(p))


def test_matrix_valued_layers_give_the_same_block_pattern():
    scalar = lad.block_pattern(ar.dense(3).comp)
    blocks = lad.block_pattern(ar.dense(3, width=2).comp)
    assert np.array_equal(scalar, blocks)


def test_bad_sizes_are_refused_by_name():
    with pytest.raises(lad.LagrangeADError, match="depth"):
        ar.chain(0)
    with pytest.raises(lad.LagrangeADError, match="width"):
        ar.dense(2, width=0)
    with pytest.raises(lad.LagrangeADError, match="unknown architecture 'vgg'"):
        ar.build("vgg", 3)


# --------------------------------------------------------------------------------------------------
# the builders compute the networks they claim (independent autograd implementations)


def _chain(v, depth):
    h = v["x"]
    for k in range(1, depth + 1):
        h = anp.tanh(h @ v[f"W{k}"])
    return 0.5 * anp.sum(h * h)


def _residual(v, blocks):
    z = v["x"]
    for k in range(1, blocks + 1):
        a = anp.tanh(z @ v[f"Wa{k}"])
        z = anp.tanh(a @ v[f"Wr{k}"]) + z
    return 0.5 * anp.sum(z * z)


def _inception(v, modules, branches):
    z = v["x"]
    for m in range(1, modules + 1):
        ends = []
        for k in range(1, branches + 1):
            h = z
            for j in range(1, k + 1):
                h = anp.tanh(h @ v[f"Wm{m}b{k}_{j}"])
            ends.append(h)
        z = anp.tanh(sum(e @ v[f"Wm{m}_{j}"] for j, e in enumerate(ends)))
    return 0.5 * anp.sum(z * z)


def _dense(v, depth):
    feats = [v["x"]]
    for k in range(1, depth + 1):
        names = [f"W{k}"] if k == 1 else [f"W{k}_{j}" for j in range(1, k + 1)]
        feats.append(anp.tanh(sum(f @ v[n] for f, n in zip(feats, names, strict=True))))
    return 0.5 * anp.sum(feats[-1] * feats[-1])


def _recurrent(v, steps):
    h = v["h0"]
    for t in range(1, steps + 1):
        h = anp.tanh(h @ v["W"] + v[f"x{t}"] @ v["U"])
    return 0.5 * anp.sum(h * h)


REFERENCE = {
    "chain": lambda v: _chain(v, 3),
    "residual": lambda v: _residual(v, 3),
    "inception": lambda v: _inception(v, 3, 3),
    "dense": lambda v: _dense(v, 3),
    "recurrent": lambda v: _recurrent(v, 3),
}


@pytest.mark.parametrize("name", list(ar.BUILDERS))
@pytest.mark.parametrize("width", [1, 3])
def test_architectures_match_an_independent_autograd_network(name, width):
    arch = ar.build(name, 3, width=width, params=True)
    values = {k: np.atleast_2d(v) for k, v in arch.values.items()}
    z = lad.forward(arch.comp, arch.values)[len(arch.comp)]
    assert z == pytest.approx(float(REFERENCE[name](values)), rel=1e-12)
    want = autograd.grad(REFERENCE[name])(values)
    got = lad.gradient(arch.comp, arch.values)
    assert set(got) == set(arch.values)
    for k in got:
        np.testing.assert_allclose(np.atleast_2d(got[k]), want[k], rtol=1e-9, atol=1e-12)


def test_batched_chain_matches_autograd():
    arch = ar.chain(3, width=4, params=True, batch=5)
    assert arch.values["x"].shape == (5, 4)
    want = autograd.grad(lambda v: _chain(v, 3))(arch.values)
    got = lad.gradient(arch.comp, arch.values)
    for k in got:
        np.testing.assert_allclose(got[k], want[k], rtol=1e-9, atol=1e-12)

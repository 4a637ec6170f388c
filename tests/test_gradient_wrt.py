"""``lad.gradient(comp, values, wrt=...)``: the gradient with respect to some inputs only.

The references never come from lagrange_ad's own gradient alone: every result is compared with finite
differences of the forward pass (``lad.finite_difference``) or with HIPS autograd on the same function.
That the pruning really skips work is checked on what the operations are asked to compute.
"""

from __future__ import annotations

import dataclasses

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
from hypothesis import assume, given, note, settings
from hypothesis import strategies as st
from random_programs import AUTOGRAD, inputs_for, programs, run, safe, trace

import lagrange_ad as lad
from lagrange_ad import ops, zoo

pytestmark = pytest.mark.filterwarnings("ignore:Output seems independent of input")


def network(m, x, y, w1, w2):
    """The source post's network, written once for lagrange_ad and for autograd."""
    return -m.sum(y * m.log(m.softmax(m.sigmoid(x @ w1) @ w2)))


class AutogradNetwork:
    sum = staticmethod(anp.sum)
    log = staticmethod(anp.log)

    @staticmethod
    def sigmoid(x):
        return 1.0 / (1.0 + anp.exp(-x))

    @staticmethod
    def softmax(x):
        e = anp.exp(x - anp.max(x, axis=1, keepdims=True))
        return e / anp.sum(e, axis=1, keepdims=True)


def network_case(batch=3, width=4, seed=0):
    rng = np.random.default_rng(seed)
    values = {
        "x": rng.normal(size=(batch, width)),
        "y": np.eye(width)[rng.integers(width, size=batch)],
        "w1": rng.normal(size=(width, width)),
        "w2": rng.normal(size=(width, width)),
    }
    comp = lad.trace(lambda *a: network(lad, *a), list(values), shapes={k: v.shape for k, v in values.items()})
    return comp, values


def autograd_gradient(values: dict) -> dict:
    names = list(values)
    grads = autograd.grad(lambda *a: network(AutogradNetwork, *a), tuple(range(len(names))))(*values.values())
    return dict(zip(names, grads, strict=True))


@pytest.mark.parametrize("wrt", [("w1", "w2"), ("w2", "w1"), ("x",), ("w2",), "w1 w2", ["y", "x", "w1", "w2"]])
def test_traced_network_wrt_matches_autograd(wrt):
    comp, values = network_case()
    want = autograd_gradient(values)
    got = lad.gradient(comp, values, wrt=wrt)
    names = wrt.split() if isinstance(wrt, str) else list(wrt)
    assert list(got) == names  # those inputs alone, in the order asked
    for name in names:
        assert got[name].shape == values[name].shape
        np.testing.assert_allclose(got[name], want[name], rtol=1e-10, atol=1e-12, err_msg=name)


def test_zoo_source_network_wrt_matches_finite_differences_and_the_full_gradient():
    comp, values = zoo.source_network()
    fd = lad.finite_difference(comp, values)
    full = lad.gradient(comp, values)
    for wrt in [("w1", "w2"), ("w2",), ("x", "w1"), ("y",)]:
        got = lad.gradient(comp, values, wrt=wrt)
        assert list(got) == list(wrt)
        for name in wrt:
            np.testing.assert_allclose(got[name], fd[name], rtol=1e-6, atol=1e-8, err_msg=name)
            np.testing.assert_array_equal(got[name], full[name])  # the same products, only fewer of them


def test_scalar_program_wrt_matches_finite_differences():
    """A computation of scalars runs on the tape (lagrange_ad.tape), which computes every λ anyway."""
    comp = lad.trace(lambda x, w, b: lad.tanh(w * x + b) * x + lad.sin(b), "x w b")
    values = {"x": 0.7, "w": -1.3, "b": 0.4}
    fd = lad.finite_difference(comp, values)
    for wrt in [("w",), ("b", "x"), "x"]:
        got = lad.gradient(comp, values, wrt=wrt)
        names = wrt.split() if isinstance(wrt, str) else list(wrt)
        assert list(got) == names
        for name in names:
            assert isinstance(got[name], float)
            assert abs(got[name] - fd[name]) < 1e-8, name


def test_scalar_program_wrt_on_the_numpy_path():
    """Where math refuses (log of a negative number in the branch not taken) numpy runs, with the pruning."""
    comp = lad.trace(lambda x, w: lad.where(x > 0, lad.log(x) * w, w * x * x), "x w")
    values = {"x": -1.5, "w": 0.8}
    fd = lad.finite_difference(comp, values)
    for name in ("x", "w"):
        got = lad.gradient(comp, values, wrt=[name])
        assert list(got) == [name]
        assert abs(got[name] - fd[name]) < 1e-7


def test_an_unused_input_gets_a_zero_gradient_of_its_shape():
    comp = lad.trace(lambda x, W, U: lad.sum(W * x), "x W U", shapes={"W": (2, 3), "U": (3, 2)})
    g = lad.gradient(comp, {"x": 2.0, "W": np.ones((2, 3)), "U": np.ones((3, 2))}, wrt=("U", "x"))
    np.testing.assert_array_equal(g["U"], np.zeros((3, 2)))
    assert g["x"] == 6.0


def test_unknown_names_are_an_input_error_that_lists_the_inputs():
    comp, values = zoo.source_network()
    with pytest.raises(lad.InputError) as info:
        lad.gradient(comp, values, wrt=("w1", "w3"))
    message = str(info.value)
    assert "'w3'" in message and "'w1'" not in message.split("inputs are")[0]
    assert "['x', 'y', 'w1', 'w2']" in message
    with pytest.raises(lad.InputError, match="wrt"):
        lad.gradient(comp, values, wrt=3)


def test_a_name_asked_twice_is_returned_once():
    comp, values = zoo.source_network()
    assert list(lad.gradient(comp, values, wrt=("w2", "w1", "w2"))) == ["w2", "w1"]


def test_a_result_that_is_not_a_number_is_still_an_error():
    comp = lad.trace(lambda x, w: lad.log(x) * w, "x w")
    with pytest.raises(lad.InputError, match="NaN"):
        lad.gradient(comp, {"x": -1.0, "w": 2.0}, wrt=["w"])


def test_the_live_steps_follow_a_of_i():
    """λ_k is computed only for the steps that depend on a wanted input: found by hand from a(i) here.

    zoo's source network: z5 = x w1 (a(5) = 1, 3), z6 = σ(z5), z7 = z6 w2 (6, 4), z8 = softmax(z7),
    z9 = loss(z8, y) (8, 2).
    """
    from lagrange_ad.plan import _plan

    comp, _ = zoo.source_network()
    live = lambda wanted: [i for i in range(1, len(comp) + 1) if _plan(comp, wanted).live[i]]  # noqa: E731
    assert live({"w2"}) == [4, 7, 8, 9]
    assert live({"w1", "w2"}) == [3, 4, 5, 6, 7, 8, 9]
    assert live({"y"}) == [2, 9]
    assert live(None) == list(range(1, 10))  # multipliers: every λ


def test_no_product_is_computed_towards_an_input_nobody_asked_for(monkeypatch):
    """With the weights wanted, x w1 is asked for w1's side only (no λ_5 w1ᵀ), y ⊙ log p for log p's side."""
    asked = []

    def recording(name):
        op = ops.OPS[name]

        def vjp(g, args, out, needs):
            asked.append((name, needs))
            return op.vjp(g, args, out, needs)

        monkeypatch.setitem(ops.OPS, name, dataclasses.replace(op, vjp=vjp))

    recording("matmul")
    recording("mul")
    comp, values = network_case(seed=1)  # a new computation: its plan is made with the recording ops
    want = autograd_gradient(values)
    got = lad.gradient(comp, values, wrt=("w1", "w2"))
    assert sorted(asked) == [("matmul", (False, True)), ("matmul", (True, True)), ("mul", (False, True))]
    for name in ("w1", "w2"):
        np.testing.assert_allclose(got[name], want[name], rtol=1e-10, atol=1e-12)
    asked.clear()
    lad.gradient(comp, values)
    assert sorted(asked) == [("matmul", (True, True)), ("matmul", (True, True)), ("mul", (True, True))]


def test_multipliers_are_all_there_after_a_gradient_with_wrt():
    comp, values = zoo.source_network()
    lad.gradient(comp, values, wrt=("w2",))
    lam = lad.multipliers(comp, values)
    fd = lad.finite_difference(comp, values)
    assert sorted(lam) == list(range(1, len(comp) + 1))
    for i, name in enumerate(["x", "y", "w1", "w2"], start=1):
        np.testing.assert_allclose(lam[i], fd[name], rtol=1e-6, atol=1e-8)


@settings(max_examples=150)
@given(st.data())
def test_random_computations_wrt_a_subset_match_autograd(data):
    program = data.draw(programs())
    args = data.draw(inputs_for(program))
    assume(safe(program, args))
    names = [name for name, _ in program.inputs]
    wrt = data.draw(st.lists(st.sampled_from(names), min_size=1, unique=True))
    note(f"{program!r}, wrt={wrt}")
    comp = trace(program)
    got = lad.gradient(comp, dict(zip(names, args, strict=True)), wrt=wrt)
    grads = autograd.grad(lambda *a: run(program, AUTOGRAD, *a), tuple(range(len(args))))(*args)
    want = dict(zip(names, grads, strict=True))
    assert list(got) == wrt
    scale = max(1e-3, *(float(np.max(np.abs(want[k]))) for k in wrt))
    for name in wrt:
        assert np.shape(got[name]) == np.shape(want[name])
        assert float(np.max(np.abs(np.asarray(got[name]) - want[name]))) <= 1e-9 * scale, name

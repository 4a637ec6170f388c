"""Checkpointing: storage counts by hand, revolve's advances against Griewank's formula and an exhaustive
search, schedules run on a real chain, the budgeted gradient against autograd and the unbudgeted one."""

import math

import autograd
import autograd.numpy as anp
import pytest

import lagrange_ad as lad
from lagrange_ad import checkpointing as ck
from lagrange_ad import zoo

WEIGHTS = [0.9, -1.1, 1.3, 0.7, 1.2, -0.8, 1.05, 0.95, -1.2, 0.85, 1.1]


def test_storage_of_the_source_network_by_hand():
    # z5 = x w1 needs x, w1; σ needs z5; z7 = z6 w2 needs z6, w2; softmax needs z7; the loss needs z8, y:
    # everything but the loss itself: 3 + 2 + 12 + 8 + 4 + 4 + 2 + 2 = 37 of 38 scalars
    got = ck.storage(zoo.source_network()[0])
    assert got.kept_steps == [1, 2, 3, 4, 5, 6, 7, 8] and (got.kept, got.total) == (37, 38)


def test_linear_steps_need_nothing_stored():
    comp = lad.trace(lambda x, y: 3 * x + y - 2 * y, "x y")
    assert ck.storage(comp).kept == 0
    comp = lad.trace(lambda x, y: lad.sin(x) + y * 2, "x y")
    assert ck.storage(comp).kept_steps == [1]


@pytest.mark.parametrize("slots", range(1, 8))
def test_revolve_meets_the_formula_and_the_exhaustive_minimum(slots):
    for n in range(1, 70):
        schedule = ck.revolve_schedule(n, slots)
        assert schedule.advances == ck.revolve_formula(n, slots) == ck.revolve_minimum(n, slots), (n, slots)
        assert schedule.peak_slots <= slots


def test_formula_known_cases():
    # one slot (x_0 only): step i needs i − 1 advances, n(n − 1)/2 in all; n slots: n − 1 advances
    assert ck.revolve_formula(10, 1) == 45
    assert ck.revolve_formula(10, 10) == 9
    # β(s, r) steps are exactly reversible with each step advanced at most r times: t = r·β − β(s+1, r−1)
    assert ck.revolve_formula(ck.beta(3, 2), 3) == 2 * 10 - ck.beta(4, 1)


def _chain(weights):
    def f(x0, ws):
        x = x0
        for w in ws:
            x = anp.tanh(w * x)
        return x

    return f


@pytest.mark.parametrize("slots", [None, 1, 2, 3, 5])
def test_budgeted_gradient_equals_autograd(slots):
    x0 = 0.4
    grads, schedule = ck.chain_gradient(WEIGHTS, x0, slots=slots)
    f = _chain(WEIGHTS)
    assert grads["x0"] == pytest.approx(autograd.grad(f, 0)(x0, anp.array(WEIGHTS)), rel=1e-12)
    gw = autograd.grad(f, 1)(x0, anp.array(WEIGHTS))
    for i, want in enumerate(gw, start=1):
        assert grads[f"w{i}"] == pytest.approx(want, rel=1e-12)
    unbudgeted, _ = ck.chain_gradient(WEIGHTS, x0)
    assert grads == unbudgeted  # the same numbers, not just close: the same operations in another order
    if slots is not None:
        assert schedule.peak_slots <= slots


def test_sqrt_schedule_runs_with_about_two_root_n_states():
    for n in (4, 9, 10, 16, 30, 100):
        schedule = ck.sqrt_schedule(n)
        k = math.isqrt(n - 1) + 1
        assert schedule.peak_slots <= 2 * k and schedule.advances <= 2 * n
        _, reversed_steps, _ = ck.run_schedule(schedule, lambda i, x: x + 1, lambda i, x, lam: (lam, x), 0)
        # every step reversed once, from its own state x_{i−1} (here the state counts the steps run)
        assert reversed_steps == {i: i - 1 for i in range(1, n + 1)}


def test_run_schedule_checks_its_states():
    schedule = ck.Schedule(3, [("restore", 0), ("advance", 2)])
    with pytest.raises(lad.LagrangeADError, match="advances step 2 from x_0"):
        ck.run_schedule(schedule, lambda i, x: x, lambda i, x, lam: (lam, None), 0.0)
    with pytest.raises(lad.LagrangeADError, match="restores x_2"):
        ck.run_schedule(ck.Schedule(3, [("restore", 2)]), lambda i, x: x, lambda i, x, lam: (lam, None), 0.0)
    with pytest.raises(lad.LagrangeADError, match="slots"):
        ck.revolve_schedule(5, 0)


def test_reversible_steps_need_no_stored_state():
    weights = WEIGHTS[:8]

    def loss(u0, v0, ws):
        u, v = u0, v0
        for w in ws:
            u, v = v, u + anp.tanh(w * v)
        return u * v

    grads, drift = ck.reversible_gradient(weights, 0.3, -0.5)
    assert drift < 1e-12  # the inverse recomputes every state, to rounding
    assert grads["u0"] == pytest.approx(autograd.grad(loss, 0)(0.3, -0.5, anp.array(weights)), rel=1e-10)
    assert grads["v0"] == pytest.approx(autograd.grad(loss, 1)(0.3, -0.5, anp.array(weights)), rel=1e-10)
    gw = autograd.grad(loss, 2)(0.3, -0.5, anp.array(weights))
    assert [grads[f"w{i}"] for i in range(1, 9)] == pytest.approx(list(gw), rel=1e-10)

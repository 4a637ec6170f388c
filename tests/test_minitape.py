"""The build-it-yourself tape (lagrange_ad.minitape): right against autograd and finite differences; each of
the three classic mistakes gives the wrong λ the chapter says it gives."""

import autograd
import autograd.numpy as anp
import pytest

import lagrange_ad as lad
from lagrange_ad import minitape as mt

# (program on tape Vars, the same program in autograd.numpy, values)
PROGRAMS = [
    (lambda x, y: mt.tanh(x * y) + x * x, lambda x, y: anp.tanh(x * y) + x * x, (0.5, 2.0)),
    (lambda x, y: (x * y) * (x * y) - 3 * x, lambda x, y: (x * y) * (x * y) - 3 * x, (1.5, -0.7)),
    (lambda x, y: mt.exp(mt.sin(x) * y) * x, lambda x, y: anp.exp(anp.sin(x) * y) * x, (0.3, 1.1)),
    (lambda x, y: 2 - mt.tanh(x - y) * (y + x * y), lambda x, y: 2 - anp.tanh(x - y) * (y + x * y), (-0.4, 0.9)),
]


@pytest.mark.parametrize("program, reference, point", PROGRAMS)
def test_backward_matches_autograd_and_finite_differences(program, reference, point):
    got = mt.run(program, {"x": point[0], "y": point[1]})
    for k, name in enumerate("xy"):
        want = autograd.grad(reference, k)(*point)
        assert got[name] == pytest.approx(want, rel=1e-12, abs=1e-14)
        h = 1e-6
        up = list(point)
        down = list(point)
        up[k] += h
        down[k] -= h
        fd = (reference(*up) - reference(*down)) / (2 * h)
        assert got[name] == pytest.approx(fd, rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("program, reference, point", PROGRAMS)
def test_same_program_traces_with_lagrange_ad(program, reference, point):
    # the tape's tanh/exp/sin fall back to lagrange_ad's, so a held-out program runs under lad.trace too
    values = {"x": point[0], "y": point[1]}
    want = lad.gradient(lad.trace(program, "x y"), values)
    assert mt.run(program, values) == pytest.approx(want, rel=1e-12)


def test_mistake_assign_keeps_only_the_last_contribution():
    # z = x * x: both arguments are x; '=' gives λ_x = x instead of 2x
    got = mt.run(lambda x: x * x, {"x": 3.0}, sweep=mt.backward_assign)
    assert got["x"] == 3.0 and mt.run(lambda x: x * x, {"x": 3.0})["x"] == 6.0


def test_mistake_recursive_walk_counts_the_first_path_twice():
    # h = x y, out = h h: the walk reaches h twice and pushes λ_h = h, then λ_h = 2h: λ_x = 3 h y, not 2 h y
    x, y = 1.5, 2.0
    h = x * y
    wrong = mt.run(_square_of_product, {"x": x, "y": y}, sweep=mt.backward_recursive)
    assert wrong["x"] == pytest.approx(3 * h * y) and wrong["y"] == pytest.approx(3 * h * x)
    right = mt.run(_square_of_product, {"x": x, "y": y})
    assert right["x"] == pytest.approx(2 * h * y)


def _square_of_product(a, b):
    h = a * b
    return h * h


def test_recursive_walk_is_right_when_no_inner_node_is_shared():
    # sharing an input alone does no harm: only a shared node that has arguments is walked twice
    got = mt.run(lambda x, y: mt.tanh(x * y) + x * x, {"x": 0.5, "y": 2.0}, sweep=mt.backward_recursive)
    assert got == pytest.approx(mt.run(lambda x, y: mt.tanh(x * y) + x * x, {"x": 0.5, "y": 2.0}))


def test_mistake_creation_order_on_a_graph_numbered_out_of_order():
    tape = mt.Tape()
    x, y = tape.input(0.5), tape.input(2.0)
    _square_of_product(x, y) + mt.tanh(x)
    right = mt.backward(tape)
    graph = mt.as_graph(tape)
    n = len(tape)
    # number the steps backwards (the output becomes 1): still the same graph, but no longer in order
    flipped = mt.renumbered(graph, {i: n + 1 - i for i in graph})
    good = mt.backward_graph(flipped, 1)
    assert all(good[n + 1 - i] == pytest.approx(right[i]) for i in graph)
    bad = mt.backward_creation_order(flipped, 1)
    assert bad[n + 1 - x.i] != pytest.approx(right[x.i])
    # on the tape's own numbering creation order is a topological order, and gives the right answer
    assert mt.backward_creation_order(graph, n)[x.i] == pytest.approx(right[x.i])


def test_topological_order_puts_each_step_after_what_it_reads():
    graph = {5: ((), ()), 2: ((5,), (1.0,)), 9: ((2, 5), (1.0, 1.0)), 1: ((9, 2), (1.0, 1.0))}
    order = mt.topological_order(graph, 1)
    assert sorted(order) == [1, 2, 5, 9]
    assert all(order.index(k) < order.index(i) for i in graph for k in graph[i][0])


def test_errors_are_named():
    with pytest.raises(lad.LagrangeADError, match="different number"):
        mt.renumbered({1: ((), ()), 2: ((1,), (1.0,))}, {1: 1, 2: 1})
    with pytest.raises(lad.LagrangeADError, match="last step"):
        mt.run(lambda x: 3.0, {"x": 1.0})


@pytest.mark.parametrize("program, reference, point", PROGRAMS)
def test_every_lambda_matches_lad_multipliers(program, reference, point):
    # constants live inside steps, as in lad.trace, so the two number the steps alike: compare every λ_i
    tape = mt.Tape()
    program(tape.input(point[0]), tape.input(point[1]))
    comp = lad.trace(program, "x y")
    want = lad.multipliers(comp, {"x": point[0], "y": point[1]})
    assert len(tape) == len(comp)
    lam = mt.backward(tape)
    assert all(lam[i] == pytest.approx(want[i], rel=1e-12, abs=1e-15) for i in want)


def test_sweep_frames_show_each_lambda_when_found():
    from lagrange_ad import tape_stepper

    tape = mt.Tape()
    x, y = tape.input(0.5), tape.input(2.0)
    _square_of_product(x, y) + mt.tanh(x)
    frames, labels = tape_stepper.sweep_frames(tape, names={1: "x", 2: "y"})
    assert len(frames) == len(labels) == len(tape) + 1
    lam = mt.backward(tape)
    # the last frame shows every final λ, bold, each once
    for i in range(1, len(tape) + 1):
        assert f"λ = {lam[i]:.4g}".replace("-", "−") in frames[-1]
    assert frames[-1].count('font-weight="bold"') == len(tape)
    assert "<title>" in frames[0] and 'role="img"' in frames[0]
    stepper = tape_stepper.sweep_stepper(tape)
    assert len(stepper.frames) == len(frames)
    with pytest.raises(lad.LagrangeADError, match="empty"):
        tape_stepper.graph_svg(mt.Tape())

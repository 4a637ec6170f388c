"""The back-substitution stepper: one frame per λ, the right row highlighted, the right numbers.

The numbers in the frames come from the symbolic back substitution (lad.back_substitution evaluated at
the inputs); they are checked against lad.multipliers (the numeric vector-Jacobian path, which never
forms A), against HIPS autograd, and against finite differences.
"""

from __future__ import annotations

import json
import re
import time

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

import lagrange_ad as lad
from lagrange_ad import steppers, widgets, zoo
from lagrange_ad.display import ROW_COLOR, number_latex

MARKER = re.compile(r'<span class="lad-lambda" data-index="(\d+)">')
VALUE = re.compile(r'<span class="lad-lambda-value" data-index="(\d+)" data-value="([^"]*)">')


def shown_lambda(frame: str) -> int:
    found = MARKER.findall(frame)
    assert len(found) == 1, f"expected one lad-lambda marker, found {found}"
    return int(found[0])


def values_in(frame: str) -> dict[int, np.ndarray]:
    return {int(i): np.array(json.loads(v.replace("&quot;", '"'))) for i, v in VALUE.findall(frame)}


def highlighted_rows(frame: str) -> list[int]:
    """0-based rows of the first bmatrix (A) whose every cell is coloured with ROW_COLOR."""
    body = frame.split("\\begin{bmatrix}", 1)[1].split("\\end{bmatrix}", 1)[0]
    rows = [r for r in body.strip().split("\\\\") if r.strip()]
    out = []
    for k, row in enumerate(rows):
        cells = [c.strip() for c in row.replace("&amp;", "&").split("&")]
        if all(c.startswith(f"{{\\color{{{ROW_COLOR}}}") for c in cells):
            out.append(k)
    return out


def scalar_example():
    return lad.trace(lambda x, w: lad.tanh(w * x) * x, "x w"), {"x": 0.7, "w": -1.3}


# ---------------------------------------------------------------------------------------------------
# frames: how many, which λ, which row


@pytest.mark.parametrize("with_values", [True, False])
def test_one_frame_per_lambda_newest_first_after_an_opening_frame(with_values):
    comp, values = scalar_example()
    frames = steppers.back_substitution_frames(comp, values if with_values else None)
    n = len(comp)
    assert len(frames) == n + 1
    assert [shown_lambda(f) for f in frames] == [0] + list(range(n, 0, -1))


def test_source_network_frames_and_labels():
    comp, values = zoo.source_network()
    frames = steppers.back_substitution_frames(comp, values)
    assert len(frames) == 10
    assert [shown_lambda(f) for f in frames] == [0, 9, 8, 7, 6, 5, 4, 3, 2, 1]
    labels = steppers.back_substitution_labels(comp)
    assert len(labels) == 10 and "lambda_{3}" in labels[7]


def test_the_highlighted_row_is_the_row_being_solved_scalar():
    comp, values = scalar_example()
    frames = steppers.back_substitution_frames(comp, values)
    assert highlighted_rows(frames[0]) == []
    for frame in frames[1:]:
        i = shown_lambda(frame)
        assert highlighted_rows(frame) == [i - 1], f"frame for λ_{i}"


def test_the_highlighted_row_is_the_row_being_solved_blocks():
    comp, values = zoo.source_network()
    frames = steppers.back_substitution_frames(comp, values)
    for frame in frames[1:]:
        i = shown_lambda(frame)
        assert highlighted_rows(frame) == [i - 1], f"frame for λ_{i}"


def test_a_frame_names_the_lambdas_its_row_uses():
    comp, _ = zoo.source_network()
    frames = steppers.back_substitution_frames(comp)
    for frame in frames[1:]:
        i = shown_lambda(frame)
        sentence = frame.split("</span>", 1)[1].split("</p>", 1)[0]
        named = sorted(int(k) for k in re.findall(r"\\lambda_\{(\d+)\}", sentence))
        assert named == sorted(comp.b(i)), f"row {i}"


def test_an_input_frame_says_it_is_a_gradient():
    comp, values = zoo.source_network()
    frames = steppers.back_substitution_frames(comp, values)
    by_lambda = {shown_lambda(f): f for f in frames}
    assert "the input <code>w1</code>" in by_lambda[3]
    assert "gradient" in by_lambda[3] and "gradient" not in by_lambda[5]


# ---------------------------------------------------------------------------------------------------
# numbers


def test_numbers_equal_the_numeric_multipliers_scalar():
    comp, values = scalar_example()
    frames = steppers.back_substitution_frames(comp, values)
    expected = lad.multipliers(comp, values)
    last = values_in(frames[-1])
    # the last frame lists every λ found before it; its own λ is shown in "at the given inputs"
    assert sorted(last) == list(range(2, len(comp) + 1))
    for i, v in last.items():
        np.testing.assert_allclose(v, expected[i], rtol=1e-10, atol=1e-12)
    own = number_latex(expected[1], 3)
    assert f"\\lambda_{{1}} = {own}" in frames[-1]


def test_frames_list_exactly_the_lambdas_found_so_far():
    comp, values = scalar_example()
    frames = steppers.back_substitution_frames(comp, values)
    n = len(comp)
    for k, frame in enumerate(frames[1:], start=1):
        i = n - k + 1
        assert sorted(values_in(frame)) == list(range(i + 1, n + 1)), f"frame {k}"
    assert values_in(frames[0]) == {}


def test_numbers_of_the_source_network_match_multipliers_and_autograd():
    comp, values = zoo.source_network()
    frames = steppers.back_substitution_frames(comp, values)
    found = values_in(frames[-1])
    expected = lad.multipliers(comp, values)
    for i, v in found.items():
        np.testing.assert_allclose(v.reshape(np.shape(expected[i])), expected[i], rtol=1e-9, atol=1e-12)

    def loss(x, y, w1, w2):  # the same network, written for autograd
        h = 1 / (1 + anp.exp(-(x @ w1)))
        o = h @ w2
        p = anp.exp(o) / anp.sum(anp.exp(o), axis=1, keepdims=True)
        return -anp.sum(y * anp.log(p))

    args = [values[k] for k in ("x", "y", "w1", "w2")]
    for index, argnum in ((3, 2), (4, 3)):  # λ3 = ∂loss/∂w1, λ4 = ∂loss/∂w2
        reference = autograd.grad(loss, argnum)(*args)
        np.testing.assert_allclose(found[index].reshape(reference.shape), reference, rtol=1e-8, atol=1e-12)


def test_shown_decimals_are_the_rounded_multipliers():
    comp, values = zoo.source_network()
    frames = steppers.back_substitution_frames(comp, values)
    w1 = lad.multipliers(comp, values)[3]
    frame = next(f for f in frames if shown_lambda(f) == 3)
    for v in np.ravel(w1):
        assert number_latex(v, 3) in frame


def test_scalar_numbers_agree_with_finite_differences():
    comp, values = scalar_example()
    frames = steppers.back_substitution_frames(comp, values)
    fd = lad.finite_difference(comp, values)
    found = values_in(frames[-1])  # λ2 (the input w) is among the λ's found before the last row
    np.testing.assert_allclose(found[2], fd["w"], rtol=1e-6)
    reference = autograd.grad(lambda x, w: anp.tanh(w * x) * x, 1)(values["x"], values["w"])
    np.testing.assert_allclose(found[2], reference, rtol=1e-10)


def test_without_values_no_numbers_but_solutions():
    comp, _ = scalar_example()
    frames = steppers.back_substitution_frames(comp)
    assert all(values_in(f) == {} for f in frames)
    assert "At the given inputs" not in "".join(frames)
    # the scalar system is small: A with its real entries, e.g. the tanh's derivative
    assert "\\tanh" in frames[0]


def test_compact_entries_for_large_systems_and_when_asked():
    comp, values = scalar_example()
    compact = steppers.back_substitution_frames(comp, values, full_entries=False)
    assert "\\partial f_{" in compact[0] and "\\tanh" not in compact[0]
    net, _ = zoo.source_network()
    with pytest.raises(lad.LagrangeADError, match="matrix-valued"):
        steppers.back_substitution_frames(net, full_entries=True)


def test_math_is_escaped_for_html():
    comp, values = scalar_example()
    for frame in steppers.back_substitution_frames(comp, values):
        for math in re.findall(r"\$\$(.*?)\$\$", frame, flags=re.S):
            assert "<" not in math, math[:80]


# ---------------------------------------------------------------------------------------------------
# the widget


def test_stepper_is_a_frame_stepper_with_the_frames():
    comp, values = scalar_example()
    stepper = steppers.back_substitution_stepper(comp, values)
    assert isinstance(stepper, widgets.FrameStepper)
    assert len(stepper.frames) == len(comp) + 1 and stepper.slider.max == len(comp)
    assert "lad-backsub" in stepper._dom_classes
    frames = steppers.back_substitution_frames(comp, values)
    for widget, frame in zip(stepper.frames, frames, strict=True):
        assert frame in widget.value


# ---------------------------------------------------------------------------------------------------
# time


def dense_block(depth: int, f=lad.sigmoid):
    """A dense block: every step reads the input and every step before it."""
    comp = lad.Computation()
    zs = [comp.input("x")]
    for _ in range(depth):
        total = zs[0]
        for z in zs[1:]:
            total = total + z
        zs.append(comp.assign(f(total * 0.1)))
    return comp


def test_source_network_frames_take_under_a_second():
    steppers.back_substitution_frames(*scalar_example())  # sympy's first-use costs are not ours
    comp, values = zoo.source_network(seed=3)
    start = time.process_time()
    steppers.back_substitution_frames(comp, values)
    assert time.process_time() - start < 1.0


@pytest.mark.slow
def test_dense_block_of_depth_20_takes_under_five_seconds():
    comp = dense_block(20)
    start = time.process_time()
    frames = steppers.back_substitution_frames(comp, {"x": 0.3})
    elapsed = time.process_time() - start
    assert len(frames) == 22
    assert elapsed < 5.0, f"{elapsed:.1f} s"
    found = values_in(frames[-1])
    expected = lad.multipliers(comp, {"x": 0.3})
    for i, v in found.items():
        np.testing.assert_allclose(v, expected[i], rtol=1e-9)


def test_a_zero_derivative_is_not_a_use():
    comp = lad.trace(lambda x, w: x * 0 + w * w, "x w")  # z3 = 0·x reads x, but ∂f3/∂x = 0
    assert comp.b(1) == (3,)
    frames = steppers.back_substitution_frames(comp, {"x": 1.0, "w": 3.0})
    frame = next(f for f in frames if shown_lambda(f) == 1)
    assert "it uses no other multiplier" in frame and "derivative by" in frame
    assert values_in(frames[-1])[2] == pytest.approx(6.0)  # ∂(w²)/∂w at w = 3, by hand


def _looped(k):
    def fn(x, c):
        for _ in range(k):
            x = lad.tanh(x * c) + c
        return x * x

    return fn


def test_unrolled_loop_frames_sum_the_contributions_to_autograds_derivative():
    from lagrange_ad.steppers import unrolled_loop_frames

    def plain(k):
        def fn(x, c):
            for _ in range(k):
                x = anp.tanh(x * c) + c
            return x * x

        return fn

    counts = [1, 2, 4]
    frames, labels = unrolled_loop_frames(_looped, counts, "x c", {"x": 0.3, "c": -0.7}, "c")
    assert len(frames) == len(labels) == 3
    for k, frame in zip(counts, frames, strict=True):
        total = float(re.search(r'data-sum="([^"]+)"', frame).group(1))
        assert total == pytest.approx(autograd.grad(plain(k), 1)(0.3, -0.7), rel=1e-10)
        assert frame.count("<li>") == 2 * k  # c is read twice per pass


def test_unrolled_loop_frames_name_an_unknown_shared_input():
    from lagrange_ad.errors import ShapeError
    from lagrange_ad.steppers import unrolled_loop_frames

    with pytest.raises(ShapeError, match="'w' is not an input"):
        unrolled_loop_frames(_looped, [1], "x c", {"x": 0.3, "c": -0.7}, "w")


def test_figure_frames_are_images_with_escaped_alt_text():
    import matplotlib.pyplot as plt

    from lagrange_ad.steppers import figure_frames

    def draw(v):
        fig, ax = plt.subplots(figsize=(2, 1))
        ax.plot([0, 1], [0, v])
        return fig

    frames = figure_frames(draw, [0.5], alt=lambda v: f'slope "{v}" <b>')
    assert frames[0].startswith('<img class="lad-figure" src="data:image/svg+xml;base64,')  # the book's figure standard
    assert 'alt="slope &quot;0.5&quot; &lt;b&gt;"' in frames[0]
    assert not plt.get_fignums()  # every figure closed


def test_block_frames_write_row_i_with_the_partials_of_its_users():
    """Row i of A holds ∂f_k/∂z_i for the steps k that read z_i (k in b(i)), in every frame's equation.

    The source network's z_7 is read by step 8 only: its row is −λ_7 + (∂f_8/∂z_7)ᵀ λ_8 = 0.
    (The frames once wrote (∂f_7/∂z_8)ᵀ, the index swap the errata page corrects in the source post.)
    """
    from lagrange_ad import steppers, zoo

    net, values = zoo.source_network()
    frames = steppers.back_substitution_frames(net, values)
    row7 = frames[len(net) - 7]  # the first frame solves λ_n, then one row a frame, newest first
    assert "\\partial f_{8}}{\\partial z_{7}}" in row7
    assert "\\partial f_{7}}{\\partial z_{8}}" not in "".join(frames)
    for i in range(1, len(net)):  # each equation's partials are of steps that read z_i
        for k in net.b(i):
            assert any(f"\\partial f_{{{k}}}}}{{\\partial z_{{{i}}}}}" in f for f in frames)

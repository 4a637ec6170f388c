"""explorers.redraw_stepper (chapter 6's "new weights, new multipliers") and widgets.tabs (chapter 7)."""

from __future__ import annotations

import json
import re

import autograd
import autograd.numpy as anp
import ipywidgets
import numpy as np
import pytest

import lagrange_ad as lad
from lagrange_ad.explorers import redraw_explorer, redraw_frame, redraw_stepper
from lagrange_ad.widgets import frame_stepper, tabs

VALUE = re.compile(r'<span class="lad-lambda-value" data-index="(\d+)" data-value="([^"]*)">')


def _loss(x, W):
    return anp.sum(anp.tanh(x @ W) ** 2)


COMP = lad.trace(lambda x, W: lad.sum(lad.tanh(x @ W) ** 2), "x W", shapes={"x": (1, 2), "W": (2, 3)})
VALUES = {"x": np.array([[0.3, -0.8]]), "W": np.array([[0.1, 0.2, -0.3], [0.5, -0.4, 0.6]])}
W_STEP = next(s.index for s in COMP.inputs if s.name == "W")


def _autograd_lambda(at):
    return autograd.grad(_loss, 1)(np.asarray(at["x"]), np.asarray(at["W"]))


def _lambda_in(frame_html: str) -> tuple[int, np.ndarray]:
    (index, numbers), = VALUE.findall(frame_html)
    return int(index), np.array(json.loads(numbers.replace("&quot;", '"')))


def test_every_frame_holds_lambda_of_its_draw_as_autograd_computes_it():
    stepper = redraw_stepper(COMP, VALUES, "W", step=W_STEP, draws=5, seed=7)
    assert len(stepper.frames) == 6 and stepper.gaps == []
    for frame, drawn in zip(stepper.frames, stepper.values_drawn, strict=True):
        index, lam = _lambda_in(frame.value)
        assert index == W_STEP
        want = _autograd_lambda({**VALUES, "W": drawn})
        np.testing.assert_allclose(lam, want, rtol=1e-12, atol=1e-14)


def test_draws_are_seeded_rounded_and_start_from_the_given_values():
    stepper = redraw_stepper(COMP, VALUES, "W", step=W_STEP, draws=3, seed=11, scale=0.25, decimals=1)
    np.testing.assert_array_equal(stepper.values_drawn[0], VALUES["W"])
    rng = np.random.default_rng(11)
    for drawn in stepper.values_drawn[1:]:
        np.testing.assert_array_equal(drawn, np.round(rng.normal(0.0, 0.25, size=(2, 3)), 1))
    again = redraw_stepper(COMP, VALUES, "W", step=W_STEP, draws=3, seed=11, scale=0.25, decimals=1)
    assert [f.value for f in again.frames] == [f.value for f in stepper.frames]
    assert len({f.value for f in stepper.frames}) == 4, "each draw is a new frame"


def test_the_reference_gap_is_measured_and_can_fail():
    good = redraw_stepper(COMP, VALUES, "W", step=W_STEP, draws=4, reference=_autograd_lambda)
    assert len(good.gaps) == 5 and max(good.gaps) < 1e-12
    assert "max |λ<sub>" in good.frames[2].value
    wrong = redraw_stepper(COMP, VALUES, "W", step=W_STEP, draws=4, reference=lambda at: 2 * _autograd_lambda(at))
    assert min(wrong.gaps) > 1e-3


def test_labels_title_and_classes():
    stepper = redraw_stepper(
        COMP, VALUES, "W", step=W_STEP, draws=2, labels=["mine", "a", "b"], title="<b>T</b>", interval=900
    )
    assert "lad-redraw-stepper" in stepper._dom_classes and "lad-stepper" in stepper._dom_classes
    assert "mine" in stepper.frames[0].value and stepper.play.interval == 900
    default = redraw_stepper(COMP, VALUES, "W", step=W_STEP, draws=2)
    assert "the given W" in default.frames[0].value and "draw 2" in default.frames[2].value
    with pytest.raises(lad.LagrangeADError, match="3 frames but 2 labels"):
        redraw_stepper(COMP, VALUES, "W", step=W_STEP, draws=2, labels=["a", "b"])


def test_bad_arguments_name_the_problem():
    with pytest.raises(lad.DefinitionError, match=r"'V' is not an input; the inputs are \['x', 'W'\]"):
        redraw_stepper(COMP, VALUES, "V", step=W_STEP)
    with pytest.raises(lad.DefinitionError, match="there is no step z_9"):
        redraw_stepper(COMP, VALUES, "W", step=9)
    with pytest.raises(lad.InputError):
        redraw_stepper(COMP, {"x": VALUES["x"]}, "W", step=W_STEP)


def test_the_kernel_explorer_shows_the_stepper_frame_of_the_same_draw():
    box = redraw_explorer(COMP, VALUES, "W", step=W_STEP, seed=5)
    box.redraw()
    stepper = redraw_stepper(COMP, VALUES, "W", step=W_STEP, draws=1, seed=5)
    body, _ = redraw_frame(COMP, {**VALUES, "W": stepper.values_drawn[1]}, "W", W_STEP)
    assert 'data-draw="1"' in box.output.value and box.output.value.endswith(body)
    assert stepper.frames[1].value.endswith(body)


def test_tabs_titles_pages_and_errors():
    pages = {"chain": frame_stepper(["a"]), "residual": frame_stepper(["b", "c"])}
    box = tabs(pages)
    assert isinstance(box, ipywidgets.Tab) and "lad-tabs" in box._dom_classes
    assert list(box.titles) == ["chain", "residual"] and list(box.children) == list(pages.values())
    for bad in ({}, [frame_stepper(["a"])], {"chain": "<b>not a widget</b>"}, {1: frame_stepper(["a"])}):
        with pytest.raises(lad.LagrangeADError):
            tabs(bad)

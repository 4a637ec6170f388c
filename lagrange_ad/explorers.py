"""Explorers that need a running kernel: type a computation and see its steps, L, A; move inputs, see λ.

Each explorer is wrapped by :func:`lagrange_ad.widgets.kernel_explorer`, so the static book page says
plainly that it needs a running notebook. Results are written straight into an ``ipywidgets.Output``'s
``outputs`` (as MIME bundles: LaTeX, HTML, PNG), which works with or without a kernel; the callbacks
never show a traceback: errors become a short message in the output.

The returned box keeps its parts as attributes, for the chapters and the tests: ``box.output``,
``box.run()`` (what the main button does), and the controls by name (``box.text``, ``box.inputs``, ...).

Stable CSS classes (browser tests): ``lad-sequence-explorer``, ``lad-lagrangian-explorer`` and
``lad-gradient-explorer`` (each explorer's box), ``lad-explorer-run`` (the main button), ``lad-explorer-diff``
(differentiate), ``lad-explorer-text`` and ``lad-explorer-inputs`` (the text boxes), ``lad-explorer-step`` (the
gradient step button), ``lad-explorer-output`` (the output), ``lad-explorer-error`` (an error message),
``lad-lambda-value`` (a λ's number, ``data-index`` = step, ``data-value`` = JSON of the numbers);
for :func:`redraw_explorer`, ``lad-redraw`` (its button), ``lad-redraw-lambda`` (its output) and
``lad-redraw-draw`` (the draw shown, ``data-draw`` = its number).

:func:`redraw_stepper` and :func:`gradient_stepper` need no kernel: the draws of :func:`redraw_explorer`'s
button, and the first presses of :func:`gradient_explorer`'s "gradient step", precomputed as the frames of a
stepper, which steps on the static page too. :func:`gradient_explorer` carries its stepper as a static twin
(:func:`lagrange_ad.widgets.kernel_explorer`'s ``static``): the static page shows the stepper, JupyterLab the
live explorer.

>>> box = sequence_explorer()
>>> box.run()
>>> [kind for o in box.output.outputs for kind in o["data"] if kind != "text/plain"]
['text/html', 'text/html', 'text/html', 'text/html', 'text/latex', 'text/html', 'text/latex']
"""

from __future__ import annotations

import html
import json

import ipywidgets as widgets
import numpy as np
import sympy

from .computation import Computation
from .display import (
    HTMLTable,
    TeX,
    conditions_latex,
    graph_plot,
    lagrangian_latex,
    latex,
    steps_table,
    value_latex,
)
from .errors import DefinitionError, LagrangeADError
from .figures import alt_text, figure_html
from .lagrangian import lagrangian_variables
from .numeric import check_values, forward, multipliers
from .reader import (  # the reader's text, read as the page's "try it" reads it
    EXAMPLE_EQUATIONS,
    EXAMPLE_FUNCTION,
    HELP,
    MAX_SHOWN_STEPS,
    MAX_TYPED_STEPS,  # noqa: F401 - part of this module's story: the explorers' step limit
    ReaderError,  # noqa: F401 - the error its doctest shows
    computation_from_text,
    parse_inputs,
)
from .reader import message as _message
from .reader import system_tex as _system
from .steppers import _value_span
from .typeset import lagrangian_derivative_latex, plain_name
from .widgets import kernel_explorer

__all__ = [
    "sequence_explorer", "lagrangian_explorer", "gradient_explorer", "gradient_stepper", "gradient_steps",
    "redraw_explorer",
    "redraw_stepper", "redraw_frame",
    "parse_inputs", "computation_from_text",
]  # fmt: skip

# ---------------------------------------------------------------------------------------------------
# MIME bundles for Output.outputs


def _bundle(obj) -> dict:
    """One display_data output for a TeX string, an HTML string, a steps table or a matplotlib figure."""
    if isinstance(obj, TeX):
        data = {"text/latex": obj._repr_latex_(), "text/plain": str(obj)}
    elif hasattr(obj, "savefig"):  # the book's figure standard: SVG, legible text, alt text
        data = {"text/html": figure_html(obj), "text/plain": alt_text(obj)}
    elif isinstance(obj, HTMLTable):
        data = {"text/html": obj.html, "text/plain": str(obj)}
    else:
        data = {"text/html": str(obj), "text/plain": html.unescape(str(obj))}
    return {"output_type": "display_data", "data": data, "metadata": {}}


def _show(out: widgets.Output, *items):
    out.outputs = tuple(_bundle(item) for item in items)


def _heading(text: str) -> str:
    return f'<p class="lad-explorer-heading"><b>{text}</b></p>'


# Inline, so that an error looks like one wherever the widget is drawn (JupyterLab loads no book CSS).
_ERROR_STYLE = (
    "color: #8a1c1c; background: #fdecea; border-left: 4px solid #c62828; "
    "padding: 0.35em 0.75em; margin: 0.25em 0; white-space: pre-wrap"
)


def _error_html(err: BaseException) -> str:
    """A short message a reader can act on: what went wrong and where in their text, never a traceback.

    >>> "line 1" in _error_html(ReaderError(1, "oops"))
    True
    """
    text = html.escape(_message(err))
    return f'<div class="lad-explorer-error" role="alert" style="{_ERROR_STYLE}">&#9888; {text}</div>'


def _guarded(out: widgets.Output, work, on_error=None):
    """Run ``work()`` (which shows its results); on failure show only the error, and call ``on_error``."""
    try:
        work()
    except Exception as err:  # the reader's typing: every failure becomes a message
        if on_error is not None:
            on_error()
        _show(out, _error_html(err))


# ---------------------------------------------------------------------------------------------------
# typed-in computations


def _text_controls(text: str, inputs: str, kind: str):
    kind_buttons = widgets.ToggleButtons(
        options=[("equations", "equations"), ("Python function", "python")], value=kind, description="type"
    )
    textarea = widgets.Textarea(
        value=text, rows=6, description="steps", layout=widgets.Layout(width="100%", max_width="40em")
    )
    textarea.add_class("lad-explorer-text")
    inputs_box = widgets.Text(value=inputs, description="inputs", placeholder="x w   or   x, W:3x4")
    inputs_box.add_class("lad-explorer-inputs")

    # Each kind keeps its own text: switching shows the other kind's (its example, or what the reader
    # typed there before), never equations under "Python function" or the other way round.
    texts = {"equations": EXAMPLE_EQUATIONS, "python": EXAMPLE_FUNCTION, kind: text}

    def switch_example(change):
        texts[change["old"]] = textarea.value
        textarea.value = texts[change["new"]]

    kind_buttons.observe(switch_example, names="value")
    return kind_buttons, textarea, inputs_box


def _button(description: str, css: str = "lad-explorer-run") -> widgets.Button:
    button = widgets.Button(
        description=description, button_style="primary", layout=widgets.Layout(width="auto", min_width="10em")
    )
    button.add_class(css)
    return button


def _output() -> widgets.Output:
    out = widgets.Output()
    out.add_class("lad-explorer-output")
    return out


def _finish(box, output, run, **controls):
    box.output = output
    box.run = run
    for name, control in controls.items():
        setattr(box, name, control)
    return box


# ---------------------------------------------------------------------------------------------------
# the explorers


def sequence_explorer(text: str = EXAMPLE_EQUATIONS, inputs: str = "x w", kind: str = "equations"):
    """Type steps (equations, or a Python function) and see their table, graph, Lagrangian and A.

    >>> box = sequence_explorer("z3 = x * ", "x")
    >>> box.run()
    >>> "lad-explorer-error" in box.output.outputs[0]["data"]["text/html"]
    True
    """
    kind_buttons, textarea, inputs_box = _text_controls(text, inputs, kind)
    button = _button("show the steps")
    out = _output()

    def work():
        comp = computation_from_text(textarea.value, inputs_box.value, kind_buttons.value)
        heading = _heading(f"{len(comp)} steps, {len(comp.inputs)} inputs")
        if len(comp) > MAX_SHOWN_STEPS:
            note = (
                f"<p>That is more than {MAX_SHOWN_STEPS} steps: here is the table; the graph, L and A would "
                "be too large to read (try fewer loop iterations).</p>"
            )
            _show(out, heading, note, steps_table(comp))
            return
        _show(
            out,
            heading,
            steps_table(comp),
            graph_plot(comp),
            _heading("The Lagrangian"),
            lagrangian_latex(comp),
            _heading("A λ = e"),
            _system(comp),
        )

    def run(_=None):
        _guarded(out, work)

    button.on_click(run)
    box = kernel_explorer(
        [kind_buttons, textarea, inputs_box, button], out, title="<b>Your own computation</b>: type its steps" + HELP
    )
    box.add_class("lad-sequence-explorer")
    run()  # the static page then shows what the explorer does, for the example
    return _finish(box, out, run, text=textarea, inputs=inputs_box, kind=kind_buttons, button=button)


def lagrangian_explorer(text: str = EXAMPLE_EQUATIONS, inputs: str = "x w", kind: str = "equations"):
    """Type steps; see L, its stationarity conditions and A; differentiate L by any variable you pick.

    >>> box = lagrangian_explorer("z2 = exp(x)", "x")
    >>> box.run()
    >>> [label for label, _ in box.variable.options]
    ['λ₁', 'λ₂', 'z₁', 'z₂']
    >>> box.variable.value = "z_1"
    >>> box.differentiate()
    >>> box.output.outputs[1]["data"]["text/plain"]
    '\\\\frac{\\\\partial \\\\mathcal{L}}{\\\\partial z_{1}} = - \\\\lambda_{1} + \\\\lambda_{2} e^{z_{1}}'
    """
    kind_buttons, textarea, inputs_box = _text_controls(text, inputs, kind)
    button = _button("derive the conditions")
    variable = widgets.Dropdown(options=[], description="∂L/∂")
    variable.add_class("lad-explorer-variable")
    d_button = _button("differentiate", css="lad-explorer-diff")
    out = _output()
    state: dict = {}

    def forget():
        """After a failure nothing may be derived from an earlier program: drop it, disable the button."""
        state.clear()
        variable.options = []
        d_button.disabled = True

    def work():
        forget()
        comp = computation_from_text(textarea.value, inputs_box.value, kind_buttons.value)
        scalar = not any(s.shape for s in comp.steps)
        if scalar:  # one entry per scalar variable; matrix steps would give hundreds
            symbols = lagrangian_variables(comp)
            variable.options = [(plain_name(v), str(v)) for v in symbols]
            variable.value = str(symbols[0])
        results = [
            _heading("The Lagrangian"),
            lagrangian_latex(comp),
            _heading("Its stationarity conditions (each one a derivative of L set to zero)"),
            conditions_latex(comp),
            _heading("Read off as a linear system in λ"),
            _system(comp),
        ]
        if not scalar:
            results.append("<p>(Pick a computation of scalar steps to differentiate L by one variable.)</p>")
        _show(out, *results)
        state.update(comp=comp, results=results)
        d_button.disabled = not scalar

    def differentiate_work():
        if not state.get("results"):
            raise LagrangeADError("press “derive the conditions” first (and fix any error it shows)")
        if not variable.value:
            raise LagrangeADError("differentiating by one variable works for computations of scalar steps")
        tex = lagrangian_derivative_latex(state["comp"], variable.value)  # sympy.diff of L (the page's too)
        # the derivative first, where the reader is looking (just below the button), then the rest
        _show(out, _heading(f"Differentiating L by {html.escape(plain_name(variable.value))}"), tex, *state["results"])

    def run(_=None):
        _guarded(out, work, on_error=forget)

    def differentiate(_=None):
        _guarded(out, differentiate_work)

    button.on_click(run)
    d_button.on_click(differentiate)
    box = kernel_explorer(
        [kind_buttons, textarea, inputs_box, button, variable, d_button],
        out,
        title="<b>The Lagrangian of your computation</b>" + HELP,
    )
    box.add_class("lad-lagrangian-explorer")
    run()  # the static page then shows what the explorer does, for the example
    box.differentiate = differentiate
    return _finish(
        box, out, run, text=textarea, inputs=inputs_box, kind=kind_buttons, variable=variable, d_button=d_button
    )


def _number_html(v) -> str:
    if np.ndim(v) == 0:
        return f"{float(v):.4f}"
    return html.escape(np.array2string(np.asarray(v, dtype=float), precision=3, suppress_small=True))


_MONO = ' style="font-family: monospace; white-space: pre; text-align: right"'


def _values_table(comp: Computation, zs: dict, lams: dict, marker_class: str = "lad-lambda-value") -> str:
    rows = []
    for s in comp.steps:
        lam = lams[s.index]
        marker = (
            f'<span class="{marker_class}" data-index="{s.index}" '
            f'data-value="{html.escape(json.dumps(np.asarray(lam, dtype=float).tolist()))}">'
            f"{_number_html(lam)}</span>"
        )
        name = html.escape(s.name) + (" (input)" if s.is_input else "")
        rows.append(
            f"<tr><td>{s.index}</td><td><code>{name}</code></td>"
            f"<td{_MONO}>{_number_html(zs[s.index])}</td><td{_MONO}>{marker}</td></tr>"
        )
    return (
        '<table class="lad-values-table"><thead><tr><th>i</th><th>name</th><th>z<sub>i</sub></th>'
        "<th>λ<sub>i</sub> = ∂z<sub>n</sub>/∂z<sub>i</sub></th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


def _slider_range(v: float) -> tuple[float, float]:
    """The range of an input's slider around its given value (a gradient step stays inside it)."""
    reach = max(2.0, 2 * abs(v))
    return v - reach, v + reach


def gradient_steps(comp: Computation, values, step_size: float = 0.1, steps: int = 6) -> list[dict]:
    """The scalar inputs after 0, 1, … ``steps`` gradient steps x ← x − η ∂z_n/∂x (η = ``step_size``).

    Each entry is a full set of input values; matrix-valued inputs keep their given values, and each input
    stays inside the range of :func:`gradient_explorer`'s slider, as its "gradient step" button does.

    >>> import lagrange_ad as lad
    >>> [round(v["x"], 6) for v in gradient_steps(lad.trace(lambda x: x * x, "x"), {"x": 1.0}, steps=2)]
    [1.0, 0.8, 0.64]
    """
    current = dict(check_values(comp, values))
    ranges = {s.name: _slider_range(float(current[s.name])) for s in comp.inputs if not s.shape}
    found = [dict(current)]
    for _ in range(steps):
        lams = multipliers(comp, current)
        for s in comp.inputs:
            if s.name in ranges:
                low, high = ranges[s.name]
                target = float(current[s.name]) - step_size * float(lams[s.index])
                current[s.name] = round(min(max(target, low), high), 6)
        found.append(dict(current))
    return found


def gradient_stepper(comp: Computation, values, step_size: float = 0.1, steps: int = 6):
    """:func:`gradient_explorer`'s "gradient step" button, pressed ``steps`` times in advance: a stepper.

    Frame k shows z_n and the table of every z_i and λ_i after k gradient steps (:func:`gradient_steps`).
    It needs no kernel, so it is what the static page shows of :func:`gradient_explorer`. Its λ's carry
    the class ``lad-stepper-lambda`` (``data-index``, ``data-value``), not the explorer's own
    ``lad-lambda-value``.

    >>> import lagrange_ad as lad
    >>> stepper = gradient_stepper(lad.trace(lambda x: x * x, "x"), {"x": 1.0}, steps=2)
    >>> len(stepper.frames), 'data-index="1" data-value="1.6"' in stepper.frames[1].value
    (3, True)
    """
    from .widgets import frame_stepper  # (the explorers' own widgets import only kernel_explorer)

    n = comp.output.index
    moved = [s.name for s in comp.inputs if not s.shape]
    frames, labels = [], []
    for k, vals in enumerate(gradient_steps(comp, values, step_size, steps)):
        zs, lams = forward(comp, vals), multipliers(comp, vals)
        where = ", ".join(f"{html.escape(name)} = {float(vals[name]):.4f}" for name in moved)
        labels.append(("the given inputs" if k == 0 else f"after {k} gradient step{'s' * (k > 1)}") + f": {where}")
        frames.append(_heading(f"z<sub>n</sub> = {zs[n]:.6g}") + _values_table(comp, zs, lams, "lad-stepper-lambda"))
    title = (
        f"<b>Gradient steps, η = {step_size:g}</b> (computed when the page was built; in a running notebook "
        "the inputs' sliders move freely)"
    )
    return frame_stepper(frames, labels=labels, title=title)


def gradient_explorer(comp: Computation, values, step_size: float = 0.1):
    """Sliders for the scalar inputs; the table of every z_i and λ_i follows them.

    “gradient step” moves every scalar input against its gradient (x ← x − η ∂z_n/∂x), so z_n goes down
    and the λ's change. Matrix-valued inputs stay at their given values. The static page, which has no
    kernel, shows :func:`gradient_stepper` instead: the first gradient steps, precomputed.

    >>> import lagrange_ad as lad
    >>> box = gradient_explorer(lad.trace(lambda x: x * x, "x"), {"x": 1.0})
    >>> box.run()
    >>> 'data-index="1" data-value="2.0"' in box.output.outputs[1]["data"]["text/html"]
    True
    >>> box.step()
    >>> box.sliders["x"].value
    0.8
    >>> "lad-static-only" in box.static._dom_classes
    True
    """
    fixed = check_values(comp, values)
    sliders = {}
    for s in comp.inputs:
        if s.shape:
            continue
        v = float(fixed[s.name])
        low, high = _slider_range(v)
        slider = widgets.FloatSlider(
            value=v, min=low, max=high, step=0.01, description=s.name, continuous_update=False
        )
        slider.add_class("lad-explorer-slider")
        sliders[s.name] = slider
    eta = widgets.BoundedFloatText(value=step_size, min=0.0, max=10.0, step=0.05, description="step η")
    button = _button("show λ")
    step_button = _button("gradient step", css="lad-explorer-step")
    out = _output()

    def current():
        return {**fixed, **{name: slider.value for name, slider in sliders.items()}}

    def work():
        vals = current()
        zs, lams = forward(comp, vals), multipliers(comp, vals)
        n = comp.output.index
        _show(out, _heading(f"z<sub>n</sub> = {zs[n]:.6g}"), _values_table(comp, zs, lams))

    def run(_=None):
        _guarded(out, work)

    def step_work():
        if not sliders:
            raise LagrangeADError("this computation has no scalar inputs to move")
        lams = multipliers(comp, current())
        for s in comp.inputs:
            if s.name in sliders:
                slider = sliders[s.name]
                target = slider.value - eta.value * float(lams[s.index])
                slider.value = round(min(max(target, slider.min), slider.max), 6)
        work()

    def step(_=None):
        _guarded(out, step_work)

    button.on_click(run)
    step_button.on_click(step)
    for slider in sliders.values():
        slider.observe(lambda _change: run(), names="value")
    note = "" if sliders else "<p>(No scalar inputs: nothing to slide.)</p>"
    static = gradient_stepper(comp, fixed, step_size)
    box = kernel_explorer(
        [*sliders.values(), eta, button, step_button],
        out,
        title=f"<b>Move the inputs, watch the λ's</b>{note}",
        static=static,
    )
    box.add_class("lad-gradient-explorer")
    run()
    box.step = step
    return _finish(box, out, run, sliders=sliders, eta=eta, button=button, static=static)


def redraw_explorer(
    comp: Computation,
    values,
    name: str,
    step: int,
    reference=None,
    reference_label: str = "the reference",
    *,
    seed: int = 2024,
    scale: float = 0.5,
    decimals: int = 2,
    digits: int = 4,
):
    """A button that draws new values of the input ``name`` and recomputes λ_step by back substitution.

    Draw 0 shows the given ``values``; each press draws the input's entries from a normal distribution (mean
    0, standard deviation ``scale``, rounded to ``decimals``) with a generator seeded by ``seed``, so the
    draws are the same on every run. ``reference(values)``, if given, is an independent gradient of z_n
    with respect to z_step (autograd's, say): the largest difference from λ_step is shown beside it.

    >>> import lagrange_ad as lad
    >>> comp = lad.trace(lambda x, w: lad.tanh(w * x), "x w")
    >>> box = redraw_explorer(comp, {"x": 0.5, "w": -2.0}, "w", step=2)
    >>> box.draws, 'data-draw="0"' in box.output.value
    (0, True)
    >>> box.redraw()
    >>> box.draws, 'data-draw="1"' in box.output.value, 'data-index="2"' in box.output.value
    (1, True, True)
    """
    given = check_values(comp, values)
    inputs = {s.name: s for s in comp.inputs}
    if name not in inputs:
        raise DefinitionError(f"redraw_explorer: {name!r} is not an input; the inputs are {list(inputs)}")
    comp.step(step)  # a clear error for a step that does not exist
    shape = inputs[name].shape
    rng = np.random.default_rng(seed)
    button = widgets.Button(description=f"re-draw {name} and recompute", icon="refresh")
    button.layout = widgets.Layout(width="auto")
    button.add_class("lad-redraw")
    output = widgets.HTMLMath()
    output.add_class("lad-redraw-lambda")

    def show(draw: int, new):
        try:
            body, _gap = redraw_frame(
                comp, {**given, name: new}, name, step, reference, reference_label, decimals=decimals, digits=digits
            )
            output.value = (
                f'<p class="lad-redraw-draw" data-draw="{draw}">Draw {draw} (0 is the given {html.escape(name)}):</p>'
                + body
            )
        except Exception as err:  # a reference that fails, numbers that are not: a message, not a traceback
            output.value = _error_html(err)

    def redraw(_button=None):
        box.draws += 1
        new = np.round(rng.normal(0.0, scale, size=shape), decimals)
        show(box.draws, new if shape else float(new))

    button.on_click(redraw)
    box = kernel_explorer(button, output)
    box.draws = 0
    show(0, given[name])
    box.redraw = redraw
    return _finish(box, output, redraw, button=button)


def redraw_frame(
    comp: Computation, values: dict, name: str, step: int, reference=None, reference_label: str = "the reference",
    *, decimals: int = 2, digits: int = 4,
) -> tuple[str, float | None]:
    """The input ``name`` at ``values`` and λ_step there, by back substitution, as HTML with math.

    ``reference(values)``, if given, is an independent gradient of z_n with respect to z_step (autograd's,
    say); the frame shows the largest difference from λ_step, ``reference_label`` (HTML) naming it.
    Returns ``(html, gap)``, gap None without a reference. The frame ends with λ_step's exact numbers in a
    ``lad-lambda-value`` marker (``data-index`` = step, ``data-value`` = JSON), for browser tests.

    >>> import lagrange_ad as lad
    >>> comp = lad.trace(lambda x, w: w * x, "x w")
    >>> body, gap = redraw_frame(comp, {"x": 3.0, "w": 0.5}, "w", 2, reference=lambda v: v["x"])
    >>> print(body.replace("</p>", "</p>\\n"))
    $$w = 0.50, \\qquad \\lambda_{2} = 3$$<p>max |λ<sub>2</sub> − the reference| = 0.0e+00</p>
    <span class="lad-lambda-value" data-index="2" data-value="3.0"></span>
    """
    lam = multipliers(comp, values)[step]
    compared, gap = "", None
    if reference is not None:
        gap = float(np.max(np.abs(np.asarray(lam, dtype=float) - np.asarray(reference(values), dtype=float))))
        compared = f"<p>max |λ<sub>{step}</sub> − {reference_label}| = {gap:.1e}</p>"
    body = (
        f"$${latex(sympy.Symbol(name))} = {value_latex(values[name], digits=decimals)}, \\qquad "
        f"\\lambda_{{{step}}} = {value_latex(lam, digits=digits)}$$" + compared + _value_span(step, lam)
    )
    return body, gap


def redraw_stepper(
    comp: Computation,
    values,
    name: str,
    step: int,
    reference=None,
    reference_label: str = "the reference",
    *,
    draws: int = 7,
    seed: int = 2024,
    scale: float = 0.5,
    decimals: int = 2,
    digits: int = 4,
    labels=None,
    title: str | None = None,
    interval: int = 1500,
):
    """New values of the input ``name``, and λ_step recomputed for each: a kernel-free stepper.

    Frame 0 shows the given ``values``; each of the next ``draws`` frames draws the input's entries from a
    normal distribution (mean 0, standard deviation ``scale``, rounded to ``decimals``) with a generator
    seeded by ``seed`` (the draws of :func:`lagrange_ad.explorers.redraw_explorer`'s button, precomputed).
    ``reference`` and ``reference_label`` are those of :func:`redraw_frame`. ``labels`` (HTML, one per
    frame), ``title`` and ``interval`` go to :func:`~lagrange_ad.widgets.frame_stepper`.

    The stepper keeps ``values_drawn`` (the input's value in each frame) and ``gaps`` (each frame's largest
    difference from the reference; empty without one), so a chapter can check them. Its box carries the
    CSS class ``lad-redraw-stepper`` besides ``lad-stepper``; each frame ends with λ_step's
    ``lad-lambda-value`` marker.

    >>> import lagrange_ad as lad
    >>> comp = lad.trace(lambda x, w: lad.tanh(w * x), "x w")
    >>> stepper = redraw_stepper(comp, {"x": 0.5, "w": -2.0}, "w", step=2, draws=3)
    >>> len(stepper.frames), stepper.values_drawn[0], stepper.gaps
    (4, -2.0, [])
    >>> 'data-index="2"' in stepper.frames[3].value
    True
    """
    from .widgets import frame_stepper  # (the explorers' own widgets import only kernel_explorer)

    given = check_values(comp, values)
    inputs = {s.name: s for s in comp.inputs}
    if name not in inputs:
        raise DefinitionError(f"redraw_stepper: {name!r} is not an input; the inputs are {list(inputs)}")
    comp.step(step)  # a clear error for a step that does not exist
    shape = inputs[name].shape
    rng = np.random.default_rng(seed)
    drawn = [given[name]]
    for _ in range(draws):
        new = np.round(rng.normal(0.0, scale, size=shape), decimals)
        drawn.append(new if shape else float(new))
    frames, gaps = [], []
    for new in drawn:
        body, gap = redraw_frame(
            comp, {**given, name: new}, name, step, reference, reference_label, decimals=decimals, digits=digits
        )
        frames.append(body)
        if gap is not None:
            gaps.append(gap)
    if labels is None:
        labels = [f"the given {html.escape(name)}"] + [f"draw {k}" for k in range(1, draws + 1)]
    stepper = frame_stepper(frames, labels=labels, title=title, interval=interval)
    stepper.add_class("lad-redraw-stepper")
    stepper.values_drawn, stepper.gaps = drawn, gaps
    return stepper

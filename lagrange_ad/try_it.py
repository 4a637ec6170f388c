r"""The page's "try it" component, Python side: the reader's program in, everything the page shows out.

The book's static pages run this module in the reader's browser (Pyodide in a Web Worker, where there is
no numpy): :func:`run_json` takes the text the reader typed and returns, as JSON, the table of steps with
a(i) and b(i), the graph as SVG, L, the stationarity conditions and A λ = e as the book's TeX, back
substitution as frames (one λ a frame), and the gradient at the chosen inputs beside central finite
differences; :func:`derivative` gives L differentiated by one variable the reader picks, as ch. 4's kernel
explorer does, and :func:`stepper_frames` the frames the page asks for only when the reader steps.
It reads the text exactly as the kernel explorers do (:mod:`lagrange_ad.reader`), with a
smaller step limit (:data:`MAX_STEPS`) so a browser tab stays responsive. Bad input never raises: the
answer is ``{"ok": false, "error": {"kind", "message", "line"}}`` with the package's own message.
The contract with the page (book/_assets/try_it.js) is the keys of these answers, which tests/test_try_it.py checks.

>>> answer = run("h = tanh(w * x)\nreturn h * h", "x w", at="x=0.5, w=-1")
>>> answer["ok"], answer["n"], round(answer["gradient"]["x"], 6), answer["max_difference"] < 1e-8
(True, 5, 0.726862, True)
>>> run("return log(x)", "x", at="x=-1")["error"]["kind"]
'domain'
"""

from __future__ import annotations

import json
import math
import re

from .computation import Computation
from .elided import elided_system_latex, pattern_svg
from .errors import InputError, LagrangeADError, StepLimitError, TracingError
from .frames import MAX_FULL_STEPS, _frames_and_labels, back_substitution_labels, opening_announcement
from .graph_svg import graph_svg
from .lagrangian import lagrangian_derivative, lagrangian_variables
from .reader import ReaderError, computation_from_text, message, system_tex
from .tape import scalar_numbers, tape_of
from .typeset import conditions_latex, lagrangian_derivative_latex, lagrangian_latex, plain_name, steps_table

__all__ = [
    "run", "run_json", "stepper_frames", "frames_json", "derivative", "derivative_json",
    "MAX_STEPS", "DEFAULT_VALUE", "FD_STEP",
]  # fmt: skip

#: The most steps a program may make here (a loop that never ends stops at it): small, for a browser.
MAX_STEPS = 200
#: The value of an input that ``at`` does not give.
DEFAULT_VALUE = 0.5
#: Central differences use the step FD_STEP × max(1, the largest |input|).
FD_STEP = 1e-6


def run_json(text: str, inputs: str = "", kind: str = "python", at: str = "", all_frames: bool = True) -> str:
    """:func:`run` as a JSON string (what the page's worker calls); never raises for bad input.

    JSON has no NaN or infinity: a number that is not finite (an infinite derivative, √x at 0) is null.

    >>> json.loads(run_json("return sqrt(x)", "x", at="x=0"))["gradient"]
    {'x': None}
    """
    try:
        return json.dumps(_json_safe(run(text, inputs, kind, at, all_frames)), allow_nan=False)
    except Exception as err:  # a fault of ours: still an answer the page can show
        return json.dumps(
            {"ok": False, "error": {"kind": "other", "message": f"{type(err).__name__}: {err}", "line": None}}
        )


def _json_safe(x):
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, dict):
        return {k: _json_safe(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_json_safe(v) for v in x]
    return x


def run(text: str, inputs: str = "", kind: str = "python", at: str = "", all_frames: bool = True) -> dict:
    """Everything the component shows for the reader's program (see the module docstring), as a dict.

    ``kind``: "python" (a function body, or a ``def``) or "equations" (``name = expression`` lines);
    ``inputs``: the input names ("x w" or "x, w"); ``at``: their values ("x=0.5, w=-1"; an input not
    given is :data:`DEFAULT_VALUE`).

    Above :data:`~lagrange_ad.frames.MAX_FULL_STEPS` steps, ``system_tex`` is A λ = e elided (its first and
    last rows and columns, :func:`lagrange_ad.elided.elided_system_latex`) so that it fits the text column,
    ``system_full_tex`` the whole system in blocks and ``pattern_svg`` a drawing of A's nonzero entries;
    for a smaller program those two are None (``system_tex`` is then the whole system).

    ``frames`` are back substitution's frames (:func:`stepper_frames`), ``frame_labels`` their captions.
    With ``all_frames=False`` (what the page asks) ``frames`` holds only the opening one, A λ = e: the
    others are most of the work of a run (each λ solved and printed), and the page shows them only when
    the reader steps, so it asks :func:`stepper_frames` for them once the result is on the screen.
    """
    try:
        return _run(text, inputs, kind, at, all_frames)
    except Exception as err:  # the reader's typing: every failure becomes a message, never a traceback
        return {"ok": False, "error": _error(err)}


def _computation(text: str, inputs: str, kind: str) -> Computation:
    comp = computation_from_text(text, inputs, kind, max_steps=MAX_STEPS)
    shaped = [s for s in comp.steps if s.shape]
    if shaped or tape_of(comp) is None:
        raise InputError(
            f"z_{shaped[0].index if shaped else len(comp)} is a matrix: this page works with numbers (scalar "
            "steps); matrices need the notebook's explorer"
        )
    return comp


def _run(text: str, inputs: str, kind: str, at: str, all_frames: bool) -> dict:
    comp = _computation(text, inputs, kind)
    values = _values(comp, at)
    z, lam = scalar_numbers(comp, values)  # the float tape: the gradient is λ of each input
    n = len(comp)
    gradient = {s.name: lam[s.index] for s in comp.inputs}
    step = FD_STEP * max([1.0, *(abs(v) for v in values.values())])
    differences = _central_differences(comp, values, step)
    long = n > MAX_FULL_STEPS
    system = str(elided_system_latex(comp) if long else system_tex(comp))
    if all_frames:
        frames = _frames(comp, values)
    else:  # the opening frame only: A λ = e itself (the section above shows it too), or a note for a long one
        frames = [{"tex": _frame_tex("" if long else f"$${system}$$"),
                   "label": _plain_label(back_substitution_labels(comp)[0]),
                   "announcement": opening_announcement(n)}]
    return {
        "ok": True,
        "n": n,
        "table_html": _table_html(comp),
        "graph_svg": graph_svg(comp),
        "lagrangian_tex": str(lagrangian_latex(comp)),
        "conditions_tex": str(conditions_latex(comp)),
        # a long program's A does not fit the column: elided, its pattern drawn, the whole behind a disclosure
        "system_tex": system,
        "system_full_tex": str(system_tex(comp)) if long else None,
        "pattern_svg": pattern_svg(comp) if long else None,
        "frames": frames,
        "frame_labels": [_plain_label(label) for label in back_substitution_labels(comp)],
        "at": values,
        "gradient": gradient,
        "finite_difference": differences,
        "max_difference": max((abs(gradient[k] - differences[k]) for k in gradient), default=0.0),  # NaN if one is
        "fd_step": step,
        "result": z[n],
        # what the reader may differentiate L by (derivative()): name as sent back, label as shown
        "variables": [{"name": str(v), "label": plain_name(v)} for v in lagrangian_variables(comp)],
    }


def _frames(comp: Computation, values: dict) -> list[dict]:
    frames, labels, said = _frames_and_labels(comp, values, with_system=len(comp) <= MAX_FULL_STEPS)
    return [
        {
            "tex": _frame_tex(frame),
            "label": _plain_label(label),
            "announcement": re.sub(r"^Step \d+ of \d+: ", "", announcement),  # the page numbers frames
        }
        for frame, label, announcement in zip(frames, labels, said, strict=True)
    ]


def stepper_frames(text: str, inputs: str = "", kind: str = "python", at: str = "") -> dict:
    """Back substitution's frames for the reader's program, one λ a frame after the opening A λ = e:
    ``{"ok": true, "frames": [{"tex", "label", "announcement"}, …]}``, or ``{"ok": false, "error"}``.

    >>> answer = stepper_frames("return exp(x)", "x", at="x=0")
    >>> [f["label"] for f in answer["frames"]], answer["frames"][2]["announcement"]
    (['the system A λ = e', 'solve row 2 for λ₂', 'solve row 1 for λ₁'], 'row 1: λ1 = 1 from λ2.')
    """
    try:
        comp = _computation(text, inputs, kind)
        return {"ok": True, "frames": _frames(comp, _values(comp, at))}
    except Exception as err:  # as in run()
        return {"ok": False, "error": _error(err)}


def frames_json(text: str, inputs: str = "", kind: str = "python", at: str = "") -> str:
    """:func:`stepper_frames` as a JSON string (what the page's worker calls)."""
    return json.dumps(_json_safe(stepper_frames(text, inputs, kind, at)), allow_nan=False)


def derivative(text: str, inputs: str = "", kind: str = "python", variable: str = "") -> dict:
    """∂L/∂v for the reader's program and one variable v of L (``"z_3"``, ``"lambda_2"``), as the kernel's
    Lagrangian explorer shows it (:func:`lagrange_ad.typeset.lagrangian_derivative_latex`: sympy.diff of L).

    The page sends the program of its last good run again (the worker keeps nothing between requests).
    Answers ``{"ok": true, "variable", "label", "tex", "expr"}`` (``expr``: sympy's text of ∂L/∂v), or
    ``{"ok": false, "error"}`` like :func:`run`.

    >>> print(derivative("return exp(x)", "x", variable="z_1")["tex"])
    \\frac{\\partial \\mathcal{L}}{\\partial z_{1}} = - \\lambda_{1} + \\lambda_{2} e^{z_{1}}
    >>> derivative("return exp(x)", "x", variable="z_9")["error"]["message"]
    "'z_9' is not a variable of L: they are lambda_1 … lambda_2 and z_1 … z_2"
    """
    try:
        comp = _computation(text, inputs, kind)  # read as run() reads it
        tex = lagrangian_derivative_latex(comp, variable)
        expr = str(lagrangian_derivative(comp, variable))  # sympy's text of the same derivative
        return {"ok": True, "variable": variable, "label": plain_name(variable), "tex": str(tex), "expr": expr}
    except Exception as err:  # as in run(): a message for the page, never a traceback
        return {"ok": False, "error": _error(err)}


def derivative_json(text: str, inputs: str = "", kind: str = "python", variable: str = "") -> str:
    """:func:`derivative` as a JSON string (what the page's worker calls)."""
    return json.dumps(derivative(text, inputs, kind, variable))


def _values(comp: Computation, at: str) -> dict[str, float]:
    """The input values from ``at`` ("x=0.5, w=-1"); an input it does not name gets DEFAULT_VALUE.

    >>> import lagrange_ad as lad
    >>> _values(lad.trace(lambda x, w: x * w, "x w"), "w = -1")
    {'x': 0.5, 'w': -1.0}
    """
    names = [s.name for s in comp.inputs]
    values = dict.fromkeys(names, DEFAULT_VALUE)
    for item in re.split(r"[,;\n]+", at or ""):
        if not item.strip():
            continue
        name, equals, number = item.partition("=")
        name = name.strip()
        if not equals or not name:
            raise InputError(f"values: write name=number, e.g. {names[0] if names else 'x'}=0.5 (got {item.strip()!r})")
        if name not in values:
            raise InputError(f"values: {name!r} is not an input; the inputs are {', '.join(names) or 'none'}")
        try:
            value = float(number)
        except ValueError:
            raise InputError(f"values: {name} = {number.strip()!r} is not a number") from None
        if not math.isfinite(value):
            raise InputError(f"values: {name} must be a finite number, not {number.strip()}")
        values[name] = value
    return values


def _central_differences(comp: Computation, values: dict, step: float) -> dict[str, float]:
    """(z_n(x + h) − z_n(x − h)) / 2h for each input: forward passes only, an independent check of λ.

    NaN where z_n is not defined on both sides (√x at x = 0): there is no central difference to compare.
    """
    n = len(comp)
    out = {}
    for name in values:
        up, down = dict(values), dict(values)
        up[name] += step
        down[name] -= step
        try:
            out[name] = (scalar_numbers(comp, up, False)[0][n] - scalar_numbers(comp, down, False)[0][n]) / (2 * step)
        except InputError:
            out[name] = math.nan
    return out


def _table_html(comp: Computation) -> str:
    """The steps table (the book's), with a caption that names it for screen readers."""
    caption = "<caption>The steps z<sub>i</sub> = f<sub>i</sub>(z<sub>a(i)</sub>), with a(i) and b(i)</caption>"
    table = steps_table(comp).html
    return table.replace("<thead>", caption + "<thead>", 1)


def _frame_tex(frame_html: str) -> str:
    """One back-substitution frame as display-math TeX: its formulas (the frame's ``$$ … $$``), stacked.

    Above :data:`~lagrange_ad.frames.MAX_FULL_STEPS` steps the frames leave A λ = e out (the page shows it
    once): n frames of an n×n matrix would be slow to make, to send and to typeset, and too wide.
    """
    blocks = [_unescape(b.strip()) for b in re.findall(r"\$\$(.*?)\$\$", frame_html, flags=re.S)]
    if not blocks:  # the opening frame of a long program, without the system
        blocks = [r"A\lambda = e:\ \text{solved from the last row up, one }\lambda\text{ a row}"]
    return "\\begin{gathered}\n" + " \\\\[1ex]\n".join(blocks) + "\n\\end{gathered}"


def _unescape(tex: str) -> str:
    return tex.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _plain_label(label: str) -> str:
    """A frame's caption as plain text (the page shows it as text): ``\\(\\lambda_{3}\\)`` becomes λ₃."""
    label = re.sub(r"\\\(\\lambda_\{(\d+)\}\\\)", lambda m: plain_name(f"lambda_{m.group(1)}"), label)
    return label.replace("\\(A\\lambda = e\\)", "A λ = e")


def _error(err: Exception) -> dict:
    """``{"kind", "message", "line"}`` for a failure: the package's own message, the line of the text."""
    if isinstance(err, SyntaxError):
        kind, line = "syntax", err.lineno
    elif isinstance(err, StepLimitError):
        kind, line = "step-limit", None
    elif isinstance(err, ReaderError):
        cause = err.cause
        kind = (
            "tracing"
            if isinstance(cause, TracingError)
            else "input"
            if isinstance(cause, (NameError, AttributeError, LagrangeADError))
            else "other"
        )
        line = err.line
    elif isinstance(err, TracingError):
        kind, line = "tracing", None
    elif isinstance(err, InputError):
        kind, line = ("domain" if "at these input values" in str(err) else "input"), None
    elif isinstance(err, LagrangeADError):
        # typed equations: the parser names the line in its message, and keeps Python's SyntaxError as context
        kind = "syntax" if isinstance(err.__context__, SyntaxError) else "input"
        found = re.match(r"line (\d+):", str(err))
        line = int(found.group(1)) if found else None
    else:
        kind, line = "other", None
    text = message(err, MAX_STEPS, "this page")
    return {"kind": kind, "message": text, "line": line}

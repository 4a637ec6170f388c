"""Widgets for the book: a stepper that works without a kernel, and a labelled kernel explorer.

A static book page has no Python kernel, so a widget whose behaviour lives in a Python callback
is dead there. :func:`frame_stepper` therefore takes *precomputed* frames (HTML that may hold
MathJax math) and links a slider and a play button to the frame being shown **in the browser**
(``jslink``): it steps the same way in the rendered book and in JupyterLab.

Controls that truly need Python go through :func:`kernel_explorer`. Given a ``static`` twin (a stepper
of precomputed frames, say), the static page shows the twin instead and a running notebook the live
controls; without one, a note says that the controls need a running notebook.

Every part carries a stable CSS class (used by the book's stylesheet and the browser tests):

============================  ==========================================
``lad-stepper``               the whole stepper (a VBox)
``lad-stepper-title``         its title, when given
``lad-stepper-play``          the play button (``ipywidgets.Play``)
``lad-stepper-slider``        the slider (``ipywidgets.IntSlider``)
``lad-stepper-stack``         the ``ipywidgets.Stack`` holding the frames
``lad-stepper-frame``         every frame (``ipywidgets.HTMLMath``)
``lad-stepper-frame-<k>``     frame number k, counted from 0
``lad-stepper-label``         the caption at the top of each frame (HTML)
``lad-stepper-announce``      each frame's plain-text announcement (hidden; the book's
                              a11y.js reads it out through an aria-live region)
``lad-tabs``                  the tabs of :func:`tabs` (an ``ipywidgets.Tab``)
``lad-explorer``              a kernel explorer (a VBox)
``lad-kernel-note``           its "needs a running notebook" note
``lad-kernel-only``           an explorer's kernel part, when it has a static twin (the book's
                              CSS hides it)
``lad-static-only``           that twin: hidden in a notebook, shown by the book's CSS
============================  ==========================================
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence

import ipywidgets as widgets

from .errors import LagrangeADError

__all__ = ["FrameStepper", "frame_stepper", "tabs", "kernel_explorer", "KERNEL_NOTE"]

KERNEL_NOTE = (
    "This explorer runs Python code: it responds only in a running notebook "
    "(open this page as a notebook in JupyterLab and run it). "
    "On the static web page its controls do nothing."
)


class FrameStepper(widgets.VBox):
    """The box :func:`frame_stepper` returns; its parts are kept as attributes.

    ``play``, ``slider`` and ``stack`` are the widgets described in :func:`frame_stepper`;
    ``frames`` are the ``HTMLMath`` children of ``stack``.
    """

    def __init__(self, children, *, play, slider, stack, **kwargs):
        super().__init__(children, **kwargs)
        self.play = play
        self.slider = slider
        self.stack = stack
        self.frames = tuple(stack.children)


def _plain(text: str) -> str:
    """A caption without HTML tags and TeX delimiters, Greek letters as letters (for screen readers).

    >>> _plain(r"solve row 2 for <b>\\(\\lambda_{2}\\)</b>")
    'solve row 2 for λ2'
    """
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"\\[()\[\]]", "", text)
    text = text.replace("\\lambda", "λ").replace("\\partial", "∂")
    return html.unescape(re.sub(r"[{}_^$]", "", text)).strip()


def _check_html_list(items, what: str) -> list[str]:
    if isinstance(items, str) or not isinstance(items, Sequence):
        raise LagrangeADError(f"{what} must be a list of HTML strings, got {type(items).__name__}: {items!r:.80}")
    for k, item in enumerate(items):
        if not isinstance(item, str):
            raise LagrangeADError(f"{what}[{k}] must be an HTML string, got {type(item).__name__}: {item!r:.80}")
    return list(items)


def frame_stepper(
    frames: Sequence[str],
    labels: Sequence[str] | None = None,
    title: str | None = None,
    interval: int = 1200,
    announcements: Sequence[str] | None = None,
) -> FrameStepper:
    """Show precomputed frames one at a time, stepped by a slider and a play button.

    The slider, the play button and the ``Stack`` of frames are linked in the browser
    (``jslink``), so stepping needs no kernel: it works on the static book page as in JupyterLab.

    Args:
        frames: one HTML string per frame; math in ``$$...$$``, ``\\[...\\]`` or ``\\(...\\)``
            is typeset by MathJax.
        labels: optional caption (HTML) for each frame, shown above it together with
            "k / n"; one per frame.
        title: optional heading (HTML) above the controls.
        interval: milliseconds between frames while playing.
        announcements: optional plain text per frame that a screen reader hears when the frame
            is shown (say what changed, e.g. "row 5: λ5 = 1 from λ6"); by default
            "Step k of n" and the frame's label.

    Returns:
        A :class:`FrameStepper` (an ``ipywidgets.VBox``) with attributes ``play``, ``slider``,
        ``stack`` and ``frames``.

    >>> stepper = frame_stepper([r"$$\\lambda_3 = -1$$", r"$$\\lambda_2 = 2\\lambda_3$$"],
    ...                         labels=["solve for λ3", "solve for λ2"])
    >>> len(stepper.frames), stepper.slider.max, stepper.play.interval
    (2, 1, 1200)
    >>> print(stepper.frames[1].value)
    <div class="lad-stepper-label"><span class="lad-stepper-count">2 / 2</span> solve for λ2</div>
    <div class="lad-stepper-announce" hidden>Step 2 of 2: solve for λ2</div>
    $$\\lambda_2 = 2\\lambda_3$$
    >>> "lad-stepper-frame-1" in stepper.frames[1]._dom_classes
    True
    >>> frame_stepper([])
    Traceback (most recent call last):
    ...
    lagrange_ad.errors.LagrangeADError: frame_stepper needs at least one frame, got none
    """
    frames = _check_html_list(frames, "frames")
    n = len(frames)
    if n == 0:
        raise LagrangeADError("frame_stepper needs at least one frame, got none")
    if labels is not None:
        labels = _check_html_list(labels, "labels")
        if len(labels) != n:
            raise LagrangeADError(f"frame_stepper got {n} frames but {len(labels)} labels; give one label per frame")
    if announcements is not None:
        announcements = _check_html_list(announcements, "announcements")
        if len(announcements) != n:
            raise LagrangeADError(
                f"frame_stepper got {n} frames but {len(announcements)} announcements; give one per frame"
            )
    else:
        announcements = [f"Step {k + 1} of {n}" + (f": {_plain(labels[k])}" if labels else "") for k in range(n)]
    if isinstance(interval, bool) or not isinstance(interval, int) or interval <= 0:
        raise LagrangeADError(f"interval must be a positive number of milliseconds, got {interval!r}")

    children = []
    for k, body in enumerate(frames):
        caption = f'<span class="lad-stepper-count">{k + 1} / {n}</span>'
        if labels is not None:
            caption += f" {labels[k]}"
        said = html.escape(announcements[k], quote=False)
        # HTMLMath re-typesets its math each time the Stack shows it
        frame = widgets.HTMLMath(
            f'<div class="lad-stepper-label">{caption}</div>\n'
            f'<div class="lad-stepper-announce" hidden>{said}</div>\n{body}',
            layout=widgets.Layout(overflow="auto"),
        )
        frame.add_class("lad-stepper-frame")
        frame.add_class(f"lad-stepper-frame-{k}")
        children.append(frame)

    stack = widgets.Stack(children, selected_index=0)
    stack.add_class("lad-stepper-stack")
    # The readout is hidden: it would count from 0, while each frame's caption says "k / n".
    slider = widgets.IntSlider(
        value=0,
        min=0,
        max=n - 1,
        step=1,
        readout=False,
        description="step",
        layout=widgets.Layout(width="auto", flex="1 1 auto"),
    )
    slider.add_class("lad-stepper-slider")
    play = widgets.Play(value=0, min=0, max=n - 1, step=1, interval=interval, description="play")
    play.add_class("lad-stepper-play")
    # Links live in the browser, which is what keeps the stepper alive without a kernel.
    widgets.jslink((play, "value"), (slider, "value"))
    widgets.jslink((slider, "value"), (stack, "selected_index"))

    controls = widgets.HBox([play, slider], layout=widgets.Layout(align_items="center"))
    controls.add_class("lad-stepper-controls")
    parts = [controls, stack]
    if title is not None:
        heading = widgets.HTMLMath(f'<div class="lad-stepper-title">{title}</div>')
        heading.add_class("lad-stepper-title")
        parts.insert(0, heading)
    box = FrameStepper(parts, play=play, slider=slider, stack=stack)
    box.add_class("lad-stepper")
    return box


def tabs(pages: Mapping[str, widgets.Widget]) -> widgets.Tab:
    """One tab per named widget (steppers, say), titled by its name; the first tab is shown.

    Switching tabs happens in the browser, so the tabs work on the static book page as in JupyterLab.

    >>> box = tabs({"chain": frame_stepper(["one"]), "residual": frame_stepper(["two"])})
    >>> list(box.titles), box.selected_index, "lad-tabs" in box._dom_classes
    (['chain', 'residual'], 0, True)
    >>> tabs({"chain": "not a widget"})
    Traceback (most recent call last):
    ...
    lagrange_ad.errors.LagrangeADError: tabs: the page 'chain' must be a widget, got str
    """
    if not isinstance(pages, Mapping) or not pages:
        raise LagrangeADError(f"tabs needs a non-empty dict of title -> widget, got {pages!r:.80}")
    for title, page in pages.items():
        if not isinstance(title, str):
            raise LagrangeADError(f"tabs: every title must be a string, got {type(title).__name__}: {title!r:.80}")
        if not isinstance(page, widgets.Widget):
            raise LagrangeADError(f"tabs: the page {title!r} must be a widget, got {type(page).__name__}")
    box = widgets.Tab(children=list(pages.values()), titles=list(pages), selected_index=0)
    box.add_class("lad-tabs")
    return box


def kernel_explorer(
    controls: widgets.Widget | Sequence[widgets.Widget],
    output: widgets.Widget | None = None,
    note: str = KERNEL_NOTE,
    title: str | None = None,
    static: widgets.Widget | None = None,
) -> widgets.VBox:
    """Wrap kernel-backed controls and their output with a visible "needs a notebook" note.

    Use it for anything whose behaviour is a Python callback (``observe``, ``on_click``,
    ``interactive``): on the static page such controls cannot respond, and the note says so.

    Args:
        controls: a widget or a list of widgets (buttons, sliders, text boxes ...).
        output: where the callbacks show their results (e.g. an ``ipywidgets.Output``).
        note: the text of the note (HTML); the default explains that a kernel is needed.
        title: optional heading (HTML).
        static: what the static page shows instead (a widget that works without a kernel, e.g. a
            :func:`frame_stepper` of precomputed results). The kernel part (title, note, controls,
            output) then carries the class ``lad-kernel-only``, which the book's CSS hides, and the
            twin ``lad-static-only``: hidden inline, so a running notebook never shows it, and shown
            by the book's CSS.

    >>> button = widgets.Button(description="re-derive")
    >>> out = widgets.Output()
    >>> box = kernel_explorer(button, out)
    >>> [type(w).__name__ for w in box.children]
    ['HTML', 'HBox', 'Output']
    >>> "running notebook" in box.children[0].value
    True
    >>> kernel_explorer("not a widget")
    Traceback (most recent call last):
    ...
    lagrange_ad.errors.LagrangeADError: kernel_explorer: controls[0] must be an ipywidget, got str: 'not a widget'
    >>> twin = frame_stepper(["frame one"])
    >>> box = kernel_explorer(button, out, static=twin)
    >>> [sorted(c._dom_classes) for c in box.children], twin.layout.display
    ([['lad-kernel-only'], ['lad-static-only', 'lad-stepper']], 'none')
    """
    items = [controls] if isinstance(controls, widgets.Widget) else controls
    if isinstance(items, str) or not isinstance(items, Sequence):
        items = [items]
    for k, item in enumerate(items):
        if not isinstance(item, widgets.Widget):
            raise LagrangeADError(
                f"kernel_explorer: controls[{k}] must be an ipywidget, got {type(item).__name__}: {item!r:.80}"
            )
    if output is not None and not isinstance(output, widgets.Widget):
        raise LagrangeADError(
            f"kernel_explorer: output must be an ipywidget (e.g. ipywidgets.Output()), got {type(output).__name__}"
        )

    note_widget = widgets.HTML(f'<div class="lad-kernel-note-text">&#9888; {note}</div>')
    note_widget.add_class("lad-kernel-note")
    # The note is true only on the static page: hidden here, shown by the book's own CSS
    # (book/_assets/lagrange_ad.css), which JupyterLab never loads. So a running notebook never says
    # that its controls do nothing.
    note_widget.layout.display = "none"
    row = widgets.HBox(list(items), layout=widgets.Layout(flex_flow="row wrap"))
    row.add_class("lad-explorer-controls")
    parts = [note_widget, row] + ([output] if output is not None else [])
    if title is not None:
        heading = widgets.HTMLMath(f'<div class="lad-explorer-title">{title}</div>')
        parts.insert(0, heading)
    if static is not None:
        if not isinstance(static, widgets.Widget):
            raise LagrangeADError(f"kernel_explorer: static must be an ipywidget, got {type(static).__name__}")
        live = widgets.VBox(parts)
        live.add_class("lad-kernel-only")
        static.add_class("lad-static-only")
        static.layout.display = "none"  # shown by the book's CSS only (see the note above)
        parts = [live, static]
    box = widgets.VBox(parts)
    box.add_class("lad-explorer")
    return box

"""The book's figure standard: one size, fonts that stay legible, alt text, and SVG in the page.

A figure in the book is drawn at most as wide as the text column (:data:`BOOK_WIDTH_IN`), with text of
at least :data:`MIN_FONT_PT` points, so that at the column's width every label renders at
:data:`MIN_TEXT_PX` CSS pixels or more. It goes into the page as SVG (sharp on any screen) inside an
``<img>`` that carries alt text saying what the figure shows, and two numbers a browser test reads
back: the smallest text (``data-lad-text-pt``) and the width of the drawing (``data-lad-width-pt``);
the text's size on screen is ``text_pt × drawn width / width_pt``.

A notebook calls :func:`use_book_figures` once: from then on every matplotlib figure it shows
(``plt.show()``, or a figure ending a cell) is shown this way. Give a figure its own alt text with
:func:`describe`; otherwise one is made from its titles, axis labels and legend.

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import matplotlib.pyplot as plt
>>> fig, ax = plt.subplots(figsize=(4, 3))
>>> _ = ax.plot([0, 1], [1, 0], label="falling"); _ = ax.set_xlabel("time"); _ = ax.legend()
>>> html = figure_html(describe(fig, "A line falling from 1 to 0."))
>>> 'alt="A line falling from 1 to 0."' in html, 'data-lad-text-pt="' in html
(True, True)
>>> smallest_text_pt(fig) >= MIN_FONT_PT
True
"""

from __future__ import annotations

import base64
import html
import io
import re

__all__ = [
    "BOOK_WIDTH_PX", "BOOK_WIDTH_IN", "MIN_TEXT_PX", "MIN_FONT_PT", "STYLE",
    "use_book_figures", "describe", "alt_text", "smallest_text_pt", "figure_html", "plain_text",
]  # fmt: skip

#: The book's text column at a 1280 px window, in CSS pixels (measured in Chromium).
BOOK_WIDTH_PX = 688
#: The widest a figure is drawn, in inches (CSS: 96 px to the inch).
BOOK_WIDTH_IN = BOOK_WIDTH_PX / 96
#: The smallest text a figure may show, in CSS pixels at the column's width.
MIN_TEXT_PX = 10
#: ... which is this many points in a figure shown at its natural size (1 pt = 4/3 CSS px).
MIN_FONT_PT = MIN_TEXT_PX * 72 / 96
#: matplotlib settings of the book's figures (fonts of 9–11 pt: 12–15 px on the page).
STYLE = {
    "figure.figsize": (6.4, 3.6),
    "figure.dpi": 96,
    "savefig.dpi": 200,  # raster parts inside an SVG (images, colour maps): sharp at 2×
    "font.size": 10,
    "axes.titlesize": 10.5,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "figure.titlesize": 11,
    "svg.hashsalt": "lagrange-ad",  # the same figure gives the same SVG on every run
}


_GREEK = {
    "lambda": "λ", "partial": "∂", "kappa": "κ", "Delta": "Δ", "sigma": "σ", "nabla": "∇", "varepsilon": "ε",
    "epsilon": "ε", "theta": "θ", "alpha": "α", "beta": "β", "mu": "μ", "tau": "τ", "cdot": "·", "times": "×",
}  # fmt: skip


def plain_text(text: str) -> str:
    """A matplotlib label as plain text for alt text: mathtext ($...$) unwrapped, the rest kept.

    >>> plain_text(r"$z_{1}$ and $\\lambda_2$ of lagrange_ad, $z_1^2 - \\varepsilon$")
    'z1 and λ2 of lagrange_ad, z1^2 − ε'
    """

    def unwrap(math):
        body = re.sub(r"\\([A-Za-z]+)", lambda m: _GREEK.get(m.group(1), m.group(1)), math.group(1))
        body = re.sub(r"\\[,;:! ]", " ", body).replace("-", "−")
        return re.sub(r"[{}_\\]", "", body)

    return re.sub(r"\$([^$]*)\$", unwrap, text).replace("\n", " ").strip()


def describe(fig_or_ax, alt: str):
    """Attach alt text (what the figure shows, in words) to a figure or one of its axes; returns it.

    >>> import matplotlib.pyplot as plt
    >>> fig = describe(plt.figure(), "An empty figure.")
    >>> alt_text(fig)
    'An empty figure.'
    """
    fig_or_ax.lad_alt = str(alt)
    return fig_or_ax


def _axes_alt(ax) -> str:
    own = getattr(ax, "lad_alt", None)
    if own:
        return own
    parts = []
    title = plain_text(ax.get_title())
    x, y = plain_text(ax.get_xlabel()), plain_text(ax.get_ylabel())
    kind = "Colour map" if ax.images else "Plot"
    if y and x:
        parts.append(f"{kind} of {y} against {x}")
    elif x:
        parts.append(f"{kind} over {x}")
    else:
        parts.append(kind)
    if title:
        parts[0] += f", titled “{title}”"
    labels = [plain_text(t) for t in ax.get_legend_handles_labels()[1] if not t.startswith("_")]
    if labels:
        parts.append("curves: " + ", ".join(labels))
    return "; ".join(parts)


def alt_text(fig) -> str:
    """The figure's alt text: what :func:`describe` gave it, else one made from its panels."""
    own = getattr(fig, "lad_alt", None)
    if own:
        return own
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]
    texts = [_axes_alt(ax) for ax in panels]
    title = plain_text(fig._suptitle.get_text()) if getattr(fig, "_suptitle", None) else ""
    head = f"Figure “{title}”" if title else "Figure"
    if len(texts) == 1:
        return f"{head}: {texts[0]}."
    return f"{head} with {len(texts)} panels: " + " ".join(f"({k}) {t}." for k, t in enumerate(texts, 1))


def smallest_text_pt(fig) -> float:
    """The smallest font size (points) of any text the figure draws (call after it has been drawn)."""
    from matplotlib.text import Text

    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    return float(min(sizes)) if sizes else float("inf")


def figure_html(fig, alt: str | None = None) -> str:
    """The figure as the book shows it: SVG in an ``<img>`` with alt text and its text size recorded.

    A figure wider than :data:`BOOK_WIDTH_IN` is first narrowed to it (its layout reflows; fonts keep
    their size), so that nothing in the book shrinks a figure's text below the standard.
    """
    width, height = fig.get_size_inches()
    if width > BOOK_WIDTH_IN:
        fig.set_size_inches(BOOK_WIDTH_IN, height * max(0.75, BOOK_WIDTH_IN / width))
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    svg = buffer.getvalue()
    found = re.search(r'<svg[^>]*?\swidth="([\d.]+)pt"[^>]*?\sheight="([\d.]+)pt"', svg, re.S)
    width_pt, height_pt = (float(found.group(1)), float(found.group(2))) if found else (width * 72, height * 72)
    text_pt = smallest_text_pt(fig)
    alt = alt_text(fig) if alt is None else alt
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (
        f'<img class="lad-figure" src="data:image/svg+xml;base64,{data}" alt="{html.escape(alt)}" '
        f'width="{round(width_pt * 4 / 3)}" height="{round(height_pt * 4 / 3)}" '
        f'data-lad-text-pt="{text_pt:g}" data-lad-width-pt="{width_pt:g}" '
        'style="max-width: 100%; height: auto;">'
    )


def use_book_figures():
    """Show every matplotlib figure of this notebook by the book's standard (call once, at the top).

    Sets :data:`STYLE`, and makes IPython display figures as :func:`figure_html` (no second PNG copy).
    Outside IPython it only sets the style.
    """
    import matplotlib as mpl
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    # The notebook backend sets up its figure display (dropping every other display of figures) when
    # the first figure is made: make one now, so that what we register below stays.
    plt.close(plt.figure())
    mpl.rcParams.update(STYLE)
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return
    shell = get_ipython()
    if shell is None:
        return
    formatters = shell.display_formatter.formatters
    formatters["text/html"].for_type(Figure, figure_html)
    formatters["image/png"].pop(Figure, None)

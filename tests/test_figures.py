"""The book's figure standard (lagrange_ad.figures): column width, legible text, SVG with alt text."""

from __future__ import annotations

import base64
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from lagrange_ad import figures  # noqa: E402


def attributes(html: str) -> dict:
    return dict(re.findall(r'([\w-]+)="([^"]*)"', html))


def test_a_wide_figure_is_narrowed_to_the_column_and_keeps_its_font_sizes():
    fig, ax = plt.subplots(figsize=(12, 3.6))
    ax.plot([0, 1], [0, 1], label="a line")
    ax.set_xlabel("x", fontsize=9)
    ax.legend(fontsize=8)
    html = figures.figure_html(fig)
    attrs = attributes(html)
    width_pt = float(attrs["data-lad-width-pt"])
    # the drawing is no wider than the column (tight bounding box: a few points either way)
    assert width_pt * 4 / 3 <= figures.BOOK_WIDTH_PX + 8
    assert float(attrs["data-lad-text-pt"]) == 8.0  # the legend: the smallest text, unchanged
    svg = base64.b64decode(attrs["src"].split(",", 1)[1]).decode()
    assert abs(float(re.search(r'<svg[^>]*width="([\d.]+)pt"', svg).group(1)) - width_pt) < 1e-3
    # shown at its natural size, 8 pt is 10.7 CSS px: at least the standard's 10 px
    assert 8.0 * 4 / 3 >= figures.MIN_TEXT_PX
    plt.close(fig)


def test_alt_text_comes_from_describe_or_from_the_panels():
    fig, (a, b) = plt.subplots(1, 2)
    a.plot([1, 2], label=r"$\lambda_1$")
    a.legend()
    a.set_xlabel("step $k$")
    a.set_ylabel("value")
    b.set_title("empty")
    alt = figures.alt_text(fig)
    assert alt.startswith("Figure with 2 panels") and "value against step k" in alt and "λ1" in alt
    assert "“empty”" in alt
    assert 'alt="A picture."' in figures.figure_html(figures.describe(fig, "A picture."))
    plt.close(fig)


def test_use_book_figures_shows_figures_as_the_standard_in_ipython():
    from IPython.testing.globalipapp import start_ipython
    from matplotlib.figure import Figure

    shell = start_ipython()
    figures.use_book_figures()
    assert shell.display_formatter.formatters["text/html"].lookup_by_type(Figure) is figures.figure_html
    assert Figure not in shell.display_formatter.formatters["image/png"].type_printers
    assert matplotlib.rcParams["xtick.labelsize"] >= figures.MIN_FONT_PT

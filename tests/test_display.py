"""lagrange_ad.display and lagrange_ad.explorers: what the chapters show.

Expected structures come from the computation's graph (a(i), b(i)) or from A's own entries, and
expected formulas are written out by hand; never from the display code's output.
"""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

import numpy as np
import pytest
import sympy

import lagrange_ad as lad
from lagrange_ad import display, explorers, figures, zoo
from lagrange_ad.display import COL_COLOR, ROW_COLOR


def bmatrices(tex: str) -> list[list[list[str]]]:
    """Every bmatrix in a LaTeX string, as rows of cells."""
    out = []
    for body in re.findall(r"\\begin\{bmatrix\}(.*?)\\end\{bmatrix\}", tex, flags=re.S):
        rows = [r for r in body.strip().split("\\\\") if r.strip()]
        out.append([[c.strip() for c in r.split("&")] for r in rows])
    return out


def colored(cell: str, color: str) -> bool:
    return cell.startswith(f"{{\\color{{{color}}}")


def tanh_example():
    return lad.trace(lambda x, w: lad.tanh(w * x), "x w")


def shaped_with_a_zero_block():
    """W feeds z2 = 0·W (a zero derivative, though z2 reads W) and z3; so b(1) = {2, 3} but A_12 = 0."""
    comp = lad.Computation()
    W = comp.input("W", shape=(1, 2))
    z2 = comp.assign(W * 0)
    comp.assign(lad.sum(W * W) + lad.sum(z2))
    return comp


# ---------------------------------------------------------------------------------------------------
# numbers and matrices


def test_number_latex():
    assert display.number_latex(3.0) == "3"
    assert display.number_latex(-0.12345) == "-0.123"
    assert display.number_latex(0.5, digits=1) == "0.5"
    assert display.number_latex(np.float64(2.71828), 2) == "2.72"
    assert display.number_latex(float("inf")) == "\\infty"


def test_matrix_latex_highlights_one_row_and_columns():
    A = np.arange(9.0).reshape(3, 3) / 4
    tex = display.matrix_latex(A, highlight_row=1, highlight_cols=[2], digits=2)
    (rows,) = bmatrices(tex)
    assert rows[0] == ["0", "0.25", f"{{\\color{{{COL_COLOR}}}{{0.50}}}}"]
    assert all(colored(c, ROW_COLOR) for c in rows[1])
    assert not any(colored(c, ROW_COLOR) for c in rows[0] + rows[2])
    assert colored(rows[2][2], COL_COLOR) and not colored(rows[2][0], COL_COLOR)


def test_matrix_latex_sympy_entries_and_errors():
    z = sympy.Symbol("z_1")
    (rows,) = bmatrices(display.matrix_latex(sympy.Matrix([[sympy.exp(z), sympy.Float(0.123456)]])))
    assert rows == [["e^{z_{1}}", "0.123"]]
    with pytest.raises(lad.LagrangeADError, match="highlight_row=3"):
        display.matrix_latex(np.eye(2), highlight_row=3)
    with pytest.raises(lad.LagrangeADError, match=r"highlight_cols \[5\]"):
        display.matrix_latex(np.eye(2), highlight_cols=[5])


def test_tex_shows_as_display_math():
    tex = display.system_latex(tanh_example())
    assert isinstance(tex, str)
    assert tex._repr_latex_() == f"$${tex}$$"


# ---------------------------------------------------------------------------------------------------
# A λ = e


def test_system_latex_entries_are_those_of_a():
    comp = tanh_example()
    A, _ = lad.linear_system(comp)
    (rows, lam, e) = bmatrices(display.system_latex(comp))
    assert len(rows) == len(comp) == len(lam) == len(e)
    for r in range(A.shape[0]):
        for c in range(A.shape[1]):
            assert (rows[r][c] == "0") == (A[r, c] == 0), (r, c)
    assert rows[2][3] == "1 - \\tanh^{2}{\\left(z_{3} \\right)}"  # ∂ tanh(z3)/∂z3, by hand
    assert rows[0][2] == "z_{2}" and rows[1][2] == "z_{1}"  # ∂(z2 z1)/∂z1 = z2, ∂/∂z2 = z1
    assert [r[r_i] for r_i, r in enumerate(rows)] == ["-1"] * 4
    assert e == [["0"], ["0"], ["0"], ["-1"]]


@pytest.mark.parametrize("i", [1, 2, 3, 4])
def test_system_latex_highlights_row_i_and_the_lambdas_it_uses(i):
    comp = tanh_example()
    rows, lam, e = bmatrices(display.system_latex(comp, highlight=i))
    assert [k for k, r in enumerate(rows) if all(colored(c, ROW_COLOR) for c in r)] == [i - 1]
    assert not any(colored(c, ROW_COLOR) for k, r in enumerate(rows) if k != i - 1 for c in r)
    assert colored(lam[i - 1][0], ROW_COLOR) and colored(e[i - 1][0], ROW_COLOR)
    blue = [k + 1 for k, cell in enumerate(lam) if colored(cell[0], COL_COLOR)]
    assert blue == list(comp.b(i))


def test_system_latex_refuses_matrix_steps_and_bad_rows():
    net, _ = zoo.source_network()
    with pytest.raises(lad.ShapeError, match="block_system_latex"):
        display.system_latex(net)
    with pytest.raises(lad.LagrangeADError, match="step index 1..4"):
        display.system_latex(tanh_example(), highlight=7)


def test_block_system_of_the_source_network():
    net, _ = zoo.source_network()
    rows, lam, e = bmatrices(display.block_system_latex(net, stacked=False))
    n = len(net)
    assert len(rows) == n and all(len(r) == n for r in rows)
    for i in range(1, n + 1):
        for k in range(1, n + 1):
            cell = rows[i - 1][k - 1]
            if i == k:
                assert cell == ("-1" if i == 9 else "-I")
            elif k in net.b(i):  # every edge of the source network has a nonzero derivative
                assert f"\\partial f_{{{k}}}}}{{\\partial z_{{{i}}}}}" in cell and "\\top" in cell
            else:
                assert cell == "0"
    assert e[-1] == ["-1"] and all(c == ["0"] for c in e[:-1])


def test_tall_systems_write_lambda_and_e_as_rows_under_a():
    net, _ = zoo.source_network()  # 9 steps: more than display.STACK_ABOVE
    assert len(net) > display.STACK_ABOVE
    tex = display.block_system_latex(net, highlight=5)
    assert tex == display.block_system_latex(net, highlight=5, stacked=True)
    rows, lam, e = bmatrices(tex)
    assert len(rows) == 9 and len(lam) == 1 and len(e) == 1  # λ and e are single rows (transposed)
    assert len(lam[0]) == 9 and colored(lam[0][4], ROW_COLOR) and colored(lam[0][5], COL_COLOR)
    assert e[0][-1] == "-1" and "\\lambda = e" in tex and tex.count("^{\\!\\top}") >= 2
    small = lad.trace(lambda x: lad.exp(x), "x")
    assert "gathered" not in display.system_latex(small)  # small systems stay side by side


def test_split_latex_breaks_long_sums_between_terms():
    xs = sympy.symbols("x1:30")
    expr = sympy.Add(*[x**2 for x in xs])
    tex = display.split_latex(sympy.Eq(expr, 0), lhs="f", width=40)
    lines = tex.split("\\\\")
    assert len(lines) > 3 and tex.startswith("\\begin{aligned}\nf &= ")
    assert all(display._visible_len(line) <= 60 for line in lines)
    # the lines hold every term once, in order, and the equation's right-hand side at the end
    found = [int(m) for m in re.findall(r"x_\{(\d+)\}", tex)]
    assert sorted(found) == list(range(1, 30))
    assert sympy.sympify(" + ".join(f"x{k}**2" for k in found)) == expr
    assert tex.rstrip().endswith("= 0\n\\end{aligned}")


def test_block_pattern_comes_from_a_not_from_the_graph():
    comp = shaped_with_a_zero_block()
    assert comp.b(1) == (2, 3)
    rows, _, _ = bmatrices(display.block_system_latex(comp))
    assert rows[0][1] == "0"  # z2 reads W, but its derivative is zero, so A's block is zero
    assert "\\partial f_{3}" in rows[0][2]
    assert rows[1][2].startswith("\\left(\\tfrac{\\partial f_{3}}{\\partial z_{2}}")


def test_block_system_highlight():
    net, _ = zoo.source_network()
    rows, lam, _ = bmatrices(display.block_system_latex(net, highlight=5, stacked=False))
    assert all(colored(c, ROW_COLOR) for c in rows[4])
    assert [k + 1 for k, c in enumerate(lam) if colored(c[0], COL_COLOR)] == [6]


# ---------------------------------------------------------------------------------------------------
# L and the conditions


def test_lagrangian_latex_scalar_by_hand():
    comp = lad.trace(lambda x: lad.exp(x), "x")
    expected = (
        "\\begin{aligned}\n\\mathcal{L}(z, \\lambda) &= z_{2} - \\lambda_{1} \\left(z_{1} - x\\right) "
        "- \\lambda_{2} \\left(z_{2} - e^{z_{1}}\\right)\n\\end{aligned}"
    )
    assert display.lagrangian_latex(comp) == expected


def test_lagrangian_latex_one_term_per_step():
    comp = lad.trace(zoo.loop_example, "x c")
    tex = display.lagrangian_latex(comp, per_line=2)
    for s in comp.steps:
        assert tex.count(f"\\lambda_{{{s.index}}} ") == 1
    assert tex.count("\\\\") == (len(comp) + 1) // 2 - 1 + (1 if (len(comp) + 1) % 2 else 0)
    assert "\\left(z_{3} - \\left(z_{1} + z_{2}\\right)\\right)" in tex


def test_lagrangian_latex_blocks():
    net, _ = zoo.source_network()
    tex = display.lagrangian_latex(net)
    assert tex.count("\\left\\langle") == 8  # the eight matrix-valued steps
    assert "\\left\\langle \\lambda_{5},\\, z_{5} - z_{1} z_{3} \\right\\rangle" in tex
    assert "\\lambda_{9} \\left(z_{9} - \\left(-" in tex  # the loss, a scalar, bracketed


def test_conditions_latex_groups_scalar():
    comp = tanh_example()
    lines = display.conditions_latex(comp).split("\n")
    eqs = [ln for ln in lines if ln.startswith("\\frac")]
    assert len(eqs) == 4 + 1 + 3
    assert "\\partial \\lambda_{4}}" in eqs[3] and "\\tanh" in eqs[3]
    assert eqs[4].endswith("&= 1 - \\lambda_{4} = 0 \\\\[1ex]")
    # ∂L/∂z_1 = −λ1 + λ3 z2, by hand
    assert "\\partial z_{1}} &= - \\lambda_{1} + \\lambda_{3} z_{2} = 0" in eqs[5]


def test_conditions_latex_blocks_use_the_nonzero_blocks():
    comp = shaped_with_a_zero_block()
    tex = display.conditions_latex(comp)
    row1 = next(ln for ln in tex.split("\n") if "\\partial z_{1}}" in ln)
    assert "\\lambda_{3}" in row1 and "\\lambda_{2}" not in row1


# ---------------------------------------------------------------------------------------------------
# pictures and the table


def test_structure_plot_colours_every_nonzero_of_a():
    net, _ = zoo.source_network()
    fig = display.structure_plot(net, title="A")
    ax = fig.axes[0]
    codes = np.asarray(ax.images[0].get_array())
    A, _ = lad.linear_system(net)
    nonzero = {k for k, v in A.todok().items() if v != 0}
    assert codes.shape == A.shape
    assert {tuple(map(int, k)) for k in zip(*np.nonzero(codes == 2), strict=True)} == {(r, r) for r in range(38)}
    assert {tuple(map(int, k)) for k in zip(*np.nonzero(codes == 1), strict=True)} == {
        (r, c) for r, c in nonzero if r != c
    }
    assert len(ax.lines) == 2 * (len(net) - 1)  # grid lines between the 9 blocks, both ways
    assert ax.get_title() == "A"


def test_structure_plot_of_a_pattern_into_given_axes():
    import matplotlib.pyplot as plt

    comp = tanh_example()
    fig, ax = plt.subplots()
    assert display.structure_plot(lad.block_pattern(comp), ax=ax) is ax
    codes = np.asarray(ax.images[0].get_array())
    assert codes.tolist() == [[2, 0, 1, 0], [0, 2, 1, 0], [0, 0, 2, 1], [0, 0, 0, 2]]
    plt.close(fig)
    with pytest.raises(lad.ShapeError, match="square"):
        display.structure_plot(np.zeros((2, 3)))


def test_graph_plot_nodes_and_arrows():
    net, _ = zoo.source_network()
    fig = display.graph_plot(net)
    ax = fig.axes[0]
    labels = [t for t in ax.texts if t.get_text()]
    arrows = [t for t in ax.texts if not t.get_text()]
    assert len(labels) == len(net)
    assert sum(len(net.a(i)) for i in range(1, 10)) == len(arrows) == 8
    position = {int(re.search(r"z_\{(\d+)\}", t.get_text()).group(1)): t.get_position() for t in labels}
    starts = {(a.xyann, a.xy) for a in arrows}
    for s in net.steps:
        for j in s.args:
            assert (position[j], position[s.index]) in starts
            assert position[j][0] < position[s.index][0]  # every arrow points right
    inputs = [t for t in labels if t.get_bbox_patch().get_boxstyle().__class__.__name__ == "Square"]
    assert len(inputs) == 4


def test_graph_arrows_keep_clear_of_the_nodes_they_pass():
    # exercise 1.2's graph: z1 -> z8 passes z6 on a straight line; the arrow must bend around it
    wired = lad.Computation.from_equations(
        "z4 = z1 * z2\nz5 = sin(z4)\nz6 = z5 + z3\nz7 = z6 * z4\nz8 = z7 - z1", inputs="z1 z2 z3"
    )
    fig = display.graph_plot(wired)
    fig.draw_without_rendering()
    ax = fig.axes[0]
    renderer = fig._get_renderer()
    boxes = {int(re.search(r"z_\{(\d+)\}", t.get_text()).group(1)): t.get_bbox_patch().get_window_extent(renderer)
             for t in ax.texts if t.get_text()}
    arrows = [a for a in ax.texts if not a.get_text()]
    assert len(arrows) == sum(len(s.args) for s in wired.steps)
    for arrow in arrows:
        path = arrow.arrow_patch.get_path().interpolated(50).vertices
        path = arrow.arrow_patch.get_transform().transform(path)
        ends = {k for k, box in boxes.items() for xy in (arrow.xy, arrow.xyann)
                if box.contains(*ax.transData.transform(xy))}
        assert len(ends) == 2
        # no point of the arrow lies inside a node other than the two it joins
        inside = {k for k, box in boxes.items() for x, y in path if box.contains(x, y)}
        assert inside <= ends, f"an arrow from/to {sorted(ends)} runs through nodes {sorted(inside - ends)}"
    fontsizes = {t.get_fontsize() for t in ax.texts if t.get_text()}
    assert min(fontsizes) >= 7.5 and fig.get_size_inches()[0] <= figures.BOOK_WIDTH_IN + 1e-9


def test_steps_table_rows():
    comp = tanh_example()
    table = display.steps_table(comp)
    lines = str(table).split("\n")
    assert len(lines) == 2 + len(comp)
    for s, line in zip(comp.steps, lines[2:], strict=True):
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert cells[0] == str(s.index) and cells[1] == f"`{s.name}`"
        assert cells[4] == ("{" + ", ".join(map(str, comp.a(s.index))) + "}" if comp.a(s.index) else "∅")
        assert cells[5] == ("{" + ", ".join(map(str, comp.b(s.index))) + "}" if comp.b(s.index) else "∅")
    assert not hasattr(table, "_repr_html_")  # raw HTML output would leave its math untypeset
    assert table.html.count("<tr>") == 1 + len(comp)
    assert "$" not in table.html and "\\(z_{2}\\, z_{1}\\)" in table.html  # math as \( \) in HTML


# ---------------------------------------------------------------------------------------------------
# explorers (callbacks called directly)


def kinds(box):
    return [k for o in box.output.outputs for k in o["data"] if k != "text/plain"]


def text_of(box):
    return " ".join(o["data"].get("text/html", "") + o["data"].get("text/latex", "") for o in box.output.outputs)


def test_sequence_explorer_shows_table_graph_l_and_a():
    box = explorers.sequence_explorer("z3 = w * x\nz4 = exp(z3)", "x w")
    box.run()
    assert kinds(box) == ["text/html", "text/html", "text/html", "text/html", "text/latex", "text/html", "text/latex"]
    # the graph, by the book's figure standard: an SVG image with alt text and its text size recorded
    figure = next(o["data"]["text/html"] for o in box.output.outputs if "lad-figure" in o["data"]["text/html"])
    svg = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', figure).group(1)
    assert base64.b64decode(svg).lstrip().startswith(b"<?xml") and b"<svg" in base64.b64decode(svg)
    assert 'alt="Computation graph with 4 nodes' in figure
    assert float(re.search(r'data-lad-text-pt="([\d.]+)"', figure).group(1)) >= 7.5
    assert "4 steps, 2 inputs" in text_of(box)
    assert text_of(box).count('<table class="lad-steps-table">') == 1
    assert "e^{z_{3}}" in text_of(box)  # A's entry ∂f4/∂z3
    assert "lad-explorer-run" in box.button._dom_classes
    assert "lad-explorer-output" in box.output._dom_classes


def test_sequence_explorer_python_function():
    box = explorers.sequence_explorer("h = tanh(w * x)\nreturn h * h", "x w", kind="python")
    box.run()
    assert "5 steps, 2 inputs" in text_of(box)
    box.text.value = "def g(a, b):\n    return a * b"
    box.run()
    assert "3 steps, 2 inputs" in text_of(box)


@pytest.mark.parametrize(
    "text, inputs, kind, message",
    [
        ("z3 = x *", "x", "equations", "cannot read"),
        ("z3 = x * q", "x", "equations", "unknown name &#x27;q&#x27;"),
        ("z2 = z3 + x\nz3 = x", "x", "equations", "before it is defined"),
        ("return x +* 2", "x", "python", "Python cannot read this"),
        ("y = x", "x", "python", "needs a `return`"),
        ("if x > 0:\n    return x\nreturn -x", "x", "python", "where"),
        ("while True:\n    x = x + 1\nreturn x", "x", "python", "went past 2,000 steps"),
        ("return x / undefined_name", "x", "python", "add undefined_name to the inputs box"),
        ("z2 = x * w", "x", "equations", "add it to the inputs"),
        ("z2 = x if x > 0 else -x", "x", "equations", "write where(condition, a, b)"),
        ("", "x", "equations", "empty"),
        ("z2 = W", "W:3", "equations", "name:ROWSxCOLS"),
    ],
)
def test_sequence_explorer_errors_are_friendly_messages(text, inputs, kind, message):
    box = explorers.sequence_explorer(text, inputs, kind=kind)
    box.run()
    (out,) = box.output.outputs
    html_text = out["data"]["text/html"]
    assert "lad-explorer-error" in html_text
    assert message in html_text
    assert "Traceback" not in html_text


def test_sequence_explorer_long_loops_show_only_the_table():
    box = explorers.sequence_explorer("for _ in range(45):\n    x = x * c\nreturn x", "x c", kind="python")
    box.run()
    assert kinds(box) == ["text/html", "text/html", "text/html"]  # heading, note, table: no graph, L or A
    assert "47 steps, 2 inputs" in text_of(box) and "more than 40 steps" in text_of(box)
    assert text_of(box).count("<tr>") == 1 + 2 + 45


def test_lagrangian_explorer_differentiates_l():
    box = explorers.lagrangian_explorer("z3 = w * x\nz4 = tanh(z3)", "x w")
    box.run()
    assert "\\mathcal{L}(z, \\lambda)" in text_of(box) and "earlier steps" in text_of(box)
    box.variable.value = "z_3"
    box.differentiate()
    heading, derivative = (o["data"] for o in box.output.outputs[:2])  # first, where the reader looks
    assert "Differentiating L by z₃" in heading["text/html"]
    last = derivative["text/latex"]
    # ∂L/∂z3 = −λ3 + λ4 (1 − tanh²(z3)), by hand; compare as sympy expressions
    l3, l4, z3 = sympy.symbols("lambda_3 lambda_4 z_3")
    d = sympy.diff(lad.lagrangian(lad.Computation.from_equations("z3 = w * x\nz4 = tanh(z3)", "x w")), z3)
    assert sympy.simplify(d - (-l3 + l4 * (1 - sympy.tanh(z3) ** 2))) == 0
    assert last.startswith("$$\\frac{\\partial \\mathcal{L}}{\\partial z_{3}} = ")
    assert "\\lambda_{4}" in last and "\\tanh" in last


def test_lagrangian_explorer_blocks_and_errors():
    box = explorers.lagrangian_explorer("z2 = sum(W * W)", "W:1x2")
    box.run()
    assert box.variable.options == ()
    box.differentiate()
    assert "lad-explorer-error" in box.output.outputs[0]["data"]["text/html"]
    box.text.value = "z2 = "
    box.run()
    assert "lad-explorer-error" in box.output.outputs[0]["data"]["text/html"]


def lambda_values(box) -> dict[int, float]:
    html_text = text_of(box)
    return {
        int(i): float(v)
        for i, v in re.findall(r'class="lad-lambda-value" data-index="(\d+)" data-value="([-0-9.e]+)"', html_text)
    }


def test_gradient_explorer_follows_the_sliders():
    comp = tanh_example()
    box = explorers.gradient_explorer(comp, {"x": 0.5, "w": -2.0})
    first = lambda_values(box)
    expected = lad.multipliers(comp, {"x": 0.5, "w": -2.0})
    assert first == pytest.approx({i: float(v) for i, v in expected.items()})
    box.sliders["x"].value = 1.5
    moved = lambda_values(box)
    assert moved[1] == pytest.approx(-2.0 * (1 - np.tanh(-3.0) ** 2))  # ∂tanh(wx)/∂x = w(1 − tanh²), by hand
    assert moved != first


def test_gradient_explorer_step_lowers_the_result():
    comp = lad.trace(lambda x, w: (x * w - 1) ** 2, "x w")
    box = explorers.gradient_explorer(comp, {"x": 1.0, "w": 2.0}, step_size=0.05)
    before = lad.forward(comp, {"x": 1.0, "w": 2.0})[len(comp)]
    box.step()
    vals = {"x": box.sliders["x"].value, "w": box.sliders["w"].value}
    assert vals["x"] == pytest.approx(1.0 - 0.05 * 4.0) and vals["w"] == pytest.approx(2.0 - 0.05 * 2.0)
    assert lad.forward(comp, vals)[len(comp)] < before
    live, static = box.children  # the kernel part, and what the static page shows instead
    assert "lad-explorer-step" in live.children[-2].children[-1]._dom_classes
    assert "lad-kernel-only" in live._dom_classes and "lad-static-only" in static._dom_classes


def test_gradient_explorer_static_page_steps_as_the_button_does():
    """The static page's stepper shows, frame k, the table after k presses of "gradient step"."""
    comp = lad.trace(lambda x, w: (x * w - 1) ** 2, "x w")
    box = explorers.gradient_explorer(comp, {"x": 1.0, "w": 2.0}, step_size=0.05)
    frames = box.static.frames
    assert len(frames) == 7 and box.static.layout.display == "none"  # hidden but where the book's CSS shows it
    for k in range(1, 4):
        box.step()
        x, w = box.sliders["x"].value, box.sliders["w"].value
        assert f"x = {x:.4f}, w = {w:.4f}" in frames[k].value
        z = lad.forward(comp, {"x": x, "w": w})[len(comp)]
        assert f"z<sub>n</sub> = {z:.6g}" in frames[k].value
    # the explorer's own λ markers stay unique to the live table (JupyterLab tests read them)
    assert "lad-lambda-value" not in "".join(f.value for f in frames)


def test_gradient_explorer_matrix_inputs_stay_fixed():
    net, values = zoo.source_network()
    box = explorers.gradient_explorer(net, values)
    assert box.sliders == {}
    assert "lad-lambda-value" in text_of(box)
    box.step()
    assert "no scalar inputs" in box.output.outputs[0]["data"]["text/html"]


def test_explorers_say_they_need_a_kernel():
    for box in (explorers.sequence_explorer(), explorers.lagrangian_explorer()):
        note = box.children[1]
        assert "lad-kernel-note" in note._dom_classes and "running notebook" in note.value
        # hidden where it would be false (a running notebook); the book's CSS shows it on the static page
        assert note.layout.display == "none"
    css = (Path(__file__).resolve().parent.parent / "book" / "_assets" / "lagrange_ad.css").read_text()
    assert re.search(r"\.lad-kernel-note \{[^}]*display: block !important", css)


# ---- what a student meets in the explorers: advice that works when followed, their own line numbers


def error_of(box) -> str:
    (out,) = box.output.outputs
    text = out["data"]["text/html"]
    assert "lad-explorer-error" in text and "Traceback" not in text
    return html.unescape(text)


@pytest.mark.parametrize("kind", ["python", "equations"])
def test_the_where_hint_works_when_typed_into_the_explorer(kind):
    branchy = {"python": "if x > 0:\n    return x\nreturn 0.1 * x", "equations": "z2 = x if x > 0 else 0.1 * x"}
    box = explorers.sequence_explorer(branchy[kind], "x", kind=kind)
    box.run()
    hint = re.search(r"(lad\.)?where\(x > 0, x, 0\.1 \* x\)|where\(condition, a, b\)", error_of(box))
    assert hint, error_of(box)
    typed = "lad.where(x > 0, x, 0.1 * x)"  # the package's own advice, word for word
    box.text.value = f"return {typed}" if kind == "python" else f"z2 = {typed}"
    box.run()
    assert "lad-explorer-error" not in text_of(box) and "steps, 1 inputs" in text_of(box)
    assert "\\mathbb{1}" in text_of(box)  # where became an indicator function


def test_the_reduce_hint_works_when_typed_into_the_explorer():
    box = explorers.sequence_explorer("return W * 2", "W:2x2", kind="python")
    box.run()
    assert "lad.sum" in error_of(box)
    box.text.value = "return lad.sum(W * 2)"
    box.run()
    assert "3 steps, 1 inputs" in text_of(box)


def test_the_step_limit_advice_is_for_the_explorer_not_for_code():
    box = explorers.sequence_explorer("while True:\n    x = x + 1\nreturn x", "x", kind="python")
    box.run()
    message = error_of(box)
    assert "make it shorter here" in message and "max_steps" not in message


@pytest.mark.parametrize(
    "text, line",
    [
        ("return x *", 1),  # a syntax error in a one-line body is on line 1, not on the hidden `def` line
        ("h = tanh(x)\n\nreturn h +* 2", 3),
        ("h = tanh(x)\nif h > 0:\n    h = h * 2\nreturn h", 2),  # the `if` on a traced value
        ("h = tanh(x)\nreturn h * w", 2),  # a name that is not an input
        ("def f(x):\n    return x *", 2),  # a whole def: its own numbering
    ],
)
def test_line_numbers_count_the_readers_own_text(text, line):
    box = explorers.sequence_explorer(text, "x", kind="python")
    box.run()
    assert f"line {line}:" in error_of(box)


def test_an_error_clears_old_results_and_nothing_is_derived_from_a_failed_program():
    box = explorers.lagrangian_explorer("z3 = w * x\nz4 = tanh(z3)", "x w")
    box.run()
    assert box.variable.options and not box.d_button.disabled
    box.text.value = "z3 = w * x\nz4 = tanh(z3"  # a typo
    box.run()
    assert "cannot read" in error_of(box)
    assert box.variable.options == () and box.d_button.disabled
    box.differentiate()  # e.g. by keyboard: still no earlier program's L
    assert "press “derive the conditions” first" in error_of(box)
    assert "\\mathcal{L}" not in text_of(box)


def test_switching_the_kind_switches_the_text_and_keeps_what_was_typed():
    box = explorers.lagrangian_explorer("z3 = w * x", "x w")
    box.kind.value = "python"
    assert box.text.value == explorers.EXAMPLE_FUNCTION
    box.run()
    assert "lad-explorer-error" not in text_of(box)
    box.kind.value = "equations"
    assert box.text.value == "z3 = w * x"  # the reader's equations come back


def test_differentiate_is_disabled_when_there_is_nothing_to_pick():
    box = explorers.lagrangian_explorer("z2 = W @ W\nz3 = sum(z2)", "W:2x2")
    box.run()
    assert box.variable.options == () and box.d_button.disabled


def test_the_variable_list_reads_as_the_book_writes_it():
    box = explorers.lagrangian_explorer("z3 = w * x", "x w")
    labels = [label for label, _ in box.variable.options]
    assert labels == ["λ₁", "λ₂", "λ₃", "z₁", "z₂", "z₃"]


def test_errors_are_styled_as_errors_without_the_books_css():
    box = explorers.sequence_explorer("z3 = x *", "x")
    box.run()
    (out,) = box.output.outputs
    assert 'role="alert"' in out["data"]["text/html"] and "border-left" in out["data"]["text/html"]


@pytest.mark.parametrize(("name", "size"), [("inception", 1), ("inception", 2), ("dense", 7), ("residual", 4)])
def test_graph_plot_nodes_never_overlap(name, size):
    """ch. 7 draws these graphs 6.2 in wide: no node's box may touch another's (inception's names once did)."""
    import matplotlib.pyplot as plt

    from lagrange_ad import architectures

    fig, ax = plt.subplots(figsize=(6.2, 2.2), layout="constrained")
    comp = architectures.build(name, size).comp
    display.graph_plot(comp, ax=ax)
    fig.draw_without_rendering()
    renderer = fig._get_renderer()
    boxes = [t.get_bbox_patch().get_window_extent(renderer) for t in ax.texts if t.get_bbox_patch() is not None]
    assert len(boxes) == len(comp)
    touching = [(a, b) for k, a in enumerate(boxes) for b in boxes[k + 1 :] if a.overlaps(b)]
    assert not touching, f"{name}({size}): {len(touching)} pairs of node boxes overlap"
    assert min(t.get_fontsize() for t in ax.texts) >= figures.MIN_FONT_PT
    plt.close(fig)

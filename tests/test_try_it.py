"""lagrange_ad.try_it, the Python side of the page's "try it" component (issue 15; the contract with the
page: run/run_json's keys). Gradients are checked against central differences of the program written
out here on plain floats, and against sympy.diff; every bad input gives ok: false with the package's
message, and a good run after it works.
"""

from __future__ import annotations

import json
import math
import re

import pytest
import sympy

from lagrange_ad import try_it
from lagrange_ad.graph_svg import MAX_WIDTH

PROGRAM = "y = x * w\nfor k in range(3):\n    y = tanh(y) + x\nreturn sin(y) * w"


def program(x, w):
    y = x * w
    for _ in range(3):
        y = math.tanh(y) + x
    return math.sin(y) * w


KEYS = {
    "ok", "n", "table_html", "graph_svg", "lagrangian_tex", "conditions_tex", "system_tex", "frames", "at",
    "gradient", "finite_difference", "max_difference", "fd_step", "result", "system_full_tex", "pattern_svg",
    "variables", "frame_labels",
}  # fmt: skip


@pytest.fixture(scope="module")
def answer():
    return json.loads(try_it.run_json(PROGRAM, "x w", "python", "x=0.7, w=-1.3"))


def test_a_good_run_has_every_part(answer):
    assert answer["ok"] and set(answer) == KEYS
    assert answer["n"] == 11 and answer["at"] == {"x": 0.7, "w": -1.3}
    assert answer["result"] == pytest.approx(program(0.7, -1.3), rel=1e-14)
    assert "\\mathcal{L}" in answer["lagrangian_tex"] and "\\begin{aligned}" in answer["conditions_tex"]
    assert answer["system_tex"].count("\\lambda_{") >= 11
    assert answer["system_full_tex"] is None and answer["pattern_svg"] is None  # small: A is shown whole
    assert not any("$" in answer[k] for k in ("lagrangian_tex", "conditions_tex", "system_tex"))


def test_the_gradient_is_the_derivative_and_agrees_with_central_differences(answer):
    h = 1e-6
    x, w = sympy.symbols("x w")
    y = x * w
    for _ in range(3):
        y = sympy.tanh(y) + x
    expr = sympy.sin(y) * w
    for name, v, fd in [
        ("x", x, (program(0.7 + h, -1.3) - program(0.7 - h, -1.3)) / (2 * h)),
        ("w", w, (program(0.7, -1.3 + h) - program(0.7, -1.3 - h)) / (2 * h)),
    ]:
        exact = float(sympy.diff(expr, v).subs({x: 0.7, w: -1.3}))
        assert answer["gradient"][name] == pytest.approx(exact, rel=1e-12)
        assert answer["finite_difference"][name] == pytest.approx(fd, rel=1e-6)
    diffs = [abs(answer["gradient"][k] - answer["finite_difference"][k]) for k in ("x", "w")]
    assert answer["max_difference"] == max(diffs) and answer["max_difference"] < 1e-8
    assert answer["fd_step"] == pytest.approx(1e-6 * 1.3)


def test_the_table_lists_each_step_with_a_and_b(answer):
    table = answer["table_html"]
    assert table.startswith("<table") and "<caption>" in table and "<th>" in table
    assert table.count("<tr>") == answer["n"] + 1  # the head and one row a step
    assert "a(i)" in table and "b(i)" in table


def test_the_graph_is_svg_that_fits_with_legible_text(answer):
    svg = answer["graph_svg"]
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert re.search(r"<title>Computation graph with 11 nodes", svg)
    width = float(re.search(r'width="([\d.]+)"', svg).group(1))
    assert 0 < width <= MAX_WIDTH
    sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)"', svg)]
    assert sizes and min(sizes) >= 10
    assert svg.count("<circle") + svg.count("<rect") == 11


@pytest.mark.parametrize("steps", [3, 20, 60])
def test_long_and_wide_graphs_stay_within_the_column(steps):
    chain = f"y = x\nfor k in range({steps}):\n    y = tanh(y) * w + x\nreturn y"
    wide = "return " + " + ".join(f"x{k} * w{k}" for k in range(min(steps, 12)))
    for text, inputs in [(chain, "x w"), (wide, " ".join(f"x{k} w{k}" for k in range(min(steps, 12))))]:
        answer = try_it.run(text, inputs)
        assert answer["ok"], answer
        width = float(re.search(r'width="([\d.]+)"', answer["graph_svg"]).group(1))
        assert width <= MAX_WIDTH


def test_frames_step_one_lambda_at_a_time(answer):
    frames = answer["frames"]
    assert len(frames) == answer["n"] + 1
    assert frames[0]["label"] == "the system A λ = e"
    assert [f["label"] for f in frames[1:3]] == ["solve row 11 for λ₁₁", "solve row 10 for λ₁₀"]
    # the page says "Step 2 of 12: " itself, before the announcement
    assert frames[1]["announcement"] == "row 11: λ11 = 1, the result's own multiplier."
    assert frames[0]["announcement"].startswith("the system A λ = e, 11 rows")
    for f in frames:
        assert "\\(" not in f["label"] and "$" not in f["tex"] and "&lt;" not in f["tex"]
        assert f["tex"].startswith("\\begin{gathered}")


@pytest.mark.parametrize("text", [PROGRAM, "y = x\nfor k in range(8):\n    y = tanh(y) * w\nreturn y"])  # 18 steps
def test_the_page_gets_the_opening_frame_first_and_the_others_on_request(text):
    """What the page asks first (all_frames=False) holds the opening frame as the whole run makes it, and
    every caption; stepper_frames then gives every frame, as the whole run does."""
    whole = try_it.run(text, "x w", "python", "x=0.7, w=-1.3")
    first = try_it.run(text, "x w", "python", "x=0.7, w=-1.3", all_frames=False)
    assert len(first["frames"]) == 1 and first["frames"][0] == whole["frames"][0]
    assert first["frame_labels"] == whole["frame_labels"] == [f["label"] for f in whole["frames"]]
    assert {k: v for k, v in first.items() if k != "frames"} == {k: v for k, v in whole.items() if k != "frames"}
    rest = json.loads(try_it.frames_json(text, "x w", "python", "x=0.7, w=-1.3"))
    assert rest["ok"] and rest["frames"] == whole["frames"]
    assert try_it.stepper_frames("return x *", "x")["error"]["kind"] == "syntax"

def test_a_big_program_leaves_the_matrix_out_of_its_frames():
    answer = try_it.run("y = x\nfor k in range(20):\n    y = tanh(y) * w\nreturn y", "x w")
    assert answer["ok"] and answer["n"] > 12
    assert all("bmatrix" not in f["tex"] or "Found" in f["tex"] for f in answer["frames"][1:])
    assert "bmatrix" in answer["system_tex"] and "bmatrix" in answer["system_full_tex"]


LONG = "y = x\nfor k in range(24):\n    y = tanh(w * y)\nreturn y"  # 50 steps


def _matrices(tex: str) -> list[list[list[str]]]:
    """The bmatrix environments of ``tex``, each as rows of cells (stripped TeX)."""
    bodies = re.findall(r"\\begin\{bmatrix\}(.*?)\\end\{bmatrix\}", tex, flags=re.S)
    return [[[c.strip() for c in row.split("&")] for row in body.strip().split("\\\\")] for body in bodies]


def _entry_matches(cell: str, value, i: int, k: int) -> bool:
    """Does the elided TeX's cell (row of step i, column of step k) say what sympy's A_ik is?"""
    if value == 0:
        return cell == "0"
    if i == k:
        return value == -1 and cell == "-1"
    return cell == f"\\tfrac{{\\partial f_{{{k}}}}}{{\\partial z_{{{i}}}}}"


def test_a_long_programs_system_is_elided_and_agrees_with_A_where_shown():
    import lagrange_ad as lad
    from lagrange_ad.elided import KEEP
    from lagrange_ad.reader import computation_from_text

    answer = try_it.run(LONG, "x w")
    assert answer["ok"] and answer["n"] == 50
    A, e = lad.linear_system(computation_from_text(LONG, "x w", "python"))  # sympy's own A, read off L
    matrix, lam, rhs = _matrices(answer["system_tex"])
    shown = [*range(1, KEEP + 1), *range(51 - KEEP, 51)]
    assert len(matrix) == len(shown) + 1 and all(len(row) == len(shown) + 1 for row in matrix)
    gap = KEEP  # the row and column of dots
    assert matrix[gap] == ["\\vdots"] * gap + ["\\ddots"] + ["\\vdots"] * (len(shown) - gap)
    for r, i in enumerate(shown):
        row = matrix[r if r < gap else r + 1]
        assert row[gap] == "\\cdots"
        for c, k in enumerate(shown):
            cell = row[c if c < gap else c + 1]
            assert _entry_matches(cell, A[i - 1, k - 1], i, k), (i, k, cell, A[i - 1, k - 1])
    assert [c[0] for c in lam] == [f"\\lambda_{{{i}}}" for i in shown[:gap]] + ["\\vdots"] + [
        f"\\lambda_{{{i}}}" for i in shown[gap:]]
    assert [c[0] for c in rhs] == [sympy.latex(e[i - 1, 0]) for i in shown[:gap]] + ["\\vdots"] + [
        sympy.latex(e[i - 1, 0]) for i in shown[gap:]]
    # the whole system is still there (behind the page's disclosure), and the pattern drawn from A
    full = _matrices(answer["system_full_tex"])[0]
    assert len(full) == 50 and all(len(row) == 50 for row in full)
    svg = answer["pattern_svg"]
    nonzero = {(r, c) for (r, c) in A.todok()}
    assert svg.startswith("<svg") and "<title>" in svg
    assert svg.count('class="diag"') == 50 and svg.count('class="nz"') == len(nonzero) - 50
    assert all(A[i, i] == -1 for i in range(50))
    assert float(re.search(r'width="(\d+)"', svg).group(1)) <= MAX_WIDTH
    assert min(float(x) for x in re.findall(r'font-size="([\d.]+)"', svg)) >= 10


def test_the_elided_form_fits_nine_columns_at_most():
    from lagrange_ad.elided import shown_steps

    for n in (13, 50, 200):
        assert len(shown_steps(n)) + 1 <= 9
    assert shown_steps(7) == list(range(1, 8))


# ------------------------------------------------------------------------------------------------
# differentiating L by one variable (what ch. 4's kernel explorer offers, in the page)


def hand_lagrangian():
    """L of PROGRAM written out here, from the book's definition: z_11 − Σ λ_i (z_i − f_i)."""
    z = sympy.symbols("z_1:12")
    lam = sympy.symbols("lambda_1:12")
    x, w = sympy.symbols("x w")
    f = [x, w, z[0] * z[1], sympy.tanh(z[2]), z[3] + z[0], sympy.tanh(z[4]), z[5] + z[0],
         sympy.tanh(z[6]), z[7] + z[0], sympy.sin(z[8]), z[9] * z[1]]  # fmt: skip
    return z[10] - sum(lam[i] * (z[i] - f[i]) for i in range(11)), z, lam


def test_the_page_offers_every_variable_of_L(answer):
    names = [v["name"] for v in answer["variables"]]
    assert names == [f"lambda_{i}" for i in range(1, 12)] + [f"z_{i}" for i in range(1, 12)]
    assert answer["variables"][0]["label"] == "λ₁" and answer["variables"][-1]["label"] == "z₁₁"


def test_each_derivative_of_L_is_sympys_diff_of_L():
    L, z, lam = hand_lagrangian()
    for v in (*lam, *z):
        got = json.loads(try_it.derivative_json(PROGRAM, "x w", "python", str(v)))
        assert got["ok"] and got["variable"] == str(v), got
        want = sympy.diff(L, v)
        assert sympy.simplify(sympy.sympify(got["expr"], locals={s.name: s for s in L.free_symbols}) - want) == 0
        lhs = f"\\frac{{\\partial \\mathcal{{L}}}}{{\\partial {sympy.latex(v)}}}"
        assert got["tex"].replace("&", "").startswith(lhs) or got["tex"].startswith("\\begin{aligned}\n" + lhs)
        if not got["tex"].startswith("\\begin"):  # one line: the TeX is sympy's of the derivative
            assert got["tex"] == f"{lhs} = {sympy.latex(want)}"
    assert got["label"] == "z₁₁"


def test_a_long_derivative_is_broken_into_lines():
    got = try_it.derivative("y = x\nfor k in range(12):\n    y = tanh(w * y)\nreturn y", "x w", "python", "z_2")
    assert got["ok"] and got["tex"].startswith("\\begin{aligned}") and got["tex"].count("\\\\") >= 1


@pytest.mark.parametrize(
    "text, variable, kind, words",
    [
        ("return x * w", "z_9", "input", ["'z_9'", "not a variable of L", "z_1 … z_3"]),
        ("return x * w", "", "input", ["not a variable of L"]),
        ("return sum(W)", "z_1", "input", ["matrix"]),
        ("return x *", "z_1", "syntax", ["line 1"]),
    ],
)
def test_a_derivative_that_cannot_be_taken_says_why(text, variable, kind, words):
    got = json.loads(try_it.derivative_json(text, "W:2x2" if "W" in text else "x w", "python", variable))
    assert got["ok"] is False and got["error"]["kind"] == kind, got
    for word in words:
        assert word in got["error"]["message"], (word, got["error"]["message"])

def test_equations_work_too():
    answer = try_it.run("z3 = w * x\nz4 = exp(z3)", "x w", "equations", "x=1, w=2")
    assert answer["ok"], answer
    assert answer["gradient"]["x"] == pytest.approx(2 * math.exp(2), rel=1e-12)
    assert answer["gradient"]["w"] == pytest.approx(math.exp(2), rel=1e-12)


# ------------------------------------------------------------------------------------------------
# bad input: the package's own message, its kind and line; and the next good run works

BAD = {
    "syntax error": ("y = x *\nreturn y", "x", "", "syntax", 1, ["cannot read", "line 1"]),
    "syntax error on line 2": ("y = x\nreturn y +", "x", "", "syntax", 2, ["line 2"]),
    "if on a traced value": ("y = x\nif y > 0:\n    return y\nreturn -y", "x", "", "tracing", 2, ["line 2", "where"]),
    "unbounded loop": ("y = x\nwhile True:\n    y = y * x\nreturn y", "x", "", "step-limit", None, ["200 steps"]),
    "log of a negative number": ("return log(x) * 2", "x", "x=-1", "domain", None, ["z_2", "log", "positive"]),
    "division by zero": ("return 1 / x", "x", "x=0", "domain", None, ["z_", "infinite"]),
    "unknown name": ("return x * q", "x", "", "input", 1, ["'q'", "inputs box"]),
    "unknown function": ("return lad.softplus(x)", "x", "", "input", 1, ["softplus"]),
    "no return": ("y = x * 2", "x", "", "input", None, ["return"]),
    "empty text": ("   ", "x", "", "input", None, ["empty"]),
    "unknown value name": ("return x", "x", "q=1", "input", None, ["'q'", "not an input"]),
    "value not a number": ("return x", "x", "x=abc", "input", None, ["not a number"]),
    "matrix input": ("return sum(W)", "W:2x2", "", "input", None, ["matrix", "numbers"]),
    "bad equation": ("z2 = x +", "x", "", "syntax", 1, ["line 1"]),
    "unknown kind": ("return x", "x", "", "input", None, ["kind"]),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_each_bad_input_gives_its_message_and_the_next_run_works(case):
    text, inputs, at, kind, line, words = BAD[case]
    kind_arg = "equations" if case == "bad equation" else ("fortran" if case == "unknown kind" else "python")
    answer = json.loads(try_it.run_json(text, inputs, kind_arg, at))
    assert answer["ok"] is False and set(answer) == {"ok", "error"}
    error = answer["error"]
    assert error["kind"] == kind, error
    assert error["line"] == line, error
    for word in words:
        assert word.lower() in error["message"].lower(), (word, error["message"])
    assert "Traceback" not in error["message"]
    good = try_it.run("return x * w", "x w", "python", "x=2, w=3")
    assert good["ok"] and good["gradient"] == {"x": 3.0, "w": 2.0}


def test_a_branch_not_taken_may_be_undefined():
    """lad.where at x < 0 with log(x) in the branch not taken: z_n is a number, and so is its gradient."""
    answer = try_it.run("return where(x > 0, log(x), 2 * x)", "x", "python", "x=-1")
    assert answer["ok"], answer
    assert answer["result"] == -2.0 and answer["gradient"] == {"x": 2.0}


def test_an_infinite_derivative_is_null_in_json():
    """√x at 0: the result is 0, the derivative infinite, and no central difference exists (√ of −h)."""
    answer = json.loads(try_it.run_json("return sqrt(x)", "x", "python", "x=0"))
    assert answer["ok"] and answer["result"] == 0.0 and answer["gradient"] == {"x": None}
    assert answer["finite_difference"] == {"x": None} and answer["max_difference"] is None


def test_missing_values_default_to_one_half():
    answer = try_it.run("return x * w", "x w", "python", "w=4")
    assert answer["at"] == {"x": 0.5, "w": 4.0} and answer["gradient"] == {"x": 4.0, "w": 0.5}


@pytest.mark.parametrize(
    "text", [PROGRAM, "y = x\nfor k in range(12):\n    y = tanh(y) * w + x\nreturn y", "return (x * w - 1) ** 2"]
)
def test_every_node_and_arrow_is_inside_the_drawing(text):
    svg = try_it.run(text, "x w")["graph_svg"]
    x0, y0, width, height = map(float, re.search(r'viewBox="([-\d.]+) ([-\d.]+) ([\d.]+) ([\d.]+)"', svg).groups())
    assert width <= MAX_WIDTH

    def inside(x, y, r=0.0):
        return x0 <= x - r and x + r <= x0 + width and y0 <= y - r and y + r <= y0 + height

    for cx, cy, r in re.findall(r'<circle cx="([-\d.]+)" cy="([-\d.]+)" r="([\d.]+)"', svg):
        assert inside(float(cx), float(cy), float(r))
    for x, y, w, h in re.findall(r'<rect x="([-\d.]+)" y="([-\d.]+)" width="([\d.]+)" height="([\d.]+)"', svg):
        assert inside(float(x), float(y)) and inside(float(x) + float(w), float(y) + float(h))
    paths = re.findall(r'd="M ([-\d.]+) ([-\d.]+) Q ([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)"', svg)
    assert paths
    for ax, ay, cx, cy, bx, by in (map(float, p) for p in paths):
        for t in (0.0, 0.25, 0.5, 0.75, 1.0):  # points of the quadratic curve
            x = (1 - t) ** 2 * ax + 2 * (1 - t) * t * cx + t * t * bx
            y = (1 - t) ** 2 * ay + 2 * (1 - t) * t * cy + t * t * by
            assert inside(x, y), (x, y, (x0, y0, width, height))

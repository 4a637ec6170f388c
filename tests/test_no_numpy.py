"""The symbolic path runs with numpy unimportable (issue 15 point 1): what the reader's browser (Pyodide,
which has no numpy) runs.

A fresh interpreter blocks numpy, matplotlib and ipywidgets with a meta-path finder, then traces programs,
builds L, the conditions, A and e, back substitution (symbolic and at numbers, through the float tape), the
LaTeX, the table, the back-substitution frames and the "try it" answer, and prints what it found as JSON.
This process checks those results against independent references: sympy.diff of the composed expression
(written out here, not by the package) and central finite differences of the program on plain floats.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sympy

ROOT = Path(__file__).resolve().parent.parent

BLOCK = '''
import sys
class _Blocked:
    """Raise ImportError for numpy, matplotlib and ipywidgets, as a Python without them would."""
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("numpy", "matplotlib", "ipywidgets"):
            raise ImportError(f"No module named {name!r} (blocked by the test)")
        return None
sys.meta_path.insert(0, _Blocked())
'''


def run_without_numpy(body: str) -> dict:
    """Run ``body`` after blocking numpy (it must print one JSON line); return what it printed."""
    code = BLOCK + textwrap.dedent(body)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


# the program, and the same function written out by hand for the references
PROGRAM = "y = w * x\nfor k in range(2):\n    y = tanh(y) + log(x)\nreturn sin(y) * w"
X, W = 0.7, -1.3


def program_floats(x: float, w: float) -> float:
    y = w * x
    for _ in range(2):
        y = math.tanh(y) + math.log(x)
    return math.sin(y) * w


def program_sympy():
    x, w = sympy.symbols("x w")
    y = w * x
    for _ in range(2):
        y = sympy.tanh(y) + sympy.log(x)
    return (x, w), sympy.sin(y) * w


def central(f, x: float, w: float, h: float = 1e-6) -> tuple[float, float]:
    return (f(x + h, w) - f(x - h, w)) / (2 * h), (f(x, w + h) - f(x, w - h)) / (2 * h)


@pytest.fixture(scope="module")
def found():
    return run_without_numpy(
        f'''
        import json, sympy
        import lagrange_ad as lad
        from lagrange_ad import frames, graph_svg, reader, try_it, typeset
        from lagrange_ad.tape import scalar_numbers

        program = {PROGRAM!r}
        comp = reader.computation_from_text(program, "x w", kind="python")
        at = {{"x": {X}, "w": {W}}}
        steps = list(lad.back_substitution(comp, at=at))
        expanded = {{s.index: s.value for s in lad.back_substitution(comp, expand=True)}}
        z, lam = scalar_numbers(comp, at)
        # a computation built by hand, and one typed as equations
        hand = lad.Computation()
        a = hand.input("a")
        b = hand.input("b")
        c = hand.assign(a * b)
        hand.assign(lad.exp(c) + a)
        typed = lad.Computation.from_equations("z3 = z1 * z2\\nz4 = tanh(z3) + z1", inputs="z1 z2")
        A, e = lad.linear_system(comp)
        answer = try_it.run(program, "x w", "python", "x={X}, w={W}")
        try:
            lad.gradient
            needs = "no error"
        except AttributeError as err:
            needs = str(err)
        print(json.dumps({{
            "modules": sorted(m for m in sys.modules if m.split(".")[0] in ("numpy", "matplotlib", "ipywidgets")),
            "n": len(comp),
            "formulas": {{s.index: sympy.srepr(s.formula) for s in comp.steps if not s.is_input}},
            "inputs": {{s.index: s.name for s in comp.inputs}},
            "lagrangian": sympy.srepr(lad.lagrangian(comp)),
            "conditions": len(lad.stationarity_conditions(comp).wrt_z),
            "A_diagonal": [str(A[i, i]) for i in range(A.shape[0])],
            "e": [str(e[i, 0]) for i in range(e.shape[0])],
            "expanded": {{i: sympy.srepr(v) for i, v in expanded.items()}},
            "back_substitution_numbers": {{s.index: float(s.numeric) for s in steps}},
            "tape_lambda": lam, "tape_z": z,
            "hand": [str(s.formula) for s in hand.steps[2:]],
            "hand_A": str(lad.linear_system(hand)[0].tolist()),
            "typed": [str(s.formula) for s in typed.steps[2:]],
            "tex": {{
                "lagrangian": typeset.lagrangian_latex(comp), "conditions": typeset.conditions_latex(comp),
                "system": typeset.system_latex(comp), "split": typeset.split_latex(lad.lagrangian(comp)),
                "table": typeset.steps_table(comp).html,
            }},
            "frames": frames.back_substitution_frames(comp, at),
            "labels": frames.back_substitution_labels(comp),
            "announcements": frames.back_substitution_announcements(comp, at),
            "svg": graph_svg.graph_svg(comp),
            "try_it": answer,
            "needs_numpy": needs,
        }}))
        '''
    )


def test_nothing_imports_numpy(found):
    assert found["modules"] == []
    assert found["needs_numpy"] == "no error"  # lad.gradient is there: the float tape's


def test_the_trace_is_the_program(found):
    """The steps' formulas, composed, are the program's expression (written out here with sympy)."""
    (x, w), expr = program_sympy()
    formulas = {int(i): sympy.sympify(eval(f, sympy.__dict__)) for i, f in found["formulas"].items()}
    names = {int(i): n for i, n in found["inputs"].items()}
    value = {sympy.Symbol(f"z_{i}"): sympy.Symbol(n) for i, n in names.items()}
    for i in sorted(formulas):
        value[sympy.Symbol(f"z_{i}")] = formulas[i].xreplace(value)
    composed = value[sympy.Symbol(f"z_{found['n']}")]
    assert sympy.simplify(composed - expr) == 0


def test_A_has_minus_one_on_its_diagonal_and_e_is_the_last_unit_vector(found):
    assert set(found["A_diagonal"]) == {"-1"}
    assert found["e"] == ["0"] * (found["n"] - 1) + ["-1"]
    assert found["conditions"] == found["n"] - 1


def test_the_multipliers_of_the_inputs_are_sympys_derivatives(found):
    """λ of each input, symbolic (expanded back substitution) and at numbers (back substitution and the
    float tape), against sympy.diff of the program's expression and central differences."""
    (x, w), expr = program_sympy()
    at = {x: X, w: W}
    exact = [float(sympy.diff(expr, v).subs(at)) for v in (x, w)]
    fd = central(program_floats, X, W)
    assert exact == pytest.approx(fd, rel=1e-6)
    names = {int(i): n for i, n in found["inputs"].items()}
    formulas = {int(i): sympy.sympify(eval(f, sympy.__dict__)) for i, f in found["formulas"].items()}
    z_of = {sympy.Symbol(f"z_{i}"): sympy.Symbol(n) for i, n in names.items()}
    for i in sorted(formulas):
        z_of[sympy.Symbol(f"z_{i}")] = formulas[i].xreplace(z_of)
    for k, (i, name) in enumerate(sorted(names.items())):
        symbolic = eval(found["expanded"][str(i)], sympy.__dict__).xreplace(z_of)
        assert float(symbolic.subs(at)) == pytest.approx(exact[k], rel=1e-12), name
        assert found["back_substitution_numbers"][str(i)] == pytest.approx(exact[k], rel=1e-12), name
        assert found["tape_lambda"][i] == pytest.approx(exact[k], rel=1e-12), name
    assert found["tape_z"][found["n"]] == pytest.approx(program_floats(X, W), rel=1e-14)


def test_hand_built_and_typed_computations(found):
    assert found["hand"] == ["z_1*z_2", "z_1 + exp(z_3)"]
    expected_A = [[-1, 0, "z_2", 1], [0, -1, "z_1", 0], [0, 0, -1, "exp(z_3)"], [0, 0, 0, -1]]
    assert found["hand_A"] == str(expected_A).replace("'", "")
    assert found["typed"] == ["z_1*z_2", "z_1 + tanh(z_3)"]


def test_the_latex_is_the_same_as_with_numpy(found):
    """Without numpy the page prints exactly what the book prints (same functions, same strings)."""
    import lagrange_ad as lad
    from lagrange_ad import display, frames, reader

    comp = reader.computation_from_text(PROGRAM, "x w", kind="python")
    with_numpy = {
        "lagrangian": display.lagrangian_latex(comp), "conditions": display.conditions_latex(comp),
        "system": display.system_latex(comp), "split": display.split_latex(lad.lagrangian(comp)),
        "table": display.steps_table(comp).html,
    }  # fmt: skip
    assert found["tex"] == with_numpy
    at = {"x": X, "w": W}
    assert found["frames"] == frames.back_substitution_frames(comp, at)
    assert found["announcements"] == frames.back_substitution_announcements(comp, at)
    assert len(found["labels"]) == found["n"] + 1


def test_try_it_runs_without_numpy(found):
    answer = found["try_it"]
    assert answer["ok"], answer
    (x, w), expr = program_sympy()
    for v in (x, w):
        exact = float(sympy.diff(expr, v).subs({x: X, w: W}))
        assert answer["gradient"][str(v)] == pytest.approx(exact, rel=1e-12)
    assert found["svg"] == answer["graph_svg"] and "<title>" in found["svg"]


def test_star_import_and_what_needs_numpy_says_so():
    found = run_without_numpy(
        """
        import json
        from lagrange_ad import *
        import lagrange_ad as lad
        said = {}
        for name in ("zoo", "display", "block_pattern", "perturbed_result"):
            try:
                getattr(lad, name)
            except AttributeError as err:
                said[name] = str(err)
        print(json.dumps({"trace": trace is lad.trace, "said": said, "gradient": gradient is lad.gradient}))
        """
    )
    assert found["trace"] and found["gradient"]
    assert set(found["said"]) == {"zoo", "display", "block_pattern", "perturbed_result"}
    assert all("needs numpy" in text for text in found["said"].values())


def test_untraced_functions_work_on_floats_as_numpy_would():
    found = run_without_numpy(
        """
        import json
        import lagrange_ad as lad
        values = [lad.exp(1000.0), lad.log(0.0), lad.log(-1.0), lad.tanh(0.5), lad.sigmoid(-800.0),
                  lad.relu(-1.0), lad.where(2.0 > 1.0, 10.0, 20.0), 1.0 * lad.sqrt(4.0)]
        print(json.dumps([repr(v) for v in values]))
        """
    )
    expected = [math.inf, -math.inf, math.nan, math.tanh(0.5), 0.0, 0.0, 10.0, 2.0]
    assert found == [repr(v) for v in expected]


def test_the_numbers_api_without_numpy_is_the_derivative():
    """lad.gradient, forward, multipliers and finite_difference without numpy (the float tape), against
    sympy.diff of the program and its value on plain floats; and the same errors as with numpy."""
    found = run_without_numpy(
        f"""
        import json
        import lagrange_ad as lad
        from lagrange_ad import reader
        comp = reader.computation_from_text({PROGRAM!r}, "x w", kind="python")
        at = {{"x": {X}, "w": {W}}}
        errors = []
        for call in (lambda: lad.gradient(comp, {{"x": 1.0}}), lambda: lad.gradient(comp, at, wrt="q"),
                     lambda: lad.forward(lad.trace(lambda x: lad.log(x), "x"), {{"x": -1.0}})):
            try:
                call()
            except lad.InputError as err:
                errors.append(str(err))
        print(json.dumps({{
            "gradient": lad.gradient(comp, at), "w only": lad.gradient(comp, at, wrt="w"),
            "forward": lad.forward(comp, at)[len(comp)], "multipliers": lad.multipliers(comp, at),
            "fd": lad.finite_difference(comp, at), "errors": errors,
        }}))
        """
    )
    (x, w), expr = program_sympy()
    exact = {str(v): float(sympy.diff(expr, v).subs({x: X, w: W})) for v in (x, w)}
    assert found["gradient"] == pytest.approx(exact, rel=1e-12)
    assert found["w only"] == pytest.approx({"w": exact["w"]}, rel=1e-12)
    assert found["forward"] == pytest.approx(program_floats(X, W), rel=1e-14)
    assert found["multipliers"][str(len(found["multipliers"]))] == 1.0
    fd = central(program_floats, X, W)
    assert [found["fd"]["x"], found["fd"]["w"]] == pytest.approx(list(fd), rel=1e-6)
    assert "missing value(s) for input(s) ['w']" in found["errors"][0]
    assert "unknown input(s) ['q']" in found["errors"][1]
    assert "z_2 is NaN" in found["errors"][2] and "log needs a positive argument" in found["errors"][2]


def test_matrix_steps_without_numpy():
    """Matrix inputs trace, and back substitution at numbers evaluates the z's with sympy (no tape for
    matrices): λ's against the derivative of sum(tanh(W x)²) written out here by hand."""
    found = run_without_numpy(
        """
        import json
        import lagrange_ad as lad
        from lagrange_ad import typeset
        comp = lad.Computation()
        W = comp.input("W", shape=(1, 2))
        x = comp.input("x", shape=(2, 1))
        h = comp.assign(lad.tanh(W @ x))
        comp.assign(lad.sum(h * h))
        at = {"W": [[0.5, -1.0]], "x": [[1.0], [2.0]]}
        numbers = {s.index: s.numeric for s in lad.back_substitution(comp, at=at)}
        print(json.dumps({"numbers": numbers, "blocks": "-I" in typeset.block_system_latex(comp)}))
        """
    )
    h = math.tanh(0.5 * 1.0 - 1.0 * 2.0)
    g = 2 * h * (1 - h * h)  # d(h²)/d(Wx)
    assert found["numbers"]["4"] == 1.0

    def flat(rows):
        return [v for row in rows for v in row]

    assert flat(found["numbers"]["3"]) == pytest.approx([2 * h], rel=1e-12)
    assert flat(found["numbers"]["2"]) == pytest.approx([g * 0.5, g * -1.0], rel=1e-12)  # Wᵀ g
    assert flat(found["numbers"]["1"]) == pytest.approx([g * 1.0, g * 2.0], rel=1e-12)  # g xᵀ
    assert found["blocks"]

"""Write tests/grading/demo_chapter.ipynb, the notebook the grading workflow is proven on.

It has one exercise of each kind the chapters need (a number by hand, a function
as a sequence of steps, one back-substitution step, a stationarity condition,
the structure of A, a written answer), built with scripts/nbcells.py exactly as
docs/exercises.md tells chapter writers. Run from the repository root:

    python tests/grading/build_demo_chapter.py
"""

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import nbcells  # noqa: E402

OUT = Path(__file__).with_name("demo_chapter.ipynb")
CH = 0  # the demo pretends to be chapter 0

cells = [
    nbformat.v4.new_markdown_cell(
        "# Demo chapter: exercises\n\n"
        "The computation used below: $z_1 = x$, $z_2 = w$, $z_3 = z_1 z_2$, $z_4 = \\tanh(z_3)$, "
        "at $x = 0.5$, $w = 2$."),
    nbformat.v4.new_code_cell("import math\n\nimport numpy as np\nimport sympy\n\nx, w = 0.5, 2.0"),
]

cells += nbcells.exercise(
    CH, 1,
    prompt="**Exercise 0.1.** Compute $\\lambda_1 = \\partial z_4/\\partial z_1$ by back substitution "
           "and store it in `lam1`.",
    solution="""lam1 = None  # replace None by your number
### BEGIN SOLUTION
lam3 = 1 - math.tanh(x * w) ** 2
lam1 = lam3 * w
### END SOLUTION""",
    check="""from lagrange_ad.exercises import check_value
check_value("lam1", lam1, 2 * (1 - math.tanh(1.0) ** 2),
            hint="λ_1 = λ_3 · ∂f_3/∂z_1 = λ_3 · z_2, and λ_3 = λ_4 · tanh'(z_3).")""",
    check_points=1,
    hidden="""assert lam1 is not None, "lam1 is not answered"
assert abs(float(lam1) - 2 * (1 - math.tanh(1.0) ** 2)) < 1e-9, "lam1 is wrong\"""",
    hidden_points=1,
)

cells += nbcells.exercise(
    CH, 2,
    prompt="**Exercise 0.2.** Write `sequence(x, w)` returning the list $[z_1, z_2, z_3, z_4]$ of values.",
    solution="""def sequence(x, w):
    ### BEGIN SOLUTION
    z1, z2 = x, w
    z3 = z1 * z2
    z4 = math.tanh(z3)
    return [z1, z2, z3, z4]
    ### END SOLUTION""",
    check="""from lagrange_ad.exercises import check_sequence
check_sequence("sequence(0.5, 2.0)", sequence(0.5, 2.0), [0.5, 2.0, 1.0, math.tanh(1.0)],
               hint="one elementary operation per step: a product, then tanh.")""",
    check_points=1,
    hidden="""import importlib
import lagrange_ad.exercises as _ex
_ex = importlib.reload(_ex)  # a fresh copy, whatever the notebook did to the helpers
for _x, _w in [(0.3, -1.2), (-2.0, 0.25), (1.5, 1.5)]:
    _ex.check_sequence("sequence", sequence(_x, _w), [_x, _w, _x * _w, math.tanh(_x * _w)])""",
    hidden_points=2,
)

cells += nbcells.exercise(
    CH, 3,
    prompt="**Exercise 0.3.** Now take $z_1 = x$, $z_2 = z_1^2$, $z_3 = \\sin z_1$, $z_4 = z_2 z_3$ at "
           "$x = 0.7$. Do one back-substitution step: store $\\lambda_1$ in `lam1_b`.",
    solution="""lam1_b = None  # replace None by your number
### BEGIN SOLUTION
x_b = 0.7
lam2_b, lam3_b = math.sin(x_b), x_b ** 2      # λ_2 = z_3, λ_3 = z_2
lam1_b = lam2_b * 2 * x_b + lam3_b * math.cos(x_b)
### END SOLUTION""",
    check="""from lagrange_ad.exercises import check_lambda
check_lambda(1, lam1_b, math.sin(0.7) * 1.4 + 0.49 * math.cos(0.7),
             contributions={2: math.sin(0.7) * 1.4, 3: 0.49 * math.cos(0.7)},
             hint="z_1 is used by z_2 and by z_3: λ_1 = λ_2 ∂f_2/∂z_1 + λ_3 ∂f_3/∂z_1.")""",
    check_points=1,
    hidden="""import importlib
import lagrange_ad.exercises as _ex
_ex = importlib.reload(_ex)
_ex.check_value("lam1_b", lam1_b, 1.4 * math.sin(0.7) + 0.49 * math.cos(0.7), rtol=1e-9)""",
    hidden_points=1,
)

cells += nbcells.exercise(
    CH, 4,
    prompt="**Exercise 0.4.** From $\\partial L/\\partial z_3 = 0$ for the first computation, write the "
           "stationarity condition for $\\lambda_3$ as a sympy equation `cond3` in the symbols below.",
    solution="""lam3_s, lam4_s, z3_s = sympy.symbols("lambda_3 lambda_4 z_3")
cond3 = None  # replace None by sympy.Eq(..., ...)
### BEGIN SOLUTION
cond3 = sympy.Eq(lam3_s, lam4_s * (1 - sympy.tanh(z3_s) ** 2))
### END SOLUTION""",
    check="""from lagrange_ad.exercises import check_expr
_l3, _l4, _z3 = sympy.symbols("lambda_3 lambda_4 z_3")
check_expr("cond3", cond3, sympy.Eq(0, _l4 * sympy.diff(sympy.tanh(_z3), _z3) - _l3),
           hint="L contains −λ_3 (z_3 − z_1 z_2) and −λ_4 (z_4 − tanh z_3); differentiate by z_3.")""",
    check_points=1,
    hidden="""_l3, _l4, _z3 = sympy.symbols("lambda_3 lambda_4 z_3")
assert isinstance(cond3, sympy.Equality), "cond3 is not an equation"
_g = (cond3.lhs - cond3.rhs).subs({_l3: 0.3, _l4: 0.7, _z3: 0.2})
_e = 0.7 * (1 - math.tanh(0.2) ** 2) - 0.3
_g2 = (cond3.lhs - cond3.rhs).subs({_l3: 1.1, _l4: -0.4, _z3: 1.3})
_e2 = -0.4 * (1 - math.tanh(1.3) ** 2) - 1.1
assert abs(float(_g) * _e2 - float(_g2) * _e) < 1e-9 and abs(float(_g)) > 1e-12, "cond3 is wrong\"""",
    hidden_points=1,
)

cells += nbcells.exercise(
    CH, 5,
    prompt="**Exercise 0.5.** Predict where $A$ is nonzero for the first computation: a 4×4 array of "
           "booleans `pattern` with `pattern[i-1][k-1]` True when $A_{ik} \\neq 0$.",
    solution="""pattern = None  # replace None by a 4×4 list of True/False
### BEGIN SOLUTION
pattern = [[True, False, True, False],
           [False, True, True, False],
           [False, False, True, True],
           [False, False, False, True]]
### END SOLUTION""",
    check="""from lagrange_ad.exercises import check_pattern
check_pattern("pattern", pattern, [[1, 0, 1, 0], [0, 1, 1, 0], [0, 0, 1, 1], [0, 0, 0, 1]],
              hint="A[i,k] ≠ 0 when i = k or when z_k uses z_i directly.")""",
    check_points=1,
    hidden="""_want = np.array([[1, 0, 1, 0], [0, 1, 1, 0], [0, 0, 1, 1], [0, 0, 0, 1]], dtype=bool)
assert np.array_equal(np.asarray(pattern, dtype=bool), _want), "pattern is wrong\"""",
    hidden_points=1,
)

cells += nbcells.written_exercise(
    CH, 6,
    question="**Exercise 0.6.** Why does back substitution find every $\\lambda_i$ with one pass over the "
             "steps, newest first?",
    model_answer="A is upper triangular with −1 on the diagonal: the last row gives λ_n = 1, and row i "
                 "involves only λ_i and λ_k with k > i, which are already known.",
    points=2,
)



def main() -> None:
    for i, cell in enumerate(cells):
        cell.id = f"demo-{i:02d}"  # stable ids: rebuilding gives the same file
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    problems = nbcells.problems(nb)
    if problems:
        raise SystemExit("\n".join(problems))
    nbformat.write(nb, OUT)
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

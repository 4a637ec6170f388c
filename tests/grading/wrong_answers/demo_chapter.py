"""Wrong answers for tests/grading/demo_chapter.ipynb, keyed by solution grade_id."""

WRONG_ANSWERS = {
    "ch0-ex1-solution": [
        # forgot the factor ∂f_3/∂z_1 = z_2 = w
        {"source": "lam1 = 1 - math.tanh(x * w) ** 2", "fails": ["ch0-ex1-check", "ch0-ex1-hidden"]},
    ],
    "ch0-ex2-solution": [
        # hard-coded for the visible check's inputs: only the hidden test, on other inputs, catches it
        {"source": "def sequence(x, w):\n    return [0.5, 2.0, 1.0, math.tanh(1.0)]",
         "fails": ["ch0-ex2-hidden"]},
        # the sigmoid instead of tanh
        {"source": "def sequence(x, w):\n    return [x, w, x * w, 1 / (1 + math.exp(-x * w))]",
         "fails": ["ch0-ex2-check", "ch0-ex2-hidden"]},
    ],
    "ch0-ex3-solution": [
        # only the contribution through z_2
        {"source": "lam1_b = math.sin(0.7) * 2 * 0.7", "fails": ["ch0-ex3-check", "ch0-ex3-hidden"]},
    ],
    "ch0-ex4-solution": [
        # tanh' taken as 1 - tanh (forgot the square)
        {"source": "lam3_s, lam4_s, z3_s = sympy.symbols('lambda_3 lambda_4 z_3')\n"
                   "cond3 = sympy.Eq(lam3_s, lam4_s * (1 - sympy.tanh(z3_s)))",
         "fails": ["ch0-ex4-check", "ch0-ex4-hidden"]},
    ],
    "ch0-ex5-solution": [
        # transposed: marked where z_i uses z_k instead of where z_k uses z_i
        {"source": "pattern = [[1, 0, 0, 0], [0, 1, 0, 0], [1, 1, 1, 0], [0, 0, 1, 1]]",
         "fails": ["ch0-ex5-check", "ch0-ex5-hidden"]},
    ],
}

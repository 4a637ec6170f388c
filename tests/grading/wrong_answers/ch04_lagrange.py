"""Wrong answers for book/ch04_lagrange.ipynb, keyed by solution grade_id."""

WRONG_ANSWERS = {
    "ch4-ex1-solution": [
        # forgot the second reader of z_2 (z_4 = z_2 + z_3 contributes λ_4)
        {"source": "cond2 = sympy.Eq(-lam2 + lam3 * z1, 0)", "fails": ["ch4-ex1-check", "ch4-ex1-hidden"]},
        # the own-constraint term with the wrong sign
        {"source": "cond2 = sympy.Eq(lam2 + lam3 * z1 + lam4, 0)", "fails": ["ch4-ex1-check", "ch4-ex1-hidden"]},
    ],
    "ch4-ex2-solution": [
        # only the path through z_3 = z_1 z_2, not the direct one into z_4 = z_2 + z_3
        {"source": "sens2 = 0.3", "fails": ["ch4-ex2-check", "ch4-ex2-hidden"]},
        # λ_1 (the sensitivity to the input) instead of λ_2
        {"source": "import math\nsens2 = math.exp(0.3) * 1.3 + math.exp(0.3)",
         "fails": ["ch4-ex2-check", "ch4-ex2-hidden"]},
    ],
}

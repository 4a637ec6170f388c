"""Wrong answers for book/ch03_constrained.ipynb, keyed by solution grade_id."""

WRONG_ANSWERS = {
    "ch3-ex1-solution": [
        # negated inside the last step instead of appending a step: 4 steps, not 5
        {
            "source": 'comp_min = lad.Computation.from_equations("z3 = z1 * z2\\nz4 = -sin(z3)", inputs="z1 z2")',
            "fails": ["ch3-ex1-check", "ch3-ex1-hidden"],
        },
        # forgot the negation altogether
        {"source": "comp_min = comp_max", "fails": ["ch3-ex1-check", "ch3-ex1-hidden"]},
    ],
    "ch3-ex2-solution": [
        # read z4 = z3 + z1 instead of z3 + z1 * z1
        {"source": "feasible = [2.0, -1.0, -2.0, 0.0]", "fails": ["ch3-ex2-check", "ch3-ex2-hidden"]},
    ],
    "ch3-ex3-solution": [
        # forgot that p1 also reaches z4 through z3 = z1 * z2
        {"source": "dV_dp1 = 2 * 2.0\ndV_dp2 = 2.0", "fails": ["ch3-ex3-check", "ch3-ex3-hidden"]},
    ],
}

"""Wrong answers for book/ch03_constrained.ipynb, keyed by solution grade_id."""

WRONG_ANSWERS = {
    "ch3-ex1-solution": [
        # the usual writing's sign: z3 − z1 z2 = ε moves z3 up, this writing moves it down
        {"source": "def dV_deps3(p1, p2):\n    return np.cos(p1 * p2)", "fails": ["ch3-ex1-check", "ch3-ex1-hidden"]},
        # "maximise" taken to flip the sign a second time: −(−cos) = cos, wrong
        {
            "source": "def dV_deps3(p1, p2):\n    return -(-np.cos(p1 * p2))",
            "fails": ["ch3-ex1-check", "ch3-ex1-hidden"],
        },
        # the number at the visible check's point, hard-coded: the hidden tests use other points
        {"source": "def dV_deps3(p1, p2):\n    return -0.5403023058681398", "fails": ["ch3-ex1-hidden"]},
        # the right number, by central differences of lad.perturbed_result
        {"source": ('def dV_deps3(p1, p2):\n'
                    '    at = {"z1": p1, "z2": p2}\n'
                    '    up = lad.perturbed_result(comp_max, at, 3, 1e-6)\n'
                    '    down = lad.perturbed_result(comp_max, at, 3, -1e-6)\n'
                    '    return -(up - down) / 2e-6'),
         "fails": ['ch3-ex1-check', 'ch3-ex1-hidden']},
    ],
    "ch3-ex2-solution": [
        # read z4 = z3 + z1 instead of z3 + z1 * z1
        {"source": "feasible = [2.0, -1.0, -2.0, 0.0]", "fails": ["ch3-ex2-check", "ch3-ex2-hidden"]},
        # the right point, computed by lad.forward (the exercise asks for forward substitution by hand)
        {"source": ('z = lad.forward(comp_pq, {"z1": 2.0, "z2": -1.0})\n'
                    'feasible = [z[i] for i in range(1, 5)]'),
         "fails": ['ch3-ex2-check', 'ch3-ex2-hidden']},
    ],
    "ch3-ex3-solution": [
        # forgot that p1 also reaches z4 through z3 = z1 * z2
        {"source": "dV_dp1 = 2 * 2.0\ndV_dp2 = 2.0", "fails": ["ch3-ex3-check", "ch3-ex3-hidden"]},
        # the right numbers, from jax's derivatives of V (the exercise asks to work them out)
        {"source": ('import jax\n'
                    '\n'
                    '\n'
                    'def V(p1, p2):\n'
                    '    return p1 * p2 + p1 * p1\n'
                    '\n'
                    '\n'
                    'dV_dp1 = float(jax.grad(V, 0)(2.0, -1.0))\n'
                    'dV_dp2 = float(jax.grad(V, 1)(2.0, -1.0))'),
         "fails": ['ch3-ex3-check', 'ch3-ex3-hidden']},
    ],
}

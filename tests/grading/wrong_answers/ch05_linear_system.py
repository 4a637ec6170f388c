"""Wrong answers for book/ch05_linear_system.ipynb, keyed by solution grade_id."""

WRONG_ANSWERS = {
    "ch5-ex1-solution": [
        # forgot the factor 2 of ∂(z_2 z_2)/∂z_2
        {"source": "row2 = [0, -1, z1, z2]", "fails": ["ch5-ex1-check", "ch5-ex1-hidden"]},
        # +1 on the diagonal (the post's "1's on the diagonal")
        {"source": "row2 = [0, 1, z1, 2 * z2]", "fails": ["ch5-ex1-check", "ch5-ex1-hidden"]},
    ],
    "ch5-ex2-solution": [
        # the transpose: entries below the diagonal (row k, column i for k reading z_i)
        {
            "source": (
                "pattern = np.eye(6, dtype=bool)\n"
                "for i, readers in {1: (3, 5), 2: (3,), 3: (4, 6), 4: (5,), 5: (6,)}.items():\n"
                "    for k in readers:\n"
                "        pattern[k - 1, i - 1] = True"
            ),
            "fails": ["ch5-ex2-check", "ch5-ex2-hidden"],
        },
        # one entry off: z_5 = f(z_1, z_4) read as reading z_4 only
        {
            "source": (
                "pattern = np.eye(6, dtype=bool)\n"
                "for i, readers in {1: (3,), 2: (3,), 3: (4, 6), 4: (5,), 5: (6,)}.items():\n"
                "    for k in readers:\n"
                "        pattern[i - 1, k - 1] = True"
            ),
            "fails": ["ch5-ex2-check", "ch5-ex2-hidden"],
        },
        # forgot the diagonal
        {
            "source": (
                "pattern = np.zeros((6, 6), dtype=bool)\n"
                "for i, readers in {1: (3, 5), 2: (3,), 3: (4, 6), 4: (5,), 5: (6,)}.items():\n"
                "    for k in readers:\n"
                "        pattern[i - 1, k - 1] = True"
            ),
            "fails": ["ch5-ex2-check", "ch5-ex2-hidden"],
        },
    ],
    "ch5-ex3-solution": [
        # forgot to divide by the diagonal entry: every λ comes out with the wrong sign
        {
            "source": (
                "def back_substitute(A, e):\n"
                "    lam = np.zeros(len(e))\n"
                "    for i in reversed(range(len(e))):\n"
                "        lam[i] = e[i] - A[i, i + 1:] @ lam[i + 1:]\n"
                "    return lam"
            ),
            "fails": ["ch5-ex3-check", "ch5-ex3-hidden"],
        },
        # went through the rows top down, using λ's that are not known yet (still zero)
        {
            "source": (
                "def back_substitute(A, e):\n"
                "    lam = np.zeros(len(e))\n"
                "    for i in range(len(e)):\n"
                "        lam[i] = (e[i] - A[i, i + 1:] @ lam[i + 1:]) / A[i, i]\n"
                "    return lam"
            ),
            "fails": ["ch5-ex3-check", "ch5-ex3-hidden"],
        },
        # the right λ from a general solver, which the exercise asks to replace
        {"source": ('def back_substitute(A, e):\n'
                    '    return np.linalg.solve(A, e)'),
         "fails": ['ch5-ex3-check', 'ch5-ex3-hidden']},
        # the same, through scipy, in a helper of their own
        {"source": ('import scipy.linalg\n'
                    '\n'
                    '\n'
                    'def helper(A, e):\n'
                    '    return scipy.linalg.solve_triangular(A, e)\n'
                    '\n'
                    '\n'
                    'def back_substitute(A, e):\n'
                    '    return helper(np.asarray(A, float), np.asarray(e, float))'),
         "fails": ['ch5-ex3-check', 'ch5-ex3-hidden']},
        # the solver itself under the exercise's name (an alias, no code of their own runs)
        {"source": ('back_substitute = np.linalg.solve'),
         "fails": ['ch5-ex3-hidden']},
    ],
}

"""Wrong answers for book/ch13_second_derivatives.ipynb, keyed by solution grade_id."""

WRONG_ANSWERS = {
    "ch13-ex1-solution": [
        # the diagonal's sign lost: solved x_r = rhs_r − Σ A_rc x_c, as if the diagonal were +1
        {
            "source": "def back_substitute(A, rhs):\n"
                      "    n = len(rhs)\n"
                      "    x = np.zeros(n)\n"
                      "    for r in range(n - 1, -1, -1):\n"
                      "        x[r] = rhs[r] - A[r, r + 1:] @ x[r + 1:]\n"
                      "    return x",
            "fails": ["ch13-ex1-check", "ch13-ex1-hidden"],
        },
        # forward instead of back substitution: the first rows read entries not yet found
        {
            "source": "def back_substitute(A, rhs):\n"
                      "    n = len(rhs)\n"
                      "    x = np.zeros(n)\n"
                      "    for r in range(n):\n"
                      "        x[r] = A[r, r + 1:] @ x[r + 1:] - rhs[r]\n"
                      "    return x",
            "fails": ["ch13-ex1-check", "ch13-ex1-hidden"],
        },
        # sympy's LUsolve instead of the loop
        {"source": ('import sympy\n'
                    '\n'
                    '\n'
                    'def back_substitute(A, rhs):\n'
                    '    x = sympy.Matrix(A).LUsolve(sympy.Matrix(rhs))\n'
                    '    return np.array(x, dtype=float).ravel()'),
         "fails": ['ch13-ex1-check', 'ch13-ex1-hidden']},
    ],
    "ch13-ex2-solution": [
        # forgot the mixed term 2x in H
        {"source": "import math\nhv = [4.0, math.sin(2.0)]", "fails": ["ch13-ex2-check", "ch13-ex2-hidden"]},
        # the gradient instead of H v
        {"source": "import math\nhv = [4.0, 1.0 + math.cos(2.0)]", "fails": ["ch13-ex2-check", "ch13-ex2-hidden"]},
    ],
}

# The package's H v: right, but refused by the hidden cell, so the exercise scores nothing.
WRONG_ANSWERS["ch13-ex2-solution"].append(
    {
        "source": "_g = hs.hvp(lad.trace(lambda x, y: x * x * y + lad.sin(y), 'x y'),\n"
        "            {'x': 1.0, 'y': 2.0}, {'x': 1.0, 'y': -1.0})\n"
        "hv = [_g['x'], _g['y']]",
        "fails": ["ch13-ex2-check", "ch13-ex2-hidden"],
    }
)

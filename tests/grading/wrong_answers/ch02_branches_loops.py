"""Wrong answers for book/ch02_branches_loops.ipynb, keyed by solution grade_id."""

WRONG_ANSWERS = {
    "ch2-ex1-solution": [
        # counted one step per pass instead of two (w * h and tanh are separate steps)
        {"source": "n_steps = 2 + 4\nuses_of_w = 4", "fails": ["ch2-ex1-check", "ch2-ex1-hidden"]},
        # the right counts, from running lad.trace (the exercise says: without running it)
        {"source": ('traced = lad.trace(recurrent, "h w")\n'
                    'n_steps = len(traced)\n'
                    'uses_of_w = len(traced.b(2))'),
         "fails": ['ch2-ex1-check', 'ch2-ex1-hidden']},
    ],
    "ch2-ex2-solution": [
        # the two branches swapped
        {
            "source": "def ramp(x):\n    return lad.where(x > 2, x * x, 4 * x - 4)",
            "fails": ["ch2-ex2-check", "ch2-ex2-hidden"],
        },
        # kept the Python `if`: tracing it raises lad.TracingError
        {
            "source": "def ramp(x):\n    if x > 2:\n        return 4 * x - 4\n    return x * x",
            "fails": ["ch2-ex2-check", "ch2-ex2-hidden"],
        },
    ],
    "ch2-ex3-solution": [
        # counted only one of the three uses of c
        {"source": "dz_dc = 2 * (1.0 + 3 * (-0.2))", "fails": ["ch2-ex3-check", "ch2-ex3-hidden"]},
    ],
}

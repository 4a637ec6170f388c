"""Wrong answers for book/ch08_solving.ipynb, keyed by solution grade_id."""

WRONG_ANSWERS = {
    "ch8-ex1-solution": [
        # counted the inputs (steps), not the input numbers
        {"source": "passes_forward = 4\npasses_reverse = 1", "fails": ["ch8-ex1-check", "ch8-ex1-hidden"]},
        # forgot that the target y is an input too
        {"source": "passes_forward = 3 + 12 + 8\npasses_reverse = 1", "fails": ["ch8-ex1-check", "ch8-ex1-hidden"]},
    ],
    "ch8-ex2-solution": [
        # one level per step: correct only for chains, so the inception example catches it
        {
            "source": "def schedule(pattern):\n"
                      "    n = len(pattern)\n"
                      "    return [[i] for i in range(n, 0, -1)]",
            "fails": ["ch8-ex2-check", "ch8-ex2-hidden"],
        },
        # the forward direction (levels from the inputs) instead of back substitution's
        {
            "source": "def schedule(pattern):\n"
                      "    return solvers.levels(pattern, 'forward')",
            "fails": ["ch8-ex2-check", "ch8-ex2-hidden"],
        },
    ],
    "ch8-ex3-solution": [
        # forgot that z5 reads z1 directly (missing the + ż_1)
        {
            "source": "zdot = [1.0, 0.0, 2.0, 2.0 * math.cos(1.0), 2.0 * math.cos(1.0)]",
            "fails": ["ch8-ex3-check", "ch8-ex3-hidden"],
        },
    ],
}

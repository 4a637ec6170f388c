"""Wrong answers for book/ch01_sequences.ipynb, keyed by solution grade_id."""

WRONG_ANSWERS = {
    "ch1-ex1-solution": [
        # the whole formula as one step: 3 steps instead of 5
        {
            "source": 'seq = lad.Computation()\nx = seq.input("x")\ny = seq.input("y")\n'
            "seq.assign(lad.exp(x * y) + y)",
            "fails": ["ch1-ex1-check", "ch1-ex1-hidden"],
        },
        # added x instead of y at the end
        {
            "source": 'seq = lad.Computation.from_equations("z3 = x * y\\nz4 = exp(z3)\\nz5 = z4 + x", inputs="x y")',
            "fails": ["ch1-ex1-check", "ch1-ex1-hidden"],
        },
    ],
    "ch1-ex2-solution": [
        # a and b mixed up: the users of z7 and the arguments of z4
        {"source": "a7 = {8}\nb4 = {1, 2}", "fails": ["ch1-ex2-check", "ch1-ex2-hidden"]},
        # one reader of z4 missed (z7 = z6 * z4): the check says only "not right"
        {"source": "a7 = {4, 6}\nb4 = {5}", "fails": ["ch1-ex2-check", "ch1-ex2-hidden"]},
        # the right sets, read off by the package (the exercise asks to read the equations)
        {"source": ('a7 = set(wired.a(7))\n'
                    'b4 = set(wired.b(4))'),
         "fails": ['ch1-ex2-check', 'ch1-ex2-hidden']},
    ],
    "ch1-ex3-solution": [
        # only the direct route from z4 into z7
        {
            "source": "import math\nd8_d6 = 1.5\nd8_d4 = math.sin(1.5) - 1.0",
            "fails": ["ch1-ex3-check", "ch1-ex3-hidden"],
        },
    ],
}

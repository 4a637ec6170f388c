"""Wrong answers for book/ch12_memory.ipynb, keyed by solution grade_id."""

WRONG_ANSWERS = {
    "ch12-ex1-solution": [
        # kept every z, as if every step needed all its inputs and the output too
        {"source": "kept_count = 6", "fails": ["ch12-ex1-check", "ch12-ex1-hidden"]},
        # forgot that the sine needs its argument z4
        {"source": "kept_count = 2", "fails": ["ch12-ex1-check", "ch12-ex1-hidden"]},
    ],
    "ch12-ex2-solution": [
        # advanced from x_0 without restoring it: the chain runs on from where it was
        {
            "source": "def one_slot_schedule(n):\n"
                      "    actions = []\n"
                      "    for i in range(n, 0, -1):\n"
                      "        actions += [('advance', j) for j in range(1, i)]\n"
                      "        actions.append(('reverse', i))\n"
                      "    return ck.Schedule(n, actions)",
            "fails": ["ch12-ex2-check", "ch12-ex2-hidden"],
        },
        # kept every state instead: runs, but uses n slots
        {
            "source": "def one_slot_schedule(n):\n"
                      "    return ck.store_all_schedule(n)",
            "fails": ["ch12-ex2-check", "ch12-ex2-hidden"],
        },
    ],
    "ch12-ex3-solution": [
        # r one too small (β(3, 2) = 10 < 20), and t from it
        {"source": "r = 2\nt = 2 * 20 - 5", "fails": ["ch12-ex3-check", "ch12-ex3-hidden"]},
        # the right t hard-coded, r wrong: the self-check of r and the hidden test catch it
        {"source": "r = 4\nt = 45", "fails": ["ch12-ex3-check", "ch12-ex3-hidden"]},
    ],
}

# The package's formula: right, but refused (the hidden cell says so), so the exercise scores nothing.
WRONG_ANSWERS["ch12-ex3-solution"].append(
    {"source": "r = 3\nt = ck.revolve_formula(20, 3)", "fails": ["ch12-ex3-check", "ch12-ex3-hidden"]}
)

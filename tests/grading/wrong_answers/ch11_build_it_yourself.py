"""Wrong answers for book/ch11_build_it_yourself.ipynb, keyed by solution grade_id."""

WRONG_ANSWERS = {
    "ch11-ex1-solution": [
        # pulling with a set of readers: a step that reads z_k twice (h·h) counts once, as with `=`
        {
            "source": "def sweep(tape):\n"
                      "    n = len(tape)\n"
                      "    readers = {k: {} for k in range(1, n + 1)}\n"
                      "    for i in range(1, n + 1):\n"
                      "        for k, d in zip(tape.args[i], tape.partials[i]):\n"
                      "            readers[k][i] = d\n"
                      "    lam = [None] * n + [1.0]\n"
                      "    for k in range(n - 1, 0, -1):\n"
                      "        lam[k] = sum(lam[i] * d for i, d in readers[k].items())\n"
                      "    return lam",
            "fails": ["ch11-ex1-check", "ch11-ex1-hidden"],
        },
        # mistake 1: = instead of +=, a z read twice keeps only the last contribution
        {
            "source": "def sweep(tape):\n"
                      "    n = len(tape)\n"
                      "    lam = [0.0] * (n + 1)\n"
                      "    lam[n] = 1.0\n"
                      "    for i in range(n, 0, -1):\n"
                      "        for k, d in zip(tape.args[i], tape.partials[i]):\n"
                      "            lam[k] = lam[i] * d\n"
                      "    return lam",
            "fails": ["ch11-ex1-check", "ch11-ex1-hidden"],
        },
        # mistake 2: a recursive walk that pushes a shared node's λ before it is complete
        {
            "source": "def sweep(tape):\n"
                      "    lam = [0.0] * (len(tape) + 1)\n"
                      "    lam[-1] = 1.0\n"
                      "    def walk(i):\n"
                      "        for k, d in zip(tape.args[i], tape.partials[i]):\n"
                      "            lam[k] += lam[i] * d\n"
                      "            walk(k)\n"
                      "    walk(len(tape))\n"
                      "    return lam",
            "fails": ["ch11-ex1-check", "ch11-ex1-hidden"],
        },
    ],
    "ch11-ex2-solution": [
        # the quotient rule's sign lost: ∂(a/b)/∂b = +a/b²
        {
            "source": "def divide(a, b):\n"
                      "    return a.tape.push(a.value / b.value, (a.i, b.i),\n"
                      "                       (1.0 / b.value, a.value / b.value ** 2))",
            "fails": ["ch11-ex2-check", "ch11-ex2-hidden"],
        },
    ],
    "ch11-ex3-solution": [
        # mistake 3: sweep by number, as if the numbering were an order of evaluation
        {
            "source": "def sweep_graph(graph, output):\n"
                      "    lam = {i: 0.0 for i in graph}\n"
                      "    lam[output] = 1.0\n"
                      "    for i in sorted(graph, reverse=True):\n"
                      "        for k, d in zip(*graph[i]):\n"
                      "            lam[k] += lam[i] * d\n"
                      "    return lam",
            "fails": ["ch11-ex3-check", "ch11-ex3-hidden"],
        },
    ],
}

# The package's own sweep, through an alias: its answer is right, but grading sees
# lagrange_ad.minitape.backward called with the student's function on the stack while the check and
# the hidden test run it (and the hidden test's own audit hook hears it too): both score 0.
WRONG_ANSWERS["ch11-ex1-solution"].append(
    {
        "source": "from lagrange_ad.minitape import backward as _b\n\n\ndef sweep(tape):\n    return _b(tape)",
        "fails": ["ch11-ex1-check", "ch11-ex1-hidden"],
    }
)
# mistake 3's cure taken from the package: refused the same way
WRONG_ANSWERS["ch11-ex3-solution"].append(
    {"source": "def sweep_graph(graph, output):\n    return mt.backward_graph(graph, output)",
     "fails": ["ch11-ex3-check", "ch11-ex3-hidden"]}
)

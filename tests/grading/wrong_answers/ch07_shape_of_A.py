"""Wrong answers for book/ch07_shape_of_A.ipynb, keyed by solution grade_id."""

WRONG_ANSWERS = {
    "ch7-ex1-solution": [
        # forgot the skip connections: wrote the pattern of a plain chain
        {
            "source": "pattern = np.eye(6, dtype=bool) | np.eye(6, k=1, dtype=bool)",
            "fails": ["ch7-ex1-check", "ch7-ex1-hidden"],
        },
        # transposed: marked A[k, i] where z_k reads z_i
        {
            "source": "pattern = np.eye(6, dtype=bool)\n"
                      "for k in range(1, 7):\n"
                      "    for i in res2.comp.a(k):\n"
                      "        pattern[k - 1, i - 1] = True",
            "fails": ["ch7-ex1-check", "ch7-ex1-hidden"],
        },
    ],
    "ch7-ex2-solution": [
        # counted only the layers as the block (d = layers), forgetting the block input x
        {
            "source": "def dense_nonzeros(layers):\n    return layers * (layers - 1) // 2 + 1",
            "fails": ["ch7-ex2-check", "ch7-ex2-hidden"],
        },
        # hard-coded the four values the visible check tries: the hidden test catches it
        {
            "source": "def dense_nonzeros(layers):\n    return {1: 2, 2: 4, 3: 7, 4: 11}.get(layers, 0)",
            "fails": ["ch7-ex2-hidden"],
        },
    ],
}

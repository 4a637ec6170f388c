"""Wrong answers for book/ch10_history.ipynb, keyed by solution grade_id."""

WRONG_ANSWERS = {
    "ch10-ex1-solution": [
        # forgot the running cost's contribution ∂c/∂x_t = h x_t
        {
            "source": "def costates(states, controls, a, h):\n"
                      "    p_ = [0.0] * len(states)\n"
                      "    p_[-1] = states[-1]\n"
                      "    for t_ in range(len(states) - 2, -1, -1):\n"
                      "        p_[t_] = p_[t_ + 1] * (1 - h * a)\n"
                      "    return p_",
            "fails": ["ch10-ex1-check", "ch10-ex1-hidden"],
        },
        # ran the recursion forward in time from p_0 = x_0
        {
            "source": "def costates(states, controls, a, h):\n"
                      "    p_ = [states[0]]\n"
                      "    for t_ in range(1, len(states)):\n"
                      "        p_.append(h * states[t_] + p_[-1] * (1 - h * a))\n"
                      "    return p_",
            "fails": ["ch10-ex1-check", "ch10-ex1-hidden"],
        },
    ],
}

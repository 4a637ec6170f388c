"""Wrong answers for book/ch09_implicit.ipynb, keyed by solution grade_id."""

WRONG_ANSWERS = {
    "ch9-ex1-solution": [
        # treated z as fixed (λ = 1): the partial derivative ∂g/∂w, not the total derivative
        {
            "source": "slope = 1 - np.tanh(w * z_scalar + 1.0) ** 2\ndl_dw = slope * z_scalar",
            "fails": ["ch9-ex1-check", "ch9-ex1-hidden"],
        },
        # sign slip in the condition: λ = 1 / (1 + w tanh')
        {
            "source": "slope = 1 - np.tanh(w * z_scalar + 1.0) ** 2\n"
                      "dl_dw = slope * z_scalar / (1.0 + w * slope)",
            "fails": ["ch9-ex1-check", "ch9-ex1-hidden"],
        },
        # the right number, from lad.gradient of the unrolled iteration (not the Lagrangian condition)
        {"source": ('def unrolled(w_):\n'
                    '    z = 0.0 * w_\n'
                    '    for _ in range(60):\n'
                    '        z = lad.tanh(w_ * z + 1.0)\n'
                    '    return z\n'
                    '\n'
                    '\n'
                    'dl_dw = lad.gradient(lad.trace(unrolled, "w"), {"w": 0.5})["w"]'),
         "fails": ['ch9-ex1-check', 'ch9-ex1-hidden']},
    ],
    "ch9-ex2-solution": [
        # forgot the transpose: right for the symmetric heat D, wrong in general (the hidden test)
        {
            "source": "def adjoint_step(lam_next, kappa, dt, D):\n"
                      "    return (np.eye(len(D)) + dt * kappa * np.asarray(D)) @ lam_next",
            "fails": ["ch9-ex2-hidden"],
        },
        # stepped forward in time instead (inverse of B)
        {
            "source": "def adjoint_step(lam_next, kappa, dt, D):\n"
                      "    return np.linalg.solve((np.eye(len(D)) + dt * kappa * np.asarray(D)).T, lam_next)",
            "fails": ["ch9-ex2-check", "ch9-ex2-hidden"],
        },
        # the right step, as the gradient lad.gradient computes (the exercise asks for the Lagrangian step)
        {"source": ('def adjoint_step(lam_next, kappa, dt, D):\n'
                    '    B = np.eye(len(D)) + dt * kappa * np.asarray(D)\n'
                    '    row = np.asarray(lam_next, dtype=float).reshape(1, -1)\n'
                    '    comp = lad.trace(lambda u: lad.sum((u @ B.T) * row), {"u": (1, len(D))})\n'
                    '    return lad.gradient(comp, {"u": np.zeros((1, len(D)))})["u"].ravel()'),
         "fails": ['ch9-ex2-check', 'ch9-ex2-hidden']},
    ],
}

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
    ],
}

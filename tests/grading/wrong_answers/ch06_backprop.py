"""Wrong answers for book/ch06_backprop.ipynb, keyed by solution grade_id."""

WRONG_ANSWERS = {
    "ch6-ex1-solution": [
        # σ'(z_5) taken as σ(z_5) (forgot the factor 1 − z_6)
        {"source": "lam5 = lam6_given * z6_given", "fails": ["ch6-ex1-check", "ch6-ex1-hidden"]},
        # skipped the sigmoid's derivative altogether
        {"source": "lam5 = lam6_given", "fails": ["ch6-ex1-check", "ch6-ex1-hidden"]},
        # the right number, computed by the package's own call the exercise asks to replace
        {"source": "lam5 = lad.multipliers(net, values)[5]", "fails": ["ch6-ex1-check", "ch6-ex1-hidden"]},
        # the right λ_5, with autograd's derivative of the sigmoid instead of σ' = σ(1 − σ)
        {"source": ('import autograd\n'
                    'import autograd.numpy as anp\n'
                    '\n'
                    'z5 = np.log(z6_given / (1 - z6_given))\n'
                    'lam5 = lam6_given * autograd.elementwise_grad(lambda z: 1 / (1 + anp.exp(-z)))(z5)'),
         "fails": ['ch6-ex1-check', 'ch6-ex1-hidden']},
    ],
    "ch6-ex2-solution": [
        # the outer product the wrong way round: 2×4 instead of the 4×2 of w2
        {"source": "lam4 = lam7_given.T @ z6_given", "fails": ["ch6-ex2-check", "ch6-ex2-hidden"]},
        # multiplied by λ_6 (the multiplier of z_6) instead of λ_7
        {"source": "lam4 = z6_given.T @ lam6_given", "fails": ["ch6-ex2-check", "ch6-ex2-hidden"]},
        # the same call, disguised: another name, getattr, through the gradient of the weights
        {"source": "from lagrange_ad import gradient as g\nlam4 = getattr(__import__('lagrange_ad'), "
                   "'gradient')(net, values)['w2']", "fails": ["ch6-ex2-check", "ch6-ex2-hidden"]},
    ],
}

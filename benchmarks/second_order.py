"""``python -m benchmarks.second_order``: Hessian-vector product cost ÷ gradient cost (chapter 13).

For each program: lad's H v (forward substitution for ż, Ȧ, a second back substitution with the same A:
``lagrange_ad.hessian.SecondOrder``) against a gradient on the same engine, best of ``--repeat`` runs; and,
as an outside reference, autograd's forward-over-reverse H v against autograd's own gradient on the source
network. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from lagrange_ad.solvers import best_times


def _autograd_source(repeat: int) -> tuple[float, float]:
    """autograd's gradient and its forward-over-reverse H v (grad of ∇f·v), all inputs as one flat vector."""
    import autograd
    import autograd.numpy as anp

    from lagrange_ad import zoo

    _, values = zoo.source_network()
    p = np.concatenate([np.ravel(values[k]) for k in ("x", "y", "w1", "w2")])
    v = np.random.default_rng(1).normal(size=p.size)

    def loss(q):
        x, y, w1, w2 = q[:3].reshape(1, 3), q[3:5].reshape(1, 2), q[5:17].reshape(3, 4), q[17:].reshape(4, 2)
        out = anp.exp((1 / (1 + anp.exp(-(x @ w1)))) @ w2)
        return -anp.sum(y * anp.log(out / anp.sum(out)))

    grad = autograd.grad(loss)
    hvp = autograd.grad(lambda q: anp.dot(grad(q), v))
    times = best_times({"grad": lambda: grad(p), "hvp": lambda: hvp(p)}, repeat)
    return times["grad"], times["hvp"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--depths", default="2,4,8", help="chain depths (width 2, weights as inputs)")
    args = parser.parse_args(argv)

    from lagrange_ad import architectures as ar
    from lagrange_ad import hessian as hs
    from lagrange_ad import zoo

    programs = [("source network", *zoo.source_network())]
    for d in (int(x) for x in args.depths.split(",")):
        arch = ar.chain(d, width=2, params=True)
        programs.append((arch.description, arch.comp, arch.values))
    header = ["program", "inputs", "entries of A", "compile (s)", "gradient (ms)", "H v (ms)", "H v ÷ gradient"]
    print("| " + " | ".join(header + ["Hessian ÷ gradient"]) + " |")
    print("|---|---|---|---|---|---|---|---|")
    for label, comp, values in programs:
        t0 = time.perf_counter()
        hs.SecondOrder(comp)
        compile_s = time.perf_counter() - t0
        rng = np.random.default_rng(0)
        v = {k: rng.normal(size=np.shape(x)) for k, x in values.items()}
        cost = hs.hvp_cost(comp, values, v, repeats=args.repeat)
        print(
            f"| {label} | {cost.inputs} | {cost.nonzeros} | {compile_s:.1f} | {cost.gradient_seconds * 1e3:.3f} | "
            f"{cost.hvp_seconds * 1e3:.3f} | {cost.ratio:.2f} | {cost.hessian_seconds / cost.gradient_seconds:.1f} |"
        )
    g, h = _autograd_source(args.repeat)
    print(f"\nautograd on the source network: gradient {g * 1e3:.3f} ms, H v {h * 1e3:.3f} ms, ratio {h / g:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

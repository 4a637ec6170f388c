"""Gradients of random computations agree with HIPS autograd and with finite differences.

Each random computation is one program (see ``random_programs.py``) run three ways: traced by lagrange_ad,
on ``autograd.numpy``, and on plain numpy for finite differences. The references never call lagrange_ad.

Tolerance: 1e-6 relative to the largest entry of the reference gradient (the ∞-norm relative error), for
finite differences; autograd computes the same derivatives exactly, so it is held to 1e-9.
"""

from __future__ import annotations

import importlib.util

import autograd
import numpy as np
import pytest
from hypothesis import assume, given, note, settings
from random_programs import AUTOGRAD, Monitor, TorchBackend, cases, run, safe, trace

import lagrange_ad as lad

FD_RTOL = 1e-6
AUTOGRAD_RTOL = 1e-9
# autograd warns when a program's result does not depend on one of its inputs; the gradient is then 0
pytestmark = pytest.mark.filterwarnings("ignore:Output seems independent of input")


def relative_error(got, want) -> float:
    """max |got − want| over every entry of every input, relative to the largest |want| (at least 1e-3)."""
    diff = max(float(np.max(np.abs(np.asarray(got[k]) - np.asarray(want[k])))) for k in want)
    scale = max(float(np.max(np.abs(np.asarray(v)))) for v in want.values())
    return diff / max(scale, 1e-3)


def autograd_gradient(program, args) -> dict:
    grads = autograd.grad(lambda *a: run(program, AUTOGRAD, *a), tuple(range(len(args))))(*args)
    return {name: np.asarray(g, dtype=float) for (name, _), g in zip(program.inputs, grads, strict=True)}


def finite_differences(program, args) -> tuple[dict, int]:
    """Fourth-order central differences of the plain-numpy program, one input entry at a time.

    A difference stencil that crosses a switch of ``where``/``relu`` measures a jump, not a slope: such
    entries are retried with a smaller step and skipped (counted) if they still cross.
    """

    def at(k, idx, delta):
        moved = [np.array(a, dtype=float) for a in args]
        moved[k][idx] += delta
        monitor = Monitor()
        value = run(program, AUTOGRAD, *[m if m.ndim else float(m) for m in moved], monitor=monitor)
        return value, monitor.signature()

    base = Monitor()
    run(program, AUTOGRAD, *args, monitor=base)
    out, skipped = {}, 0
    for k, (name, _) in enumerate(program.inputs):
        arr = np.array(args[k], dtype=float)
        grad = np.full(arr.shape, np.nan)
        for idx in np.ndindex(arr.shape):
            for h in (1e-3, 1e-4, 1e-5):
                h = h * max(1.0, abs(arr[idx]))
                points = [at(k, idx, s * h) for s in (2, 1, -1, -2)]
                if all(sig == base.signature() for _, sig in points):
                    f2, f1, fm1, fm2 = (v for v, _ in points)
                    grad[idx] = (-f2 + 8 * f1 - 8 * fm1 + fm2) / (12 * h)
                    break
            else:
                skipped += 1
        out[name] = grad
    return out, skipped


def lad_gradient(program, args) -> dict:
    comp = trace(program)
    values = dict(zip([n for n, _ in program.inputs], args, strict=True))
    assert lad.multipliers(comp, values)[len(comp)] == 1.0  # λ_n = 1
    return {k: np.asarray(v, dtype=float) for k, v in lad.gradient(comp, values).items()}


def check_against_references(program, args):
    note(repr(program))
    got = lad_gradient(program, args)
    want = autograd_gradient(program, args)
    assert relative_error(got, want) <= AUTOGRAD_RTOL, f"lagrange_ad {got}\nautograd {want}"
    fd, skipped = finite_differences(program, args)
    known = {k: v for k, v in fd.items() if not np.any(np.isnan(v))}
    if known:
        assert relative_error({k: got[k] for k in known}, known) <= FD_RTOL, f"lagrange_ad {got}\nfd {fd}"
    return skipped


@settings(max_examples=300)
@given(cases())
def test_random_computations_match_autograd_and_finite_differences(case):
    program, args = case
    assume(safe(program, args))
    check_against_references(program, args)


@settings(max_examples=100)
@given(cases(scalar_only=True, min_instructions=3, max_instructions=12))
def test_random_scalar_computations_match_references(case):
    program, args = case
    assume(safe(program, args))
    check_against_references(program, args)


@settings(max_examples=60)
@given(cases(min_instructions=2))
def test_forward_pass_matches_numpy(case):
    """lad.forward's z_n is the plain-numpy value of the same program."""
    program, args = case
    assume(safe(program, args))
    comp = trace(program)
    values = dict(zip([n for n, _ in program.inputs], args, strict=True))
    want = float(run(program, AUTOGRAD, *args))
    assert lad.forward(comp, values)[len(comp)] == pytest.approx(want, rel=1e-12, abs=1e-12)


@settings(max_examples=60)
@given(cases(min_instructions=2))
def test_random_computations_run_untraced_like_numpy(case):
    """The elementary functions accept plain numbers, so the very same function runs untraced."""
    program, args = case
    assume(safe(program, args))
    with np.errstate(all="ignore"):
        want = float(run(program, AUTOGRAD, *args))
        got = float(run(program, lad, *args))
    assert got == pytest.approx(want, rel=1e-12, abs=1e-12)


def test_the_generator_covers_what_the_issue_asks_for():
    """The generated programs include every kind of instruction and every elementary function, values used
    more than once, shaped inputs and unrolled loops sharing a parameter."""
    examples = []

    @settings(max_examples=300)
    @given(cases())
    def collect(case):
        examples.append(case)

    collect()
    programs_ = [program for program, _ in examples]
    kinds = set().union(*(p.kinds() for p in programs_))
    unary = {ins[1] for p in programs_ for ins in p.instructions if ins[0] == "unary"}
    assert len(programs_) >= 250
    assert kinds >= {
        "unary", "positive", "log", "sqrt", "binary", "div", "pow", "where", "loop", "sum", "mean",
        "matmul", "softmax", "transpose", "index",
    }  # fmt: skip
    assert unary == {"sin", "cos", "tanh", "sigmoid", "exp", "relu", "neg"}
    assert sum(p.reuses_a_value() for p in programs_) > 50
    assert sum(any(shape for _, shape in p.inputs) for p in programs_) > 100
    assert sum("loop" in p.kinds() for p in programs_) > 30
    assert sum("where" in p.kinds() for p in programs_) > 30


# ------------------------------------------------------------------------------------------------
# hand-picked programs that must always be in the mix


SHARED_AND_LOOPED = [
    # (description, function of the backend F and the inputs, names, shapes)
    ("a value used three times", lambda F, x, w: F.tanh(x * w) + F.sin(x) * x, "x w", {}),
    ("a shared weight matrix in an unrolled loop", None, "h W", {"h": (1, 3), "W": (3, 3)}),
    ("where with a shaped condition", lambda F, x, W: F.sum(F.where(W > x, W * W, -W) * x), "x W", {"W": (2, 3)}),
    ("a residual connection", lambda F, x, W: F.mean(F.relu(x @ W) + x), "x W", {"x": (1, 2), "W": (2, 2)}),
]


def _rnn(F, h, W):
    for _ in range(4):
        h = F.tanh(h @ W) + h  # the same W at every pass
    return F.sum(h)


@pytest.mark.parametrize("description, fn, names, shapes", SHARED_AND_LOOPED, ids=[c[0] for c in SHARED_AND_LOOPED])
def test_hand_picked_computations(description, fn, names, shapes):
    fn = fn or _rnn
    rng = np.random.default_rng(1)
    args = [rng.uniform(-1, 1, shapes[n]) if n in shapes else float(rng.uniform(0.2, 1)) for n in names.split()]
    comp = lad.trace(lambda *a: fn(lad, *a), names, shapes=shapes)
    got = lad.gradient(comp, dict(zip(names.split(), args, strict=True)))
    want = autograd.grad(lambda *a: fn(AUTOGRAD, *a), tuple(range(len(args))))(*args)
    for name, w in zip(names.split(), want, strict=True):
        np.testing.assert_allclose(got[name], w, rtol=1e-10, atol=1e-12)


# ------------------------------------------------------------------------------------------------
# PyTorch, when it is installed


@pytest.mark.skipif(
    importlib.util.find_spec("torch") is None, reason="PyTorch is not installed; autograd is the reference here"
)
@settings(max_examples=100)
@given(cases())
def test_random_computations_match_pytorch(case):
    import torch

    program, args = case
    assume(safe(program, args))
    tensors = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in args]
    run(program, TorchBackend(), *tensors).backward()
    want = {name: t.grad.numpy() for (name, _), t in zip(program.inputs, tensors, strict=True)}
    assert relative_error(lad_gradient(program, args), want) <= AUTOGRAD_RTOL

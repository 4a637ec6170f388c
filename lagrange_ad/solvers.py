"""Other ways to solve A λ = e: forward mode, level scheduling, a parallel scan, and cost measurements.

Back substitution is one way to solve the triangular system A λ = e. This module holds the others the book
compares it with, all working on the *same* A, evaluated at numbers:

* :func:`jacobian_blocks` evaluates every nonzero block ``A_ik = (∂f_k/∂z_i)ᵀ`` at the forward pass's values
  (from each step's local derivatives; the tests compare it with the symbolic :func:`~lagrange_ad.linear_system`);
* :func:`reverse_mode` is block back substitution on A (one pass for the whole gradient);
* :func:`forward_mode` is forward substitution on the transposed system Aᵀ ż = −s, one pass per input
  component s (each pass gives one column of the Jacobian: ∂z/∂ that input);
* :func:`levels` groups the λ's that can be computed at the same time (level scheduling); the number of
  levels is the critical path;
* :func:`sequential_scan` / :func:`blelloch_scan` compute all prefix products of a list under an associative
  product, counting the work (products) and the depth (parallel rounds); :func:`chain_scan` uses them to
  back-propagate through a chain (Naumov 2017; Wang, Bai & Pekhimenko 2020);
* :func:`gradient_cost` times the function against its gradient (the cheap-gradient principle).

>>> import lagrange_ad as lad
>>> comp = lad.trace(lambda x, w: lad.tanh(w * x), "x w")
>>> system = numeric_system(comp, {"x": 0.5, "w": -2.0})
>>> fwd, rev = forward_mode(system), reverse_mode(system)
>>> round(fwd.gradient["w"], 6) == round(rev.gradient["w"], 6) == 0.209987
True
>>> fwd.passes, rev.passes
(2, 1)
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace

import numpy as np
from threadpoolctl import threadpool_limits

from .computation import Computation, require_computation
from .errors import DefinitionError, InputError, LagrangeADError
from .numeric import check_values, forward, gradient, pull_back, run_forward
from .plan import CONST, Z, plan_of
from .usage import note

# --------------------------------------------------------------------------------------------------
# A at numbers
# --------------------------------------------------------------------------------------------------


@dataclass
class NumericSystem:
    """A λ = e at numbers, kept by blocks: ``blocks[(i, k)]`` is A_ik (i < k), diagonal blocks are −I."""

    comp: Computation
    values: dict
    blocks: dict[tuple[int, int], np.ndarray]
    sizes: list[int]

    @property
    def n(self) -> int:
        return len(self.sizes)

    def dense(self) -> np.ndarray:
        """The whole A as one dense array (small computations only)."""
        offsets = np.concatenate([[0], np.cumsum(self.sizes)])
        total = int(offsets[-1])
        if total > 4000:
            raise LagrangeADError(f"A has {total} rows; too many for a dense array (use the blocks)")
        a = -np.eye(total)
        for (i, k), block in self.blocks.items():
            a[offsets[i - 1] : offsets[i], offsets[k - 1] : offsets[k]] = block
        return a

    def without(self, *blocks: tuple[int, int]) -> NumericSystem:
        """The same system with the blocks A_ik in ``blocks`` set to zero (steps numbered from 1): the edge
        z_i → z_k cut, as JAX's ``stop_gradient`` on z_i where z_k reads it would cut it.

        >>> import lagrange_ad as lad
        >>> system = numeric_system(lad.trace(lambda x: x * x, "x"), {"x": 3.0})
        >>> system.blocks, system.without((1, 2)).blocks
        ({(1, 2): array([[6.]])}, {})
        """
        for i, k in blocks:
            if (i, k) not in self.blocks:
                raise DefinitionError(f"A has no block A_{i},{k} to set to zero: z_{k} does not read z_{i}")
        return replace(self, blocks={key: b for key, b in self.blocks.items() if key not in blocks})

    def e(self) -> np.ndarray:
        """The right-hand side e = (0, …, 0, −1)."""
        out = np.zeros(int(np.sum(self.sizes)))
        out[-1] = -1.0
        return out

    def pattern(self) -> np.ndarray:
        """n×n booleans: True where block A_ik is nonzero (the diagonal always)."""
        p = np.eye(self.n, dtype=bool)
        for (i, k), block in self.blocks.items():
            p[i - 1, k - 1] = bool(np.any(block != 0))
        return p

    def nnz(self) -> int:
        """Scalar nonzeros of A, the diagonal included."""
        return int(np.sum(self.sizes) + sum(np.count_nonzero(b) for b in self.blocks.values()))


def jacobian_blocks(comp: Computation, values) -> dict[tuple[int, int], np.ndarray]:
    """Every off-diagonal block ``A_ik = (∂f_k/∂z_i)ᵀ`` (i ∈ a(k)) at the forward pass, as arrays.

    Block rows follow z_i's components and columns z_k's, row by row, as in :func:`~lagrange_ad.linear_system`.

    >>> import lagrange_ad as lad
    >>> comp = lad.trace(lambda x: x * x, "x")
    >>> jacobian_blocks(comp, {"x": 3.0})
    {(1, 2): array([[6.]])}
    """
    require_computation(comp, "jacobian_blocks")
    n = comp.output.index
    plan = plan_of(comp)
    with np.errstate(all="ignore"):
        _, inner = run_forward(plan, check_values(comp, values, copy=False), n)  # one forward pass
        blocks = {}
        for step in comp.steps:
            if step.is_input:
                continue
            # row c of every ∂f_k/∂z_i: the backward pass through f_k from the unit seed e_c
            rows = {i: np.zeros((step.size, comp.steps[i - 1].size)) for i in step.args}
            for c in range(step.size):
                seed = np.zeros(step.shape) if step.shape else 1.0
                if step.shape:
                    seed.flat[c] = 1.0
                for i, contribution in pull_back(plan.steps[step.index], inner[step.index], seed):
                    rows[i][c] += np.ravel(contribution)
            for i, jac in rows.items():
                blocks[(i, step.index)] = jac.T
    return blocks


def numeric_system(comp: Computation, values) -> NumericSystem:
    """A (by blocks) and e at the given input values. See :class:`NumericSystem`."""
    comp.output  # noqa: B018 - z_n must exist and be a scalar
    blocks = jacobian_blocks(comp, values)
    return NumericSystem(comp, dict(values), blocks, [s.size for s in comp.steps])


# --------------------------------------------------------------------------------------------------
# reverse and forward mode
# --------------------------------------------------------------------------------------------------


@dataclass
class ModeResult:
    """The gradient found by one mode, with what it cost: passes over A and multiply-adds."""

    gradient: dict
    passes: int
    multiply_adds: int
    # reverse: {i: λ_i}; forward: {"z_n": ż_n for each seed, "tangents": {i: ż_i, (size of z_i) × seeds}}
    solution: dict = field(default_factory=dict)


def reverse_mode(system: NumericSystem) -> ModeResult:
    """Back substitution on A λ = e, block by block, newest step first: λ_i = Σ_{k ∈ b(i)} A_ik λ_k.

    (Row i reads −λ_i + Σ_k A_ik λ_k = e_i, and e_i = 0 except e_n = −1, so λ_n = 1.)
    """
    note("reverse_mode")
    comp = system.comp
    users: dict[int, list[int]] = {}
    for i, k in system.blocks:
        users.setdefault(i, []).append(k)
    lam, work = {}, 0
    n = comp.output.index
    for step in reversed(comp.steps):
        i = step.index
        total = np.zeros(step.size) if i != n else np.ones(1)
        for k in users.get(i, []):
            block = system.blocks[(i, k)]
            total = total + block @ lam[k]
            work += block.size
        lam[i] = total
    grad = {s.name: _shaped(lam[s.index], s) for s in comp.inputs}
    return ModeResult(
        grad, passes=1, multiply_adds=work, solution={i: _shaped(v, comp.steps[i - 1]) for i, v in lam.items()}
    )


def forward_mode(system: NumericSystem) -> ModeResult:
    """Forward substitution on Aᵀ ż = −s, once per input component s: ż_i = s_i + Σ_{k ∈ a(i)} A_kiᵀ ż_k.

    Each pass pushes one input direction forward through every step; its last entry ż_n is one entry
    of the gradient. All the passes run together here as the columns of one matrix, but they are counted
    one by one: ``passes`` is the number of input components.
    """
    note("forward_mode")
    comp = system.comp
    readers: dict[int, list[int]] = {}
    for i, k in system.blocks:
        readers.setdefault(k, []).append(i)
    seeds = [(s, c) for s in comp.inputs for c in range(s.size)]
    p = len(seeds)
    tangent, work = {}, 0
    column = 0
    for step in comp.steps:
        i = step.index
        total = np.zeros((step.size, p))
        if step.is_input:
            for c in range(step.size):
                total[c, column + c] = 1.0
            column += step.size
        for k in readers.get(i, []):
            block = system.blocks[(k, i)]
            total = total + block.T @ tangent[k]
            work += block.size * p
        tangent[i] = total
    last = tangent[comp.output.index][0]
    grad, column = {}, 0
    for s in comp.inputs:
        grad[s.name] = _shaped(last[column : column + s.size], s)
        column += s.size
    return ModeResult(grad, passes=p, multiply_adds=work, solution={"z_n": last, "tangents": tangent})


def _shaped(v, step):
    v = np.asarray(v, dtype=float)
    return v.reshape(step.shape) if step.shape else float(v.reshape(-1)[0])


# --------------------------------------------------------------------------------------------------
# level scheduling
# --------------------------------------------------------------------------------------------------


def levels(pattern, mode: str = "reverse") -> list[list[int]]:
    """Level scheduling of the triangular solve with this block pattern (1-based step numbers).

    ``reverse`` (back substitution): λ_i needs every λ_k with A_ik ≠ 0, k > i; level 0 holds λ_n.
    ``forward`` (forward substitution on Aᵀ): ż_k needs every ż_i with A_ik ≠ 0, i < k; level 0 holds
    the inputs. All λ's (or ż's) of one level can be computed at the same time; the number of levels is
    the critical path.

    >>> p = np.array([[1, 1, 1], [0, 1, 1], [0, 0, 1]], dtype=bool)
    >>> levels(p), levels(np.array([[1, 0, 1], [0, 1, 1], [0, 0, 1]], dtype=bool))
    ([[3], [2], [1]], [[3], [1, 2]])
    """
    note("levels")
    p = np.asarray(pattern, dtype=bool)
    if p.ndim != 2 or p.shape[0] != p.shape[1]:
        raise LagrangeADError(f"a block pattern is a square boolean array, got shape {p.shape}")
    if np.any(np.tril(p, -1)):
        r, c = (int(v) + 1 for v in np.argwhere(np.tril(p, -1))[0])
        raise LagrangeADError(f"the pattern is not upper triangular: A[{r},{c}] is nonzero")
    n = p.shape[0]
    level = [0] * n
    if mode == "reverse":
        for i in reversed(range(n)):
            later = [level[k] + 1 for k in range(i + 1, n) if p[i, k]]
            level[i] = max(later, default=0)
    elif mode == "forward":
        for k in range(n):
            earlier = [level[i] + 1 for i in range(k) if p[i, k]]
            level[k] = max(earlier, default=0)
    else:
        raise LagrangeADError(f"mode must be 'reverse' or 'forward', not {mode!r}")
    out = [[] for _ in range(max(level) + 1)]
    for i, lv in enumerate(level):
        out[lv].append(i + 1)
    return out


# --------------------------------------------------------------------------------------------------
# prefix products: sequential and parallel (Blelloch) scans
# --------------------------------------------------------------------------------------------------


@dataclass
class ScanResult:
    """All inclusive prefix products ``x_0, x_0 x_1, …, x_0 … x_{N−1}`` and what computing them cost.

    ``work`` counts products, ``depth`` the rounds of products that can run at the same time (the time
    with unlimited processors), ``flops`` the multiply-adds when the items are arrays.
    """

    prefixes: list
    work: int
    depth: int
    flops: int


def _flops(a, b) -> int:
    a, b = np.atleast_2d(a), np.atleast_2d(b)
    return int(a.shape[0] * a.shape[1] * b.shape[1])


def _matmul(a, b):
    return a @ b


def sequential_scan(items, op=_matmul) -> ScanResult:
    """Prefix products one after the other: N − 1 products, each waiting for the one before.

    >>> r = sequential_scan([np.array([[2.0]]), np.array([[3.0]]), np.array([[4.0]])])
    >>> [float(p[0, 0]) for p in r.prefixes], r.work, r.depth
    ([2.0, 6.0, 24.0], 2, 2)
    """
    items = list(items)
    if not items:
        raise LagrangeADError("a scan needs at least one item")
    prefixes, flops = [items[0]], 0
    for x in items[1:]:
        flops += _flops(prefixes[-1], x) if op is _matmul else 0
        prefixes.append(op(prefixes[-1], x))
    return ScanResult(prefixes, work=len(items) - 1, depth=len(items) - 1, flops=flops)


def blelloch_scan(items, op=_matmul) -> ScanResult:
    """Prefix products by Blelloch's up-sweep / down-sweep (work-efficient parallel scan).

    The list is padded to a power of two N with identities (``None``, which cost nothing). The up-sweep
    builds products of ever larger blocks in log2 N rounds; the down-sweep hands every position the
    product of all items before it in another log2 N rounds. Within a round all products are independent.
    ``op`` must be associative (matrix products are); the order of the factors is kept.

    >>> items = [np.array([[float(v)]]) for v in (2, 3, 4, 5, 6)]
    >>> r = blelloch_scan(items)
    >>> [float(p[0, 0]) for p in r.prefixes]
    [2.0, 6.0, 24.0, 120.0, 720.0]
    >>> r.depth <= 2 * math.ceil(math.log2(5))
    True
    """
    items = list(items)
    count = len(items)
    if not count:
        raise LagrangeADError("a scan needs at least one item")
    size = 1 << max(0, math.ceil(math.log2(count)))
    tree = items + [None] * (size - count)
    work = depth = flops = 0

    def product(a, b):
        nonlocal work, flops
        if a is None:
            return b
        if b is None:
            return a
        work += 1
        flops += _flops(a, b) if op is _matmul else 0
        return op(a, b)

    # up-sweep: tree[k] ends as the product of the block of items that ends at k
    stride = 1
    while stride < size:
        before = work
        for k in range(2 * stride - 1, size, 2 * stride):
            tree[k] = product(tree[k - stride], tree[k])
        depth += work > before
        stride *= 2
    total = tree[size - 1]
    # down-sweep: exclusive prefixes (product of everything before position k)
    tree[size - 1] = None
    stride = size // 2
    while stride >= 1:
        before = work
        for k in range(2 * stride - 1, size, 2 * stride):
            left = tree[k - stride]
            tree[k - stride] = tree[k]
            tree[k] = product(tree[k], left)
        depth += work > before
        stride //= 2
    # inclusive prefix k is the exclusive prefix k + 1; the last one is the total
    prefixes = tree[1:count] + [total]
    return ScanResult(prefixes, work=work, depth=depth, flops=flops)


@dataclass
class ChainScan:
    """Back propagation through a chain by a scan: the λ's, and the cost of the scan that found them."""

    lam: dict
    scan: ScanResult


def chain_scan(system: NumericSystem, method: str = "blelloch") -> ChainScan:
    """All λ's of a *chain* (each step reads only the step just before it) as prefix products.

    Back substitution on a chain is λ_iᵀ = λ_{i+1}ᵀ M_i with M_i = A_{i,i+1}ᵀ = ∂f_{i+1}/∂z_i, so
    λ_{n−k}ᵀ = λ_nᵀ M_{n−1} M_{n−2} ⋯ M_{n−k}: the prefix products of the list
    [λ_nᵀ, M_{n−1}, …, M_1]. Matrix products are associative, so a parallel scan may group them freely.

    >>> from lagrange_ad import architectures as ar
    >>> arch = ar.chain(6, width=2)  # 8 steps: x, six layers, the loss
    >>> system = numeric_system(arch.comp, arch.values)
    >>> chain_scan(system).scan.depth, chain_scan(system, "sequential").scan.depth
    (5, 7)
    >>> bool(np.allclose(chain_scan(system).lam[1], reverse_mode(system).gradient["x"]))
    True
    """
    comp = system.comp
    n = len(comp)
    for step in comp.steps[1:]:
        if step.args != (step.index - 1,):
            raise LagrangeADError(
                f"chain_scan needs a chain, but z_{step.index} ({step.name!r}) reads {step.args}, "
                f"not just z_{step.index - 1}"
            )
    items = [np.ones((1, 1))] + [system.blocks[(i, i + 1)].T for i in range(n - 1, 0, -1)]
    scan = {"blelloch": blelloch_scan, "sequential": sequential_scan}.get(method)
    if scan is None:
        raise LagrangeADError(f"method must be 'blelloch' or 'sequential', not {method!r}")
    result = scan(items)
    lam = {n - k: _shaped(p.reshape(-1), comp.steps[n - k - 1]) for k, p in enumerate(result.prefixes)}
    return ChainScan(lam, result)


# --------------------------------------------------------------------------------------------------
# the cost of a gradient
# --------------------------------------------------------------------------------------------------


@dataclass
class GradientCost:
    """Best-of-``repeats`` wall-clock seconds for z_n alone and for its whole gradient."""

    function_seconds: float
    gradient_seconds: float

    @property
    def ratio(self) -> float:
        """cost(gradient, forward pass included) / cost(function)."""
        return self.gradient_seconds / self.function_seconds


def best_times(calls: dict, repeats: int = 7, blas_threads: int | None = 1) -> dict:
    """The best wall time of each call, in seconds, taking the calls in turns ``repeats`` times.

    In turns, so that a change of the machine's speed during the measurement hits every call alike.
    With ``blas_threads=1`` numpy's BLAS runs single-threaded meanwhile: on a machine shared with other
    work, a multi-threaded matrix product can stall for tens of milliseconds waiting for its second
    thread, which says nothing about the product. ``None`` leaves BLAS as it is.

    >>> times = best_times({"sum": lambda: sum(range(1000)), "nothing": lambda: None}, repeats=3)
    >>> sorted(times), times["sum"] > times["nothing"] >= 0
    (['nothing', 'sum'], True)
    """
    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 1:
        raise InputError(f"repeats must be a positive integer, got {repeats!r}")
    best = dict.fromkeys(calls, math.inf)
    with threadpool_limits(limits=blas_threads, user_api="blas"):
        for _ in range(repeats):
            for name, call in calls.items():
                start = time.perf_counter()
                call()
                best[name] = min(best[name], time.perf_counter() - start)
    return best


def gradient_cost(comp: Computation, values, repeats: int = 5) -> GradientCost:
    """Time :func:`~lagrange_ad.forward` (the function) against :func:`~lagrange_ad.gradient`.

    The gradient includes its own forward pass, as it must. Best of ``repeats`` runs each, taken in turns
    with BLAS single-threaded (:func:`best_times`), so that other work on the machine inflates neither.

    >>> import lagrange_ad as lad
    >>> cost = gradient_cost(lad.trace(lambda x: lad.exp(x) * x, "x"), {"x": 1.0}, repeats=3)
    >>> cost.function_seconds > 0 and cost.gradient_seconds > 0
    True
    """
    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 1:
        raise InputError(f"repeats must be a positive integer, got {repeats!r}")
    times = best_times(
        {"function": lambda: forward(comp, values), "gradient": lambda: gradient(comp, values)}, repeats
    )
    return GradientCost(times["function"], times["gradient"])


@dataclass
class OperationCounts:
    """Arithmetic operations (a multiply-add counts as one) of z_n alone and of z_n with its gradient."""

    function: int
    gradient: int

    @property
    def ratio(self) -> float:
        """ops(function and gradient) / ops(function)."""
        return self.gradient / self.function


def _size(shape) -> int:
    return int(np.prod(shape)) if shape else 1


def operation_counts(comp: Computation) -> OperationCounts:
    """Count the operations of the forward pass and of reverse mode, from the shapes alone.

    Cost model: a matrix product r×k by k×c costs r·k·c; an elementwise function one per entry (its
    derivative one more, times the incoming gradient one more); ``+`` nothing backwards; summing two
    contributions to one gradient one per entry. The gradient's count includes its forward pass.

    >>> import lagrange_ad as lad
    >>> counts = operation_counts(lad.trace(lambda x, w: lad.tanh(w * x), "x w"))
    >>> counts.function, counts.gradient
    (2, 6)
    """
    fwd = back = 0
    contributions: dict[int, int] = {}
    for entries in plan_of(comp).steps:  # the plan the numpy engine runs: the same operations
        for op, ref, args, needs, shape in entries or ():
            if op is Z:
                contributions[ref] = contributions.get(ref, 0) + 1
                continue
            if op is CONST:
                continue
            shapes = [entries[a][4] for a in args]
            cost = op.cost  # per entry: forward, and backward per argument that needs a gradient
            if cost is None:  # a matrix product
                (r, k), (_, c) = shapes
                fwd += r * k * c
                back += sum(need * r * k * c for need in needs)
            else:
                f, b = cost
                fwd += f * max(_size(shape), *(_size(sh) for sh in shapes))  # a sum reads all entries
                back += sum(need * b * _size(s) for need, s in zip(needs, shapes, strict=True))
    # a step read by several later steps sums their contributions to its λ
    back += sum((count - 1) * comp.steps[i - 1].size for i, count in contributions.items() if count > 1)
    return OperationCounts(function=fwd, gradient=fwd + back)

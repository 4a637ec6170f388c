"""A's block pattern as a numpy array of booleans: :func:`block_pattern` (the symbolic layer gives the same
pattern as a set of blocks, :func:`lagrange_ad.linear_system.nonzero_blocks`, without numpy).

>>> import lagrange_ad as lad
>>> pattern = block_pattern(lad.trace(lambda x: lad.exp(x), "x"))
>>> pattern.astype(int).tolist(), pattern.block(1, 2), pattern.block(2, 1)
([[1, 1], [0, 1]], True, False)
"""

from __future__ import annotations

import numpy as np

from .computation import Computation
from .errors import DefinitionError
from .linear_system import nonzero_blocks


class BlockPattern(np.ndarray):
    """The n×n booleans of :func:`block_pattern`: a numpy array (indexed from 0, as numpy is) that also
    answers in the book's numbering, from 1: ``pattern.block(i, k)`` is ``pattern[i - 1, k - 1]``.
    """

    def block(self, i: int, k: int) -> bool:
        """True if block A_ik (steps numbered from 1) is nonzero: z_k reads z_i, or i = k."""
        n = self.shape[0]
        for j in (i, k):
            if isinstance(j, bool) or not isinstance(j, (int, np.integer)) or not 1 <= j <= n:
                raise DefinitionError(f"there is no step z_{j}: the steps are numbered 1 to {n}")
        return bool(np.asarray(self)[i - 1, k - 1])


def block_pattern(comp: Computation, A=None) -> BlockPattern:
    """n×n booleans: True where block (i, k) of A is nonzero, read off A itself.

    A numpy array (``pattern[i - 1, k - 1]``), with ``pattern.block(i, k)`` for the book's 1-based numbering.

    >>> import lagrange_ad as lad
    >>> pattern = lad.block_pattern(lad.trace(lambda x: lad.exp(x), "x"))
    >>> pattern.astype(int).tolist(), pattern.block(1, 2), pattern.block(2, 1)
    ([[1, 1], [0, 1]], True, False)
    """
    blocks = nonzero_blocks(comp, A)  # checks comp, and notes the call for the grading kernels
    pattern = np.zeros((len(comp), len(comp)), dtype=bool)
    for i, k in blocks:
        pattern[i - 1, k - 1] = True
    return pattern.view(BlockPattern)

"""Benchmarks for lagrange_ad: the symbolic pipeline, numeric gradients, the steppers and the book build.

Run them all with ``python -m benchmarks`` (``--quick`` for a short run); see ``benchmarks/README.md``.
"""

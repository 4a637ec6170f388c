"""Friendly checks for exercise cells: they say what is wrong and hint why.

Every check prints one ✓ line when the answer is right and otherwise raises
:class:`CheckFailed` (an ``AssertionError``, so nbgrader counts it as a failed
test) whose message names the answer, the problem, and the hint::

    >>> check_value("lam5", 0.25, 0.25)
    ✓ lam5 is correct.
    >>> check_value("lam5", None, 0.25)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lagrange_ad.exercises.CheckFailed: lam5 is not answered yet: replace the placeholder (None) by ...

Answers may be Python numbers, numpy arrays, nested lists, sympy numbers,
expressions, equations or matrices; anything else gets a clear message instead
of a numpy or sympy traceback. Hidden tests should not trust these names in the
student's namespace (a student may redefine them); they reload this module
first, see docs/exercises.md.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import random
import zlib

import numpy as np
import sympy

__all__ = [
    "CheckFailed",
    "check_value",
    "check_sequence",
    "check_expr",
    "check_row",
    "check_lambda",
    "check_pattern",
    "check_set",
    "check_gradient",
    "seal",
    "sealed",
    "fingerprint",
]

# ----------------------------------------------------------------------------- sealed answers
# A visible self-check must not show the expected answer, nor compute it with the very function the
# exercise asks the student to replace. It compares with a *sealed* value instead: the expected value
# packed (JSON, zlib, base64) by the chapter's author with seal(). This is not a secret (sealed()
# unpacks it, as any code could), only nothing to read off the page; the hidden tests hold their own
# independent values and decide the grade.

_SEAL_PREFIX = "lad1:"


def _pack(value):
    if isinstance(value, sympy.Basic):
        return {"sympy": sympy.srepr(value)}
    if isinstance(value, np.ndarray):
        return {"array": value.tolist(), "dtype": "bool" if value.dtype == bool else "float"}
    if isinstance(value, (set, frozenset)):
        return {"set": sorted(_pack(v) for v in value)}
    if isinstance(value, (list, tuple)):
        return [_pack(v) for v in value]
    if isinstance(value, dict):
        return {"dict": [[_pack(k), _pack(v)] for k, v in value.items()]}
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, str):
        return value
    raise TypeError(f"cannot seal a {type(value).__name__}")


def _unpack(data):
    if isinstance(data, list):
        return [_unpack(v) for v in data]
    if isinstance(data, dict):
        if "sympy" in data:
            return sympy.parse_expr(data["sympy"], evaluate=False)
        if "array" in data:
            return np.array(data["array"], dtype=bool if data["dtype"] == "bool" else float)
        if "set" in data:
            return {_unpack(v) if not isinstance(v, list) else tuple(_unpack(v)) for v in data["set"]}
        if "dict" in data:
            return {_unpack(k): _unpack(v) for k, v in data["dict"]}
    return data


def seal(value) -> str:
    """Pack an expected value (numbers, arrays, lists, sets, dicts, sympy) for :func:`sealed`.

    >>> seal(0.25)
    'lad1:eNoz0DMyBQAB5wDG'
    """
    raw = json.dumps(_pack(value), separators=(",", ":")).encode()
    return _SEAL_PREFIX + base64.b64encode(zlib.compress(raw, 9)).decode()


def _unsealed(expected):
    """``expected``, unpacked first if it is a sealed text (every check accepts one)."""
    if isinstance(expected, str) and expected.startswith(_SEAL_PREFIX):
        return sealed(expected)
    if isinstance(expected, str) and expected.startswith(_PRINT_PREFIX):
        return Fingerprint(expected)
    return expected


# ----------------------------------------------------------------------------- fingerprints
# A sealed value can be unpacked by anyone who reads this module. A *fingerprint* cannot: it keeps, for
# each number, only a slow salted hash of the number rounded to a grid (about 6 significant digits of the
# answer's scale), plus the shape and the order of magnitude. A check can then say whether an answer
# lands on the same grid point (right or wrong, which entry, wrong sign), but nothing gives the number
# back: trying candidates costs milliseconds each, hours for one unknown number. check_value and
# check_sequence take one wherever they take the expected value.
# A set of step indices or a boolean pattern lives in a tiny answer space, where knowing *which* entry is
# wrong gives the answer away: its fingerprint is one hash of the whole answer, so a check (or anyone
# reading the text) can only learn whether the whole answer is right.

_PRINT_PREFIX = "lad2:"
_ROUNDS = 5000  # PBKDF2 rounds per number: a few milliseconds


def _pbkdf2(data: bytes, salt: bytes, rounds: int) -> bytes:
    """PBKDF2-HMAC-SHA256's first block; in plain Python where hashlib lacks it (a Python without
    OpenSSL, such as a browser's): the same bytes, only slower.

    >>> _pbkdf2(b"1:2", b"salt", 50) == hashlib.pbkdf2_hmac("sha256", b"1:2", b"salt", 50)
    True
    """
    if hasattr(hashlib, "pbkdf2_hmac"):
        return hashlib.pbkdf2_hmac("sha256", data, salt, rounds)
    import hmac

    keyed = hmac.new(data, digestmod=hashlib.sha256)
    block = keyed.copy()
    block.update(salt + b"\x00\x00\x00\x01")
    u = block.digest()
    total = int.from_bytes(u, "big")
    for _ in range(rounds - 1):
        block = keyed.copy()
        block.update(u)
        u = block.digest()
        total ^= int.from_bytes(u, "big")
    return total.to_bytes(32, "big")


def _grid_hash(salt: bytes, index: int, value: float, step: float, shift: float) -> str:
    point = int(np.floor(value / step + shift))
    return _pbkdf2(f"{index}:{point}".encode(), salt, _ROUNDS)[:6].hex()


def fingerprint(value, rtol: float = 1e-6, *, whole: bool = False) -> str:
    """A one-way text for a number or an array of numbers (for :func:`check_value` / :func:`check_sequence`),
    or a sympy formula or equation (for :func:`check_expr`: known by its values at random points); for a
    set of step indices (:func:`check_set`), a boolean pattern (:func:`check_pattern`) or a row of A with
    formulas (:func:`check_row`), one hash of the whole answer.

    ``whole=True`` makes an array's fingerprint one hash too: a check then says only right or wrong (and
    the shape), never which entry is wrong, for answers whose entries have few possible values (counts,
    levels), where naming the wrong entry would let a student find it by trying values.

    An answer within ``rtol`` of the value's scale (its largest entry's power of ten) matches it, one
    beyond ``3 rtol`` does not (the checks' own ``rtol`` does not apply to a fingerprint).

    >>> text = fingerprint([0.25, -3.5])
    >>> text.startswith("lad2:")
    True
    >>> check_value("v", [0.2500000001, -3.5], text)
    ✓ v is correct.
    """
    if isinstance(value, sympy.Basic) and not isinstance(value, sympy.Number):
        return _PRINT_PREFIX + base64.b64encode(zlib.compress(json.dumps(_formula_print(value)).encode(), 9)).decode()
    if isinstance(value, (list, tuple)) and any(isinstance(v, sympy.Basic) and v.free_symbols for v in value):
        return _encode_print(_row_print([sympy.sympify(v) for v in value]))
    if isinstance(value, (set, frozenset)):
        return _encode_print(_whole_print("set", _set_text("expected", value)))
    if whole and _whole_numbers(value):  # counts, levels, groups of steps: compared exactly, as a whole
        try:  # a rectangular array's shape is checked and named; a ragged list's lengths are the answer
            shape = {"shape": list(np.asarray(value, dtype=float).shape)}
        except ValueError:
            shape = {}
        return _encode_print(_whole_print("exact", _exact_text(value), **shape))
    if not isinstance(value, sympy.Basic) and np.asarray(value).dtype == bool:
        pattern = np.asarray(value)
        return _encode_print(_whole_print("pattern", _pattern_text(pattern), shape=list(pattern.shape)))
    return _encode_print(_number_print(value, rtol, whole=whole))


def _whole_numbers(value) -> bool:
    """Whether ``value`` is a whole number or (nested, maybe ragged) lists of them."""
    try:
        _exact_text(value)
    except TypeError:
        return False
    return True


def _exact_text(value) -> str:
    """The canonical text of a whole number or nested lists of them (7.0 counts as 7); TypeError for
    anything else.

    >>> _exact_text([[3], (1, 2.0)])
    '[[3],[1,2]]'
    """
    def plain(x):
        if isinstance(x, (list, tuple, np.ndarray)):
            return [plain(v) for v in x]
        if isinstance(x, (bool, np.bool_)):
            raise TypeError(f"{x} is a truth value, not a whole number")
        if isinstance(x, (int, np.integer)):
            return int(x)
        if isinstance(x, (float, np.floating)) and float(x).is_integer():
            return int(x)
        raise TypeError(f"{_describe(x)} is not a whole number")

    return json.dumps(plain(value), separators=(",", ":"))


def _encode_print(data: dict) -> str:
    return _PRINT_PREFIX + base64.b64encode(zlib.compress(json.dumps(data).encode(), 9)).decode()


def _whole_print(kind: str, text: str, **extra) -> dict:
    """One slow salted hash of a whole answer's canonical text: right or wrong, nothing about its parts."""
    salt = os.urandom(8)
    return {"whole": kind, "salt": salt.hex(), "hash": _whole_hash(salt, text), **extra}


def _set_text(name: str, values) -> str:
    """The canonical text of a set of step indices (whole numbers)."""
    __tracebackhide__ = True
    for x in values:
        if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, np.integer)):
            _fail(name, f"holds {_describe(x)}, which is not a step index (a whole number such as 3).")
    return ",".join(str(int(x)) for x in sorted(set(int(x) for x in values)))


def _pattern_text(pattern: np.ndarray) -> str:
    """The canonical text of a boolean pattern: its shape and its entries, row by row."""
    return "x".join(str(n) for n in pattern.shape) + ":" + "".join("01"[bool(b)] for b in pattern.ravel())


def _number_print(value, rtol: float, whole: bool = False) -> dict:
    array = np.asarray(value, dtype=float)
    if not np.isfinite(array).all():
        raise ValueError("fingerprint() takes finite numbers")
    top = float(np.max(np.abs(array))) if array.size else 0.0
    exponent = int(np.floor(np.log10(top))) if top > 0 else 0
    step, salt = 10.0 ** exponent * 4 * rtol, os.urandom(8)
    shifts, hashes = "", []
    for i, x in enumerate(array.ravel().tolist()):
        # The grid point whose middle half holds x: an answer within a quarter step lands on it too.
        shift = 0.0 if 0.25 <= (x / step) % 1.0 < 0.75 else 0.5
        shifts += "01"[shift > 0]
        hashes.append(_grid_hash(salt, i, x, step, shift) if not whole else _grid_point(x, step, shift))
    data = {"shape": list(array.shape), "exponent": exponent, "rtol": rtol, "salt": salt.hex(), "shifts": shifts}
    if whole:
        return {**data, "whole": "numbers", "hash": _whole_hash(salt, ",".join(hashes))}
    return {**data, "hashes": hashes}


def _grid_point(value: float, step: float, shift: float) -> str:
    return str(int(np.floor(value / step + shift)))


def _whole_hash(salt: bytes, text: str) -> str:
    return _pbkdf2(text.encode(), salt, _ROUNDS)[:8].hex()


_POINTS = 6  # a formula is known by its values at this many random points


def _formula_points(seed: str, names: list[str]) -> list[dict]:
    """The points of an older formula fingerprint, which listed its symbols' names (now _named_points)."""
    rng = random.Random(seed)
    return [{n: rng.uniform(0.2, 1.8) for n in names} for _ in range(_POINTS)]


def _named_points(seed: str, names) -> list[dict]:
    """_POINTS random points; each symbol's values come from the seed and its own name alone, so that a
    fingerprint need not list the names: any formula can be evaluated at the same points."""
    draws = {n: random.Random(f"{seed}/{n}") for n in sorted(names)}
    return [{n: rng.uniform(0.2, 1.8) for n, rng in draws.items()} for _ in range(_POINTS)]


def _values_at(expr, points) -> np.ndarray | None:
    """``expr`` at each point (symbols matched by name), or None where it is not a real number."""
    by_name = {str(s): s for s in expr.free_symbols}
    out = []
    for point in points:
        try:
            value = complex(expr.xreplace({by_name[n]: sympy.Float(v) for n, v in point.items() if n in by_name})
                            .evalf())
        except (TypeError, ValueError):
            return None
        if abs(value.imag) > 1e-12 * max(1.0, abs(value.real)):
            return None
        out.append(value.real)
    return np.array(out)


def _row_sums(entries: list, seed: str, coefficients: list[float]) -> np.ndarray | None:
    """Σ_k c_k · entry_k at random points (each symbol's values drawn from ``seed`` and its name)."""
    points = _named_points(seed, {str(s) for e in entries for s in e.free_symbols})
    total = np.zeros(_POINTS)
    for c, entry in zip(coefficients, entries, strict=True):
        values = _values_at(entry, points)
        if values is None:
            return None
        total += c * values
    return total


def _row_print(entries: list) -> dict:
    """A row of A with formulas, known only as a whole: the values at random points of one random mix of
    its entries. Nothing in it says which entries are 0 or which symbols each one uses (that would be
    the answer in plain text), and no entry can be tested alone."""
    seed = os.urandom(8).hex()
    rng = random.Random(seed)
    coefficients = [rng.uniform(1.0, 2.0) for _ in entries]
    sums = _row_sums(entries, seed, coefficients)
    if sums is None:
        raise ValueError("fingerprint() takes a row of formulas with real values")
    return {"whole": "row", "n": len(entries), "seed": seed, "coefficients": coefficients,
            "numbers": _number_print(sums, 1e-6)}


def _formula_print(formula) -> dict:
    """A formula's fingerprint: whether it is an equation, and the fingerprint of its values at random
    points (an equation's divided by the largest, so that scaling it changes nothing). It does not name the
    formula's symbols: which λ's and z's a condition involves is part of the answer."""
    equation = isinstance(formula, sympy.Equality)
    expr = formula.lhs - formula.rhs if equation else formula
    seed = os.urandom(8).hex()
    values = _values_at(expr, _named_points(seed, {str(s) for s in expr.free_symbols}))
    if values is None:
        raise ValueError("fingerprint() takes a formula with real values")
    base = int(np.argmax(np.abs(values)))
    if equation and abs(values[base]) > 1e-12:
        values = values / values[base]
    return {"formula": {"equation": equation, "seed": seed, "base": base},
            "numbers": _number_print(values, 1e-6)}


class Fingerprint:
    """An expected value known only by its fingerprint: its shape, and whether a number matches it."""

    def __init__(self, text: str | dict):
        if isinstance(text, str):
            text = json.loads(zlib.decompress(base64.b64decode(text[len(_PRINT_PREFIX):])))
        data = text
        self.row = [Fingerprint(entry) for entry in data.get("row", ())]  # for a row: one per entry
        self.formula = data.get("formula")  # for a formula: equation?, seed, base (older ones: symbols)
        self.whole = data.get("whole")  # "set" or "pattern": one hash of the whole answer
        if self.row:
            return
        if self.whole == "row":
            self.shape = (data["n"],)
            self.seed, self.coefficients = data["seed"], data["coefficients"]
            self.values = Fingerprint(data["numbers"])
            return
        if self.whole in ("set", "pattern", "exact"):
            self.shape = tuple(data["shape"]) if "shape" in data else None
            self._salt = bytes.fromhex(data["salt"])
            self._hash = data["hash"]
            return
        if self.formula:
            self.values = Fingerprint(data["numbers"])
            return
        self.shape = tuple(data["shape"])
        self._step = 10.0 ** data["exponent"] * 4 * data["rtol"]
        self._salt = bytes.fromhex(data["salt"])
        self._shifts = [0.5 if c == "1" else 0.0 for c in data["shifts"]]
        self._hashes = data.get("hashes")
        self._hash = data.get("hash")  # whole == "numbers": one hash of every entry's grid point

    @property
    def ndim(self) -> int:
        return len(self.shape or ())

    def match(self, index: int, value: float) -> bool:
        """Whether ``value`` lands on the grid point of entry ``index`` (flat, from 0)."""
        return _grid_hash(self._salt, index, float(value), self._step, self._shifts[index]) == self._hashes[index]

    def match_whole(self, text: str) -> bool:
        """Whether a whole answer's canonical text is the fingerprinted one (sets and patterns)."""
        return _whole_hash(self._salt, text) == self._hash

    def match_all(self, values) -> bool:
        """Whether every entry of ``values`` (an array of this shape) lands on its expected grid point."""
        flat = np.asarray(values, dtype=float).ravel().tolist()
        if self.whole == "numbers":
            return self.match_whole(",".join(_grid_point(x, self._step, self._shifts[i]) for i, x in enumerate(flat)))
        return bool(self.matches(values).all())

    def matches(self, values) -> np.ndarray:
        """Which entries of ``values`` (an array of this shape) land on the expected value's grid point."""
        flat = np.asarray(values, dtype=float).ravel().tolist()
        return np.array([self.match(i, x) for i, x in enumerate(flat)], dtype=bool).reshape(self.shape)


def sealed(text: str):
    """The value packed by :func:`seal`; what a self-check compares with.

    >>> sealed(seal([1.5, {2, 3}]))
    [1.5, {2, 3}]
    >>> import sympy
    >>> x = sympy.Symbol("x")
    >>> sealed(seal(sympy.Eq(2 * x, 1)))
    Eq(2*x, 1)
    """
    if isinstance(text, str) and text.startswith(_PRINT_PREFIX):
        raise ValueError("a fingerprint (lad2:) cannot be opened: check_value compares an answer with it")
    if not isinstance(text, str) or not text.startswith(_SEAL_PREFIX):
        raise ValueError("sealed() takes a text made by lagrange_ad.exercises.seal()")
    return _unpack(json.loads(zlib.decompress(base64.b64decode(text[len(_SEAL_PREFIX):]))))


# Placeholders an exercise cell starts with; seeing one means "not answered yet".
_PLACEHOLDERS = (None, Ellipsis, NotImplemented)


class CheckFailed(AssertionError):
    """An exercise answer is wrong; the message says what is wrong and, with a hint, why."""


def _fail(name: str, problem: str, hint: str | None = None):
    __tracebackhide__ = True
    message = f"{name} {problem}"
    if hint:
        message += f"\nHint: {hint}"
    raise CheckFailed(message)


def _ok(name: str) -> None:
    print(f"✓ {name} is correct.")


def _require_answered(name: str, got) -> None:
    __tracebackhide__ = True
    if any(got is p for p in _PLACEHOLDERS):
        _fail(name, f"is not answered yet: replace the placeholder ({got!r}) by your answer.")


def _describe(got) -> str:
    text = repr(got)
    return text if len(text) <= 60 else text[:57] + "..."


# ----------------------------------------------------------------------------- numbers and arrays


def _to_float(name: str, got) -> float:
    """``got`` as a Python float, or a CheckFailed that says why it is not one."""
    __tracebackhide__ = True
    _require_answered(name, got)
    if isinstance(got, (bool, np.bool_)):
        _fail(name, f"is {got}, a truth value; expected a number.")
    if isinstance(got, str):
        _fail(name, f"is the text {_describe(got)}; expected a number (no quotes).")
    if callable(got) and not isinstance(got, sympy.Basic):
        _fail(name, "is a function; expected the number it computes (call it).")
    if isinstance(got, sympy.Basic):
        if isinstance(got, (sympy.MatrixBase, sympy.MatrixExpr)):
            _fail(name, f"is a {got.shape[0]}×{got.shape[1]} matrix; expected a single number.")
        if getattr(got, "free_symbols", None):
            symbols = ", ".join(sorted(str(s) for s in got.free_symbols))
            _fail(
                name, f"still contains the symbol(s) {symbols}; expected a number (substitute values with .subs(...))."
            )
        try:
            value = complex(got)
        except (TypeError, ValueError):
            _fail(name, f"= {_describe(got)} cannot be evaluated to a number.")
        if value.imag != 0:
            _fail(name, f"= {value} is complex; expected a real number.")
        return value.real
    if isinstance(got, np.ndarray):
        if got.ndim == 0:
            return _to_float(name, got.item())
        _fail(name, f"is an array of shape {got.shape}; expected a single number.")
    if isinstance(got, (list, tuple, dict, set)):
        _fail(name, f"is a {type(got).__name__} ({_describe(got)}); expected a single number.")
    if isinstance(got, complex) or np.iscomplexobj(got):
        _fail(name, f"= {got} is complex; expected a real number.")
    try:
        return float(got)
    except Exception as err:  # any object: report it instead of crashing in here
        _fail(name, f"has type {type(got).__name__} and cannot be read as a number ({err}).")


def _to_array(name: str, got) -> np.ndarray:
    """``got`` (array, nested list, sympy matrix) as a float ndarray, or a clear CheckFailed."""
    __tracebackhide__ = True
    _require_answered(name, got)
    if isinstance(got, str):
        _fail(name, f"is the text {_describe(got)}; expected numbers.")
    if isinstance(got, sympy.MatrixBase):
        if got.free_symbols:
            symbols = ", ".join(sorted(str(s) for s in got.free_symbols))
            _fail(name, f"still contains the symbol(s) {symbols}; expected numbers.")
        got = got.tolist()
    try:
        array = np.asarray(got, dtype=float)
    except Exception:
        try:
            array = np.asarray(got, dtype=object)
        except Exception as err:
            _fail(name, f"cannot be read as an array ({err}).")
        if array.dtype == object and array.ndim == 1 and any(isinstance(x, (list, tuple)) for x in array):
            _fail(name, "has rows of different lengths.")
        try:
            array = np.vectorize(lambda x: _to_float(name, x), otypes=[float])(array)
        except CheckFailed as err:
            _fail(name, f"has an entry that is not a number: {str(err).removeprefix(name).strip()}")
    if np.isnan(array).any():
        where = tuple(int(i) for i in np.argwhere(np.isnan(array))[0])
        _fail(name, f"contains NaN (first at index {where}).")
    return array


def _shape_problem(got: np.ndarray, want: np.ndarray) -> str | None:
    if got.shape == want.shape:
        return None
    problem = f"has shape {got.shape}, expected {want.shape}"
    if got.ndim == 2 and got.shape == want.shape[::-1]:
        problem += " (it looks transposed: rows and columns swapped)"
    elif got.size == want.size:
        problem += " (the right number of entries, arranged differently)"
    return problem + "."


def _close(got, want, rtol: float, atol: float) -> bool:
    return bool(np.allclose(got, want, rtol=rtol, atol=atol))


def check_value(name: str, got, expected, *, rtol: float = 1e-6, atol: float = 1e-12, hint: str | None = None) -> None:
    """Check a number or an array (of any shape) against ``expected``.

    >>> check_value("lam5", 0.5000000001, 0.5)
    ✓ lam5 is correct.
    >>> check_value("lam5", -0.5, 0.5, hint="λ_5 = λ_6 · ∂f_6/∂z_5")
    Traceback (most recent call last):
    ...
    lagrange_ad.exercises.CheckFailed: lam5 = -0.5 has the wrong sign.
    Hint: λ_5 = λ_6 · ∂f_6/∂z_5
    >>> check_value("grad_w", [[1, 2, 3]], [[1], [2], [3]])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lagrange_ad.exercises.CheckFailed: grad_w has shape (1, 3), expected (3, 1) (it looks transposed: ...
    >>> check_value("x", "0.5", 0.5)
    Traceback (most recent call last):
    ...
    lagrange_ad.exercises.CheckFailed: x is the text '0.5'; expected a number (no quotes).
    """
    __tracebackhide__ = True
    expected = _unsealed(expected)
    _compare_value(name, got, expected, rtol, atol, hint)
    _ok(name)


def _compare_value(name, got, expected, rtol, atol, hint) -> None:
    """Raise CheckFailed unless got ≈ expected (numbers or arrays of one shape)."""
    __tracebackhide__ = True
    if isinstance(expected, Fingerprint):
        return _compare_fingerprint(name, got, expected, hint)
    want = np.asarray(_to_array("expected", expected), dtype=float)
    if want.ndim == 0:
        value = _to_float(name, got)
        if _close(value, want, rtol, atol):
            return None
        if _close(-value, want, rtol, atol) and want != 0:
            _fail(name, f"= {value:.6g} has the wrong sign.", hint)
        # Say neither the expected value nor how far off the answer is: that would give it away.
        _fail(name, f"= {value:.6g} is not right.", hint)
    array = _to_array(name, got)
    problem = _shape_problem(array, want)
    if problem:
        _fail(name, problem, hint)
    bad = ~np.isclose(array, want, rtol=rtol, atol=atol)
    return _fail_entries(name, array, bad, _close(-array, want, rtol, atol), hint)


def _compare_fingerprint(name, got, expected: Fingerprint, hint) -> None:
    """_compare_value against a fingerprint: the same messages, from grid matches alone."""
    __tracebackhide__ = True
    if expected.whole == "exact":  # nested lists of whole numbers, right or wrong as a whole
        _require_answered(name, got)
        if expected.shape is not None:
            problem = _shape_problem(_to_array(name, got), np.empty(expected.shape))
            if problem:
                _fail(name, problem, hint)
        try:
            right = expected.match_whole(_exact_text(got))
        except TypeError as err:
            _fail(name, f"should hold lists of whole numbers only: {err}.", hint)
        if right:
            return None
        _fail(name, "is not right.", hint)
    if expected.whole not in (None, "numbers"):
        raise ValueError(f"check_value takes the fingerprint of numbers, not of a {expected.whole}")
    if expected.ndim == 0:
        value = _to_float(name, got)
        if expected.match_all(value):
            return None
        if value != 0 and expected.match_all(-value):
            _fail(name, f"= {value:.6g} has the wrong sign.", hint)
        _fail(name, f"= {value:.6g} is not right.", hint)
    array = _to_array(name, got)
    problem = _shape_problem(array, np.empty(expected.shape))
    if problem:
        _fail(name, problem, hint)
    if expected.whole:  # right or wrong as a whole: no entry named, nothing counted
        if expected.match_all(array):
            return None
        if expected.match_all(-array) and array.any():
            _fail(name, "has the wrong sign in every entry.", hint)
        _fail(name, "is not right.", hint)
    bad = ~expected.matches(array)
    return _fail_entries(name, array, bad, expected.matches(-array).all(), hint)


def _fail_entries(name, array, bad, sign_flipped: bool, hint) -> None:
    """Raise CheckFailed naming the wrong entries of an array of continuous numbers (``bad`` marks them).

    Naming an entry does not give its value away, unlike in a small discrete answer (see check_set).
    """
    __tracebackhide__ = True
    if not bad.any():
        return None
    if sign_flipped:
        _fail(name, "has the wrong sign in every entry.", hint)
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    _fail(
        name,
        f"has {int(bad.sum())} wrong entr{'y' if bad.sum() == 1 else 'ies'} of {bad.size}; "
        f"the first is at index {first}: {array[first]:.6g}.",
        hint,
    )


# ----------------------------------------------------------------------------- sequences of steps


def _values_of(name: str, got, at) -> list:
    """The step values z_1..z_n of an answer given as values, a Computation or equations."""
    __tracebackhide__ = True
    _require_answered(name, got)
    if hasattr(got, "steps") or isinstance(got, str):
        if at is None:
            _fail(name, "is a computation; the check needs input values (at=...) to evaluate it.")
        import lagrange_ad as lad  # only here: the rest of this module needs numbers alone

        try:
            comp = got
            if isinstance(got, str):
                comp = lad.Computation.from_equations(got, inputs=" ".join(at))
            values = lad.forward(comp, at)
        except lad.LagrangeADError as err:
            _fail(name, f"cannot be evaluated: {err}")
        return [values[i] for i in sorted(values)]
    if isinstance(got, dict):
        return [got[k] for k in sorted(got)]
    if not isinstance(got, (list, tuple, np.ndarray)):
        _fail(name, f"has type {type(got).__name__}; expected the list of values z_1, …, z_n.")
    return list(got)


def check_sequence(
    name: str,
    got,
    expected,
    *,
    at: dict | None = None,
    rtol: float = 1e-6,
    atol: float = 1e-12,
    hint: str | None = None,
) -> None:
    """Check the values z_1, …, z_n of a sequence of steps, one step at a time.

    ``got`` is the list of values; or a lagrange_ad ``Computation``, or the text of
    its equations, evaluated at the inputs ``at`` (``{name: value}``).

    >>> check_sequence("steps", [0.5, 2.0, 1.0, 0.7616], [0.5, 2.0, 1.0, 0.76159416], rtol=1e-4)
    ✓ steps is correct.
    >>> check_sequence("steps", [0.5, 2.0, 2.5, 0.9866], [0.5, 2.0, 1.0, 0.7616],
    ...                hint="z_3 = z_1 · z_2")
    Traceback (most recent call last):
    ...
    lagrange_ad.exercises.CheckFailed: steps: z_3 = 2.5 is not right (z_1 and z_2 are right).
    Hint: z_3 = z_1 · z_2
    >>> check_sequence("steps", [0.5, 2.0, 0.7616], [0.5, 2.0, 1.0, 0.7616])
    Traceback (most recent call last):
    ...
    lagrange_ad.exercises.CheckFailed: steps has 3 steps, expected 4: every elementary operation is one step.
    """
    __tracebackhide__ = True
    expected = _unsealed(expected)
    values = _values_of(name, got, at)
    if isinstance(expected, Fingerprint):
        return _check_steps_fingerprint(name, values, expected, hint)
    wanted = list(expected)
    if len(values) != len(wanted):
        _fail(name, f"has {len(values)} steps, expected {len(wanted)}: every elementary operation is one step.", hint)
    for i, (value, want) in enumerate(zip(values, wanted, strict=True), start=1):
        step = f"{name}: z_{i}"
        want = _to_array("expected", want)
        value = _to_float(step, value) if want.ndim == 0 else _to_array(step, value)
        if want.ndim and _shape_problem(np.asarray(value), want):
            _fail(step, _shape_problem(np.asarray(value), want), hint)
        if not _close(value, want, rtol, atol):
            shown = f"{value:.6g}" if want.ndim == 0 else "(an array)"
            right = {1: "", 2: " (z_1 is right)", 3: " (z_1 and z_2 are right)"}.get(i, f" (z_1 … z_{i - 1} are right)")
            _fail(step, f"= {shown} is not right{right}.", hint)
    _ok(name)


def _check_steps_fingerprint(name, values, expected: Fingerprint, hint) -> None:
    """check_sequence against the fingerprint of a list of numbers."""
    __tracebackhide__ = True
    if expected.ndim != 1 or expected.whole not in (None, "numbers"):
        raise ValueError("check_sequence takes the fingerprint of a flat list of numbers")
    if len(values) != expected.shape[0]:
        _fail(name, f"has {len(values)} steps, expected {expected.shape[0]}: every elementary operation is one step.",
              hint)
    if expected.whole:
        if not expected.match_all([_to_float(f"{name}: z_{i}", v) for i, v in enumerate(values, start=1)]):
            _fail(name, "is not right.", hint)
        return _ok(name)
    for i, value in enumerate(values, start=1):
        step = f"{name}: z_{i}"
        value = _to_float(step, value)
        if not expected.match(i - 1, value):
            right = {1: "", 2: " (z_1 is right)", 3: " (z_1 and z_2 are right)"}.get(i, f" (z_1 … z_{i - 1} are right)")
            _fail(step, f"= {value:.6g} is not right{right}.", hint)
    _ok(name)


# ----------------------------------------------------------------------------- symbolic answers


def _sympify(name: str, got, like) -> sympy.Basic:
    """``got`` as a sympy object whose symbols are those of ``like`` (matched by name)."""
    __tracebackhide__ = True
    _require_answered(name, got)
    by_name = {str(s): s for s in getattr(like, "free_symbols", ())}
    if isinstance(got, str):
        try:
            got = sympy.sympify(got, locals=by_name)
        except (sympy.SympifyError, SyntaxError, TypeError) as err:
            _fail(name, f"= {_describe(got)} is not a formula sympy can read ({type(err).__name__}).")
    elif not isinstance(got, sympy.Basic):
        try:
            got = sympy.sympify(got, strict=True)
        except (sympy.SympifyError, TypeError, ValueError):
            _fail(name, f"has type {type(got).__name__}; expected a sympy expression.")
    # The same name may have been created with other assumptions (real=True ...): unify.
    rename = {s: by_name[str(s)] for s in got.free_symbols if str(s) in by_name and s != by_name[str(s)]}
    return got.xreplace(rename) if rename else got


def _equal(a: sympy.Expr, b: sympy.Expr) -> bool:
    """a == b for all values of the symbols: symbolically, else at random points."""
    difference = a - b
    if difference == 0:
        return True
    try:
        if sympy.simplify(difference) == 0:
            return True
    except Exception:  # simplify gives up on some expressions; the numeric test decides
        pass
    symbols = sorted(a.free_symbols | b.free_symbols, key=str)
    rng = random.Random(0)
    for _ in range(4):
        point = {s: sympy.Float(rng.uniform(0.1, 0.9)) for s in symbols}
        try:
            value = complex(difference.xreplace(point).evalf())
        except (TypeError, ValueError):
            return False
        if abs(value) > 1e-9 * (1 + abs(complex(a.xreplace(point).evalf()))):
            return False
    return True


def _ratio_at_a_point(g: sympy.Expr, e: sympy.Expr):
    """g/e at a random point where e is not 0 (a sympy Float), or None."""
    symbols = sorted(g.free_symbols | e.free_symbols, key=str)
    rng = random.Random(1)
    for _ in range(4):
        point = {s: sympy.Float(rng.uniform(0.1, 0.9)) for s in symbols}
        try:
            num, den = complex(g.xreplace(point).evalf()), complex(e.xreplace(point).evalf())
        except (TypeError, ValueError):
            return None
        if abs(den) > 1e-9:
            ratio = num / den
            return sympy.Float(ratio.real) if abs(ratio.imag) < 1e-12 else None
    return None


def _is_zero(e) -> bool:
    return _equal(sympy.sympify(e), sympy.Integer(0))


def check_expr(name: str, got, expected, *, allowed=None, hint: str | None = None) -> None:
    """Check a sympy expression, or an equation up to rearranging and scaling.

    ``got`` may be a sympy object or text (``"lam6*w - lam5"``); its symbols are
    matched to the expected ones by name. ``allowed`` lists the symbols the exercise
    gives (sympy symbols, names, or text such as ``"lambda_2:5 z_1:4"``): a symbol
    outside it is named (a misspelt ``lambda2``, say). Beyond that the formula is right
    or wrong as a whole: naming a missing or an extra term would give that term away.

    >>> lam5, lam6, w = sympy.symbols("lambda_5 lambda_6 w")
    >>> check_expr("cond", sympy.Eq(lam5, lam6 * w), sympy.Eq(0, lam6 * w - lam5))
    ✓ cond is correct.
    >>> check_expr("cond", sympy.Eq(lam5, lam6), fingerprint(sympy.Eq(0, lam6 * w - lam5)))
    Traceback (most recent call last):
    ...
    lagrange_ad.exercises.CheckFailed: cond is not the right equation.
    >>> check_expr("cond", "Eq(lambda_5, lam6 * w)", sympy.Eq(0, lam6 * w - lam5), allowed="lambda_5:7 w")
    Traceback (most recent call last):
    ...
    lagrange_ad.exercises.CheckFailed: cond involves lam6, which is not one of the exercise's symbols (lambda_5, ...).
    >>> check_expr("d", "2*w", 2 * w)
    ✓ d is correct.
    """
    __tracebackhide__ = True
    expected = _unsealed(expected)
    given = _given_symbols(allowed)
    if isinstance(expected, Fingerprint):
        return _check_formula_print(name, got, expected, given, hint)
    expected = sympy.sympify(expected)
    got = _sympify(name, got, sympy.Add(expected.lhs - expected.rhs if isinstance(expected, sympy.Equality)
                                        else expected, *(given or ())))
    want_eq = isinstance(expected, sympy.Equality)
    if want_eq != isinstance(got, sympy.Equality):
        what = "an equation (sympy.Eq(left, right))" if want_eq else "an expression, not an equation"
        _fail(name, f"should be {what}.", hint)
    if want_eq:
        g, e = got.lhs - got.rhs, expected.lhs - expected.rhs
    else:
        g, e = got, expected
    _outside(name, g, given, hint)
    if want_eq:
        # An equation is the same equation after multiplying both sides by a nonzero constant c.
        if _is_zero(e):
            right = _is_zero(g)
        else:
            c = _ratio_at_a_point(g, e)
            right = c is not None and abs(c) > 1e-12 and _equal(g, c * e)
        if right:
            return _ok(name)
        _fail(name, "is not the right equation.", hint)
    if _equal(g, e):
        return _ok(name)
    if _equal(g, -e):
        _fail(name, "has the wrong sign.", hint)
    _fail(name, "is not right.", hint)


def _given_symbols(allowed) -> list | None:
    """The symbols an exercise gives (``allowed`` of check_expr) as a list of sympy symbols, or None."""
    if allowed is None:
        return None
    if isinstance(allowed, str):
        return list(sympy.symbols(allowed, seq=True))
    return [sympy.Symbol(x) if isinstance(x, str) else x for x in allowed]


def _outside(name: str, expr, given: list | None, hint) -> None:
    """Name a symbol of ``expr`` that the exercise does not give: what every valid answer lacks."""
    __tracebackhide__ = True
    if given is None:
        return
    names = sorted({str(s) for s in given})
    for symbol in sorted(expr.free_symbols, key=str):
        if str(symbol) not in names:
            _fail(name, f"involves {symbol}, which is not one of the exercise's symbols ({', '.join(names)}).", hint)


def _formula_values(expr, formula: dict) -> np.ndarray | None:
    """``expr`` at a formula fingerprint's points (an older fingerprint lists the names it was made with)."""
    if "symbols" in formula:
        return _values_at(expr, _formula_points(formula["seed"], formula["symbols"]))
    return _values_at(expr, _named_points(formula["seed"], {str(s) for s in expr.free_symbols}))


def _same_as_print(got, expected: Fingerprint) -> bool:
    """Whether the expression ``got`` has the fingerprinted formula's values (so its symbols too)."""
    values = _formula_values(got, expected.formula)
    return values is not None and bool(expected.values.matches(values).all())


def _check_formula_print(name, got, expected: Fingerprint, given: list | None, hint) -> None:
    """check_expr against a formula's fingerprint: the same messages, from values at its points."""
    __tracebackhide__ = True
    if not expected.formula:
        raise ValueError("check_expr takes the fingerprint of a formula")
    info = expected.formula
    like = [sympy.Symbol(n) for n in info.get("symbols", ())] + list(given or ())
    got = _sympify(name, got, sympy.Add(*like))
    if info["equation"] != isinstance(got, sympy.Equality):
        what = "an equation (sympy.Eq(left, right))" if info["equation"] else "an expression, not an equation"
        _fail(name, f"should be {what}.", hint)
    g = got.lhs - got.rhs if info["equation"] else got
    _outside(name, g, given, hint)
    values = _formula_values(g, info)
    if info["equation"]:
        if values is not None:
            base = values[info["base"]]
            if abs(base) > 1e-12 * max(1.0, float(np.max(np.abs(values)))):
                values = values / base
            if expected.values.matches(values).all():
                return _ok(name)
        _fail(name, "is not the right equation.", hint)
    if values is not None and expected.values.matches(values).all():
        return _ok(name)
    if values is not None and expected.values.matches(-values).all():
        _fail(name, "has the wrong sign.", hint)
    _fail(name, "is not right.", hint)


# ----------------------------------------------------------------------------- the linear system


def _entries(name: str, got) -> list:
    """A row given as a list, a 1×n / n×1 matrix or an array, as a flat list of sympy objects."""
    __tracebackhide__ = True
    _require_answered(name, got)
    if isinstance(got, sympy.MatrixBase):
        if min(got.shape) != 1:
            _fail(name, f"is a {got.shape[0]}×{got.shape[1]} matrix; expected one row.")
        return list(got)
    if isinstance(got, str) or not hasattr(got, "__iter__"):
        _fail(name, f"has type {type(got).__name__}; expected a row (a list or a 1×n matrix).")
    array = np.asarray(got, dtype=object)
    if array.ndim == 2 and 1 in array.shape:
        array = array.reshape(-1)
    if array.ndim != 1:
        _fail(name, f"has shape {array.shape}; expected one row.")
    entries = []
    for k, x in enumerate(array, start=1):
        _require_answered(f"{name}, column {k},", x)
        try:
            entries.append(sympy.sympify(x))
        except (sympy.SympifyError, TypeError, ValueError):
            _fail(name, f"has an entry in column {k} that is not a number or formula: {_describe(x)}.")
    return entries


def _same(a, b, rtol: float = 1e-6) -> bool:
    if not a.free_symbols and not b.free_symbols:
        try:
            return bool(np.isclose(complex(a), complex(b), rtol=rtol, atol=1e-12))
        except (TypeError, ValueError):
            pass
    return _equal(a, b)


_ROW_HINT = "A[i,k] = ∂f_k/∂z_i for every step k that reads z_i directly, and 0 for the other columns."


def check_row(i: int, got, expected, *, name: str | None = None, hint: str | None = None) -> None:
    """Check row ``i`` (1-based) of A.

    What every row of A has is checked entry by entry and named: its length, −1 on the diagonal, 0 left of
    it. The other entries are right or wrong together: naming the wrong column would tell which steps
    read z_i, the very thing the exercise asks for (the hint says what rule to apply instead).

    >>> z3 = sympy.Symbol("z_3")
    >>> row = [0, 0, -1, 1 - sympy.tanh(z3) ** 2]
    >>> check_row(3, [0, 0, -1, 1 - sympy.tanh(z3) ** 2], row)
    ✓ row 3 of A is correct.
    >>> check_row(3, [0, 0, 1, 0], row)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lagrange_ad.exercises.CheckFailed: row 3 of A: column 3 is 1, but the diagonal of A is −1 (the −λ_3 ...
    >>> check_row(3, [0, 0, -1, 0], row)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lagrange_ad.exercises.CheckFailed: row 3 of A is not right.
    Hint: A[i,k] = ∂f_k/∂z_i for every step k that reads z_i directly, and 0 ...
    """
    __tracebackhide__ = True
    expected = _unsealed(expected)
    name = name or f"row {i} of A"
    printed = isinstance(expected, Fingerprint)
    if printed and expected.whole == "row":
        want = [None] * expected.shape[0]  # only its length is known
    else:
        want = expected.row if printed else _entries("expected", expected)
    row = _entries(name, got)
    if len(row) != len(want):
        _fail(name, f"has {len(row)} entries, expected {len(want)} (one per step z_1 … z_{len(want)}).", hint)
    for k, g in enumerate(row, start=1):
        where = f"{name}: column {k}"
        if k == i and not _same(g, sympy.Integer(-1)):
            _fail(
                where,
                f"is {g}, but the diagonal of A is −1 (the −λ_{i} from differentiating "
                f"−λ_{i}(z_{i} − f_{i}) by z_{i}).",
                hint,
            )
        if k < i and not _is_zero(g):
            _fail(where, f"is {g}, but A is upper triangular: z_{k} comes before z_{i} and cannot use it.", hint)
    if printed and expected.whole == "row":
        sums = _row_sums(row, expected.seed, expected.coefficients)
        right = sums is not None and bool(expected.values.matches(sums).all())
    else:  # a plain row, or an older fingerprint made entry by entry
        right = all(_same_as_print(g, e) if printed else _same(g, e) for g, e in zip(row, want, strict=True))
    if right:
        return _ok(name)
    _fail(name, "is not right.", hint or _ROW_HINT)


def check_lambda(
    i: int,
    got,
    expected,
    *,
    contributions: dict | None = None,
    rtol: float = 1e-6,
    name: str | None = None,
    hint: str | None = None,
) -> None:
    """Check one back-substitution step, λ_i = Σ_{k ∈ b(i)} λ_k ∂f_k/∂z_i.

    ``contributions`` maps each k in b(i) to its term λ_k ∂f_k/∂z_i (numbers or
    sympy), so the message can name a missing, doubled or sign-flipped term.

    >>> check_lambda(5, 0.75, 0.75, contributions={6: 0.5, 7: 0.25})
    ✓ λ_5 is correct.
    >>> check_lambda(5, 0.5, 0.75, contributions={6: 0.5, 7: 0.25})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lagrange_ad.exercises.CheckFailed: λ_5 should include the contribution through z_7 (the term ...
    """
    __tracebackhide__ = True
    expected = _unsealed(expected)
    name = name or f"λ_{i}"
    want = sympy.sympify(expected)
    symbolic = bool(want.free_symbols)
    value = _sympify(name, got, want) if symbolic else sympy.Float(_to_float(name, got))
    if _same(value, want, rtol):
        return _ok(name)
    terms = {k: sympy.sympify(t) for k, t in (contributions or {}).items()}
    for k, term in terms.items():
        if _is_zero(term):
            continue
        if _same(value, want - term, rtol):
            _fail(name, f"should include the contribution through z_{k} (the term λ_{k}·∂f_{k}/∂z_{i}).", hint)
        if _same(value, want + term, rtol):
            _fail(name, f"counts the contribution through z_{k} twice.", hint)
        if _same(value, want - 2 * term, rtol):
            _fail(name, f"has the contribution through z_{k} with the wrong sign.", hint)
    if not _is_zero(want) and _same(value, -want, rtol):
        _fail(name, "has the wrong sign: with −1 on the diagonal of A, λ_i = +Σ_k λ_k ∂f_k/∂z_i.", hint)
    if terms:
        uses = ", ".join(f"z_{k}" for k in sorted(terms))
        _fail(name, f"is not right: it sums λ_k ∂f_k/∂z_{i} over the steps that use z_{i} ({uses}).", hint)
    _fail(name, "is not right.", hint)


_PATTERN_HINT = "row i is nonzero in column k exactly when step k reads z_i directly (i ∈ a(k))."


def check_pattern(name: str, got, expected, *, hint: str | None = None) -> None:
    """Check a predicted structure of A: True (or any nonzero) where the block A_ik is nonzero.

    ``expected`` is the pattern, or its :func:`fingerprint`. What every pattern of A has is checked entry by
    entry and named: the shape, the diagonal, nothing below it. The entries above the diagonal are right
    or wrong together: naming a wrong one would give its right value away (it has only two), and so
    would a count of wrong ones, one guess at a time.

    >>> want = [[True, True, False], [False, True, True], [False, False, True]]
    >>> check_pattern("pattern", [[1, 1, 0], [0, 1, 1], [0, 0, 1]], want)
    ✓ pattern is correct.
    >>> check_pattern("pattern", [[1, 1, 0], [1, 1, 1], [0, 0, 1]], want)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lagrange_ad.exercises.CheckFailed: pattern marks A[2,1] nonzero, but A is upper triangular: ...
    >>> check_pattern("pattern", [[1, 1, 1], [0, 1, 1], [0, 0, 1]], fingerprint(np.array(want)))
    Traceback (most recent call last):
    ...
    lagrange_ad.exercises.CheckFailed: pattern is not right.
    Hint: row i is nonzero in column k exactly when step k reads z_i directly (i ∈ a(k)).
    """
    __tracebackhide__ = True
    expected = _unsealed(expected)
    printed = isinstance(expected, Fingerprint)
    if printed and expected.whole != "pattern":
        raise ValueError("check_pattern takes the fingerprint of a boolean pattern")
    want = None if printed else np.asarray(expected, dtype=bool)
    shape = expected.shape if printed else want.shape
    array = _to_array(name, got)
    problem = _shape_problem(array, np.empty(shape))
    if problem:
        _fail(name, problem + f" A has one row and one column per step (n = {shape[0]}).", hint)
    array = array != 0
    for r in range(min(shape)):
        if not array[r, r]:
            _fail(name, f"marks A[{r + 1},{r + 1}] zero, but the diagonal of A is −1.", hint)
    below = np.argwhere(np.tril(array, k=-1))
    if len(below):
        i, k = (int(x) + 1 for x in below[0])
        _fail(name, f"marks A[{i},{k}] nonzero, but A is upper triangular: z_{k} comes before z_{i}.", hint)
    if expected.match_whole(_pattern_text(array)) if printed else np.array_equal(array, want):
        return _ok(name)
    _fail(name, "is not right.", hint or _PATTERN_HINT)


def check_set(name: str, got, expected, *, allowed=None, rule: str | None = None, hint: str | None = None) -> None:
    """Check a set of step indices, such as a(i) or b(i), against ``expected`` or its :func:`fingerprint`.

    ``allowed`` (a range or a collection) holds the indices any valid answer may contain, and ``rule``
    says why; an index outside it is named. Beyond that the set is right or wrong as a whole: naming a
    missing or an extra index would give the answer away.

    >>> check_set("a7", {6, 4}, {4, 6})
    ✓ a7 is correct.
    >>> check_set("a7", {4, 9}, {4, 6}, allowed=range(1, 7), rule="a step reads only earlier steps")
    Traceback (most recent call last):
    ...
    lagrange_ad.exercises.CheckFailed: a7 holds 9, but it can only hold 1 … 6: a step reads only earlier steps.
    >>> check_set("a7", {4}, fingerprint({4, 6}), hint="list the indices on z7's right-hand side.")
    Traceback (most recent call last):
    ...
    lagrange_ad.exercises.CheckFailed: a7 is not right.
    Hint: list the indices on z7's right-hand side.
    """
    __tracebackhide__ = True
    expected = _unsealed(expected)
    printed = isinstance(expected, Fingerprint)
    if printed and expected.whole != "set":
        raise ValueError("check_set takes the fingerprint of a set")
    _require_answered(name, got)
    if isinstance(got, (str, dict)) or not isinstance(got, (set, frozenset, list, tuple, np.ndarray)):
        _fail(name, f"should be a set of step indices such as {{1, 2}}, not {_describe(got)}.")
    text = _set_text(name, list(np.asarray(got).ravel()) if isinstance(got, np.ndarray) else got)
    if allowed is not None:
        allowed = list(allowed)
        for x in sorted(set(int(v) for v in text.split(",") if v)):
            if x not in allowed:
                span = (f"{min(allowed)} … {max(allowed)}" if allowed == list(range(min(allowed), max(allowed) + 1))
                        else ", ".join(str(v) for v in sorted(allowed))) if allowed else "nothing"
                _fail(name, f"holds {x}, but it can only hold {span}" + (f": {rule}." if rule else "."), hint)
    if expected.match_whole(text) if printed else text == _set_text("expected", expected):
        return _ok(name)
    _fail(name, "is not right.", hint)


def check_gradient(
    got, expected, *, rtol: float = 1e-6, atol: float = 1e-12, name: str = "gradient", hint: str | None = None
) -> None:
    """Check a gradient given as ``{input name: value}`` (numbers or arrays); ``expected`` may hold a
    :func:`fingerprint` for each input.

    >>> check_gradient({"x": 1.0, "w": [[0.5, 2.0]]}, {"x": 1.0, "w": [[0.5, 2.0]]})
    ✓ gradient is correct.
    >>> check_gradient({"x": 1.0}, {"x": 1.0, "w": 2.0})
    Traceback (most recent call last):
    ...
    lagrange_ad.exercises.CheckFailed: gradient has no entry for the input 'w'.
    """
    __tracebackhide__ = True
    expected = _unsealed(expected)
    _require_answered(name, got)
    if not isinstance(got, dict):
        _fail(name, f"has type {type(got).__name__}; expected a dict {{input name: derivative}}.", hint)
    for key in expected:
        if key not in got:
            _fail(name, f"has no entry for the input {key!r}.", hint)
    for key in got:
        if key not in expected:
            _fail(name, f"has an entry for {key!r}, which is not an input.", hint)
    for key in expected:  # each derivative may be a fingerprint of its own
        _compare_value(f"{name}[{key!r}]", got[key], _unsealed(expected[key]), rtol, atol, hint)
    _ok(name)

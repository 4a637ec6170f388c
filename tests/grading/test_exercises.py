"""lagrange_ad.exercises: right answers pass, wrong ones fail with a message that names the mistake."""

import math

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import lagrange_ad.exercises as ex


def message(check, *args, **kwargs) -> str:
    # ex.CheckFailed, not an imported name: a test below reloads the module
    with pytest.raises(ex.CheckFailed) as info:
        check(*args, **kwargs)
    assert type(info.value) is ex.CheckFailed and isinstance(info.value, AssertionError)
    return str(info.value)


# ---------------------------------------------------------------------------- check_value

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).filter(lambda v: abs(v) > 1e-3)


@settings(max_examples=50, deadline=None)
@given(finite, st.floats(min_value=1e-4, max_value=10))
def test_value_within_tolerance_passes_and_beyond_fails(value, rel):
    ex.check_value("v", value * (1 + 1e-8), value)
    text = message(ex.check_value, "v", value * (1 + rel), value, hint="think again")
    assert text.startswith("v = ") and "Hint: think again" in text


def test_a_wrong_value_does_not_give_the_expected_one_away():
    text = message(ex.check_value, "v", 0.2, 0.123456)
    assert "0.123" not in text and "%" not in text and "off by" not in text, text


def test_sealed_values_round_trip():
    x = sympy.Symbol("x")
    for value in [0.25, [1.0, 2.5], {1, 2}, np.eye(2, dtype=bool), np.ones((2, 3)), sympy.Eq(2 * x, 1),
                  [0, -1, x, 2 * x], {"x": 1.5}]:
        back = ex.sealed(ex.seal(value))
        if isinstance(value, np.ndarray):
            assert back.dtype == value.dtype and np.array_equal(back, value)
        else:
            assert back == value
    with pytest.raises(ValueError, match="seal"):
        ex.sealed("0.25")


@settings(max_examples=25, deadline=None)
@given(finite, st.floats(min_value=1e-4, max_value=10))
def test_fingerprint_accepts_the_value_and_refuses_others(value, rel):
    text = ex.fingerprint(value)
    ex.check_value("v", value * (1 + 1e-9), text)
    assert message(ex.check_value, "v", value * (1 + rel), text, hint="again").startswith("v = ")
    assert "wrong sign" in message(ex.check_value, "v", -value, text)


def test_a_fingerprint_cannot_be_opened_and_holds_no_digit_of_the_value():
    import base64
    import zlib

    value = np.array([[0.123456789, -2.718281828], [3.14159265, 42.4242]])
    text = ex.fingerprint(value)
    with pytest.raises(ValueError, match="cannot be opened"):
        ex.sealed(text)
    inside = zlib.decompress(base64.b64decode(text.removeprefix("lad2:"))).decode()
    for digits in ("123456", "718281", "14159", "4242"):
        assert digits not in inside
    assert "shape" in inside and "exponent" in inside  # what it does tell: the shape, the magnitude
    ex.check_value("A", value + 1e-10, text)
    assert "index (1, 0)" in message(ex.check_value, "A", value + np.array([[0, 0], [1e-3, 0]]), text)
    assert "transposed" in message(ex.check_value, "A", value[:, :1].T, ex.fingerprint(value[:, :1]))
    ex.check_sequence("steps", [2.0, -1.0, -2.0, 2.0], ex.fingerprint([2.0, -1.0, -2.0, 2.0]))
    assert "z_3 = -3 is not right (z_1 and z_2 are right)" in message(
        ex.check_sequence, "steps", [2.0, -1.0, -3.0, 2.0], ex.fingerprint([2.0, -1.0, -2.0, 2.0]))


def test_a_formula_fingerprint_knows_the_formula_up_to_rearranging_and_scaling():
    l2, l3, l4, z1 = sympy.symbols("lambda_2 lambda_3 lambda_4 z_1")
    text = ex.fingerprint(sympy.Eq(-l2 + l3 * z1 + l4, 0))
    inside = str(base64_json(text))
    # which λ's and z's the condition involves is part of the answer: the fingerprint names none of them
    assert not any(word in inside for word in ("lambda", "z_", "Eq")), inside
    for same in [sympy.Eq(l2, l3 * z1 + l4), sympy.Eq(2 * l2 - 2 * l4, 2 * l3 * z1),
                 "Eq(lambda_2, z_1*lambda_3 + lambda_4)"]:
        ex.check_expr("c", same, text)
    assert message(ex.check_expr, "c", sympy.Eq(l2, l3 * z1 - l4), text) == "c is not the right equation."
    assert message(ex.check_expr, "c", sympy.Eq(l2, l3 * z1), text) == "c is not the right equation."
    assert "should be an equation" in message(ex.check_expr, "c", l2 - l3 * z1 - l4, text)
    w = sympy.Symbol("w")
    ex.check_expr("d", w * 2 + sympy.sin(w), ex.fingerprint(2 * w + sympy.sin(w)))
    assert "wrong sign" in message(ex.check_expr, "d", -2 * w - sympy.sin(w), ex.fingerprint(2 * w + sympy.sin(w)))


def base64_json(text: str) -> dict:
    import base64
    import json
    import zlib

    return json.loads(zlib.decompress(base64.b64decode(text.removeprefix("lad2:"))))


def test_the_books_self_checks_use_no_sealed_value():
    """A sealed value can be unpacked by a student (sealed() is public, and a check cell that unpacks one
    leaves it in the namespace) and copied in as the answer: every visible check in the book compares
    with fingerprints (lad2) instead, a set or pattern or list of counts with one hash of the whole."""
    import glob

    import nbformat

    sealed_in = []
    for path in sorted(glob.glob("book/*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code" and ("lad1:" in cell.source or "sealed(" in cell.source):
                sealed_in.append((path, cell.metadata.get("nbgrader", {}).get("grade_id")))
    assert not sealed_in


@pytest.mark.parametrize("placeholder", [None, ..., NotImplemented])
@pytest.mark.parametrize("check", [ex.check_value, ex.check_pattern])
def test_placeholders_mean_not_answered(check, placeholder):
    assert "not answered yet" in message(check, "x", placeholder, [[1.0]])


@pytest.mark.parametrize(("got", "words"), [
    ("0.5", "the text"),
    (True, "truth value"),
    ([0.5, 1], "list"),
    (np.array([0.5, 1.0]), "shape (2,)"),
    (sympy.Symbol("w") * 2, "symbol(s) w"),
    (lambda: 0.5, "function"),
    (1 + 2j, "complex"),
    (object(), "type object"),
])
def test_value_wrong_type_is_explained(got, words):
    assert words in message(ex.check_value, "lam", got, 0.5)


def test_value_accepts_sympy_numbers_and_0d_arrays():
    ex.check_value("x", sympy.sqrt(2), math.sqrt(2))
    ex.check_value("x", np.float32(0.5), 0.5, rtol=1e-6)
    ex.check_value("x", np.array(0.5), 0.5)


def test_value_sign_is_named():
    assert "wrong sign" in message(ex.check_value, "x", -0.3, 0.3)
    assert "wrong sign in every entry" in message(ex.check_value, "g", [[-1, -2]], [[1, 2]])


def test_arrays_shape_and_first_wrong_entry():
    assert "transposed" in message(ex.check_value, "W", np.ones((3, 2)), np.ones((2, 3)))
    assert "arranged differently" in message(ex.check_value, "W", np.ones(6), np.ones((2, 3)))
    text = message(ex.check_value, "W", [[1, 2], [3, 5]], [[1, 2], [3, 4]])
    assert "1 wrong entry of 4" in text and "(1, 1)" in text
    assert "NaN" in message(ex.check_value, "W", [[1, float("nan")]], [[1, 2]])
    assert "different lengths" in message(ex.check_value, "W", [[1, 2], [3]], [[1, 2], [3, 4]])


# ---------------------------------------------------------------------------- check_sequence

def test_sequence_points_at_the_first_wrong_step():
    want = [0.5, 2.0, 1.0, math.tanh(1.0)]
    ex.check_sequence("s", want, want)
    assert "z_4" in message(ex.check_sequence, "s", [0.5, 2.0, 1.0, 1.0], want)
    assert "has 3 steps, expected 4" in message(ex.check_sequence, "s", want[:3], want)


def test_sequence_from_equations_and_computation():
    lad = pytest.importorskip("lagrange_ad")
    want = [0.5, 2.0, 1.0, math.tanh(1.0)]
    at = {"z1": 0.5, "z2": 2.0}
    ex.check_sequence("s", "z3 = z1*z2\nz4 = tanh(z3)", want, at=at)
    assert "z_3" in message(ex.check_sequence, "s", "z3 = z1+z2\nz4 = tanh(z3)", want, at=at)
    assert "cannot be evaluated" in message(ex.check_sequence, "s", "z3 = z1*(z2", want, at=at)
    comp = lad.trace(lambda x, w: lad.tanh(x * w), "x w")
    ex.check_sequence("s", comp, want, at={"x": 0.5, "w": 2.0})


# ---------------------------------------------------------------------------- check_expr

lam5, lam6, w, z = sympy.symbols("lambda_5 lambda_6 w z_5")


@settings(max_examples=20, deadline=None)
@given(st.sampled_from([-3, -1, sympy.Rational(1, 2), 2, 7]))
def test_equation_is_right_after_scaling_and_rearranging(c):
    want = sympy.Eq(lam5, lam6 * w * (1 - sympy.tanh(z) ** 2))
    ex.check_expr("cond", sympy.Eq(c * lam5 - c * lam6 * w * (1 - sympy.tanh(z) ** 2), 0), want)


def test_equation_mistakes_are_named():
    want = sympy.Eq(lam5, lam6 * w)
    # a missing or an extra symbol is not named (that would give the term away), but one the exercise
    # does not give at all is (a misspelt name)
    for wrong in (sympy.Eq(lam5, lam6), sympy.Eq(lam5, lam6 * w * z), sympy.Eq(lam5, 2 * lam6 * w + 1)):
        assert message(ex.check_expr, "c", wrong, want) == "c is not the right equation."
        assert message(ex.check_expr, "c", wrong, want, allowed=[lam5, lam6, w, z]) == "c is not the right equation."
    assert "involves z_5, which is not one of the exercise's symbols (lambda_5, lambda_6, w)" in message(
        ex.check_expr, "c", sympy.Eq(lam5, lam6 * w * z), want, allowed="lambda_5:7 w")
    assert "should be an equation" in message(ex.check_expr, "c", lam6 * w, want)
    assert "not a formula" in message(ex.check_expr, "c", "lambda_6 *", lam6)


def test_expression_from_text_and_other_assumptions():
    ex.check_expr("d", "2*w", 2 * w)
    ex.check_expr("d", 2 * sympy.Symbol("w", real=True), 2 * w)
    ex.check_expr("d", sympy.sech(z) ** 2, 1 - sympy.tanh(z) ** 2)  # equal, written differently
    assert "wrong sign" in message(ex.check_expr, "d", -2 * w, 2 * w)


# ---------------------------------------------------------------------------- check_row / lambda / pattern

def test_row_mistakes_explain_A():
    z3 = sympy.Symbol("z_3")
    row = [0, 0, -1, 1 - sympy.tanh(z3) ** 2]
    ex.check_row(3, sympy.Matrix([row]), row)
    assert "diagonal of A is −1" in message(ex.check_row, 3, [0, 0, 1, row[3]], row)
    assert "upper triangular" in message(ex.check_row, 3, [0, 5, -1, row[3]], row)
    # beyond those properties of every row, a wrong entry is not named (that would give the answer away)
    assert message(ex.check_row, 3, [0, 0, -1, 0], row) == message(ex.check_row, 3, [0, 0, -1, sympy.tanh(z3)], row)
    assert message(ex.check_row, 3, [0, 0, -1, 0], row).splitlines()[0] == "row 3 of A is not right."
    assert "has 3 entries, expected 4" in message(ex.check_row, 3, [0, 0, -1], row)


def test_lambda_names_the_missing_or_doubled_contribution():
    terms = {6: 0.5, 7: 0.25}
    ex.check_lambda(5, 0.75, 0.75, contributions=terms)
    assert "contribution through z_6" in message(ex.check_lambda, 5, 0.25, 0.75, contributions=terms)
    assert "through z_7 twice" in message(ex.check_lambda, 5, 1.0, 0.75, contributions=terms)
    assert "wrong sign" in message(ex.check_lambda, 5, -0.75, 0.75, contributions=terms)
    assert "z_6, z_7" in message(ex.check_lambda, 5, 3.0, 0.75, contributions=terms)
    symbolic = {6: lam6 * w, 7: lam5}
    assert "through z_7" in message(ex.check_lambda, 5, lam6 * w, lam6 * w + lam5, contributions=symbolic)


@pytest.mark.parametrize("printed", [False, True])
def test_pattern_mistakes_explain_the_structure(printed):
    want = np.array([[1, 0, 1, 0], [0, 1, 1, 0], [0, 0, 1, 1], [0, 0, 0, 1]], dtype=bool)
    expected = ex.fingerprint(want) if printed else want
    ex.check_pattern("p", want.astype(int).tolist(), expected)
    assert "A[2,1] nonzero, but A is upper triangular" in message(
        ex.check_pattern, "p", want | np.eye(4, k=-1, dtype=bool), expected)
    assert "A[1,1] zero, but the diagonal" in message(ex.check_pattern, "p", want & ~np.eye(4, dtype=bool), expected)
    assert "n = 4" in message(ex.check_pattern, "p", np.ones((3, 3)), expected)
    # above the diagonal, a wrong entry is neither named nor counted: it has only two values
    flipped = want ^ np.eye(4, k=3, dtype=bool)
    assert message(ex.check_pattern, "p", flipped, expected).splitlines()[0] == "p is not right."
    assert message(ex.check_pattern, "p", flipped ^ np.eye(4, k=1, dtype=bool), expected) == message(
        ex.check_pattern, "p", flipped, expected)


@pytest.mark.parametrize("printed", [False, True])
def test_set_mistakes(printed):
    expected = ex.fingerprint({4, 6}) if printed else {4, 6}
    ex.check_set("a7", [6, 4], expected, allowed=range(1, 7))
    assert "not answered yet" in message(ex.check_set, "a7", None, expected)
    assert "set of step indices" in message(ex.check_set, "a7", "4, 6", expected)
    assert "holds 2.5, which is not a step index" in message(ex.check_set, "a7", {2.5}, expected)
    assert "holds 7, but it can only hold 1 … 6: earlier" in message(
        ex.check_set, "a7", {4, 6, 7}, expected, allowed=range(1, 7), rule="earlier")
    assert message(ex.check_set, "a7", {4}, expected) == message(ex.check_set, "a7", {4, 5, 6}, expected) == (
        "a7 is not right.")


def test_set_and_pattern_fingerprints_hold_one_hash_and_no_entry():
    import base64
    import json
    import zlib

    for value in ({4, 6}, np.eye(3, dtype=bool)):
        data = json.loads(zlib.decompress(base64.b64decode(ex.fingerprint(value).removeprefix("lad2:"))))
        assert set(data) <= {"whole", "salt", "hash", "shape"}, data
    z3 = sympy.Symbol("z_3")
    data = json.loads(zlib.decompress(base64.b64decode(ex.fingerprint([0, -1, z3]).removeprefix("lad2:"))))
    assert "z_3" not in json.dumps(data) and "zero" not in json.dumps(data)  # nothing says which entry is what
    assert set(data) == {"whole", "n", "seed", "coefficients", "numbers"}
    with pytest.raises(ValueError, match="boolean pattern"):
        ex.check_pattern("p", np.eye(2), ex.fingerprint({1, 2}))


def test_gradient_dict():
    ex.check_gradient({"x": 1.0, "W": [[1, 2]]}, {"x": 1.0, "W": np.array([[1.0, 2.0]])})
    assert "no entry for the input 'W'" in message(ex.check_gradient, {"x": 1.0}, {"x": 1.0, "W": 2.0})
    assert "expected a dict" in message(ex.check_gradient, [1.0], {"x": 1.0})
    assert "gradient['x']" in message(ex.check_gradient, {"x": 2.0}, {"x": 1.0})


def test_success_prints_one_line(capsys):
    ex.check_value("lam1", 1.0, 1.0)
    assert capsys.readouterr().out == "✓ lam1 is correct.\n"


def test_reload_restores_monkeypatched_helpers():
    """What hidden tests rely on: a reload undoes a student's monkeypatching."""
    import importlib

    original = ex.check_value
    try:
        ex.check_value = lambda *a, **k: None
        fresh = importlib.reload(ex)
        with pytest.raises(AssertionError):
            fresh.check_value("x", 1.0, 2.0)
    finally:
        importlib.reload(ex)
    assert ex.check_value is not original  # a new function object, same behaviour


def test_a_fingerprint_checks_the_same_where_hashlib_has_no_pbkdf2(monkeypatch):
    """A browser's Python (Pyodide) may have no OpenSSL: the plain-Python PBKDF2 gives the same hashes."""
    import hashlib

    text = ex.fingerprint([0.123456, -7.5])
    monkeypatch.delattr(hashlib, "pbkdf2_hmac")
    ex.check_value("v", [0.123456, -7.5], text)
    assert "index (1,)" in message(ex.check_value, "v", [0.123456, -7.6], text)


def test_whole_fingerprints_say_right_or_wrong_only():
    counts = ex.fingerprint([2, 4, 7, 11], whole=True)
    ex.check_value("n", [2, 4, 7.0, 11], counts)
    assert message(ex.check_value, "n", [2, 5, 7, 11], counts) == message(ex.check_value, "n", [2, 4, 7, 12], counts)
    assert "has shape (3,), expected (4,)" in message(ex.check_value, "n", [2, 4, 7], counts)
    assert "9.5 is not a whole number" in message(ex.check_value, "n", [2, 4, 9.5, 11], counts)
    levels = ex.fingerprint([[3], [1, 2]], whole=True)
    ex.check_value("levels", [[3], (1, 2)], levels)
    assert message(ex.check_value, "levels", [[3], [2, 1]], levels) == "levels is not right."
    numbers = ex.fingerprint([0.25, -3.5], whole=True)
    ex.check_value("v", [0.2500000001, -3.5], numbers)
    assert message(ex.check_value, "v", [0.25, 3.5], numbers) == message(ex.check_value, "v", [0.5, -3.5], numbers)
    assert "wrong sign in every entry" in message(ex.check_value, "v", [-0.25, 3.5], numbers)
    ex.check_gradient({"a": 0.5, "b": -0.75}, {"a": ex.fingerprint(0.5), "b": ex.fingerprint(-0.75)})
    assert "gradient['b']" in message(ex.check_gradient, {"a": 0.5, "b": 0.7}, {"a": 0.5, "b": ex.fingerprint(-0.75)})

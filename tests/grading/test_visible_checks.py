"""The book's visible self-checks must not be an oracle for the answer (issue 14 point 3).

Where an answer lives in a tiny space (a set of step indices, a boolean pattern), a check that names the
wrong entry, or counts the wrong entries, gives the answer away one guess at a time. So: every answer that
differs from the right one in exactly one entry gets the *same* message from the visible check, while
what every valid answer has (indices before the step, −1 on the diagonal, nothing below it) is named.
The checks run here are the notebook cells themselves, fed answers as a student's solution cell would.
"""

import nbformat
import numpy as np
import pytest


def check_cell(path: str, grade_id: str) -> str:
    cells = [c for c in nbformat.read(path, as_version=4).cells
             if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    assert len(cells) == 1, grade_id
    return cells[0].source


def run(source: str, **answers) -> str | None:
    """The check cell's failure message for these answers, or None when it passes."""
    try:
        exec(compile(source, "<check cell>", "exec"), dict(answers))
    except AssertionError as err:  # CheckFailed (compared by base: other tests reload the module)
        return str(err)
    return None


# ---------------------------------------------------------------------------- ch1-ex2: a(7) and b(4)

CH1 = ("book/ch01_sequences.ipynb", "ch1-ex2-check")
A7, B4 = {4, 6}, {5, 7}


def test_ch1_ex2_right_answer_passes():
    assert run(check_cell(*CH1), a7=A7, b4=B4) is None
    assert run(check_cell(*CH1), a7=[6, 4], b4=(7, 5)) is None


@pytest.mark.parametrize(("name", "right", "allowed"), [("a7", A7, range(1, 7)), ("b4", B4, range(5, 9))])
def test_ch1_ex2_one_wrong_index_says_nothing_about_which(name, right, allowed):
    source = check_cell(*CH1)
    others = {"a7": A7, "b4": B4}
    messages = {run(source, **{**others, name: right ^ {j}}) for j in allowed}
    assert len(messages) == 1 and None not in messages, messages
    (text,) = messages
    assert text.startswith(f"{name} is not right.") and "Hint:" in text
    # ... and the set itself is not echoed (it would differ from answer to answer anyway)
    assert not any(ch.isdigit() for ch in text.split("Hint:")[0].replace(name, ""))


@pytest.mark.parametrize(("name", "bad", "words"), [
    ("a7", {4, 6, 7}, "a7 holds 7, but it can only hold 1 … 6"),
    ("a7", {0, 4}, "a7 holds 0, but it can only hold 1 … 6"),
    ("b4", {3, 5, 7}, "b4 holds 3, but it can only hold 5 … 8"),
    ("b4", {5, 7, 9}, "b4 holds 9, but it can only hold 5 … 8"),
    ("b4", {5, 7.5}, "b4 holds 7.5, which is not a step index"),
    ("a7", "4, 6", "a7 should be a set of step indices"),
    ("b4", None, "b4 is not answered yet"),
])
def test_ch1_ex2_names_what_no_valid_answer_has(name, bad, words):
    answers = {"a7": A7, "b4": B4, name: bad}
    assert words in run(check_cell(*CH1), **answers)


# ---------------------------------------------------------------------------- ch5-ex2 and ch7-ex1: patterns

CH5 = np.array([[1, 0, 1, 0, 1, 0], [0, 1, 1, 0, 0, 0], [0, 0, 1, 1, 0, 1],
                [0, 0, 0, 1, 1, 0], [0, 0, 0, 0, 1, 1], [0, 0, 0, 0, 0, 1]], dtype=bool)
CH7 = np.array([[1, 1, 1, 0, 0, 0], [0, 1, 1, 0, 0, 0], [0, 0, 1, 1, 1, 0],
                [0, 0, 0, 1, 1, 0], [0, 0, 0, 0, 1, 1], [0, 0, 0, 0, 0, 1]], dtype=bool)
PATTERNS = [(("book/ch05_linear_system.ipynb", "ch5-ex2-check"), CH5),
            (("book/ch07_shape_of_A.ipynb", "ch7-ex1-check"), CH7)]


@pytest.mark.parametrize(("cell", "right"), PATTERNS)
def test_pattern_right_answer_passes(cell, right):
    assert run(check_cell(*cell), pattern=right) is None
    assert run(check_cell(*cell), pattern=right.astype(int).tolist()) is None


@pytest.mark.parametrize(("cell", "right"), PATTERNS)
def test_pattern_one_wrong_entry_says_nothing_about_which(cell, right):
    source = check_cell(*cell)
    messages = set()
    for r, c in zip(*np.triu_indices(6, k=1), strict=True):
        wrong = right.copy()
        wrong[r, c] = not wrong[r, c]
        messages.add(run(source, pattern=wrong))
    assert len(messages) == 1 and None not in messages, messages
    (text,) = messages
    assert text.startswith("pattern is not right.") and "Hint:" in text


@pytest.mark.parametrize(("cell", "right"), PATTERNS)
def test_pattern_names_what_no_valid_answer_has(cell, right):
    source = check_cell(*cell)
    for i in range(6):
        off_diagonal = right.copy()
        off_diagonal[i, i] = False
        assert f"marks A[{i + 1},{i + 1}] zero, but the diagonal of A is −1" in run(source, pattern=off_diagonal)
    for r, c in zip(*np.tril_indices(6, k=-1), strict=True):
        below = right.copy()
        below[r, c] = True
        assert f"marks A[{r + 1},{c + 1}] nonzero, but A is upper triangular" in run(source, pattern=below)
    assert "expected (6, 6)" in run(source, pattern=right[:5, :5])
    assert "not answered yet" in run(source, pattern=None)


# ---------------------------------------------------------------------------- ch5-ex1: a row of A with formulas

CH5_ROW = ("book/ch05_linear_system.ipynb", "ch5-ex1-check")


def test_ch5_ex1_row_one_wrong_entry_says_nothing_about_which():
    import sympy

    z1, z2 = sympy.symbols("z_1 z_2")
    right = [0, -1, z1, 2 * z2]
    source = check_cell(*CH5_ROW)
    assert run(source, row2=right) is None
    assert run(source, row2=sympy.Matrix([[0, -1, z1, z2 + z2]])) is None
    messages = set()
    for k in (2, 3):  # the columns right of the diagonal
        for wrong_entry in (0, z1 * z2, 2, -right[k]):
            messages.add(run(source, row2=[*right[:k], wrong_entry, *right[k + 1:]]))
    assert len(messages) == 1 and None not in messages, messages
    assert next(iter(messages)).startswith("row 2 of A is not right.")
    # what every row 2 of A has is named
    assert "column 2 is 1, but the diagonal of A is −1" in run(source, row2=[0, 1, z1, 2 * z2])
    assert "column 1 is z_1, but A is upper triangular" in run(source, row2=[z1, -1, z1, 2 * z2])
    assert "has 3 entries, expected 4" in run(source, row2=[0, -1, z1])


# ---------------------------------------------------------------------------- ch7-ex2, ch8-ex2: small whole numbers

def test_ch7_ex2_counts_are_right_or_wrong_as_a_whole():
    source = check_cell("book/ch07_shape_of_A.ipynb", "ch7-ex2-check")
    right = {1: 2, 2: 4, 3: 7, 4: 11}
    assert run(source, dense_nonzeros=lambda layers: (layers + 1) * layers // 2 + 1) is None
    messages = {run(source, dense_nonzeros=lambda layers, off=off: right[layers] + (layers == off))
                for off in right}
    assert len(messages) == 1 and None not in messages, messages
    assert next(iter(messages)).startswith("dense_nonzeros(1), …, dense_nonzeros(4) is not right.")


def test_ch8_ex2_levels_are_right_or_wrong_as_a_whole():
    import lagrange_ad as lad
    from lagrange_ad import architectures as ar

    source = check_cell("book/ch08_solving.ipynb", "ch8-ex2-check")

    def schedule(pattern):  # the reference: level of λ_i = 1 + the largest level of the λ_k it reads
        pattern = np.asarray(pattern, dtype=bool)
        level = [0] * len(pattern)
        for i in reversed(range(len(pattern))):
            level[i] = max((level[k] + 1 for k in range(i + 1, len(pattern)) if pattern[i, k]), default=0)
        return [[i + 1 for i in range(len(pattern)) if level[i] == lv] for lv in range(max(level) + 1)]

    def swapped(pattern, at):  # one step put in the level next to its own
        levels = schedule(pattern)
        if at + 1 < len(levels):
            levels[at + 1].append(levels[at].pop())
        return [sorted(group) for group in levels if group]

    assert run(source, lad=lad, ar=ar, schedule=schedule) is None
    messages = {run(source, lad=lad, ar=ar, schedule=lambda p, at=at: swapped(p, at)) for at in range(3)}
    assert len(messages) == 1 and None not in messages, messages
    assert next(iter(messages)).startswith("schedule for the chain of chapter 7 is not right.\nHint:")


# ---------------------------------------------------------------------------- ch4-ex1: a condition as a formula

CH4 = ("book/ch04_lagrange.ipynb", "ch4-ex1-check")


def _ch4_symbols():
    import sympy

    return sympy.symbols("lambda_2 lambda_3 lambda_4"), sympy.symbols("z_1 z_2 z_3")


def test_ch4_ex1_right_condition_passes_in_any_arrangement():
    import sympy

    (l2, l3, l4), (z1, _, _) = _ch4_symbols()
    source = check_cell(*CH4)
    for right in (sympy.Eq(-l2 + l3 * z1 + l4, 0), sympy.Eq(l2, l3 * z1 + l4), sympy.Eq(2 * l2 - 2 * l4, 2 * l3 * z1),
                  "Eq(lambda_2, z_1*lambda_3 + lambda_4)"):
        assert run(source, cond2=right) is None, right


def test_ch4_ex1_a_missing_extra_or_wrong_term_is_not_named():
    """Every condition one term away from the right one gets the same message, naming no λ and no z: the
    old check said "cond2 does not involve lambda_4", which is the missing term itself."""
    import sympy

    (l2, l3, l4), (z1, z2, z3) = _ch4_symbols()
    terms = [-l2, l3 * z1, l4]
    source = check_cell(*CH4)
    wrong = [sympy.Eq(sympy.Add(*terms[:j], *terms[j + 1:]), 0) for j in range(3)]  # one term missing
    wrong += [sympy.Eq(sympy.Add(*terms, extra), 0)  # one term too many
              for extra in (l2 * z1, l3, l3 * z2, l4 * z3, z1, z2, l2 * z3)]
    wrong += [sympy.Eq(-l2 + 2 * l3 * z1 + l4, 0), sympy.Eq(-l2 + l3 * z1 - l4, 0),  # a wrong coefficient
              sympy.Eq(l2 + l3 * z1 + l4, 0), sympy.Eq(-l2 + l3 * z2 + l4, 0), sympy.Eq(-l2 + l3 + l4 * z1, 0)]
    messages = {run(source, cond2=answer) for answer in wrong}
    assert len(messages) == 1 and None not in messages, messages
    (text,) = messages
    said = text.split("\nHint:")[0]
    assert said == "cond2 is not the right equation.", text
    hint = text.split("\nHint:")[1]
    assert not any(f"λ_{k}" in hint for k in (3, 4)), "the hint names the steps that read z_2"


def test_ch4_ex1_names_only_what_the_exercise_does_not_give():
    import sympy

    (l2, l3, l4), (z1, _, _) = _ch4_symbols()
    source = check_cell(*CH4)
    typo = sympy.Symbol("lam4")
    assert run(source, cond2=sympy.Eq(-l2 + l3 * z1 + typo, 0)).startswith(
        "cond2 involves lam4, which is not one of the exercise's symbols (lambda_2, lambda_3, lambda_4, z_1, z_2, z_3)")
    assert "should be an equation" in run(source, cond2=-l2 + l3 * z1 + l4)
    assert "not answered yet" in run(source, cond2=None)


def test_ch4_ex1_fingerprint_names_no_symbol():
    import base64
    import json
    import re
    import zlib

    (text,) = re.findall(r'"(lad2:[^"]*)"', check_cell(*CH4).replace('"\n    "', ""))
    inside = json.dumps(json.loads(zlib.decompress(base64.b64decode(text[len("lad2:"):]))))
    assert not any(word in inside for word in ("lambda", "z_", "symbols")), inside


# ---------------------------------------------------------------------------- ch12-ex3: r and t of revolve

def test_ch12_ex3_hints_do_not_work_the_binomials_out():
    """The old hint said "β(3, 2) = C(5, 3) = 10 is less than 20, β(3, 3) = C(6, 3) = 20 is not": r itself."""
    import re

    source = check_cell("book/ch12_memory.ipynb", "ch12-ex3-check")
    assert run(source, r=3, t=45) is None
    messages = [run(source, r=r, t=45) for r in (1, 2, 4, 5)] + [run(source, r=3, t=t) for t in (40, 44, 60)]
    assert None not in messages
    hints = {text.split("\nHint: ")[1] for text in messages}
    assert len(hints) == 2, hints  # one for r, one for t, whatever the answer
    for hint in hints:
        assert not re.search(r"(β|C)\(\d+, \d+\)", hint), f"a binomial at numbers: {hint}"

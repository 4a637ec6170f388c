"""Two editions of the book from one source: the reader's and the student's.

A Sphinx extension (``_config.yml``: ``sphinx.local_extensions``). It works on the
page after myst-nb has rendered each notebook, so both editions share one
execution cache. ``lagrange_edition`` (a Sphinx setting) chooses:

- ``reader`` (the default build): the exercise solutions stay, folded behind
  "Show code cell source", without nbgrader's ``### BEGIN/END SOLUTION`` lines.
- ``student`` (``python scripts/editions.py student``): each solution is what
  the released notebook holds (``# YOUR CODE HERE`` / ``raise
  NotImplementedError()``) and shows no output, the self-checks show no output
  (their ✓ came from the reference solution), the model answers of written
  exercises are gone. Hidden tests are removed from both (``remove-cell``).
"""

from __future__ import annotations

import re

from docutils import nodes

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
MODEL_ANSWER = "Model answer"


def without_markers(code: str) -> str:
    """The reader's solution: the nbgrader marker lines dropped.

    >>> print(without_markers("x = None\\n### BEGIN SOLUTION\\nx = 1\\n### END SOLUTION"))
    x = None
    x = 1
    """
    return "\n".join(
        line for line in code.split("\n") if line.strip() not in (BEGIN, END)
    )


def stubbed(code: str) -> str:
    """The student's solution cell, as nbgrader's release makes it.

    >>> print(stubbed("x = None\\n### BEGIN SOLUTION\\nx = 1\\n### END SOLUTION"))
    x = None
    # YOUR CODE HERE
    raise NotImplementedError()
    """
    indent = re.search(rf"^([ \t]*){re.escape(BEGIN)}", code, re.M)
    pad = indent[1] if indent else ""
    stub = "\n".join(pad + line for line in STUB.split("\n"))
    return re.sub(
        rf"^[ \t]*{re.escape(BEGIN)}.*?^[ \t]*{re.escape(END)}[ \t]*$",
        stub,
        code,
        flags=re.M | re.S,
    )


def _role(container) -> str | None:
    meta = container.get("cell_metadata", {}).get("nbgrader", {})
    gid = meta.get("grade_id", "")
    match = re.search(r"-(solution|check|hidden|answer)\d*$", gid)
    return match[1] if match else None


def _set_code(container, transform) -> None:
    for block in container.findall(nodes.literal_block):
        text = block.astext()
        if BEGIN in text:
            block.children = [nodes.Text(transform(text))]
            block.rawsource = block.astext()


def _drop_outputs(container) -> None:
    for child in list(container.children):
        if child.get("nb_element") == "cell_code_output":
            container.remove(child)


def apply(app, doctree) -> None:
    student = app.config.lagrange_edition == "student"
    for container in list(doctree.findall(nodes.container)):
        if container.get("nb_element") != "cell_code":
            continue
        role = _role(container)
        if role == "solution":
            _set_code(container, stubbed if student else without_markers)
            if student:
                _drop_outputs(container)
                container.attributes.pop(
                    "hide_mode", None
                )  # the stub is shown, like the release
        elif role == "check" and student:
            _drop_outputs(container)
    if student:
        for admonition in list(doctree.findall(nodes.admonition)):
            titles = [t.astext() for t in admonition.findall(nodes.title)]
            if titles and titles[0].strip() == MODEL_ANSWER:
                note = nodes.paragraph(
                    text="Write your answer in the released notebook; it is graded by hand."
                )
                admonition.replace_self(note)


def setup(app):
    app.add_config_value("lagrange_edition", "reader", "env")
    app.connect("doctree-read", apply)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

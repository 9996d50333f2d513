"""The tutorial's examples run: every ```python block of docs/tutorial.md
is executed in order in one namespace (compiled with the page's file name
and line numbers, so errors point into the page)."""

import os
import re

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PAGES = ["docs/tutorial.md"]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def python_blocks(text):
    """(first line number, source) of each python block."""
    return [(text.count("\n", 0, m.start(1)) + 1, m.group(1)) for m in BLOCK.finditer(text)]


@pytest.mark.parametrize("page", PAGES)
def test_page_examples_run(page, capsys):
    path = os.path.join(ROOT, page)
    with open(path) as f:
        blocks = python_blocks(f.read())
    assert len(blocks) >= 20, f"{page}: expected its python examples, found {len(blocks)}"
    namespace = {"__name__": "tutorial"}
    for line, source in blocks:
        # Pad so that line numbers in tracebacks and error sites match the page.
        code = compile("\n" * (line - 1) + source, path, "exec")
        exec(code, namespace)


def test_block_extraction():
    text = "intro\n```python\na = 1\n```\nmid\n```sh\nls\n```\n```python\nb = 2\nc = 3\n```\n"
    assert python_blocks(text) == [(3, "a = 1\n"), (10, "b = 2\nc = 3\n")]

"""The chapters speak to the reader about the subject, never about the repository.

A reader of the book never sees the machinery that keeps it honest: the tests
and nbval that run the notebooks, the stored outputs they compare, the build,
`make`, the README, CI, or the document the book grew from. This checks the
prose of every page (the Markdown cells and .md files under book/, figure
captions and alternative texts), and the comments of every code cell a reader
can see (a cell tagged remove-cell or
remove-input is hidden from the page). A chapter's code also imports nothing
from outside the package: no sys.path edits, nothing from benchmarks/.
"""

import inspect
import io
import json
import re
import tokenize
from pathlib import Path

import pytest

from functions import public_modules

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "book").glob("*.ipynb")) + sorted((ROOT / "book").glob("*.md"))
HIDDEN_TAGS = {"remove-cell", "remove-input"}

# Each pattern names one piece of the repository's machinery. Word boundaries
# keep ordinary words alone ("contest", "makes up", "seedling" do not match);
# "make" is forbidden in every use, so that a command never hides behind an
# English verb.
FORBIDDEN = {
    "tests": re.compile(r"\btest(s|ed|ing)?\b|\btest[- ]?suites?\b", re.I),
    "nbval": re.compile(r"\bnbval", re.I),  # also its NBVAL_IGNORE_OUTPUT marker
    "pytest": re.compile(r"\bpytest\b", re.I),
    "stored output": re.compile(r"\bstored outputs?\b", re.I),
    "the build": re.compile(r"\bthe build\b|\b(book|chapter|notebook|page)s? (is|are|was|were|gets?) (re)?built\b", re.I),
    "make": re.compile(r"\bmake\b", re.I),
    "README": re.compile(r"\breadme\b", re.I),
    "CONTRIBUTING": re.compile(r"\bcontributing\.md\b", re.I),
    "CI": re.compile(r"\bCI\b|\bcontinuous integration\b"),
    "seed": re.compile(r"\bseed(s|ed)?\b", re.I),
    "benchmarks": re.compile(r"\bbenchmarks/|\bbench\.py\b"),
}
# Code that reaches outside the installed package.
OUTSIDE_CODE = re.compile(r"\bsys\.path\b|^\s*(import|from)\s+(bench|benchmarks)\b", re.M)


def page_id(path: Path) -> str:
    return path.name


def comments(source: str) -> list[str]:
    """The comments of a code cell; IPython magics are not Python, so a line
    that starts with % or ! is skipped."""
    python = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
    try:
        tokens = tokenize.generate_tokens(io.StringIO(python).readline)
        return [token.string for token in tokens if token.type == tokenize.COMMENT]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return re.findall(r"#.*", python)


def reader_text(path: Path) -> list[tuple[str, str]]:
    """(where, text) for every piece of prose and comment a reader sees."""
    if path.suffix == ".md":
        return [(path.name, path.read_text(encoding="utf-8"))]
    pieces = []
    for index, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
        source = "".join(cell["source"])
        mystnb = cell.get("metadata", {}).get("mystnb", {})
        for part, text in [("caption", mystnb.get("figure", {}).get("caption", "")),
                           ("alt text", mystnb.get("image", {}).get("alt", ""))]:
            if text:
                pieces.append((f"{path.name} cell {index} {part}", text))
        if cell["cell_type"] == "markdown":
            pieces.append((f"{path.name} cell {index}", source))
        elif cell["cell_type"] == "code" and not HIDDEN_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            pieces += [(f"{path.name} cell {index} comment", text) for text in comments(source)]
    return pieces


def offences(pieces: list[tuple[str, str]]) -> list[str]:
    found = []
    for where, text in pieces:
        for name, pattern in FORBIDDEN.items():
            for match in pattern.finditer(text):
                context = text[max(0, match.start() - 40) : match.end() + 40].replace("\n", " ")
                found.append(f"{where}: {name!r} in ...{context}...")
    return found


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_page_speaks_about_the_subject_not_the_repository(page):
    assert offences(reader_text(page)) == []


@pytest.mark.parametrize("page", [p for p in PAGES if p.suffix == ".ipynb"], ids=page_id)
def test_chapter_code_imports_only_the_package(page):
    cells = json.loads(page.read_text(encoding="utf-8"))["cells"]
    outside = [
        f"cell {index}: {match.group(0).strip()}"
        for index, cell in enumerate(cells) if cell["cell_type"] == "code"
        for match in OUTSIDE_CODE.finditer("".join(cell["source"]))
    ]
    assert outside == []


# The checks themselves must be able to fail: each forbidden word is caught in a
# planted sentence, and ordinary words that merely contain one are not.
PLANTED = [
    "The tests check this value.",
    "Our test suite runs it.",
    "It is tested on every change.",
    "nbval compares it.",
    "# NBVAL_IGNORE_OUTPUT",
    "as the stored output shows",
    "This warning would fail the build.",
    "The figures are redrawn each time the book is built.",
    "Run make bench to see.",
    "These make one recipe.",
    "The README lists the ratios.",
    "CI runs the notebooks.",
    "The seed text jumps ahead.",
    "see benchmarks/bench.py",
]
HARMLESS = [
    "A contest of latest attestations.",
    "It makes up for the loss, and it made a difference.",
    "A seedling of the ideas; the exceeded bound.",
    "The decimal circuit, the CIFAR data and the cinema.",
    "Building the Jacobian costs O(K^2).",
]


@pytest.mark.parametrize("sentence", PLANTED)
def test_a_planted_sentence_about_the_repository_is_caught(sentence):
    assert offences([("planted", sentence)]) != []


@pytest.mark.parametrize("sentence", HARMLESS)
def test_ordinary_words_are_not_caught(sentence):
    assert offences([("harmless", sentence)]) == []


def test_comments_of_visible_code_are_read_and_hidden_cells_skipped(tmp_path):
    notebook = tmp_path / "chapter.ipynb"
    cells = [
        {"cell_type": "code", "metadata": {}, "source": ["x = 1  # the tests need this\n"]},
        {"cell_type": "code", "metadata": {"tags": ["remove-cell"]}, "source": ["%pip install x  # for the tests\n"]},
        {"cell_type": "code", "metadata": {}, "source": ["s = '# not a comment: tests'\n"]},
    ]
    notebook.write_text(json.dumps({"cells": cells}), encoding="utf-8")
    found = offences(reader_text(notebook))
    assert len(found) == 1 and "cell 0 comment" in found[0]


def test_outside_imports_are_caught():
    assert OUTSIDE_CODE.search("import sys\nsys.path.insert(0, '..')\n")
    assert OUTSIDE_CODE.search("import bench  # noqa\n")
    assert not OUTSIDE_CODE.search("from activations import benchmark_free\n")


# The API reference renders the package's docstrings, so they are prose of the
# book too.  Their own subject needs some of the words above ("test a
# gradient", the ``seed`` of a random generator), so they are held to the one
# rule those words do not cover: no mention of the document the book grew from.
SOURCE_DOCUMENT = re.compile(r"\bseed's\b|\bthe seed\b", re.I)


def public_docstrings() -> list[tuple[str, str]]:
    objects = {id(o): o for m in public_modules() for o in [m] + [getattr(m, n) for n in m.__all__]}
    return [(getattr(o, "__name__", repr(o)), inspect.getdoc(o) or "") for o in objects.values()]


def test_docstrings_never_name_the_document_the_book_grew_from():
    docstrings = public_docstrings()
    assert len(docstrings) > 30
    assert [name for name, doc in docstrings if SOURCE_DOCUMENT.search(doc)] == []
    assert SOURCE_DOCUMENT.search("Half the sum of squares, the seed's cost.")
    assert not SOURCE_DOCUMENT.search("seed : int\n    the same seed gives the same data")

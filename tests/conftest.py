"""Shared fixtures for the book tests: the table of contents and one real build.

The book is built once per test run, into a temporary directory, and both the
build checks (test_book.py) and the browser checks (test_browser.py) read it.
"""

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings
from sphinx_external_toc.parsing import parse_toc_yaml

# Property tests are judged by their assertions, never by how long an example
# takes: CI machines are shared and noisy, so Hypothesis's deadline is off.
settings.register_profile("activations", deadline=None)
settings.load_profile("activations")

ROOT = Path(__file__).resolve().parents[1]
BUILD_TIMEOUT_SECONDS = 1800


def toc_docnames() -> list[str]:
    """Every document that _toc.yml lists, root first, without extensions."""
    return list(parse_toc_yaml(ROOT / "_toc.yml"))


def book_notebooks() -> list[Path]:
    return sorted((ROOT / "book").glob("*.ipynb"))


def site_pages() -> list[str]:
    """Pages a reader can open: one per TOC entry, plus the search page."""
    return [f"{name}.html" for name in toc_docnames()] + ["search.html"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # These lists are known before anything runs, so tests can be
    # parametrised over them and each entry reports on its own.
    if "toc_docname" in metafunc.fixturenames:
        metafunc.parametrize("toc_docname", toc_docnames())
    if "notebook" in metafunc.fixturenames:
        notebooks = book_notebooks()
        metafunc.parametrize("notebook", notebooks, ids=[nb.name for nb in notebooks])
    if "site_page" in metafunc.fixturenames:
        metafunc.parametrize("site_page", site_pages())


@dataclass(frozen=True)
class BookBuild:
    returncode: int
    output: str
    html: Path


@pytest.fixture(scope="session")
def book_build(tmp_path_factory: pytest.TempPathFactory) -> BookBuild:
    """Run the real `jupyter-book build`, as `make book` does, into a temp dir."""
    out = tmp_path_factory.mktemp("book")
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = [
        str(jupyter_book), "build", str(ROOT),
        "--path-output", str(out),
        "-W", "-n", "--keep-going",
    ]
    result = subprocess.run(
        command,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=BUILD_TIMEOUT_SECONDS,
    )
    return BookBuild(result.returncode, result.stdout, out / "_build" / "html")


@pytest.fixture(scope="session")
def book_html(book_build: BookBuild) -> Path:
    """The built HTML directory; fails the test if the build produced none."""
    if not (book_build.html / "index.html").is_file():
        pytest.fail(
            "the book build produced no HTML; see test_book_builds_without_warnings",
            pytrace=False,
        )
    return book_build.html


@pytest.fixture(scope="session", name="toc_docnames")
def toc_docnames_fixture() -> list[str]:
    return toc_docnames()

"""Shared fixtures for the book tests: the table of contents and one real build.

The book is built once per test run, into a temporary directory, and the
build checks (test_book.py), the browser checks (test_browser.py) and the PDF
checks (test_pdf.py) all read it. One headless Chromium and one local web
server serve the browser and PDF checks.
"""

import importlib.util
import os
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from hypothesis import settings

# Property tests are judged by their assertions, never by how long an example
# takes: CI machines are shared and noisy, so Hypothesis's deadline is off.
# Local runs draw fresh random examples every time, to keep looking for
# counterexamples; CI (where CI is set) draws the same examples on every run,
# so that whether a commit lands does not depend on the luck of the draw.
settings.register_profile("activations", deadline=None)
settings.register_profile("ci", parent=settings.get_profile("activations"), derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "activations")

ROOT = Path(__file__).resolve().parents[1]
BUILD_TIMEOUT_SECONDS = 1800


def _load_tool(name: str):
    """tools/<name>.py as a module, importable by its name from every test.

    tools/ is not a package, so its scripts are loaded from their files: the
    PDF script's Chromium settings and local web server, and the book's
    configuration with repository buttons, are shared with the tests.
    """
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


make_pdf = _load_tool("make_pdf")
_load_tool("book_config")

# axe-core findings of every page, by impact, for the summary at the end.
AXE_FINDINGS = pytest.StashKey[dict]()


def toc_docnames() -> list[str]:
    """Every document that _toc.yml lists, root first, without extensions."""
    return make_pdf.toc_docnames(ROOT)


def book_notebooks() -> list[Path]:
    return sorted((ROOT / "book").glob("*.ipynb"))


def toc_chapters() -> list[str]:
    """The TOC's chapter notebooks, as docnames (book/sigmoid), in TOC order."""
    return [name for name in toc_docnames() if (ROOT / f"{name}.ipynb").is_file()]


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
    if "chapter" in metafunc.fixturenames:
        metafunc.parametrize("chapter", toc_chapters())


@dataclass(frozen=True)
class BookBuild:
    returncode: int
    output: str
    html: Path


@pytest.fixture(scope="session")
def book_build(tmp_path_factory: pytest.TempPathFactory) -> BookBuild:
    """Run the real `jupyter-book build`, as `make book` does, into a temp dir.

    The one difference: the chapters are rendered from their stored outputs
    instead of being executed again.  nbval re-executes every chapter in the
    same test run and fails on any output that differs from the stored one,
    so executing them a second time here would only double the run time.
    """
    out = tmp_path_factory.mktemp("book")
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    config["execute"]["execute_notebooks"] = "off"
    config_path = out / "_config.yml"
    config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = [
        str(jupyter_book), "build", str(ROOT),
        "--config", str(config_path),
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


@pytest.fixture(scope="session", name="toc_chapters")
def toc_chapters_fixture() -> list[str]:
    return toc_chapters()


@pytest.fixture(scope="session", name="reader_pages")
def reader_pages_fixture() -> list[str]:
    return site_pages()


@pytest.fixture(scope="session", name="toc_docnames")
def toc_docnames_fixture() -> list[str]:
    return toc_docnames()


@pytest.fixture(scope="session")
def pdf_tool():
    """tools/make_pdf.py, the script behind `make pdf`, as a module."""
    return make_pdf


@pytest.fixture(scope="session")
def site(book_html):
    """The built book, served from 127.0.0.1 for the whole run."""
    with make_pdf.serve(book_html) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """One headless system Chromium for the whole run (never a downloaded one)."""
    executable = make_pdf.find_chromium()
    if executable is None:
        message = "no Chromium found (Debian package `chromium`); browser tests need it"
        if os.environ.get("CI"):
            pytest.fail(f"{message}, and CI is set", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, headless=True, args=make_pdf.CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def axe_findings(request) -> dict:
    """page -> list of (rule, impact, nodes) that axe-core reported."""
    return request.config.stash.setdefault(AXE_FINDINGS, {})


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    findings = config.stash.get(AXE_FINDINGS, {})
    if not findings:
        return
    by_impact: dict[str, Counter] = {}
    for results in findings.values():
        for rule, impact, nodes in results:
            by_impact.setdefault(impact or "unknown", Counter())[rule] += nodes
    terminalreporter.section("axe-core accessibility findings")
    terminalreporter.write_line(f"pages checked: {len(findings)}")
    for impact in ("critical", "serious", "moderate", "minor", "unknown"):
        rules = by_impact.get(impact, Counter())
        detail = ", ".join(f"{rule} {count}" for rule, count in sorted(rules.items()))
        terminalreporter.write_line(
            f"{impact}: {sum(rules.values())} element(s)" + (f" ({detail})" if detail else "")
        )

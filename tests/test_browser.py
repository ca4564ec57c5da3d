"""A reader's view: every page of the built book in headless Chromium.

The book is served from 127.0.0.1 and every request to another host is
aborted, so a page that needs the internet fails here as it would offline.
Each page is loaded once; the tests below each check one thing about it.
"""

import os
import shutil
import threading
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_HOST = "127.0.0.1"
# Text that only survives in a page when MathJax did not typeset it.
RAW_TEX = ("$$", "\\frac", "\\(", "\\[", "\\begin{")
TIMEOUT_MS = 30_000
# Deferred scripts have run by the load event, so MathJax exists by now or never.
MATHJAX_START_MS = 5_000

# Text of the page outside code, where TeX may legitimately appear.
PROSE_TEXT_JS = """() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const parts = [];
  while (walker.nextNode()) {
    const parent = walker.currentNode.parentElement;
    if (!parent.closest('pre, code, script, style, textarea, mjx-container')) {
      parts.push(walker.currentNode.data);
    }
  }
  return parts.join('');
}"""
MATH_REPORT_JS = """() => {
  const math = [...document.querySelectorAll('.math')];
  return {
    math: math.length,
    untypeset: math.filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.trim()),
    containers: document.querySelectorAll('mjx-container').length,
    assistive: document.querySelectorAll('mjx-container mjx-assistive-mml').length,
    errors: [...document.querySelectorAll('mjx-merror, .MathJax_Error')]
      .map(e => e.getAttribute('data-mjx-error') || e.textContent),
  };
}"""
BROKEN_IMAGES_JS = """() => [...document.images]
  .filter(img => !img.complete || img.naturalWidth === 0)
  .map(img => img.currentSrc || img.src)"""


def find_chromium() -> str | None:
    for candidate in CHROMIUM_CANDIDATES:
        path = shutil.which(candidate)
        if path:
            return path
    return None


def is_local_request(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.scheme == "http" and parts.hostname == LOCAL_HOST


@dataclass
class Visit:
    """What happened while one page loaded."""

    foreign_requests: list[str]
    failed_requests: list[str]
    console_errors: list[str]
    prose_text: str
    math: dict
    broken_images: list[str]
    search_results: int | None


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # keep the test output readable
        pass


@pytest.fixture(scope="module")
def site(book_html):
    server = ThreadingHTTPServer((LOCAL_HOST, 0), partial(QuietHandler, directory=str(book_html)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://{LOCAL_HOST}:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="module")
def browser():
    executable = find_chromium()
    if executable is None:
        message = "no Chromium found (Debian package `chromium`); browser tests need it"
        if os.environ.get("CI"):
            pytest.fail(f"{message}, and CI is set", pytrace=False)
        pytest.skip(message)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def load(browser, url: str) -> Visit:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    foreign, failed, console = [], [], []

    def block_other_hosts(route):
        if is_local_request(route.request.url):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    def record_request(request):
        if not is_local_request(request.url):
            foreign.append(request.url)

    def record_response(response):
        if response.status >= 400:
            failed.append(f"{response.url}: HTTP {response.status}")

    def record_console(message):
        if message.type == "error":
            console.append(message.text)

    context.route("**/*", block_other_hosts)
    page.on("request", record_request)
    page.on("requestfailed", lambda request: failed.append(f"{request.url}: {request.failure}"))
    page.on("response", record_response)
    page.on("console", record_console)
    page.on("pageerror", lambda error: console.append(f"uncaught: {error}"))

    page.goto(url, wait_until="load")
    if page.evaluate("() => document.querySelector('script[src*=\"mathjax\"]') !== null"):
        try:
            page.wait_for_function("() => window.MathJax?.startup?.promise", timeout=MATHJAX_START_MS)
        except PlaywrightTimeout:
            pass  # MathJax never loaded: the math checks report the raw TeX
        else:
            page.evaluate("() => MathJax.startup.promise")
    search_results = None
    if urlsplit(url).query.startswith("q="):
        page.wait_for_function(
            "() => document.querySelector('#search-results .search-summary')?.innerText"
        )
        search_results = page.locator("#search-results ul.search li").count()
    # Late requests (fonts, lazily loaded MathJax parts) are caught here too.
    page.wait_for_load_state("networkidle")

    visit = Visit(
        foreign_requests=foreign,
        failed_requests=failed,
        console_errors=console,
        prose_text=page.evaluate(PROSE_TEXT_JS),
        math=page.evaluate(MATH_REPORT_JS),
        broken_images=page.evaluate(BROKEN_IMAGES_JS),
        search_results=search_results,
    )
    context.close()
    return visit


@pytest.fixture(scope="module")
def visit(browser, site):
    """visit(path) loads a page once per module and returns what happened."""
    visits: dict[str, Visit] = {}

    def visit_page(path: str) -> Visit:
        if path not in visits:
            visits[path] = load(browser, f"{site}/{path}")
        return visits[path]

    return visit_page


def test_page_requests_nothing_from_other_hosts(site_page, visit):
    assert visit(site_page).foreign_requests == []


def test_page_has_no_failed_requests(site_page, visit):
    assert visit(site_page).failed_requests == []


def test_page_logs_no_console_errors(site_page, visit):
    assert visit(site_page).console_errors == []


def test_page_images_all_load(site_page, visit):
    assert visit(site_page).broken_images == []


def test_page_math_is_all_typeset(site_page, visit):
    math = visit(site_page).math
    assert math["untypeset"] == []
    if math["math"]:
        assert math["containers"] >= math["math"]


def test_page_shows_no_raw_tex(site_page, visit):
    text = visit(site_page).prose_text
    assert [marker for marker in RAW_TEX if marker in text] == []


def test_page_has_no_mathjax_errors(site_page, visit):
    assert visit(site_page).math["errors"] == []


def test_equations_carry_assistive_mathml(site_page, visit):
    # Screen readers read the hidden MathML that MathJax adds to each equation.
    math = visit(site_page).math
    assert math["assistive"] == math["containers"]


SEARCH = "search.html?q=Jacobian"


def test_search_finds_a_word_from_the_text(visit):
    assert visit(SEARCH).search_results >= 1


def test_search_results_load_only_from_the_book(visit):
    # Showing results fetches the matching pages to quote from them.
    results = visit(SEARCH)
    assert (results.foreign_requests, results.failed_requests, results.console_errors) == ([], [], [])

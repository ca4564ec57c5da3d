"""A reader's view: every page of the built book in headless Chromium.

The book is served from 127.0.0.1 and every request to another host is
aborted, so a page that needs the internet fails here as it would offline.
Each page is loaded once; the tests below each check one thing about it.
axe-core checks every page for accessibility, and each chapter is
photographed in the light and in the dark theme to check its figures.
"""

import io
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from PIL import Image, ImageStat
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

LOCAL_HOST = "127.0.0.1"
# Text that only survives in a page when MathJax did not typeset it.
RAW_TEX = ("$$", "\\frac", "\\(", "\\[", "\\begin{")
TIMEOUT_MS = 30_000
AXE = Axe()  # axe-core as bundled in axe-playwright-python: nothing is downloaded
# No preloading: axe would fetch the theme's stylesheets itself and resolve
# their @import against the page instead of the stylesheet, asking for files
# that do not exist. The rules that need the CSS object model are orientation
# checks; colour contrast reads the computed styles and still runs.
AXE_OPTIONS = {"resultTypes": ["violations"], "preload": False}
BLOCKING_IMPACTS = ("serious", "critical")
OPEN_SOLUTIONS_JS = """() => document
  .querySelectorAll('.admonition.toggle-hidden button.toggle-button')
  .forEach(button => button.click())"""
TOGGLE_TRANSITION_MS = 400  # sphinx-togglebutton fades content in over 0.3 s
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
    axe_violations: list[dict]
    photos: dict  # theme -> Photo, for chapters


def load(browser, url: str, photo_stem: Path | None = None) -> Visit:
    """Load one page and record what happened; photograph it if `photo_stem`."""
    context = browser.new_context(viewport=VIEWPORT)
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
    in_flight = set()

    def request_started(request):
        record_request(request)
        in_flight.add(request)

    def request_failed(request):
        in_flight.discard(request)
        failed.append(f"{request.url}: {request.failure}")

    page.on("request", request_started)
    page.on("requestfinished", lambda request: in_flight.discard(request))
    page.on("requestfailed", request_failed)
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
    # A request that never ends is reported by name, and the page's other
    # checks still run.
    try:
        page.wait_for_load_state("networkidle")
    except PlaywrightTimeout:
        failed.extend(f"{request.url}: still loading after {TIMEOUT_MS} ms" for request in in_flight)
        if not in_flight:
            failed.append(f"the page's network never went idle within {TIMEOUT_MS} ms")
    photos = {}
    if photo_stem is not None:  # first in the default, light theme
        photos["light"] = photograph(page, photo_stem.with_name(f"{photo_stem.name}-light.jpg"))
    # axe-core runs on the finished page, typeset math included, with every
    # solution opened: it skips hidden content, and solutions are read too.
    page.evaluate(OPEN_SOLUTIONS_JS)
    page.wait_for_function("() => !document.querySelector('.toggle-hidden')")
    page.wait_for_timeout(TOGGLE_TRANSITION_MS)
    axe_violations = AXE.run(page, options=AXE_OPTIONS).response["violations"]

    visit = Visit(
        foreign_requests=foreign,
        failed_requests=failed,
        console_errors=console,
        prose_text=page.evaluate(PROSE_TEXT_JS),
        math=page.evaluate(MATH_REPORT_JS),
        broken_images=page.evaluate(BROKEN_IMAGES_JS),
        search_results=search_results,
        axe_violations=axe_violations,
        photos=photos,
    )
    if photo_stem is not None:  # then as a reader who switches to the dark theme
        switch = page.locator(".theme-switch-button:visible").first
        for _ in THEME_SWITCH_CYCLE:  # light -> auto -> dark
            if page.evaluate("() => document.documentElement.dataset.mode") == "dark":
                break
            switch.click()
        page.wait_for_function("() => document.documentElement.dataset.theme === 'dark'",
                               timeout=MATHJAX_START_MS)
        photos["dark"] = photograph(page, photo_stem.with_name(f"{photo_stem.name}-dark.jpg"))
    context.close()
    return visit


# Pages are loaded two at a time, one per core: most of a page's time goes to
# MathJax and axe-core inside its own renderer process.  Each loading thread
# has its own Playwright and Chromium, as Playwright's objects belong to the
# thread that made them.
LOADING_THREADS = 2


def load_in_threads(chromium_path: str, args: list[str], pages: list[tuple[str, str, Path | None]]) -> dict:
    """path -> Visit (or the exception that loading raised) for each (path, url, photo_stem)."""
    queue, lock, visits = iter(pages), threading.Lock(), {}

    def work() -> None:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=chromium_path, headless=True, args=args
            )
            try:
                while True:
                    with lock:
                        page = next(queue, None)
                    if page is None:
                        return
                    path, url, stem = page
                    try:
                        visits[path] = load(chromium, url, stem)
                    except Exception as error:  # reported by every test of the page
                        visits[path] = error
            finally:
                chromium.close()

    threads = [threading.Thread(target=work) for _ in range(LOADING_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return visits


@pytest.fixture(scope="module")
def visit(browser, site, axe_findings, toc_chapters, reader_pages, pdf_tool, tmp_path_factory):
    """visit(path) returns what happened when the page at path was loaded, once per module.

    Every page a reader can open is loaded up front, in parallel; any other
    path (a search) when first asked for.  Chapters are photographed in both
    themes, into pytest's temporary directory.
    """
    folder = tmp_path_factory.mktemp("screenshots")

    def stem(path: str) -> Path | None:
        docname = path.removesuffix(".html")
        return folder / docname.replace("/", "-") if docname in toc_chapters else None

    visits = load_in_threads(
        pdf_tool.find_chromium(),
        pdf_tool.CHROMIUM_ARGS,
        [(path, f"{site}/{path}", stem(path)) for path in reader_pages]
    )

    def visit_page(path: str) -> Visit:
        if path not in visits:
            try:
                visits[path] = load(browser, f"{site}/{path}", stem(path))
            except Exception as error:  # reported by every test, but loaded once
                visits[path] = error
        if isinstance(visits[path], Exception):
            pytest.fail(f"loading {path} failed: {visits[path]!r}", pytrace=False)
        axe_findings[path] = [(v["id"], v["impact"], len(v["nodes"])) for v in visits[path].axe_violations]
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


# Accessibility: axe-core's rules, as bundled with axe-playwright-python. A
# serious or critical finding fails; moderate and minor ones are counted and
# listed in the summary at the end of the run (see conftest.py).


def test_page_has_no_serious_or_critical_accessibility_violations(site_page, visit):
    blocking = [
        f"{v['id']} ({v['impact']}, {len(v['nodes'])} element(s)): {v['help']}; "
        f"first at {v['nodes'][0]['target']}"
        for v in visit(site_page).axe_violations
        if v["impact"] in BLOCKING_IMPACTS
    ]
    assert blocking == []


# Dark mode: every chapter is photographed in the light theme, then switched
# to the dark theme with the theme's own button and photographed again; each
# figure's part of the photograph must be light in both. A figure drawn as dark
# lines on a transparent background would show the dark page through it, and
# come out dark.

THEME_MODES = ("light", "dark")
VIEWPORT = {"width": 1280, "height": 900}
THEME_SWITCH_CYCLE = ("light", "auto", "dark")  # each click moves one step
# Mean luminance (0 black, 1 white) that a figure must keep. Matplotlib's
# white figures measure about 0.95; the theme dims images in dark mode to
# about 0.85; a transparent figure over the dark page measures below 0.2.
LIGHT_FIGURE = 0.7
DARK_PAGE = 0.3
PAGE_BACKGROUND_JS = """() => {
  const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\\d+/g).map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}"""


@dataclass
class Photo:
    """One chapter in one theme: its first screen, and each figure as drawn."""

    path: Path
    theme: str  # what the page says it shows: <html data-theme=...>
    page_luminance: float
    figures: list[tuple[str, float]]  # (alt text, mean luminance of its region)


def photograph(page, path: Path) -> Photo:
    """The first screen of the page, and the mean luminance of each figure.

    Each figure is shot on its own, as the page draws it: a transparent
    figure shows the page behind it. Shooting only the figures keeps a long
    chapter cheap to check in both themes.
    """
    page.wait_for_function("() => [...document.images].every(img => img.complete)")
    page.screenshot(path=path, type="jpeg", quality=90)
    figures = []
    images = page.locator("main img")
    for index in range(images.count()):
        image = images.nth(index)
        box = image.bounding_box()
        if box is None or box["width"] < 1 or box["height"] < 1:
            luminance = 0.0  # an image that takes no room on the page
        else:
            with Image.open(io.BytesIO(image.screenshot(type="png"))) as shot:
                luminance = ImageStat.Stat(shot.convert("L")).mean[0] / 255
        figures.append((image.get_attribute("alt") or "", luminance))
    return Photo(
        path,
        theme=page.evaluate("() => document.documentElement.dataset.theme"),
        page_luminance=page.evaluate(PAGE_BACKGROUND_JS),
        figures=figures,
    )


@pytest.fixture(scope="module")
def photos(visit):
    """photos(chapter) -> {theme: Photo}, taken while the chapter was visited."""
    return lambda chapter: visit(f"{chapter}.html").photos


def test_chapter_is_photographed_in_both_themes(chapter, photos):
    shots = photos(chapter)
    assert {mode: shot.theme for mode, shot in shots.items()} == {"light": "light", "dark": "dark"}
    assert shots["light"].page_luminance > 1 - DARK_PAGE
    assert shots["dark"].page_luminance < DARK_PAGE
    assert all(shot.path.stat().st_size > 0 for shot in shots.values())


def test_chapter_figures_stay_light_in_both_themes(chapter, photos):
    shots = photos(chapter)
    assert shots["dark"].figures, "the chapter shows no figure"
    dim = [
        f"{mode}: {alt[:60]!r} has mean luminance {luminance:.2f}"
        for mode, shot in shots.items()
        for alt, luminance in shot.figures
        if luminance < LIGHT_FIGURE
    ]
    assert dim == []

"""The book builds cleanly, has a page per chapter, and needs no other host."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

# <link rel=...> values that make the browser fetch the target.
FETCHING_LINK_RELS = {
    "stylesheet", "preload", "modulepreload", "prefetch", "preconnect",
    "dns-prefetch", "icon", "shortcut", "apple-touch-icon", "manifest",
}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)|@import\s+['"]([^'"]+)""")
HTTP_URL = re.compile(r"""https?://[^\s"'<>)]+""")


def is_local(url: str) -> bool:
    """True for a relative URL, a path on this site, or inline data."""
    parts = urlsplit(url.strip())
    return parts.scheme in ("", "data") and not parts.netloc


class ResourceFinder(HTMLParser):
    """Collects every URL a page makes the browser load, and inline code."""

    def __init__(self) -> None:
        super().__init__()
        self.resources: list[tuple[str, str]] = []  # (what, url)
        self.inline_code: list[tuple[str, str]] = []  # (tag, text)
        self._open_inline: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "script":
            if "src" in attributes:
                self.resources.append(("script", attributes["src"]))
            else:
                self._open_inline = tag
        elif tag == "style":
            self._open_inline = tag
        elif tag == "link":
            rels = set(attributes.get("rel", "").lower().split())
            if rels & FETCHING_LINK_RELS:
                self.resources.append((f"link rel={attributes['rel']}", attributes.get("href", "")))
        elif tag in ("img", "source", "iframe", "embed", "video", "audio", "track"):
            for name in ("src", "poster"):
                if name in attributes:
                    self.resources.append((tag, attributes[name]))
            for candidate in attributes.get("srcset", "").split(","):
                if candidate.strip():
                    self.resources.append((f"{tag} srcset", candidate.split()[0]))
        elif tag == "object" and "data" in attributes:
            self.resources.append((tag, attributes["data"]))
        if "style" in attributes:
            self.inline_code.append((f"{tag} style", attributes["style"]))

    def handle_data(self, data: str) -> None:
        if self._open_inline:
            self.inline_code.append((self._open_inline, data))

    def handle_endtag(self, tag: str) -> None:
        if tag == self._open_inline:
            self._open_inline = None


def html_pages(html: Path) -> list[Path]:
    return sorted(html.rglob("*.html"))


def test_book_builds_without_warnings(book_build):
    assert book_build.returncode == 0, (
        f"jupyter-book build -W -n --keep-going exited with {book_build.returncode}:\n"
        f"{book_build.output}"
    )


def test_toc_entry_has_a_page(toc_docname, book_html):
    assert (book_html / f"{toc_docname}.html").is_file()


def test_pages_load_nothing_from_other_hosts(book_html):
    offenders = []
    for page in html_pages(book_html):
        finder = ResourceFinder()
        finder.feed(page.read_text(encoding="utf-8"))
        name = page.relative_to(book_html)
        offenders += [f"{name}: {what} {url}" for what, url in finder.resources if not is_local(url)]
        for tag, code in finder.inline_code:
            # Inline scripts and styles may only mention hosts to load from them.
            offenders += [f"{name}: inline {tag} names {m}" for m in HTTP_URL.findall(code)]
    assert offenders == []


def test_stylesheets_load_nothing_from_other_hosts(book_html):
    offenders = []
    for stylesheet in sorted(book_html.rglob("*.css")):
        for match in CSS_URL.finditer(stylesheet.read_text(encoding="utf-8")):
            url = match.group(1) or match.group(2)
            if not is_local(url):
                offenders.append(f"{stylesheet.relative_to(book_html)}: {url}")
    assert offenders == []


def test_mathjax_is_served_from_the_book(book_html):
    pages_with_math = [p for p in html_pages(book_html) if 'class="math' in p.read_text(encoding="utf-8")]
    assert pages_with_math, "no page contains math, so nothing shows how MathJax is loaded"
    problems = []
    for page in pages_with_math:
        finder = ResourceFinder()
        finder.feed(page.read_text(encoding="utf-8"))
        name = page.relative_to(book_html)
        scripts = [url for what, url in finder.resources if what == "script" and "mathjax" in url.lower()]
        if len(scripts) != 1:
            problems.append(f"{name}: expected one MathJax script, found {scripts}")
            continue
        served = (page.parent / unquote(urlsplit(scripts[0]).path)).resolve()
        if not (served.is_relative_to((book_html / "_static").resolve()) and served.is_file()):
            problems.append(f"{name}: MathJax script {scripts[0]} is not a file under _static")
    assert problems == []


def test_mathjax_fonts_are_served_from_the_book(book_html):
    fonts = list((book_html / "_static" / "mathjax" / "output" / "chtml" / "fonts").rglob("*.woff*"))
    assert fonts, "MathJax's CHTML fonts were not copied into _static"


def test_chapter_page_offers_its_notebook_for_download(notebook, book_html):
    """The download button links the chapter's notebook, outputs included."""
    page = book_html / "book" / f"{notebook.stem}.html"
    link = f"../_sources/book/{notebook.name}"
    assert f'href="{link}"' in page.read_text(encoding="utf-8")
    downloaded = json.loads((page.parent / link).read_text(encoding="utf-8"))
    assert downloaded == json.loads(notebook.read_text(encoding="utf-8"))

"""Print the built HTML book to one PDF, in table-of-contents order.

    .venv/bin/python tools/make_pdf.py [--html _build/html] [--out _build/pdf/book.pdf]

(or `make pdf`, which builds the book first). No TeX is involved: headless
Chromium prints each page of the HTML book, after MathJax has typeset it, with
the book's print stylesheet (no sidebars; solutions shown in full, since a
PDF cannot be clicked open). pypdf then joins the pages behind a generated
contents page, numbers every page, and adds a bookmark for each chapter. A
copy goes into the HTML site as `book.pdf`, where the front page links it.

Only the system Chromium is used (`/usr/bin/chromium` or `chromium` on the
PATH); this script never downloads a browser. The site is served from
127.0.0.1 and every request to another host is refused.
"""

from __future__ import annotations

import argparse
import html
import io
import shutil
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from pypdf import PdfReader, PdfWriter
from sphinx_external_toc.parsing import parse_toc_yaml

ROOT = Path(__file__).resolve().parents[1]
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
SITE_COPY = "book.pdf"  # where the front page's link points, in the HTML site
TIMEOUT_MS = 60_000
PAPER = {"format": "A4", "margin": {"top": "16mm", "bottom": "20mm", "left": "14mm", "right": "14mm"}}
# The theme's screen font size is large for paper; at 80 % a line holds about
# 100 characters of code and the widest display equations fit.
SCALE = 0.8

# Everything the printed page needs is there once MathJax has typeset the
# page, the web fonts are loaded and every image is decoded.
WAIT_UNTIL_READY_JS = """async () => {
  if (window.MathJax?.startup?.promise) { await MathJax.startup.promise; }
  await document.fonts.ready;
  await Promise.all([...document.images].map(img => img.decode().catch(() => {})));
}"""
# A chapter's title as its page shows it, chapter number included ("2. The
# sigmoid"): the text of the <h1> that has a permalink, without the permalink. The contents page and the
# bookmarks use it as it is, so they number the chapters as the pages do.
TITLE_JS = """() => {
  // The page's own heading is the <h1> with a permalink; the header repeats
  // the title without the chapter number.
  const link = document.querySelector('h1 > a.headerlink');
  const h1 = link ? link.closest('h1') : document.querySelector('main h1, article h1, h1');
  if (!h1) return document.title;
  const copy = h1.cloneNode(true);
  copy.querySelectorAll('.headerlink').forEach(a => a.remove());
  return copy.textContent.trim();
}"""

# The theme prints a page's title from a copy in #jb-print-docs-body that
# lacks the chapter number; print the numbered title there instead, so that
# each chapter opens with the title that its contents entry and bookmark show.
PRINT_TITLE_JS = """(title) => {
  const printed = document.querySelector('#jb-print-docs-body h1');
  if (printed) printed.textContent = title;
}"""

# One page listing the chapters with their first pages; numbers are filled in
# after the chapters have been printed and counted.
CONTENTS_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title><style>
  body {{ font-family: sans-serif; color: #222; margin: 0; }}
  h1 {{ font-size: 24pt; margin: 30mm 0 4mm; }}
  p.byline {{ margin: 0 0 18mm; color: #444; }}
  h2 {{ font-size: 14pt; margin: 0 0 6mm; }}
  ol {{ list-style: none; padding: 0; margin: 0; }}
  li {{ display: flex; align-items: baseline; margin: 0 0 4mm; font-size: 12pt; }}
  li .dots {{ flex: 1; border-bottom: 1px dotted #777; margin: 0 2mm; }}
</style></head><body>
<h1>{title}</h1>
<p class="byline">{author}</p>
<h2>Contents</h2>
<ol>{entries}</ol>
</body></html>"""
CONTENTS_ENTRY = '<li><span>{title}</span><span class="dots"></span><span>{page}</span></li>'

# Page numbers are printed by Chromium itself, on blank pages that are then
# laid over the book's pages, so that they run on across chapters.
NUMBERS_HTML = """<!DOCTYPE html><html><head><style>
  @page {{ size: A4; margin: 0; }}
  html, body {{ margin: 0; background: transparent; }}
  div {{ height: 297mm; position: relative; break-after: page; overflow: hidden; }}
  div:last-child {{ break-after: auto; }}
  span {{ position: absolute; bottom: 9mm; left: 0; right: 0; text-align: center;
          font: 9pt sans-serif; color: #444; }}
</style></head><body>{pages}</body></html>"""


@dataclass(frozen=True)
class Chapter:
    docname: str
    title: str
    first_page: int  # 1-based, in the finished PDF
    pages: int


@dataclass(frozen=True)
class BookPdf:
    path: Path
    pages: int
    chapters: list[Chapter]


def find_chromium() -> str | None:
    for candidate in CHROMIUM_CANDIDATES:
        path = shutil.which(candidate)
        if path:
            return path
    return None


def toc_docnames(root: Path = ROOT) -> list[str]:
    """Every document that _toc.yml lists, root first, without extensions."""
    return list(parse_toc_yaml(root / "_toc.yml"))


def book_metadata(root: Path = ROOT) -> dict:
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    return {"title": config.get("title", "Book"), "author": config.get("author", "")}


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@contextmanager
def serve(directory: Path):
    """Serve `directory` on 127.0.0.1 for as long as the block runs."""
    server = ThreadingHTTPServer((LOCAL_HOST, 0), partial(_QuietHandler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{LOCAL_HOST}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _only_local(route) -> None:
    parts = urlsplit(route.request.url)
    if parts.scheme in ("data", "blob", "about") or parts.hostname == LOCAL_HOST:
        route.continue_()
    else:
        route.abort("blockedbyclient")


def _open(context, url: str):
    """Start loading `url` in a new page; the page finishes loading on its own."""
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    response = page.goto(url, wait_until="commit")
    if response is None or not response.ok:
        raise RuntimeError(f"{url}: {response.status if response else 'no response'}; is the book built?")
    return page


def _print_page(page) -> tuple[str, bytes]:
    page.wait_for_load_state("load")
    page.emulate_media(media="print")
    page.evaluate(WAIT_UNTIL_READY_JS)
    title = page.evaluate(TITLE_JS)
    page.evaluate(PRINT_TITLE_JS, title)
    pdf = page.pdf(print_background=True, scale=SCALE, **PAPER)
    page.close()
    return title, pdf


def _print_html(context, markup: str, **options) -> bytes:
    page = context.new_page()
    page.set_content(markup, wait_until="load")
    pdf = page.pdf(**options)
    page.close()
    return pdf


def print_book(browser, site_url: str, docnames: list[str], out: Path, metadata: dict) -> BookPdf:
    """Print every page of the site at `site_url`, in `docnames` order, into `out`."""
    context = browser.new_context()
    context.route("**/*", _only_local)
    try:
        # All pages load and typeset their math at once; then each is printed.
        pages = [_open(context, f"{site_url}/{name}.html") for name in docnames]
        printed = [_print_page(page) for page in pages]
        readers = [PdfReader(io.BytesIO(pdf)) for _, pdf in printed]

        def contents(first_pages: list[int]) -> bytes:
            entries = "".join(
                CONTENTS_ENTRY.format(title=html.escape(title), page=first)
                for (title, _), first in zip(printed, first_pages)
            )
            markup = CONTENTS_HTML.format(
                title=html.escape(metadata["title"]),
                author=html.escape(metadata["author"]),
                entries=entries,
            )
            return _print_html(context, markup, **PAPER)

        # The contents pages come first, so the chapters' numbers depend on
        # how many there are: print once to count them, then with the numbers.
        contents_pages = len(PdfReader(io.BytesIO(contents([0] * len(printed)))).pages)
        first_pages, page = [], contents_pages + 1
        for reader in readers:
            first_pages.append(page)
            page += len(reader.pages)
        contents_reader = PdfReader(io.BytesIO(contents(first_pages)))
        if len(contents_reader.pages) != contents_pages:
            raise RuntimeError(
                f"the contents took {len(contents_reader.pages)} pages with page numbers "
                f"and {contents_pages} without; the chapters' page numbers would be wrong"
            )

        writer = PdfWriter()
        for reader in [contents_reader, *readers]:
            for pdf_page in reader.pages:
                writer.add_page(pdf_page)
        total = len(writer.pages)

        numbers = PdfReader(io.BytesIO(_print_html(
            context,
            NUMBERS_HTML.format(pages="".join(f"<div><span>{n} / {total}</span></div>" for n in range(1, total + 1))),
            format="A4", margin={"top": "0", "bottom": "0", "left": "0", "right": "0"},
        )))
        if len(numbers.pages) != total:
            raise RuntimeError(f"printed {len(numbers.pages)} page numbers for {total} pages")
        for pdf_page, number in zip(writer.pages, numbers.pages):
            pdf_page.merge_page(number)

        chapters = []
        for (title, _), first, reader, docname in zip(printed, first_pages, readers, docnames):
            writer.add_outline_item(title=title, page_number=first - 1)
            chapters.append(Chapter(docname, title, first, len(reader.pages)))
        writer.add_metadata({"/Title": metadata["title"], "/Author": metadata["author"]})
        writer.page_mode = "/UseOutlines"  # open with the bookmarks shown

        out.parent.mkdir(parents=True, exist_ok=True)
        with open(out, "wb") as stream:
            writer.write(stream)
    finally:
        context.close()
    return BookPdf(out, total, chapters)


def make_pdf(html_dir: Path, out: Path, browser=None, root: Path = ROOT, site_copy: bool = True) -> BookPdf:
    """Print the book built in `html_dir` to `out`; copy it into the site too."""
    if not (html_dir / "index.html").is_file():
        raise FileNotFoundError(f"no built book in {html_dir}; run `make book` first")
    docnames, metadata = toc_docnames(root), book_metadata(root)
    with serve(html_dir) as site_url:
        if browser is not None:
            result = print_book(browser, site_url, docnames, out, metadata)
        else:
            from playwright.sync_api import sync_playwright

            executable = find_chromium()
            if executable is None:
                raise FileNotFoundError("no Chromium found; on Debian: apt-get install chromium")
            with sync_playwright() as playwright:
                chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
                try:
                    result = print_book(chromium, site_url, docnames, out, metadata)
                finally:
                    chromium.close()
    if site_copy:
        shutil.copyfile(out, html_dir / SITE_COPY)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html", help="the built HTML book")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "pdf" / "book.pdf", help="the PDF to write")
    args = parser.parse_args(argv)
    result = make_pdf(args.html.resolve(), args.out.resolve())
    for chapter in result.chapters:
        print(f"  p. {chapter.first_page:3d}  {chapter.title} ({chapter.pages} pages)")
    print(f"Wrote {result.path} ({result.pages} pages) and {args.html / SITE_COPY}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

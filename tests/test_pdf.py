"""The PDF edition that `make pdf` writes, checked with pypdf.

The PDF is printed once, by tools/make_pdf.py, from the same book build and
the same headless Chromium as the browser tests, and read back here.
"""

import html
import re
from dataclasses import dataclass

import pytest
from pypdf import PdfReader

# What a page shows only when MathJax did not typeset it.
RAW_TEX = ("\\frac", "$$")
# The page's own heading, the <h1> with a permalink (the header repeats the
# title without one).
H1 = re.compile(r"<h1>((?:(?!</h1>).)*?)<a class=\"headerlink\"", re.S)
TAG = re.compile(r"<[^>]+>")


@dataclass
class ReadPdf:
    result: object  # make_pdf.BookPdf: the chapters' titles and first pages
    reader: PdfReader
    page_texts: list[str]

    def text(self, first: int, count: int) -> str:
        return "\n".join(self.page_texts[first - 1 : first - 1 + count])


@pytest.fixture(scope="module")
def book_pdf(pdf_tool, book_html, browser, tmp_path_factory) -> ReadPdf:
    out = tmp_path_factory.mktemp("pdf") / "book.pdf"
    result = pdf_tool.make_pdf(book_html, out, browser=browser)
    reader = PdfReader(out)
    return ReadPdf(result, reader, [page.extract_text() for page in reader.pages])


def page_title(book_html, docname: str) -> str:
    """The page's <h1>, read from the HTML, independently of the PDF script."""
    match = H1.search((book_html / f"{docname}.html").read_text(encoding="utf-8"))
    assert match, f"{docname}.html has no <h1>"
    return " ".join(html.unescape(TAG.sub("", match.group(1))).split())


def words(text: str) -> str:
    # A long title may wrap onto two lines in the PDF.
    return " ".join(text.split())


def fonts_on(page) -> set[str]:
    """Names of the fonts a page uses, including those of embedded forms."""
    names = set()

    def walk(resources):
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            name = font.get("/BaseFont") or (descriptor.get_object().get("/FontName") if descriptor else "")
            names.add(str(name).split("+")[-1])
        for xobject in (resources.get("/XObject") or {}).values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Form" and "/Resources" in xobject:
                walk(xobject["/Resources"])

    walk(page.get("/Resources") or {})
    return names


def images_on(page) -> int:
    xobjects = (page.get("/Resources") or {}).get("/XObject") or {}
    return sum(1 for x in xobjects.values() if x.get_object().get("/Subtype") == "/Image")


def test_pdf_follows_the_table_of_contents(book_pdf, toc_docnames):
    assert [chapter.docname for chapter in book_pdf.result.chapters] == toc_docnames


def test_pdf_has_at_least_one_page_per_chapter(book_pdf, toc_docnames):
    assert len(book_pdf.reader.pages) >= len(toc_docnames)
    assert all(chapter.pages >= 1 for chapter in book_pdf.result.chapters)


def test_pdf_bookmarks_each_chapter_at_its_first_page(book_pdf, book_html, toc_docnames):
    reader = book_pdf.reader
    bookmarks = [(words(item.title), reader.get_destination_page_number(item) + 1) for item in reader.outline]
    expected = [(page_title(book_html, name), chapter.first_page)
                for name, chapter in zip(toc_docnames, book_pdf.result.chapters)]
    assert bookmarks == expected


def test_pdf_opens_with_a_contents_page_that_gives_page_numbers(book_pdf):
    contents = words(book_pdf.page_texts[0])
    assert "Contents" in contents
    for chapter in book_pdf.result.chapters:
        assert re.search(rf"{re.escape(words(chapter.title))}\s*{chapter.first_page}\b", contents), chapter.title


def test_pdf_titles_carry_the_chapter_numbers(book_pdf):
    # The front page is unnumbered; every later page is numbered in TOC order,
    # and the contents page and the bookmarks show the number as the page does.
    titles = [chapter.title for chapter in book_pdf.result.chapters]
    assert not re.match(r"\d+\. ", titles[0])
    assert all(title.startswith(f"{n}. ") for n, title in enumerate(titles[1:], start=1)), titles


def test_pdf_text_contains_every_chapter_title(book_pdf, book_html, toc_docname):
    chapter = next(c for c in book_pdf.result.chapters if c.docname == toc_docname)
    title = page_title(book_html, toc_docname)
    assert title in words(book_pdf.text(chapter.first_page, chapter.pages))


def test_pdf_text_mentions_the_jacobian(book_pdf):
    assert "Jacobian" in "\n".join(book_pdf.page_texts)


def test_pdf_text_has_no_raw_tex(book_pdf):
    text = "\n".join(book_pdf.page_texts)
    assert [marker for marker in RAW_TEX if marker in text] == []


def test_pdf_math_is_typeset_by_mathjax(book_pdf, book_html):
    # Every page with math must have become MathJax glyphs in the PDF.
    for chapter in book_pdf.result.chapters:
        if 'class="math' not in (book_html / f"{chapter.docname}.html").read_text(encoding="utf-8"):
            continue
        pages = book_pdf.reader.pages[chapter.first_page - 1 : chapter.first_page - 1 + chapter.pages]
        fonts = set().union(*(fonts_on(page) for page in pages))
        assert any(font.startswith("MathJax_") for font in fonts), chapter.docname


def test_pdf_contains_every_figure(book_pdf, book_html, chapter):
    record = next(c for c in book_pdf.result.chapters if c.docname == chapter)
    figures = (book_html / f"{chapter}.html").read_text(encoding="utf-8").count("<img ")
    pages = book_pdf.reader.pages[record.first_page - 1 : record.first_page - 1 + record.pages]
    assert sum(images_on(page) for page in pages) >= figures


def test_front_page_links_the_pdf(book_pdf, book_html, toc_docnames):
    front = book_html / f"{toc_docnames[0]}.html"
    links = re.findall(r'href="([^"]*\.pdf)"', front.read_text(encoding="utf-8"))
    assert links, "the front page does not link the PDF"
    assert all((front.parent / link).resolve().is_file() for link in links)

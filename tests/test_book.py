"""The book builds cleanly, has a page per chapter, and needs no other host."""

import ast
import base64
import html
import importlib
import inspect
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from PIL import Image

import make_pdf  # tools/make_pdf.py, loaded by conftest.py
from functions import public_modules

ROOT = Path(__file__).resolve().parents[1]

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


# Figures: alternative text, and an opaque background that stays legible in
# the dark theme (see also test_browser.py, which photographs both themes).

GENERIC_ALT = re.compile(r"^(image|figure|plot|graph|png|output|chart)?\s*\d*$|\.(png|jpe?g|svg|gif)$", re.I)


class ImageFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))


def test_every_image_has_meaningful_alt_text(book_html, toc_docnames):
    # Every page of the book proper; Sphinx's generated index pages use only
    # decorative icons.
    offenders = []
    for page in (book_html / f"{name}.html" for name in toc_docnames):
        finder = ImageFinder()
        finder.feed(page.read_text(encoding="utf-8"))
        for image in finder.images:
            alt = (image.get("alt") or "").strip()
            if len(alt.split()) < 4 or GENERIC_ALT.search(alt):
                offenders.append(f"{page.relative_to(book_html)}: {image.get('src')} alt={alt!r}")
    assert offenders == []


def stored_pngs(notebook: Path):
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    for index, cell in enumerate(cells):
        for output in cell.get("outputs", []):
            data = output.get("data", {}).get("image/png")
            if data:
                yield index, Image.open(io.BytesIO(base64.b64decode("".join(data))))


def test_chapter_figures_are_opaque(chapter):
    # A transparent figure shows the page through it: dark lines on a dark page.
    see_through = []
    for index, image in stored_pngs(ROOT / f"{chapter}.ipynb"):
        if "A" in image.getbands() and image.getchannel("A").getextrema()[0] < 255:
            see_through.append(f"cell {index}: alpha down to {image.getchannel('A').getextrema()[0]}")
    assert see_through == []


def test_chapter_figures_have_alt_text_in_cell_metadata(chapter):
    cells = json.loads((ROOT / f"{chapter}.ipynb").read_text(encoding="utf-8"))["cells"]
    missing = [
        index for index, cell in enumerate(cells)
        if any("image/png" in output.get("data", {}) for output in cell.get("outputs", []))
        and not cell.get("metadata", {}).get("mystnb", {}).get("image", {}).get("alt", "").strip()
    ]
    assert missing == []


# Exercises: 3 to 5 at the end of each chapter, numbered, each with a solution
# that is collapsed by default and whose code cells are part of the page.

EXERCISE = re.compile(r'<div class="exercise admonition" id="([^"]+)"[^>]*>\s*<p class="admonition-title">\s*<span class="caption-number">Exercise (\d+)\.(\d+) </span>')
SOLUTION = re.compile(
    r'<div class="([^"]*\bsolution\b[^"]*)" id="[^"]+">\s*'
    r'<p class="admonition-title">[^<]*<a class="reference internal" href="#([^"]+)"'
)


def test_chapter_ends_with_numbered_exercises_and_collapsed_solutions(chapter, book_html):
    page = (book_html / f"{chapter}.html").read_text(encoding="utf-8")
    assert 'id="exercises"' in page, f"{chapter} has no Exercises section"
    exercises = EXERCISE.findall(page)
    solutions = SOLUTION.findall(page)
    prefix = chapter.rsplit("/", 1)[-1]
    assert 3 <= len(exercises) <= 5
    assert all(label.startswith(f"{prefix}-ex-") for label, _, _ in exercises)
    # Numbered within the chapter: Exercise 2.1, 2.2, ... in chapter 2.
    assert {int(number) for _, number, _ in exercises} == {chapter_number(chapter)}
    assert [int(k) for _, _, k in exercises] == list(range(1, len(exercises) + 1))
    # One solution per exercise, in order, each a dropdown: collapsed by default.
    assert [target for _, target in solutions] == [label for label, _, _ in exercises]
    assert all("dropdown" in classes.split() for classes, _ in solutions)
    # The exercises come last: nothing but them follows the Exercises heading.
    assert page.index('id="exercises"') < page.index(f'id="{exercises[0][0]}"')


# Chapters, in the order a learner needs them, and numbered: every chapter's
# heading, equations and exercises carry the chapter's number.

READING_ORDER = ["book/backprop", "book/sigmoid", "book/tanh", "book/softmax",
                 "book/cost", "book/modern", "book/accuracy"]
EQUATION_NUMBER = re.compile(r'<span class="eqno">\(([\d.]+)\)')
EQUATION_REFERENCE = re.compile(r'<a class="reference internal" href="[^"]*#equation-[^"]+">\(?([^<)]*)\)?</a>')
H1_NUMBER = re.compile(r'<h1><span class="section-number">(\d+)\. </span>')


def chapter_number(docname: str) -> int:
    """The number _toc.yml gives a page: its place after the front page."""
    return make_pdf.toc_docnames(ROOT).index(docname)


def test_chapters_come_in_reading_order(toc_docnames):
    # Other chapters may sit between these; these keep their order.
    assert [name for name in toc_docnames if name in READING_ORDER] == READING_ORDER


def test_chapter_heading_carries_its_number(chapter, book_html):
    page = (book_html / f"{chapter}.html").read_text(encoding="utf-8")
    match = H1_NUMBER.search(page)
    assert match and int(match.group(1)) == chapter_number(chapter)


def test_equations_are_numbered_per_chapter(chapter, book_html):
    page = (book_html / f"{chapter}.html").read_text(encoding="utf-8")
    numbers = EQUATION_NUMBER.findall(page)
    n = chapter_number(chapter)
    assert numbers == [f"{n}.{k}" for k in range(1, len(numbers) + 1)]


def test_equation_references_show_their_chapter_number(book_html, toc_docnames):
    # Every {eq} reference resolves to a number (the build's -n would also
    # catch a missing label); one into a chapter reads (n.k).
    bad = []
    for name in toc_docnames:
        page = (book_html / f"{name}.html").read_text(encoding="utf-8")
        for text in EQUATION_REFERENCE.findall(page):
            if not re.fullmatch(r"\d+(\.\d+)?", text):
                bad.append(f"{name}: {text!r}")
    assert bad == []
    sigmoid = (book_html / "book/sigmoid.html").read_text(encoding="utf-8")
    assert f'href="#equation-sigmoid-logit">({chapter_number("book/sigmoid")}.1)</a>' in sigmoid


def test_every_solution_runs_code(chapter):
    # Gated solutions: code cells between solution-start and solution-end.
    cells = json.loads((ROOT / f"{chapter}.ipynb").read_text(encoding="utf-8"))["cells"]
    inside, code_cells, solutions = False, 0, []
    for cell in cells:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and "{solution-end}" in source:
            solutions.append(code_cells)
            inside = False
        if cell["cell_type"] == "markdown" and "{solution-start}" in source:
            inside, code_cells = True, 0
        elif inside and cell["cell_type"] == "code":
            code_cells += 1
    assert solutions, f"{chapter} has no solutions"
    assert all(count >= 1 for count in solutions)


# Each chapter shows the package's kernel for every formula it derives, pulled
# from the source by literalinclude when the book is built.

CHAPTER_KERNELS = [
    ("sigmoid", "logistic", ["_sigmoid", "_logit", "_logistic_density", "_sigmoid_derivative"]),
    ("tanh", "hyperbolic", ["_tanh", "_tanh_grad", "_tanh_derivative"]),
    ("softmax", "categorical",
     ["_softmax", "_softmax_jacobian", "_log_softmax", "_softmax_backward", "_log_softmax_backward"]),
    ("modern", "rectifiers",
     ["_relu", "_step", "_leaky_relu", "_leaky_step", "_elu", "_elu_grad", "_elu_derivative"]),
    ("modern", "smooth",
     ["_softplus", "_softplus_derivative", "_gelu", "_normal_tail", "_gelu_grad", "_silu",
      "_times_exp_left", "_silu_grad"]),
]
KERNEL_LISTINGS = [
    (chapter, module, name) for chapter, module, names in CHAPTER_KERNELS for name in names
]
PRE_BLOCK = re.compile(r"<pre[^>]*>(.*?)</pre>", re.S)
TAG = re.compile(r"<[^>]+>")


def code_listings(page: Path) -> list[str]:
    """The text of every code block of a built page, without its highlighting."""
    return [
        html.unescape(TAG.sub("", block)) for block in PRE_BLOCK.findall(page.read_text(encoding="utf-8"))
    ]


@pytest.mark.parametrize(("chapter_name", "module", "name"), KERNEL_LISTINGS)
def test_chapter_shows_the_kernel_it_derives(chapter_name, module, name, book_html):
    kernel = getattr(importlib.import_module(f"activations.{module}"), name)
    lines = inspect.getsource(kernel).rstrip().splitlines()
    first = f"def {name}("
    last = lines[-1].strip()
    listings = [
        text for text in code_listings(book_html / "book" / f"{chapter_name}.html")
        if first in text
    ]
    assert listings, f"book/{chapter_name} shows no listing of activations.{module}.{name}"
    assert any(text.rstrip().splitlines()[-1].strip() == last for text in listings), (
        f"book/{chapter_name}'s listing of {name} does not end with {last!r}"
    )


def test_depth_chapter_shows_the_initialisations_table(book_html):
    source = (ROOT / "src" / "activations" / "backprop.py").read_text(encoding="utf-8")
    table = source[source.index("INITIALISATIONS = {"):]
    table = table[: table.index("\n}") + 2].splitlines()
    assert len(table) >= 5
    listings = code_listings(book_html / "book" / "depth.html")
    assert any([line.strip() for line in text.strip().splitlines()] == [line.strip() for line in table]
               for text in listings), "book/depth shows no complete listing of INITIALISATIONS"


# Every object of the package that a chapter's code uses is linked from the
# chapter's prose to the API reference, where the reader can look it up: a
# {py:func}, {py:class} or other Python role whose target ends in its name.
# The build's -n turns a link to a name that does not exist into an error.

PY_ROLE = re.compile(r"\{py:\w+\}`([^`]+)`")


def package_names() -> set[str]:
    """The public names of the package and of its public modules."""
    return {name for module in public_modules() for name in module.__all__}


def code_tree(source: str) -> ast.Module:
    """A code cell as Python; an IPython magic (%pip, !ls) becomes `pass`."""
    lines = [
        line[: len(line) - len(line.lstrip())] + "pass" if line.lstrip().startswith(("%", "!")) else line
        for line in source.splitlines()
    ]
    return ast.parse("\n".join(lines))


def package_objects_used(cells: list[dict]) -> set[str]:
    """Names the code cells import from the package or one of its modules,
    or reach as an attribute of either (activations.sigmoid, backprop.mlp)."""
    public = package_names()
    trees = [code_tree("".join(cell["source"])) for cell in cells if cell["cell_type"] == "code"]
    nodes = [node for tree in trees for node in ast.walk(tree)]
    modules = set()  # the names this chapter binds to the package or its modules
    used = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            modules |= {
                alias.asname or alias.name.split(".")[0] for alias in node.names
                if alias.name.split(".")[0] == "activations"
            }
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "activations":
            for alias in node.names:
                if alias.name in public:
                    used.add(alias.name)
                elif inspect.ismodule(getattr(importlib.import_module(node.module), alias.name, None)):
                    modules.add(alias.asname or alias.name)
    for node in nodes:
        if isinstance(node, ast.Attribute) and node.attr in public:
            base = node.value
            while isinstance(base, ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name) and base.id in modules:
                used.add(node.attr)
    return used


def linked_names(cells: list[dict]) -> set[str]:
    """The last dotted component of every Python role's target in the prose:
    sigmoid for `~activations.logistic.sigmoid` and for
    `sigmoid(z) <activations.logistic.sigmoid>`."""
    names = set()
    for cell in cells:
        if cell["cell_type"] == "markdown":
            for content in PY_ROLE.findall("".join(cell["source"])):
                target = content.rsplit("<", 1)[-1].rstrip(">") if content.endswith(">") else content
                names.add(target.strip().lstrip("~.").rsplit(".", 1)[-1])
    return names


def test_every_chapter_links_each_function_it_uses(chapter):
    cells = json.loads((ROOT / f"{chapter}.ipynb").read_text(encoding="utf-8"))["cells"]
    used = package_objects_used(cells)
    assert used, f"{chapter} uses nothing from the package, so this checks nothing"
    assert sorted(used - linked_names(cells)) == []


def test_used_and_linked_names_are_read_in_every_form():
    code = [
        "%pip install x\nimport activations\nfrom activations import tanh, backprop\n",
        "from activations.backprop import mlp\n",
        "activations.sigmoid(z); f = activations.softplus; backprop.one_hot(1, 2)\n",
        "activations.backprop.train; print('activations.relu(z)'); np.exp(z)\n",
    ]
    prose = [
        "{py:func}`~activations.hyperbolic.tanh`, {py:class}`Dense <activations.backprop.Dense>`,\n",
        "{py:func}`mlp([2, 2], rng) <activations.backprop.mlp>` and `sigmoid`\n",
    ]
    cells = [{"cell_type": "code", "source": [text]} for text in code]
    cells += [{"cell_type": "markdown", "source": [text]} for text in prose]
    assert package_objects_used(cells) == {"tanh", "mlp", "sigmoid", "softplus", "one_hot", "train"}
    assert linked_names(cells) == {"tanh", "Dense", "mlp"}

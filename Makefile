# Build the book and run the tests inside a project-local virtual environment.
#
#   make book       build the HTML book into _build/html (fails on any warning);
#                   REPOSITORY_URL=https://github.com/OWNER/REPO adds the repository,
#                   issue, edit-page, Binder and Colab buttons
#   make serve      serve the built book on http://127.0.0.1:8000 (PORT=...)
#   make lab        open JupyterLab on book/ in the project's environment
#   make dist       build the package's wheel and sdist into dist/, offline
#   make test       run the whole test suite
#   make check      the fast loop: the package's tests and doctests, without the book
#   make pdf        print the built book to _build/pdf/book.pdf (headless Chromium, no TeX)
#   make notebooks  re-execute every chapter notebook in place (NOTEBOOKS=book/x.ipynb: just those)
#   make bench      time the package against SciPy, NumPy and PyTorch (not a test)
#   make lock       regenerate constraints.txt from requirements.txt
#   make clean      remove the build output and the virtual environment

PYTHON3 ?= python3
VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed

.PHONY: book pdf serve lab dist test check notebooks bench lock clean

# The repository's web address, the book's one setting for its links to the
# repository and its launch buttons. Empty: the book has none of them. The
# deploy workflow sets it from the GitHub context; nothing here guesses it.
REPOSITORY_URL ?=
BOOK_CONFIG    := _build/_config.yml

# Reinstall only when the dependency declarations change.
$(STAMP): pyproject.toml requirements.txt constraints.txt
	$(PYTHON3) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@# The package used to be installed under the distribution name
	@# `activations`; that stale entry would shadow nothing, but is removed.
	$(PY) -m pip uninstall --quiet --yes activations 2>/dev/null || true
	$(PY) -m pip install --quiet -c constraints.txt -r requirements.txt -e .
	@# Build Matplotlib's font cache now; doing it inside a notebook would
	@# print a message to stderr and break the stored outputs.
	MPLBACKEND=Agg $(PY) -c "import matplotlib.pyplot"
	touch $@

# With REPOSITORY_URL, the book is built from a copy of _config.yml with the
# buttons turned on (tools/book_config.py writes it into _build/).
book: $(STAMP)
ifeq ($(strip $(REPOSITORY_URL)),)
	$(VENV)/bin/jupyter-book build . -W -n --keep-going
else
	$(PY) tools/book_config.py _config.yml $(BOOK_CONFIG) --repository-url "$(REPOSITORY_URL)"
	$(VENV)/bin/jupyter-book build . --config $(BOOK_CONFIG) -W -n --keep-going
endif
	@echo "The book is at $(CURDIR)/_build/html/index.html"

# Chromium prints each page of the HTML book, in _toc.yml order; pypdf joins
# them behind a contents page, with page numbers and a bookmark per chapter.
# A copy goes to _build/html/book.pdf, which the front page links.
pdf: book
	$(PY) tools/make_pdf.py

# Search and the PDF's fonts need a web server: some browsers restrict pages
# opened as files. Only this machine can connect.
PORT ?= 8000
serve:
	@[ -f _build/html/index.html ] || { echo "No book in _build/html: run 'make book' first"; exit 1; }
	@echo "Serving the book at http://127.0.0.1:$(PORT)/ (Ctrl-C stops)"
	$(PY) -m http.server $(PORT) --bind 127.0.0.1 --directory _build/html

lab: $(STAMP)
	$(VENV)/bin/jupyter lab book/

# Wheel and sdist, built offline with the pinned build tools of the project's
# environment instead of an isolated one downloaded for the occasion.
dist: $(STAMP)
	rm -rf dist
	$(PY) -m build --no-isolation --outdir dist .

# Serial on purpose: under pytest-xdist each worker builds the book itself,
# which on two cores made the run no faster.
test: $(STAMP)
	$(PY) -m pytest

# The package alone, for the edit-and-test loop: every tests/test_<module>.py
# that does not build or browse the book, with the docstring examples.
PACKAGE_TESTS := $(filter-out tests/test_book.py tests/test_browser.py tests/test_pdf.py tests/test_publishing.py \
                   tests/test_notebooks_executed.py,$(wildcard tests/test_*.py))
check: $(STAMP)
	$(PY) -m pytest -q $(PACKAGE_TESTS)

# Re-executes the chapters and drops the book's execution cache, which is
# keyed on code cells only and so would keep serving outputs computed with an
# older package. Timing metadata is not recorded, so that re-running a chapter
# changes only what its code prints. Having no notebooks is not an error.
NOTEBOOKS ?= book/*.ipynb
notebooks: $(STAMP)
	rm -rf _build/.jupyter_cache
	@for nb in $(NOTEBOOKS); do \
	  [ -e "$$nb" ] || { echo "No notebooks in book/"; break; }; \
	  $(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.timeout=600 \
	    --ExecutePreprocessor.record_timing=False "$$nb" || exit 1; \
	done

# Not a test, and never part of `make test`: prints our times against the
# alternatives and writes benchmarks/results/<date>-<commit>.json. PyTorch's
# columns appear only if the interpreter can import torch, which is never a
# dependency: point BENCH_PYTHON at a venv that has it. BENCH_ARGS=--quick
# gives a smaller, faster run.
BENCH_PYTHON ?= $(PY)
BENCH_ARGS   ?=
bench: $(STAMP)
	$(BENCH_PYTHON) benchmarks/bench.py $(BENCH_ARGS)

# Resolve requirements.txt afresh in a throw-away venv and pin the result.
lock:
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(PYTHON3) -m venv "$$tmp/venv"; \
	"$$tmp/venv/bin/python" -m pip install --quiet --upgrade pip; \
	"$$tmp/venv/bin/python" -m pip install --quiet -r requirements.txt; \
	{ echo "# Exact versions of everything requirements.txt resolves to, from pip freeze"; \
	  echo "# in a fresh venv. Regenerate with 'make lock'; do not edit by hand."; \
	  "$$tmp/venv/bin/python" -m pip freeze --all --exclude pip; } > "$$tmp/constraints.txt"; \
	mv "$$tmp/constraints.txt" constraints.txt
	@echo "Wrote constraints.txt"

clean:
	rm -rf _build dist build $(VENV) .pytest_cache .hypothesis

"""Every chapter notebook is stored fully executed, so nbval compares every cell.

nbval silently skips the comparison for a code cell whose execution_count is
null, so a stripped or half-run notebook would turn strict testing into a
run-only test. `make notebooks` produces notebooks that pass these checks.
"""

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOC_SUFFIXES = (".md", ".ipynb")


def code_cells(notebook: Path) -> list[dict]:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return [cell for cell in cells if cell["cell_type"] == "code"]


def describe(index: int, cell: dict) -> str:
    first_line = "".join(cell["source"]).strip().splitlines()[:1]
    return f"code cell {index} ({first_line[0] if first_line else 'empty'!r})"


def test_toc_entry_exists(toc_docname):
    candidates = [ROOT / f"{toc_docname}{suffix}" for suffix in TOC_SUFFIXES]
    assert any(path.is_file() for path in candidates), (
        f"_toc.yml lists {toc_docname!r}, but none of {[str(c.relative_to(ROOT)) for c in candidates]} exists"
    )


def test_notebook_is_listed_in_toc(notebook, toc_docnames):
    # only_build_toc_files would otherwise drop it from the book without a word.
    assert notebook.relative_to(ROOT).with_suffix("").as_posix() in toc_docnames


def test_every_code_cell_was_executed(notebook):
    unexecuted = [
        describe(i, cell) for i, cell in enumerate(code_cells(notebook))
        if cell.get("execution_count") is None
    ]
    assert unexecuted == [], (
        "run `make notebooks`; an empty code cell is never executed, so delete it"
    )


def test_execution_counts_run_from_one_in_order(notebook):
    counts = [cell.get("execution_count") for cell in code_cells(notebook)]
    assert counts == list(range(1, len(counts) + 1)), (
        "cells were run out of order or more than once; run `make notebooks`"
    )


def test_no_stored_error_outside_raises_exception_cells(notebook):
    unexpected = [
        describe(i, cell) for i, cell in enumerate(code_cells(notebook))
        if "raises-exception" not in cell.get("metadata", {}).get("tags", [])
        and any(output["output_type"] == "error" for output in cell.get("outputs", []))
    ]
    assert unexpected == []


def test_no_stored_stderr_output(notebook):
    noisy = [
        f"{describe(i, cell)}: {''.join(output['text']).strip()[:200]!r}"
        for i, cell in enumerate(code_cells(notebook))
        for output in cell.get("outputs", [])
        if output["output_type"] == "stream" and output.get("name") == "stderr"
    ]
    assert noisy == []


# Every chapter opens with a hidden cell that installs the package where it is
# missing (Colab, a fresh kernel), and prints nothing where it is installed.
INSTALL_CELL = """\
# In Colab, or any other fresh environment, install the package this book uses.
try:
    import activations
except ImportError:
    %pip install --quiet "activation-derivatives[book]"
"""


def test_first_code_cell_installs_the_package_where_missing(notebook):
    first = code_cells(notebook)[0]
    assert "".join(first["source"]).strip() == INSTALL_CELL.strip()
    assert "remove-cell" in first.get("metadata", {}).get("tags", [])
    assert first.get("outputs") == []

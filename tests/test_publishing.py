"""What publishing the project relies on, checked offline.

- The GitHub workflows and Dependabot's configuration are valid against the
  schemas that check-jsonschema ships, and run what the README gives.
- REPOSITORY_URL turns on the book's repository and launch buttons with the
  right targets, and without it there are none: a one-page book is built both
  ways from the real _config.yml and tools/book_config.py.
- The wheel, installed into a fresh virtual environment where neither the
  checkout nor the editable install is importable, passes the package's own
  doctests and a smoke test.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from concurrent.futures import ThreadPoolExecutor
from email.parser import HeaderParser
from pathlib import Path

import nbformat
import pytest
import yaml
from bs4 import BeautifulSoup

import activations
import book_config  # tools/book_config.py, loaded by conftest.py

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
BIN = Path(sys.executable).parent
TEST_REPOSITORY = "https://github.com/owner/repo"

# The current major of each action, every one on the Node 24 runtime.
ACTION_MAJORS = {
    "actions/checkout": "v7",
    "actions/setup-python": "v7",
    "actions/cache": "v6",
    "actions/upload-artifact": "v7",
    "actions/configure-pages": "v6",
    "actions/upload-pages-artifact": "v5",
    "actions/deploy-pages": "v5",
}


def _run(command, **kwargs) -> subprocess.CompletedProcess:
    kwargs.setdefault("timeout", 300)
    return subprocess.run(
        [str(c) for c in command],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        **kwargs,
    )


def _workflow(name: str) -> dict:
    return yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text(encoding="utf-8"))


def _triggers(workflow: dict) -> dict:
    # YAML 1.1 reads the key `on` as True.
    triggers = workflow.get("on", workflow.get(True))
    return {name: None for name in triggers} if isinstance(triggers, list) else triggers


def _steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def _runs(workflow: dict) -> str:
    return "\n".join(step.get("run", "") for step in _steps(workflow))


def _uses(workflow: dict, action: str) -> list[dict]:
    return [s for s in _steps(workflow) if s.get("uses", "").split("@")[0] == action]


# --- The workflows ---------------------------------------------------------


def test_the_tests_and_deploy_workflows_exist():
    assert {path.name for path in WORKFLOWS} >= {"tests.yml", "deploy.yml"}


def test_every_workflow_is_valid_against_the_github_workflow_schema():
    # One run for all of them: the tool takes two seconds to start.
    result = _run([BIN / "check-jsonschema", "--builtin-schema", "vendor.github-workflows", *WORKFLOWS])
    assert result.returncode == 0, result.stdout


def test_dependabot_config_is_valid_and_covers_pip_and_actions():
    path = ROOT / ".github" / "dependabot.yml"
    result = _run([BIN / "check-jsonschema", "--builtin-schema", "vendor.dependabot", path])
    assert result.returncode == 0, result.stdout
    ecosystems = {u["package-ecosystem"] for u in yaml.safe_load(path.read_text())["updates"]}
    assert ecosystems >= {"pip", "github-actions"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_every_action_is_pinned_to_its_node24_major(path):
    for step in _steps(yaml.safe_load(path.read_text(encoding="utf-8"))):
        if "uses" not in step:
            continue
        action, _, version = step["uses"].partition("@")
        assert action in ACTION_MAJORS, f"{action}: which major runs on Node 24?"
        assert version == ACTION_MAJORS[action], step["uses"]


def test_the_tests_workflow_runs_make_test_on_every_push_and_pull_request():
    workflow = _workflow("tests.yml")
    assert set(_triggers(workflow)) >= {"push", "pull_request"}
    assert _triggers(workflow)["push"] is None  # every branch
    runs = _runs(workflow)
    assert "make test" in runs.splitlines()
    assert "apt-get install" in runs and "chromium" in runs
    assert _uses(workflow, "actions/setup-python")
    keys = " ".join(s["with"]["key"] for s in _uses(workflow, "actions/cache"))
    assert "constraints.txt" in keys and "book/*.ipynb" in keys
    uploaded = " ".join(s["with"]["path"] for s in _uses(workflow, "actions/upload-artifact"))
    junit = workflow["jobs"]["test"]["env"]["PYTEST_ADDOPTS"].removeprefix("--junitxml=")
    assert "_build/pdf/book.pdf" in uploaded and junit in uploaded


def test_the_deploy_workflow_publishes_what_make_book_and_make_pdf_build():
    workflow = _workflow("deploy.yml")
    assert _triggers(workflow)["push"]["branches"] == ["main"]
    runs = [line.split()[:2] for line in _runs(workflow).splitlines() if line.strip()]
    assert ["make", "book"] in runs and ["make", "pdf"] in runs
    env = workflow["jobs"]["build"]["env"]
    assert env["REPOSITORY_URL"] == "${{ github.server_url }}/${{ github.repository }}"
    assert all("REPOSITORY_URL" in line for line in _runs(workflow).splitlines() if "make" in line)
    # `make book` writes _build/html; `make pdf` puts book.pdf inside it.
    assert "_build/html" in (ROOT / "Makefile").read_text()
    assert [s["with"]["path"] for s in _uses(workflow, "actions/upload-pages-artifact")] == ["_build/html"]
    assert _uses(workflow, "actions/configure-pages") and _uses(workflow, "actions/deploy-pages")
    assert workflow["permissions"]["pages"] == "write"
    assert workflow["permissions"]["id-token"] == "write"
    assert workflow["jobs"]["deploy"]["environment"]["name"] == "github-pages"


def test_binder_installs_the_pinned_environment_and_the_package():
    post_build = ROOT / "binder" / "postBuild"
    assert os.access(post_build, os.X_OK)
    commands = post_build.read_text()
    assert "pip install --no-cache-dir -c constraints.txt -r requirements.txt" in commands
    assert "--no-build-isolation ." in commands


# --- The repository and launch buttons --------------------------------------


def test_make_book_uses_the_repository_url_only_when_given():
    # Not the settings of a `make test` that runs this test.
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "REPOSITORY_URL"}}
    with_url = _run(["make", "-n", "book", f"REPOSITORY_URL={TEST_REPOSITORY}"], cwd=ROOT, env=env)
    without = _run(["make", "-n", "book"], cwd=ROOT, env=env)
    assert f'tools/book_config.py _config.yml _build/_config.yml --repository-url "{TEST_REPOSITORY}"' in with_url.stdout
    assert "build . --config _build/_config.yml" in with_url.stdout
    assert "book_config" not in without.stdout and "--config" not in without.stdout


@pytest.mark.parametrize("url", ["", "github.com/owner/repo", "http://github.com/owner/repo", "https://github.com/"])
def test_book_config_refuses_what_is_not_a_repository_address(url):
    with pytest.raises(ValueError, match="REPOSITORY_URL"):
        book_config.with_repository({}, url)


def test_colab_button_only_for_github():
    config = book_config.with_repository({}, "https://gitlab.com/owner/repo.git")
    assert config["repository"]["url"] == "https://gitlab.com/owner/repo"
    assert config["launch_buttons"]["binderhub_url"]
    assert "colab_url" not in config["launch_buttons"]


def _tiny_book(root: Path) -> Path:
    """A one-page book: the real _config.yml's settings, one stored notebook."""
    source = root / "source"
    (source / "book").mkdir(parents=True)
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    output = nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=1)
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# A page\n\nOne sentence."),
        nbformat.v4.new_code_cell("1 + 1", execution_count=1, outputs=[output]),
    ]
    nbformat.write(notebook, source / "book" / "page.ipynb")
    (source / "_toc.yml").write_text("format: jb-book\nroot: book/page\n")
    return source


def _build(source: Path, config: Path, out: Path) -> subprocess.CompletedProcess:
    return _run(
        [BIN / "jupyter-book", "build", source, "--config", config, "--path-output", out, "-W", "-n", "--keep-going"],
        cwd=source,
    )


@pytest.fixture(scope="module")
def button_pages(tmp_path_factory) -> dict[str, BeautifulSoup]:
    """The page built without a repository URL and with the test URL.

    The configuration with the URL is written by tools/book_config.py's command
    line, exactly as `make book` runs it. The chapter is not executed.
    """
    root = tmp_path_factory.mktemp("buttons")
    source = _tiny_book(root)
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    config["execute"]["execute_notebooks"] = "off"
    plain = root / "plain.yml"
    plain.write_text(yaml.safe_dump(config, sort_keys=False))
    with_url = root / "with_url.yml"
    assert book_config.main([str(plain), str(with_url), "--repository-url", TEST_REPOSITORY]) == 0
    with ThreadPoolExecutor(2) as pool:
        builds = dict(zip(
            ["without", "with"],
            pool.map(_build, [source, source], [plain, with_url], [root / "without", root / "with"]),
        ))
    pages = {}
    for name, build in builds.items():
        assert build.returncode == 0, build.stdout[-3000:]
        html = root / name / "_build" / "html" / "book" / "page.html"
        pages[name] = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    return pages


def _header_links(page: BeautifulSoup) -> dict[str, str]:
    return {
        (a.get("title") or a.get_text(strip=True)): a["href"]
        for a in page.select(".article-header-buttons a[href]")
    }


def test_without_a_repository_url_the_book_has_no_repository_or_launch_buttons(button_pages):
    links = _header_links(button_pages["without"])
    assert set(links) == {"Download source file"}
    assert not button_pages["without"].select(".dropdown-launch-buttons, .dropdown-source-buttons")


def test_with_a_repository_url_every_button_has_its_target(button_pages):
    links = _header_links(button_pages["with"])
    assert links == {
        "Download source file": "../_sources/book/page.ipynb",
        "Source repository": TEST_REPOSITORY,
        "Suggest edit": f"{TEST_REPOSITORY}/edit/main/book/page.ipynb",
        "Open an issue": f"{TEST_REPOSITORY}/issues/new?title=Issue%20on%20page%20%2Fbook/page.html"
        "&body=Your%20issue%20content%20here.",
        "Launch on Binder": "https://mybinder.org/v2/gh/owner/repo/main?urlpath=lab/tree/book/page.ipynb",
        "Launch on Colab": "https://colab.research.google.com/github/owner/repo/blob/main/book/page.ipynb",
    }


# --- The wheel ---------------------------------------------------------------


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """The sdist and, built from it, the wheel: offline, with the pinned tools."""
    out = tmp_path_factory.mktemp("dist")
    source = out / "source"
    # A copy of what the sdist is made from, so that the build leaves nothing
    # (build/, *.egg-info) in the checkout.
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    _mkdir(source)
    for name in ["pyproject.toml", "README.md", "LICENSE", "CHANGELOG.md", "MANIFEST.in"]:
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "src", source / "src", ignore=ignore)
    shutil.copytree(ROOT / "tests", source / "tests", ignore=ignore)
    result = _run([sys.executable, "-m", "build", "--no-isolation", "--outdir", out, source])
    assert result.returncode == 0, result.stdout[-3000:]
    return out


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True)
    return path


def _wheel(dist: Path) -> Path:
    (wheel,) = dist.glob("activation_derivatives-*.whl")
    return wheel


def test_wheel_metadata(dist):
    with zipfile.ZipFile(_wheel(dist)) as wheel:
        (name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
        metadata = HeaderParser().parsestr(wheel.read(name).decode())
        files = wheel.namelist()
    assert metadata["Name"] == "activation-derivatives"
    assert metadata["Version"] == activations.__version__
    assert metadata["License-Expression"] == "MIT"
    assert metadata["Requires-Python"] == ">=3.10"
    assert metadata["Description-Content-Type"] == "text/markdown"
    assert "## Just the package" in metadata.get_payload()
    requires = metadata.get_all("Requires-Dist")
    assert "numpy>=2.0" in requires and "scipy>=1.10" in requires
    assert all(">=" in r for r in requires), requires
    assert metadata.get_all("Provides-Extra") == ["book"]
    assert any(c.startswith("Programming Language :: Python :: 3") for c in metadata.get_all("Classifier"))
    assert any(f.endswith("licenses/LICENSE") for f in files)
    assert {f.split("/")[0] for f in files} == {"activations", name.split("/")[0]}


def test_sdist_carries_the_package_its_tests_and_their_reference_data(dist):
    import tarfile

    (sdist,) = dist.glob("activation_derivatives-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    assert {"src/activations/__init__.py", "LICENSE", "README.md", "CHANGELOG.md", "pyproject.toml",
            "tests/reference/values.npz", "tests/test_api.py"} <= names


def _dependencies_only(target: Path) -> Path:
    """A directory holding NumPy and SciPy alone, linked from this environment."""
    target.mkdir()
    site = Path(importlib.util.find_spec("numpy").origin).parents[1]
    for name in ["numpy", "numpy.libs", "scipy", "scipy.libs"]:
        if (site / name).exists():
            (target / name).symlink_to(site / name)
    return target


INSTALLED_CHECK = textwrap.dedent(
    """
    import doctest, importlib, importlib.metadata, os, pkgutil, sys
    # Neither the project's environment nor its src/ is on the path.
    forbidden = {os.path.realpath(p) for p in sys.argv[1:]}
    assert not forbidden & {os.path.realpath(p) for p in sys.path}, sys.path
    import numpy as np
    import activations
    print(activations.__file__)
    assert importlib.metadata.version("activation-derivatives") == activations.__version__
    for module in sorted(m.name for m in pkgutil.iter_modules(activations.__path__)):
        result = doctest.testmod(
            importlib.import_module(f"activations.{module}"), optionflags=doctest.NORMALIZE_WHITESPACE
        )
        assert result.failed == 0, module
        assert module.startswith("_") or result.attempted > 0, module
        print(module, result.attempted)
    # Smoke test: the tail the package is about, a softmax and its backward pass.
    grad = activations.sigmoid_grad(np.array([0.0, 40.0]))
    assert grad[0] == 0.25 and abs(grad[1] / 4.248354255291589e-18 - 1) < 1e-15, grad
    p = activations.softmax(np.array([[1.0, 2.0, 3.0]]))
    assert np.allclose(p, np.exp([1.0, 2.0, 3.0]) / np.exp([1.0, 2.0, 3.0]).sum(), rtol=1e-15, atol=0)
    g = np.array([[1.0, 0.0, 0.0]])
    assert np.allclose(activations.softmax_backward(g, p), p * (g - p[0, 0]), rtol=1e-14, atol=0)
    print("ok")
    """
)


def test_installed_wheel_passes_its_doctests_and_a_smoke_test(dist, tmp_path):
    venv = tmp_path / "venv"
    result = _run([sys.executable, "-m", "venv", "--without-pip", venv])
    assert result.returncode == 0, result.stdout
    python = venv / "bin" / "python"
    purelib = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]).stdout.strip())
    (purelib / "dependencies.pth").write_text(f"{_dependencies_only(tmp_path / 'dependencies')}\n")
    result = _run([
        sys.executable, "-m", "pip", "--python", python, "install",
        "--no-deps", "--no-index", "--no-cache-dir", "--quiet", _wheel(dist),
    ])
    assert result.returncode == 0, result.stdout

    # -I: no PYTHONPATH, no user site, not the current directory; and the
    # current directory is an empty one, far from src/.
    work = _mkdir(tmp_path / "work")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    forbidden = [sysconfig.get_path("purelib"), ROOT / "src", ROOT]
    result = _run([python, "-I", "-c", INSTALLED_CHECK, *forbidden], cwd=work, env=env)
    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()
    assert Path(lines[0]).resolve().is_relative_to(venv.resolve()), lines[0]
    assert lines[-1] == "ok"

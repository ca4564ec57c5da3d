"""Write the book's configuration with the repository's buttons turned on.

The book's links to its repository (the repository, "open issue" and "edit
this page" buttons, and the Binder and Colab launch buttons) need the
repository's URL, which _config.yml does not know.  It is one setting, given
to make:

    make book REPOSITORY_URL=https://github.com/OWNER/REPO

make then runs this script, which copies _config.yml with those buttons
turned on for that URL into _build/_config.yml, and builds the book with
`jupyter-book build . --config _build/_config.yml`.  Without REPOSITORY_URL,
make builds from _config.yml itself, whose buttons are all off.

Colab opens notebooks from GitHub only, so its button appears only for a
repository on github.com; Binder builds any public Git repository.
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path
from urllib.parse import urlsplit

import yaml

BINDERHUB_URL = "https://mybinder.org"
COLAB_URL = "https://colab.research.google.com"


def repository_url(url: str) -> str:
    """The repository's web address, checked: https, a host and a path."""
    url = url.strip().rstrip("/")
    if url.endswith(".git"):
        url = url[: -len(".git")]
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.netloc or parts.path.count("/") < 2:
        raise ValueError(
            f"REPOSITORY_URL must be a repository's https address, such as "
            f"https://github.com/OWNER/REPO; got {url!r}"
        )
    return url


def with_repository(config: dict, url: str) -> dict:
    """A copy of the book's configuration whose buttons point at `url`."""
    url = repository_url(url)
    config = copy.deepcopy(config)
    config["repository"] = {**config.get("repository", {}), "url": url}
    config["html"] = {
        **config.get("html", {}),
        "use_repository_button": True,
        "use_issues_button": True,
        "use_edit_page_button": True,
    }
    launch = {**config.get("launch_buttons", {}), "binderhub_url": BINDERHUB_URL}
    if urlsplit(url).netloc.lower() == "github.com":
        launch["colab_url"] = COLAB_URL
    config["launch_buttons"] = launch
    return config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="the book's _config.yml")
    parser.add_argument("output", type=Path, help="where to write the configuration")
    parser.add_argument("--repository-url", required=True, help="https://github.com/OWNER/REPO")
    args = parser.parse_args(argv)
    config = yaml.safe_load(args.source.read_text(encoding="utf-8"))
    try:
        config = with_repository(config, args.repository_url)
    except ValueError as error:
        parser.error(str(error))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(
        "# Written by tools/book_config.py from _config.yml; do not edit.\n"
        + yaml.safe_dump(config, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``make test-latest``: the book with the newest releases that ``pyproject.toml`` allows.

``make html`` and ``make test`` install the exact pins of ``constraints.txt``, so a new
release of Sphinx, MyST-NB, jupyter-cache, TensorFlow … reaches the book only when a pin
moves (``make lock``, Dependabot). This tells beforehand what the newest releases would
do, without touching the developer's ``.venv``, ``_build/html``, its digest or the
execution cache: it copies the working tree's files (tracked, and untracked but not
ignored, as ``tools/rebuild_check.py`` does, so that local edits of ``pyproject.toml``
count) into ``_build/latest/repo`` and, there, installs a fresh ``.venv`` with the
repository's own Makefile but no constraints (``make CONSTRAINTS=``), prints what
"newest" meant, then runs ``make test``, ``make html`` and the site tests that need no
browser. CI runs it weekly (``.github/workflows/pages.yml``, job ``latest``).

The site tests leave ``tests/test_pdf.py`` out: its tests read the book's PDF, which
``make pdf`` prints with Chromium, or drive Chromium themselves (the ``pdf`` fixture that
fails without the PDF is defined there, so no other test needs it).

Standard library only: it runs with the Python that creates the environments, before any
``.venv`` exists.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
import time

from tools import layout
from tools.rebuild_check import tracked_files  # standard library only, as here

COPY = layout.BUILD / "latest" / "repo"
#: Shown first, each beside its pin: the packages whose releases change how the book builds.
WATCHED = (
    "sphinx",
    "myst-nb",
    "jupyter-cache",
    "nbclient",
    "nbformat",
    "jupyter-client",
    "ipykernel",
    "pydata-sphinx-theme",
    "sphinx-book-theme",
    "tensorflow",
    "keras",
)
#: The copy's own Makefile, with its CONSTRAINTS (``-c constraints.txt``) emptied.
MAKE = ("make", "CONSTRAINTS=")
#: The site tests that need no browser, nor the PDF a browser prints (module docstring).
SITE_TESTS = (
    *(".venv/bin/python", "-m", "pytest", "tests"),
    *("-m", "site and not browser", "--ignore=tests/test_pdf.py"),
)
#: Never in constraints.txt: ch3lib itself, and what `pip freeze` (make lock) leaves out.
UNPINNED = ("ch3lib", "pip", "setuptools", "wheel")
INSTALLED = (
    "import importlib.metadata as m, json;"
    "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions()}))"
)


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def copy_working_tree() -> None:
    """A fresh copy of the repository's files (no .git, no .venv, no _build) in COPY."""
    if COPY.exists():
        shutil.rmtree(COPY)  # the last run's copy, .venv and site: everything starts fresh
    for name in tracked_files(layout.ROOT):
        (COPY / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(layout.ROOT / name, COPY / name)


def report_versions() -> None:
    """Print the watched packages' versions, then every other package unlike its pin."""
    out = subprocess.run(
        [str(COPY / ".venv/bin/python"), "-c", INSTALLED],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    installed = {canonical(name): version for name, version in json.loads(out).items()}
    pins = {}
    for line in (COPY / "constraints.txt").read_text(encoding="utf-8").splitlines():
        name, equals, version = line.partition("==")
        if equals and not line.startswith("#"):
            pins[canonical(name)] = version.split(";")[0].strip()
    print("test-latest: the newest releases pyproject.toml allows (constraints.txt's pin in ())")
    for name in WATCHED:
        version = installed.get(name, "not installed")
        pin = pins.get(name)
        print(f"  {name:<20} {version}" + (f"  ({pin})" if pin and pin != version else ""))
    others = [
        f"{name} {version} ({pins.get(name, 'new')})"
        for name, version in sorted(installed.items())
        if name not in WATCHED and name not in UNPINNED and pins.get(name) != version
    ]
    if others:
        wrapped = textwrap.fill(", ".join(others), 96, initial_indent="  ", subsequent_indent="  ")
        print(f"test-latest: and {len(others)} more unlike constraints.txt:\n{wrapped}")


def run(command: tuple[str, ...]) -> None:
    start, shown = time.monotonic(), shlex.join(command)
    print(f"test-latest: {shown}", flush=True)
    if subprocess.run(command, cwd=COPY).returncode != 0:
        sys.exit(
            f"test-latest: `{shown}` failed with the newest releases pyproject.toml allows, "
            f'in {COPY.relative_to(layout.ROOT)}; README.md ("Newest releases") says what to do.'
        )
    print(f"test-latest: `{shown}` took {time.monotonic() - start:.0f} s", flush=True)


def main() -> None:
    print(f"test-latest: copying the working tree to {COPY.relative_to(layout.ROOT)}", flush=True)
    copy_working_tree()
    run((*MAKE, "venv"))
    report_versions()
    run((*MAKE, "test"))
    run((*MAKE, "html"))
    run(SITE_TESTS)
    print("test-latest: the newest releases pass make test, make html and the site tests")


if __name__ == "__main__":
    main()

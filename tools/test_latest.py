"""``make test-latest``: the book with the newest releases that ``pyproject.toml`` allows.

A copy of the working tree in ``_build/latest/repo`` gets a fresh ``.venv`` from the
repository's Makefile without constraints (``make CONSTRAINTS=``); it prints each package
whose release differs from its pin, then runs ``make test``, ``make html`` and the site tests
that need no browser. A failure names the packages that differ. CI runs it weekly.

Standard library only: it runs with the Python that creates the environments.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import time

from tools import layout
from tools.rebuild_check import copy_checkout  # standard library only, as here

COPY = layout.BUILD / "latest" / "repo"
MAKE = ("make", "CONSTRAINTS=")  # the copy's own Makefile, its `-c constraints.txt` emptied
SITE_TESTS = (
    *(".venv/bin/python", "-m", "pytest", "tests"),
    *("-m", "site and not browser", "--ignore=tests/test_pdf.py"),
)
#: Run in the copy's .venv: each installed package whose version is not its pin for this
#: machine (the pins' markers evaluated here).
DIFFERENCES = """
import importlib.metadata as metadata
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name as name
pins = {}
for line in open("constraints.txt", encoding="utf-8"):
    if line.strip() and not line.startswith("#"):
        pin = Requirement(line)
        if pin.marker is None or pin.marker.evaluate():
            pins[name(pin.name)] = str(pin.specifier).removeprefix("==")
for dist in sorted(metadata.distributions(), key=lambda d: name(d.metadata["Name"])):
    package = name(dist.metadata["Name"])
    if package not in ("ch3lib", "pip") and pins.get(package) != dist.version:
        print(f"{package} {dist.version} (pinned {pins.get(package, 'nowhere')})")
"""


def run(command: tuple[str, ...], differences: list[str]) -> None:
    start, shown = time.monotonic(), shlex.join(command)
    print(f"test-latest: {shown}", flush=True)
    if subprocess.run(command, cwd=COPY).returncode != 0:
        sys.exit(
            f"test-latest: `{shown}` failed with the newest releases pyproject.toml allows, in "
            f"{COPY.relative_to(layout.ROOT)}. These differ from their pins, and one of them "
            f"broke it: {'; '.join(differences) or 'none'}"
        )
    print(f"test-latest: `{shown}` took {time.monotonic() - start:.0f} s", flush=True)


def main() -> None:
    print(f"test-latest: copying the working tree to {COPY.relative_to(layout.ROOT)}", flush=True)
    shutil.rmtree(COPY, ignore_errors=True)  # the last run's copy, .venv and site
    copy_checkout(layout.ROOT, COPY)
    run((*MAKE, "venv"), [])
    script = [".venv/bin/python", "-c", DIFFERENCES]
    differences = subprocess.check_output(script, cwd=COPY, text=True).splitlines()
    print("test-latest: unlike their pins:\n  " + "\n  ".join(differences or ["nothing"]))
    for command in ((*MAKE, "test"), (*MAKE, "html"), SITE_TESTS):
        run(command, differences)
    print("test-latest: the newest releases pass make test, make html and the site tests")


if __name__ == "__main__":
    main()

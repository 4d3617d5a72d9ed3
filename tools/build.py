"""``make html``: build the executed book into ``_build/html``, exactly as a clean build would.

Nothing runs when no input changed (``inputs_digest``). Otherwise ``book/glossary.toml`` is
checked, the pages the execution cache lacks are executed on every core (``tools/execute.py``),
and Sphinx reads and writes what changed into ``_build/.html-next`` (``incremental.py`` in the
extension steers it). Only a build that succeeded replaces ``_build/html``, in one rename.

Usage: ``python -m tools.build [--gpu] [SPHINX_OPTION …]``.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from tools import execute, layout

#: Environment variables the published site depends on (besides the sources).
SETTINGS = ("BOOK_BASE_URL", "BOOK_REPOSITORY", "CH3LIB_FORCE_CPU", "GPU")

#: Files the site depends on besides the sources and the library (the pins: a different
#: TensorFlow can print different numbers; the licence: the published wheel has it).
INPUT_FILES = (
    *("conf.py", "pyproject.toml", "constraints.txt", "LICENSE"),
    *("tools/build.py", "tools/execute.py", "tools/layout.py"),
)
IGNORED_PARTS = {"__pycache__", ".ipynb_checkpoints"}

#: What a build that does not start Sphinx says (tests/test_rebuild.py checks it).
NOTHING_CHANGED = "make html: nothing changed since the last build"

SPHINX_OPTIONS = ("-W", "--keep-going", "-q", "-b", "html")
#: Sphinx's files for its next build (the book has its own search index, search.py).
NOT_PUBLISHED = (".buildinfo", ".buildinfo.bak", "searchindex.js")
ENVIRONMENT = "environment.pickle"  # Sphinx's, in its doctrees folder


def source_date_epoch() -> int | None:
    """Seconds since the epoch of the last commit (``SOURCE_DATE_EPOCH`` if set), or None:
    the date the site shows, so that two builds publish the same bytes."""
    if os.environ.get("SOURCE_DATE_EPOCH", "").strip():
        return int(os.environ["SOURCE_DATE_EPOCH"])
    command = ["git", "log", "-1", "--format=%ct"]
    try:
        done = subprocess.run(command, cwd=layout.ROOT, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return int(done.stdout) if done.stdout.strip() else None


def files(folder: Path, pattern: str = "*") -> list[Path]:
    """The files of ``folder`` matching ``pattern``, but caches (``IGNORED_PARTS``)."""
    return [
        path
        for path in folder.rglob(pattern)
        if path.is_file() and not IGNORED_PARTS & set(path.relative_to(folder).parts)
    ]


def digest(paths: list[Path], *extras: str) -> str:
    """16 hex digits hashing files' names (from the repository) and contents, and ``extras``:
    the book's one fingerprint (no-change check, execution cache, conf.py's page inputs)."""
    hashed = hashlib.sha256()
    for path in sorted(paths):
        hashed.update(path.relative_to(layout.ROOT).as_posix().encode() + b"\0")
        hashed.update(path.read_bytes() + b"\0")
    for extra in extras:
        hashed.update(extra.encode() + b"\0")
    return hashed.hexdigest()[:16]


#: What the pages' outputs depend on besides their code: the packages that compute them,
#: and the settings that choose the device.
EXECUTION_PACKAGES = ("tensorflow", "keras", "numpy", "matplotlib", "ipykernel")
EXECUTION_SETTINGS = ("GPU", "CH3LIB_FORCE_CPU")
#: Packages whose templates, scripts, transforms or outputs shape every page.
PAGE_PACKAGES = (
    *("sphinx", "docutils", "myst-nb", "myst-parser", "sphinx-book-theme"),
    *("pydata-sphinx-theme", "sphinx-copybutton", "sphinx-exercise", "sphinx-notfound-page"),
    *("sphinx-reredirects", "jupyter-cache", "latex2mathml", "setuptools"),
)


def versions(names: Sequence[str]) -> list[str]:
    return [f"{name}={importlib.metadata.version(name)}" for name in names]


def interpreter() -> str:
    return f"python={sys.version_info[0]}.{sys.version_info[1]} {sys.platform} {platform.machine()}"


def settings(names: Sequence[str]) -> list[str]:
    return [f"{name}={os.environ.get(name, '')}" for name in names]


def execution_cache() -> Path:
    """The execution cache of this ch3lib, packages, Python, platform and device: MyST-NB
    keys a page on its code only, and a page must not show outputs computed by others."""
    extras = (interpreter(), *versions(EXECUTION_PACKAGES), *settings(EXECUTION_SETTINGS))
    return layout.EXECUTION_CACHE / digest(files(layout.LIBRARY, "*.py"), *extras)


def remove_stale_execution_caches() -> None:
    """Delete the execution caches of other versions of ch3lib, packages or devices."""
    current = execution_cache()
    for folder in layout.EXECUTION_CACHE.glob("*"):
        if folder.is_dir() and folder != current:
            shutil.rmtree(folder)


def input_files() -> list[Path]:
    return [layout.ROOT / name for name in INPUT_FILES] + files(layout.BOOK) + files(layout.LIBRARY)


def inputs_digest(extra_options: Sequence[str] = ()) -> str:
    extras = (*settings(SETTINGS), interpreter(), f"date={source_date_epoch()}")
    return digest(input_files(), *extras, f"options={list(extra_options)}")


def gpu_warning(requested: bool, gpus: Sequence[object]) -> str | None:
    if requested and not gpus:
        return (
            "warning: GPU=1 was requested, but TensorFlow sees no GPU: the book was built "
            "on the CPU (page 3-4 shows the device). Check the NVIDIA driver with nvidia-smi."
        )
    return None


def sphinx_build(options: Sequence[str]) -> int:
    """Run Sphinx in this process, into ``layout.STAGING`` (emptied for a fresh environment)."""
    from sphinx.cmd.build import build_main

    if not (layout.DOCTREES / ENVIRONMENT).exists():
        shutil.rmtree(layout.STAGING, ignore_errors=True)
    # Extensions add files to _static when the build finishes; a page links a file with its
    # checksum if it exists when the page is written: absent then, as in a clean build.
    shutil.rmtree(layout.STAGING / "_static", ignore_errors=True)
    quiet = "-v" not in options  # `make html SPHINXOPTS=-v`: Sphinx's own output
    ours = (option for option in SPHINX_OPTIONS if quiet or option != "-q")
    folders = ("-c", str(layout.ROOT), "-d", str(layout.DOCTREES))
    return build_main([*ours, *folders, *options, str(layout.BOOK), str(layout.STAGING)])


def publish() -> None:
    """Replace the site by a copy of the staging folder, without Sphinx's bookkeeping files."""
    site, staging = layout.SITE, str(layout.STAGING)
    new, old = site.with_name(".html-new"), site.with_name(".html-old")
    for folder in (new, old):
        shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(staging, new, ignore=lambda path, _: NOT_PUBLISHED if path == staging else ())
    if site.exists():
        site.rename(old)
    new.rename(site)
    shutil.rmtree(old, ignore_errors=True)


def build(options: Sequence[str] = (), *, expect_gpu: bool = False) -> int:
    epoch = source_date_epoch()
    if epoch is not None:
        os.environ.setdefault("SOURCE_DATE_EPOCH", str(epoch))
    inputs = inputs_digest(options)
    last = layout.DIGEST.read_text(encoding="utf-8") if layout.DIGEST.exists() else None
    if not options and last == inputs and (layout.SITE / "index.html").exists():
        print(NOTHING_CHANGED)
        return 0
    layout.DIGEST.unlink(missing_ok=True)
    remove_stale_execution_caches()
    start, site = time.perf_counter(), os.path.relpath(layout.SITE)
    print("make html: building the book (SPHINXOPTS=-v shows Sphinx's output)")
    try:  # before anything: read in Sphinx, it would be followed by a warning per term
        layout.book_extension("glossary").load_glossary(Path(os.path.relpath(layout.GLOSSARY)))
    except ValueError as error:
        print(f"make html: {error} ({site} is unchanged)", file=sys.stderr)
        return 1
    failures = execute.execute_book()
    if failures:  # Sphinx has not started: its environment is the last good build's
        for failure in failures:
            print(f"make html: {failure}", file=sys.stderr)
        pages = execute.count(len(failures), "page")
        print(f"make html: {pages} failed; {site} is unchanged", file=sys.stderr)
        return 1
    print("make html: reading and writing the pages (Sphinx)")
    status = sphinx_build(options)
    if status != 0:
        # Sphinx saved its environment, in which the pages that failed count as read: the
        # next build of the same sources would not read them again and could publish them.
        (layout.DOCTREES / ENVIRONMENT).unlink(missing_ok=True)
        print(f"make html: Sphinx failed (exit {status}); {site} is unchanged", file=sys.stderr)
        return status
    publish()
    layout.DIGEST.write_text(inputs, encoding="utf-8")
    print(f"make html: built in {time.perf_counter() - start:.0f} s: {site}/index.html")
    if expect_gpu:  # TensorFlow asked in another process (ch3lib mutes its logs)
        code = "import ch3lib, tensorflow as tf; print(len(tf.config.list_physical_devices('GPU')))"
        command = [sys.executable, "-c", code]
        printed = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        if warning := gpu_warning(True, range(int(printed.split()[-1]))):
            print(warning)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gpu", action="store_true", help="GPU=1: warn if TensorFlow sees none")
    args, options = parser.parse_known_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # each line at once, also in a pipe
    return build(options, expect_gpu=args.gpu)


if __name__ == "__main__":
    sys.exit(main())

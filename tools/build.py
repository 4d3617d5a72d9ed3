"""``make html``: build the executed book into ``_build/html``, exactly as a clean build would.

Reading is incremental: Sphinx keeps its environment in ``_build/doctrees`` and re-reads
only the pages whose sources changed, and MyST-NB's execution cache (keyed on each page's
code and on ch3lib's source) executes only the notebooks whose code changed.

Writing happens in a staging folder that then replaces ``_build/html`` in one rename, so
the published site is never half written (``tools/staging.py``). The staging folder starts
as a copy of the last published site (but ``_static``, which Sphinx copies fresh), made
by another process while Sphinx starts; Sphinx writes the pages
whose HTML can have changed, including every page when anything they share changed (a
title in the navigation, a label, a figure number, a stylesheet: ``book/_ext/ch3book/
reuse.py`` decides), and what no longer belongs is deleted: a renamed or deleted page, an
image no page shows. Plain Sphinx would leave both behind, and would keep a retitled
page's old title in every other page's navigation. ``tests/test_rebuild.py`` compares the
result with clean builds, byte for byte, after every kind of edit.

When nothing the site is made from changed (sources, library, configuration, pins, the
settings in ``SETTINGS``, the Python and platform, and the last commit's date), Sphinx does
not start at all.

Usage: ``python -m tools.build [--gpu] [SPHINX_OPTION …]``.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from tools import layout, staging

#: Environment variables the published site depends on (besides the sources).
SETTINGS = ("BOOK_BASE_URL", "BOOK_REPOSITORY", "CH3LIB_FORCE_CPU", "GPU")

#: Files whose content the site depends on: the sources, the library, the configuration,
#: the dependency pins (a different TensorFlow can print different numbers) and the
#: licence (in the wheel the site publishes; ``pyproject.toml`` is in it too).
INPUT_FILES = (
    "conf.py",
    "pyproject.toml",
    "constraints.txt",
    "tools/build.py",
    "tools/staging.py",
    "LICENSE",
)
INPUT_FOLDERS = (layout.BOOK, layout.LIBRARY)
IGNORED_PARTS = {"__pycache__", ".ipynb_checkpoints"}

#: What a build that does not start Sphinx says (the bench checks it).
NOTHING_CHANGED = "make html: nothing changed since the last build"

SPHINX_OPTIONS = ("-W", "--keep-going", "-q", "-b", "html")


def source_date_epoch() -> int | None:
    """Seconds since the epoch of the last commit (``SOURCE_DATE_EPOCH`` if set), or None.

    The build report shows this date instead of the wall clock, so that two builds of the
    same sources are byte-identical (https://reproducible-builds.org/specs/source-date-epoch/).
    """
    if os.environ.get("SOURCE_DATE_EPOCH", "").strip():
        return int(os.environ["SOURCE_DATE_EPOCH"])
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%ct"],
            cwd=layout.ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return int(out) if out else None


def fingerprint(folder: Path, pattern: str = "*.py") -> str:
    """Hash of the names and contents of the files in ``folder`` matching ``pattern``."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob(pattern)):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(folder).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


#: What the pages' outputs depend on besides their code: the packages that compute them,
#: and the settings that choose the device.
EXECUTION_PACKAGES = ("tensorflow", "keras", "numpy", "matplotlib", "ipykernel")
EXECUTION_SETTINGS = ("GPU", "CH3LIB_FORCE_CPU")


def interpreter() -> str:
    """The Python and platform that build: ``python=3.13 linux x86_64``."""
    return f"python={sys.version_info[0]}.{sys.version_info[1]} {sys.platform} {platform.machine()}"


def execution_cache() -> Path:
    """The execution cache of this ch3lib, packages, Python, platform and device choice.

    MyST-NB's jupyter-cache keys a page on its code only; one folder per combination of
    the rest keeps a page from showing outputs computed by another library, another
    TensorFlow, another interpreter or machine (``.venv`` made afresh with Python 3.13, a
    cache copied from another runner) or on another device (page 3-4 reports the device).
    """
    import importlib.metadata

    digest = hashlib.sha256(fingerprint(layout.LIBRARY).encode())
    digest.update(f"{interpreter()}\0".encode())
    for name in EXECUTION_PACKAGES:
        digest.update(f"{name}={importlib.metadata.version(name)}\0".encode())
    for name in EXECUTION_SETTINGS:
        digest.update(f"{name}={os.environ.get(name, '')}\0".encode())
    return layout.EXECUTION_CACHE / digest.hexdigest()[:16]


def remove_stale_execution_caches() -> None:
    """Delete the execution caches of other versions of ch3lib, packages or devices."""
    current = execution_cache()
    for folder in layout.EXECUTION_CACHE.glob("*"):
        if folder.is_dir() and folder != current:
            shutil.rmtree(folder)


def expects_execution() -> bool:
    """True when every page will execute: a first build, or a new version of ch3lib."""
    return not execution_cache().is_dir()


def input_files() -> list[Path]:
    """Every file the published site is made from, in a stable order."""
    files = [layout.ROOT / name for name in INPUT_FILES]
    for folder in INPUT_FOLDERS:
        files += [
            path
            for path in folder.rglob("*")
            if path.is_file() and not IGNORED_PARTS & set(path.relative_to(folder).parts)
        ]
    return sorted(files)


def inputs_digest(extra_options: Sequence[str] = ()) -> str:
    """Hash of the input files' names and contents, the settings and the source date."""
    digest = hashlib.sha256()
    for path in input_files():
        digest.update(path.relative_to(layout.ROOT).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    for name in SETTINGS:
        digest.update(f"{name}={os.environ.get(name, '')}\0".encode())
    digest.update(f"{interpreter()}\0".encode())  # .venv made afresh with another Python
    digest.update(f"date={source_date_epoch()}\0options={list(extra_options)}".encode())
    return digest.hexdigest()


def gpu_warning(requested: bool, gpus: Sequence[object]) -> str | None:
    """The warning to print when a GPU build was asked for and TensorFlow sees no GPU."""
    if requested and not gpus:
        return (
            "warning: GPU=1 was requested, but TensorFlow sees no GPU: the book was built "
            "on the CPU (page 3-4 shows the device). Check the NVIDIA driver with nvidia-smi."
        )
    return None


def visible_gpu_count() -> int:
    """How many GPUs TensorFlow sees, asked in a separate process (ch3lib mutes its logs)."""
    code = "import ch3lib, tensorflow as tf; print(len(tf.config.list_physical_devices('GPU')))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return int(out.strip().splitlines()[-1])


def sphinx_build(options: Sequence[str]) -> int:
    """Run Sphinx in this process, writing into the staging folder."""
    from sphinx.cmd.build import build_main

    staging.seed_staging()
    quiet = "-v" not in options  # `make html SPHINXOPTS=-v`: Sphinx's own output
    argv = [
        *(option for option in SPHINX_OPTIONS if quiet or option != "-q"),
        "-c",
        str(layout.ROOT),
        "-d",
        str(layout.DOCTREES),
        *options,
        str(layout.BOOK),
        str(layout.STAGING),
    ]
    try:
        return build_main(argv)
    finally:
        staging.staging_ready(quiet=True)  # Sphinx stopped before it waited: nothing may still copy


def build(options: Sequence[str] = (), *, expect_gpu: bool = False) -> int:
    """Build the site unless it is up to date; return the exit status (0 on success)."""
    epoch = source_date_epoch()
    if epoch is not None:
        os.environ.setdefault("SOURCE_DATE_EPOCH", str(epoch))
    digest = inputs_digest(options)
    site_index = layout.SITE / "index.html"
    if (
        not options
        and site_index.exists()
        and layout.DIGEST.exists()
        and layout.DIGEST.read_text(encoding="utf-8") == digest
    ):
        print(NOTHING_CHANGED)
        return 0
    layout.DIGEST.unlink(missing_ok=True)
    remove_stale_execution_caches()
    start = time.perf_counter()
    print(
        "make html: building the book (`make html SPHINXOPTS=-v` shows Sphinx's own output)",
        flush=True,
    )
    zygote = layout.book_extension("zygote")  # without importing Sphinx
    try:
        kernels = zygote.mode()
    except ValueError as error:
        print(f"make html: {error}")
        return 2
    with contextlib.ExitStack() as stack:
        if expects_execution() and kernels == "zygote" and not os.environ.get(zygote.ENV):
            # TensorFlow is imported by the kernel zygote while Sphinx starts.
            try:
                os.environ[zygote.ENV] = stack.enter_context(zygote.start())
                stack.callback(os.environ.pop, zygote.ENV, None)
            except RuntimeError as error:  # the executor tries again, and says so if it fails
                print(f"make html: {error}", flush=True)
        status = sphinx_build(options)
    if status != 0:
        # Sphinx saved its environment, in which the pages that failed count as read: the
        # next build of the same sources would not read them again and could publish them.
        # Without it, the next build reads every page (outputs come from the cache).
        (layout.DOCTREES / "environment.pickle").unlink(missing_ok=True)
        print(f"make html: Sphinx failed (exit status {status}); {layout.SITE} is unchanged")
        return status
    staging.publish_staging()
    layout.DIGEST.write_text(digest, encoding="utf-8")
    seconds = time.perf_counter() - start
    print(f"make html: built in {seconds:.0f} s: {os.path.relpath(site_index)}", flush=True)
    if expect_gpu:
        warning = gpu_warning(True, range(visible_gpu_count()))
        if warning:
            print(warning)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--gpu", action="store_true", help="a GPU build was asked for: warn if there is none"
    )
    args, options = parser.parse_known_args(argv)
    return build(options, expect_gpu=args.gpu)


if __name__ == "__main__":
    sys.exit(main())

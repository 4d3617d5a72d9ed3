"""Execute the pages that the execution cache lacks, on every core, before Sphinx reads them.

MyST-NB (``nb_execution_mode = "cache"``) executes pages one after the other while Sphinx
reads them. This does it first, longest page first, a kernel per core, with MyST-NB's own
parts: its jupyter-cache reader ``myst_nb_md`` (so the code hashes to the entry MyST-NB looks
up), jupyter-cache's ``single_nb_execution`` and ``cache_notebook_bundle``; nbclient's public
``on_cell_start`` hook names the cell that failed. Sphinx then executes nothing. A failure (a
cell that raised, ran past its timeout, killed its kernel, or printed too much) stops the
build before Sphinx, one message per page naming the cell.

jupyter-cache's own ``local-parallel`` executor was tried: it starts pages in the cache's
order, not the longest first, reports only when all are done, and names no cell when a
kernel dies.

    python -m tools.execute     # what make html does first (make preview's pre-build step)
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import re
import runpy
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools import layout

READER = {"name": "myst_nb_md", "type": "plugin"}  # MyST-NB's reader, for jupyter-cache
#: Every kernel's environment (inherited from this process): figures inline even when the
#: caller exported another backend (the tests export Agg); no debugger warning on stderr.
KERNEL_ENV = {
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
}
#: Colour codes in IPython's tracebacks: not for a log file.
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass
class Page:
    """A page's source and the notebook MyST-NB reads from it."""

    path: Path
    notebook: Any

    @property
    def code_cells(self) -> int:
        return sum(cell.cell_type == "code" for cell in self.notebook.cells)


def stale_pages(paths: list[Path], cache) -> list[Page]:
    """The notebook pages among ``paths`` whose code the cache lacks, longest first."""
    from jupyter_cache.readers import get_reader

    read = get_reader(READER)
    pages = []
    for path in paths:
        page = Page(path, read(str(path)))
        if not page.code_cells or "kernelspec" not in page.notebook.metadata:
            continue  # a page without code, or not a notebook: MyST-NB executes nothing
        try:
            cache.match_cache_notebook(page.notebook)
        except KeyError:
            pages.append(page)
    return sorted(pages, key=lambda page: -page.code_cells)


def shown(path: Path, folder: Path) -> str:
    """``path`` relative to ``folder`` if it is inside, as a message shows it."""
    return path.relative_to(folder).as_posix() if path.is_relative_to(folder) else str(path)


def count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number > 1 else ''}"


def which_cell(cell) -> str:
    """How a message names a cell: by the start of its first line."""
    lines = cell.source.strip().splitlines() if cell is not None else []
    return f"the cell that starts {lines[0][:60]!r}" if lines else "a cell"


@dataclass
class Settings:
    """What MyST-NB executes a page with (conf.py's ``nb_execution_*``)."""

    timeout: int = 30
    allow_errors: bool = False
    in_temp: bool = False
    max_output_bytes: int = 100_000


def run_page(page: Page, settings: Settings) -> tuple[float, str | None]:
    """Execute a page's notebook in place; its seconds, and what failed (None: nothing)."""
    from jupyter_cache.executors.utils import single_nb_execution
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from traitlets.config import Config

    started: list[Any] = [None]  # the cells as they start: the last one is running
    start = time.perf_counter()
    here = contextlib.nullcontext(str(page.path.parent))
    folder = tempfile.TemporaryDirectory() if settings.in_temp else here
    with folder as cwd, tempfile.TemporaryDirectory(prefix="ch3book-kernel-") as sockets:
        # IPC: on TCP, ipykernel logs that the traffic is not encrypted.
        kernel = {"transport": "ipc", "ip": f"{sockets}/kernel"}
        try:
            result = single_nb_execution(
                page.notebook,
                cwd=os.path.abspath(cwd),
                timeout=settings.timeout,
                allow_errors=settings.allow_errors,
                meta_override=True,  # the page's execution: timeout / allow_errors
                on_cell_start=lambda cell, cell_index: started.append(cell),
                config=Config(KernelManager=kernel),
            )
        except DeadKernelError:
            return time.perf_counter() - start, (
                f"the kernel died while running {which_cell(started[-1])}: killed by a signal, "
                "out of memory, or a crash in native code"
            )
        except Exception as error:  # the kernel did not start, or stopped answering
            where = which_cell(started[-1]) if started[-1] is not None else "before any cell"
            return time.perf_counter() - start, f"the kernel failed {where}: {error!r}"
    seconds = time.perf_counter() - start
    where = which_cell(started[-1])
    if isinstance(result.err, CellTimeoutError):
        timeout = page.notebook.metadata.get("execution", {}).get("timeout", settings.timeout)
        return seconds, (
            f"{where} ran past the timeout of {timeout} s (nb_execution_timeout in conf.py, "
            "or the page's execution: timeout)"
        )
    if result.err is not None:
        return seconds, f"{where} raised {result.err.ename}: {result.err.evalue}\n" + ANSI.sub(
            "", result.err.traceback
        )
    outputs = layout.book_extension("stable_outputs")  # the rule the pages apply too
    limit = settings.max_output_bytes
    for cell in page.notebook.cells:
        if (size := outputs.text_size(cell.get("outputs", []))) > limit:
            return seconds, f"{outputs.too_long(size, limit)} ({which_cell(cell)})"
    return seconds, None


def execute(
    paths: list[Path],
    cache_path: Path,
    settings: Settings,
    jobs: int,
    say: Callable[[str], None] = print,
) -> list[str]:
    """Execute the pages of ``paths`` that the cache lacks; the failures, one per page."""
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache = get_cache(str(cache_path))
    pages = stale_pages(paths, cache)
    if not pages:
        return []
    workers = max(1, min(jobs, len(pages)))
    say(f"make html: executing {count(len(pages), 'page')} on {count(workers, 'kernel')}")
    failures = []
    with concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="page") as pool:
        running = {pool.submit(run_page, page, settings): page for page in pages}
        for done, future in enumerate(concurrent.futures.as_completed(running), start=1):
            page = running[future]
            name = shown(page.path.with_suffix(""), layout.BOOK)
            seconds, failure = future.result()
            if failure is None:
                data = {"execution_seconds": seconds}
                bundle = CacheBundleIn(page.notebook, str(page.path), data=data)
                cache.cache_notebook_bundle(bundle, check_validity=False, overwrite=True)
                say(f"  {done}/{len(pages)} {name} {seconds:.1f} s")
            else:
                failures.append(f"{shown(page.path, layout.ROOT)}: {failure}")
                say(f"  {done}/{len(pages)} {name} failed (below: why)")
    return failures


def book_pages(exclude: list[str]) -> list[Path]:
    """The book's Markdown sources, but those ``exclude_patterns`` (conf.py) leaves out."""
    from sphinx.util.matching import Matcher

    excluded = Matcher(exclude)
    pages = sorted(layout.BOOK.rglob("*.md"))
    return [path for path in pages if not excluded(path.relative_to(layout.BOOK).as_posix())]


def execute_book(say: Callable[[str], None] = print) -> list[str]:
    """Execute what the book's cache lacks, with conf.py's settings; the failures."""
    os.environ.update(KERNEL_ENV)
    conf = runpy.run_path(str(layout.ROOT / "conf.py"))
    if conf.get("nb_execution_mode", "auto") != "cache":
        return []  # MyST-NB executes the pages its own way, or not at all
    settings = Settings(
        timeout=conf.get("nb_execution_timeout", Settings.timeout),
        allow_errors=conf.get("nb_execution_allow_errors", Settings.allow_errors),
        in_temp=conf.get("nb_execution_in_temp", Settings.in_temp),
        max_output_bytes=conf.get("book_max_output_bytes", Settings.max_output_bytes),
    )
    paths = book_pages(conf.get("exclude_patterns", []))
    cache = Path(conf["nb_execution_cache_path"])
    return execute(paths, cache, settings, os.cpu_count() or 1, say)


def main() -> int:
    sys.stdout.reconfigure(line_buffering=True)  # each page's line at once, also in a pipe
    failures = execute_book()
    for failure in failures:
        print(f"make html: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

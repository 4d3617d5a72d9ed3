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
from collections.abc import Callable
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


def stale_pages(paths: list[Path], cache) -> list[tuple[Path, Any]]:
    """The notebook pages among ``paths`` whose code the cache lacks, with the notebook
    MyST-NB reads from each, longest first."""
    from jupyter_cache.readers import get_reader

    read = get_reader(READER)
    pages = []
    for path in paths:
        notebook = read(str(path))
        code_cells = sum(cell.cell_type == "code" for cell in notebook.cells)
        if not code_cells or "kernelspec" not in notebook.metadata:
            continue  # a page without code, or not a notebook: MyST-NB executes nothing
        try:
            cache.match_cache_notebook(notebook)
        except KeyError:
            pages.append((code_cells, path, notebook))
    return [(path, notebook) for _, path, notebook in sorted(pages, key=lambda page: -page[0])]


def count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number > 1 else ''}"


def which_cell(cell) -> str:
    """How a message names a cell: by the start of its first line."""
    lines = cell.source.strip().splitlines() if cell is not None else []
    return f"the cell that starts {lines[0][:60]!r}" if lines else "a cell"


def run_page(path: Path, notebook, conf: dict[str, Any]) -> tuple[float, str | None]:
    """Execute a page's notebook in place with conf.py's settings (``conf``; else MyST-NB's
    and the extension's defaults): its seconds (if it succeeded), and what failed (None)."""
    from jupyter_cache.executors.utils import single_nb_execution
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from traitlets.config import Config

    started: list[Any] = [None]  # the cells as they start: the last one is running
    here = contextlib.nullcontext(str(path.parent))
    folder = tempfile.TemporaryDirectory() if conf.get("nb_execution_in_temp") else here
    timeout = conf.get("nb_execution_timeout", 30)
    with folder as cwd, tempfile.TemporaryDirectory(prefix="ch3book-kernel-") as sockets:
        # IPC: on TCP, ipykernel logs that the traffic is not encrypted.
        kernel = {"transport": "ipc", "ip": f"{sockets}/kernel"}
        try:
            result = single_nb_execution(
                notebook,
                cwd=os.path.abspath(cwd),
                timeout=timeout,
                allow_errors=conf.get("nb_execution_allow_errors", False),
                meta_override=True,  # the page's execution: timeout / allow_errors
                on_cell_start=lambda cell, cell_index: started.append(cell),
                config=Config(KernelManager=kernel),
            )
        except DeadKernelError:
            return 0, (
                f"the kernel died while running {which_cell(started[-1])}: killed by a signal, "
                "out of memory, or a crash in native code"
            )
        except Exception as error:  # the kernel did not start, or stopped answering
            where = which_cell(started[-1]) if started[-1] is not None else "before any cell"
            return 0, f"the kernel failed {where}: {error!r}"
    where = which_cell(started[-1])
    if isinstance(result.err, CellTimeoutError):
        timeout = notebook.metadata.get("execution", {}).get("timeout", timeout)
        return 0, (
            f"{where} ran past the timeout of {timeout} s (nb_execution_timeout in conf.py, "
            "or the page's execution: timeout)"
        )
    if result.err is not None:
        return 0, f"{where} raised {result.err.ename}: {result.err.evalue}\n" + ANSI.sub(
            "", result.err.traceback
        )
    outputs = layout.book_extension("stable_outputs")  # the rule the pages apply too
    limit = conf.get("book_max_output_bytes", 100_000)
    for cell in notebook.cells:
        if (size := outputs.text_size(cell.get("outputs", []))) > limit:
            return 0, f"{outputs.too_long(size, limit)} ({which_cell(cell)})"
    return result.time, None


def execute(
    paths: list[Path],
    cache_path: Path,
    conf: dict[str, Any],
    jobs: int,
    say: Callable[[str], None] = print,
) -> list[str]:
    """Execute the pages of ``paths`` that the cache lacks with conf.py's settings (``conf``,
    its namespace); the failures, one per page."""
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
        running = {pool.submit(run_page, *page, conf): page for page in pages}
        for done, future in enumerate(concurrent.futures.as_completed(running), start=1):
            path, notebook = running[future]
            name = os.path.relpath(path.with_suffix(""), layout.BOOK)
            seconds, failure = future.result()
            if failure is None:
                data = {"execution_seconds": seconds}
                bundle = CacheBundleIn(notebook, str(path), data=data)
                cache.cache_notebook_bundle(bundle, check_validity=False, overwrite=True)
                say(f"  {done}/{len(pages)} {name} {seconds:.1f} s")
            else:
                failures.append(f"{os.path.relpath(path, layout.ROOT)}: {failure}")
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
    paths = book_pages(conf.get("exclude_patterns", []))
    cache = Path(conf["nb_execution_cache_path"])
    return execute(paths, cache, conf, os.cpu_count() or 1, say)


def main() -> int:
    sys.stdout.reconfigure(line_buffering=True)  # each page's line at once, also in a pipe
    failures = execute_book()
    for failure in failures:
        print(f"make html: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

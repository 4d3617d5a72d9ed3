"""The execution floor: every code cell of the book, once, in order, in one Python process.

Reads each page with MyST-NB's own reader, as ``tools/execute.py`` does (the cells MyST-NB
would execute), runs the cells in one IPython shell (a fresh namespace per page, as each
page has its own kernel, with rich outputs and figures rendered as in the book), and prints
the seconds it took, TensorFlow's import included. From the repository's root:
``python -m tools.floor``.
"""

from __future__ import annotations

import contextlib
import os
import time

from tools import execute

os.environ.setdefault("MPLBACKEND", "agg")


def run() -> float:
    """Execute every page's code cells in one process; return the seconds taken."""
    from jupyter_cache.readers import get_reader

    read = get_reader(execute.READER)
    pages = []  # (path, code cells) of every page with code, in file-name order
    for path in execute.book_pages(["CONVENTIONS.md", "_build"]):
        if code := [cell for cell in read(str(path)).cells if cell.cell_type == "code"]:
            pages.append((path, code))
    start = time.perf_counter()
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.core.pylabtools import select_figure_formats

    shell = InteractiveShell.instance()
    select_figure_formats(shell, {"png"})  # figures are rendered to PNG, as in the kernel
    for path, cells in pages:
        shell.reset(new_session=False)
        os.chdir(path.parent)
        for cell in cells:
            result = shell.run_cell(cell.source, silent=False, store_history=False)
            tags = cell.metadata.get("tags", [])
            if result.error_in_exec is not None and "raises-exception" not in tags:
                raise SystemExit(f"{path.name}: a cell failed: {result.error_in_exec!r}")
    return time.perf_counter() - start


if __name__ == "__main__":
    with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):
        seconds = run()
    print(f"{seconds:.2f}")

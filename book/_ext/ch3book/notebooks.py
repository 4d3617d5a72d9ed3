"""Each executed page offers its notebook, with outputs, in the theme's download menu.

sphinx-book-theme's download button offers ``_sources/<page>.ipynb`` when the page
context names it (``ipynb_source``), as it does for pages written as ``.ipynb``; for a
MyST Markdown page it offers only the ``.md``. MyST-NB writes the executed notebook to
``jupyter_execute/``, but without outputs when the page came from its execution cache
(see ``_compat.with_cached_outputs``), and with whatever cell ids and stream splits that
run produced. This module publishes the notebook a reader downloads:

- the outputs of the cached execution;
- stable cell ids (``cell-1``, ``cell-2``, …: nbformat draws random ones on every read);
- each cell's stream outputs merged by MyST-NB's own rule (``nb_merge_streams``), so that
  the file does not depend on how the kernel's messages were split in time;
- the exercises without their solutions: everything between a ``{solution-start}`` and
  its ``{solution-end}`` (prose and code cells) becomes one line that links to the
  solution on the page, so a reader can try first.

so that two builds of the same sources publish the same bytes.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import nbformat

from ch3book import _compat


def stable(notebook: Any) -> Any:
    """Give the cells stable ids and merge each code cell's stream outputs, in place."""
    for number, cell in enumerate(notebook.cells, start=1):
        cell.id = f"cell-{number}"
        if cell.cell_type == "code":
            cell.outputs = _compat.coalesce_streams(cell.outputs)
            cell.metadata.pop("execution", None)  # timing, if an executor recorded it
    return notebook


SOLUTION_FENCE = re.compile(
    r"^```\{solution-(start|end)\}[^\n]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL
)
SOLUTION_LABEL = re.compile(r"^:label:\s*(\S+)", re.MULTILINE)


def without_solutions(notebook: Any, page_url: str) -> Any:
    """Replace each solution (prose and code between its fences) by a link to it, in place."""
    cells, in_solution = [], False
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            if not in_solution:
                cells.append(cell)
            continue
        kept, position = [], 0
        for fence in SOLUTION_FENCE.finditer(cell.source):
            if not in_solution:
                kept.append(cell.source[position : fence.start()])
            if fence.group(1) == "start":
                label = SOLUTION_LABEL.search(fence.group(2))
                anchor = f"#{label.group(1)}" if label else ""
                kept.append(f"（解答在網頁上，先自己試試看：<{page_url}{anchor}>）\n")
                in_solution = True
            else:
                in_solution = False
            position = fence.end()
        if not in_solution:
            kept.append(cell.source[position:])
        cell.source = "".join(kept).strip("\n")
        if cell.source:
            cells.append(cell)
    notebook.cells = cells
    return notebook


def executed_notebook(env, docname: str) -> Any | None:
    """The page's executed notebook with stable ids, or None for a page without code."""
    written = _compat.executed_notebook_path(env, docname)
    if not written.exists():
        return None
    notebook = nbformat.read(written, as_version=4)
    if not any(cell.cell_type == "code" for cell in notebook.cells):
        return None
    notebook = _compat.with_cached_outputs(_compat.open_cache(env), notebook)
    page_url = f"{env.config.html_baseurl.rstrip('/')}/{docname}.html"
    return stable(without_solutions(notebook, page_url))


def offer_notebook(app, pagename, templatename, context, doctree) -> None:
    """Publish the executed notebook in ``_sources/``; the theme's download menu offers it."""
    if doctree is None:
        return
    notebook = executed_notebook(app.env, pagename)
    if notebook is None:
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(nbformat.writes(notebook), encoding="utf-8")
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup_notebooks(app) -> None:
    """Register the page-context handler, before the theme's download button reads it."""
    app.connect("html-page-context", offer_notebook, priority=400)  # the theme's runs at 501

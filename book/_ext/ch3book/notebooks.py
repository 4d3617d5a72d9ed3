"""Each executed page offers a notebook made for Jupyter and Colab, with its outputs.

sphinx-book-theme's download button offers ``_sources/<page>.ipynb`` when the page
context names it (``ipynb_source``), as it does for pages written as ``.ipynb``; for a
MyST Markdown page it offers only the ``.md``. MyST-NB writes the executed notebook to
``jupyter_execute/``, but it is the build's intermediate file: MyST Markdown that Jupyter
shows raw, the build's hidden checks and ``glue()`` calls (``from myst_nb import glue``
fails on a reader's machine), no way to get ch3lib, build metadata (``jupytext``,
``source_map``), no outputs when the page came from the execution cache (MyST-NB writes
the notebook it read, not the one merged with the cache), and whatever cell ids and
stream splits that run produced. This module publishes, in ``_sources/<page>.ipynb``, the
notebook a reader downloads or opens in Colab:

- a first cell that installs ch3lib from the site, by the wheel's URL and hash
  (``package_index.requirement``), when it is missing, then the page's set-up cell, visible;
- the Markdown in plain CommonMark + HTML (``commonmark``), links absolute;
- the cells tagged ``remove-cell`` left out (the build's checks and ``glue()`` calls);
- the outputs of the cached execution;
- stable cell ids (``cell-1``, ``cell-2``, …: nbformat draws random ones on every read);
- each cell's stream outputs merged by MyST-NB's own rule (``nb_merge_streams``), so that
  the file does not depend on how the kernel's messages were split in time, and the
  timings of Keras's training log and the install paths in tracebacks elided, as on
  the page (``stable_outputs``);
- the exercises without their solutions: everything between a ``{solution-start}`` and
  its ``{solution-end}`` (prose and code cells) becomes one line that links to the
  solution on the page, so a reader can try first; instead, each exercise has an answer
  cell and a check cell that says what is right and what is not yet (``homework``), and a
  page with exercises also publishes them alone, as a homework notebook;
- no build metadata (of the cell tags, only ``raises-exception`` is kept), nbformat-valid;

so that two builds of the same sources publish the same bytes. The page header gets a
「執行這一頁」 menu: 「在 Colab 開啟」 (Colab opens notebooks from GitHub: the publishing
workflow pushes ``_sources/*.ipynb`` to the ``book_notebooks_branch`` of
``book_repository``, ``tools/publish_notebooks.py``) and 「下載 .ipynb」.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path, PurePosixPath
from typing import Any

import nbformat
from jupyter_cache import get_cache
from sphinx.errors import ExtensionError
from sphinx.util import logging

from ch3book import (
    _compat,
    commonmark,
    docstring_links,
    homework,
    package_index,
    stable_outputs,
    urls,
)

logger = logging.getLogger(__name__)

#: The set-up cell every page starts with (hidden on the page, shown in the notebook).
SETUP_COMMENT = "# 每一頁開頭的設定：選擇裝置、固定亂數種子，讓結果與書上相同（見 3-4 節）\n"
#: Cell tags a reader's Jupyter understands: a cell that fails on purpose (the lesson shows
#: the error) does not stop "Run All" in JupyterLab or nbclient. Other tags are the build's.
KEPT_TAGS = {"raises-exception"}


def stable(notebook: Any) -> Any:
    """Give the cells stable ids and merge each code cell's stream outputs, in place.

    What depends on the run or the machine is elided from them, as on the page
    (``stable_outputs``).
    """
    for number, cell in enumerate(notebook.cells, start=1):
        cell.id = f"cell-{number}"
        if cell.cell_type == "code":
            cell.outputs = stable_outputs.stable_outputs(_compat.coalesce_streams(cell.outputs))
            cell.metadata.pop("execution", None)  # timing, if an executor recorded it
    return notebook


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
        for fence in homework.SOLUTION_FENCE.finditer(cell.source):
            if not in_solution:
                kept.append(cell.source[position : fence.start()])
            if fence.group(1) == "start":
                label = SOLUTION_LABEL.search(fence.group(3))
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


def install_cell_source(requirement: str, version: str) -> str:
    """The first cell of a reader's notebook: install this ch3lib when it is missing.

    ``requirement`` is the site's wheel by URL and hash (``package_index.requirement``):
    pip installs that file and nothing else in its place, whatever PyPI holds. One
    ``pip install`` downloads and checks every package before it installs any, so without a
    network, or when the site's file is not the one the notebook pins, nothing is
    installed; the cell then says which of the two happened, in Chinese, with the command
    to run, and stops. Another version already installed is replaced; this one is kept.
    """
    return f"""\
# 若還沒有安裝本書的函式庫 ch3lib {version}，就從本書網站安裝（已安裝則略過）。
# 只安裝本書網站上的這個檔案：網址最後的 sha256 由 pip 核對，
# 其他來源（例如 PyPI 上同名的套件）都不能取代它。
import importlib, importlib.metadata, shlex, subprocess, sys

CH3LIB = "{requirement}"
try:
    installed = importlib.metadata.version("ch3lib")
except importlib.metadata.PackageNotFoundError:
    installed = None
if installed != "{version}":
    pip = [sys.executable, "-m", "pip", "install", "--quiet", CH3LIB]
    result = subprocess.run(pip, capture_output=True, text=True)
    if result.returncode != 0:
        print(result.stderr[-2000:], file=sys.stderr)
        if "DO NOT MATCH THE HASHES" in result.stderr:
            why = ("本書網站上的 ch3lib 與這本筆記本記錄的 sha256 不符，pip 拒絕安裝"
                   "（檔案可能遭到竄改，或這本筆記本比網站舊：請從書上重新下載筆記本）。")
        else:
            why = "連不上本書網站或套件庫（沒有網路嗎？）。"
        raise RuntimeError(
            "無法安裝 ch3lib：" + why + "pip 要全部下載、核對完成才會安裝，所以環境沒有任何改變。"
            "稍後再執行這一格，或在終端機執行：pip install " + shlex.quote(CH3LIB))
    importlib.invalidate_caches()
    print("已安裝 ch3lib {version}")
"""


def targets(app, docname: str, notebook: Any) -> commonmark.Targets:
    """What the page's roles and labels resolve to on the published site."""
    env, config = app.env, app.config
    book_labels = _compat.labels(env)
    labels = {
        name: (urls.page_url(config, doc, anchor), title)
        for name, (doc, anchor, title) in book_labels.items()
    }
    for name, (doc, anchor) in _compat.anonymous_labels(env).items():
        labels.setdefault(name, (urls.page_url(config, doc, anchor), ""))
    terms = {
        name: urls.page_url(config, doc, anchor)
        for name, (doc, anchor) in _compat.glossary_terms(env).items()
    }
    objects = _compat.python_objects(env)
    api = {name: urls.page_url(config, doc, anchor) for name, (doc, anchor) in objects.items()}
    api |= {alias: api[name] for alias, name in docstring_links.public_names(objects).items()}
    numbers = {}
    figure_format = app.config.numfig_format["figure"]
    for name, (doc, anchor, _) in book_labels.items():
        number = _compat.figure_number(env, doc, anchor)
        if number:
            numbers[name] = figure_format % ".".join(map(str, number))
    source_folder = PurePosixPath(docname).parent

    def image_url(path: str) -> str:
        relative = (source_folder / path).as_posix()
        return urls.site_url(config, f"_images/{_compat.image_file_name(env, relative)}")

    def include(path: str, options: dict[str, str]) -> str:
        settings: dict[str, object] = {**options}
        if "dedent" in options:
            settings["dedent"] = int(options["dedent"])
        filename = Path(env.srcdir, source_folder, path).resolve()
        return _compat.literal_include(filename, settings, app.config)

    return commonmark.Targets(
        labels=labels,
        terms=terms,
        api=api,
        numbers=numbers,
        glue=_compat.glued_values(notebook),
        format_glue=_compat.format_glue,
        image_url=image_url,
        include=include,
    )


def reader_notebook(notebook: Any, links: commonmark.Targets, install: str) -> Any:
    """The notebook a reader runs: see the module docstring. Changes ``notebook`` in place."""
    cells = [nbformat.v4.new_code_cell(install)]
    exercise = None  # the label of the last {exercise} read
    for position, cell in enumerate(notebook.cells):
        tags = set(cell.metadata.get("tags", []))
        role = homework.role_of(tags)
        cell.metadata = nbformat.NotebookNode()
        if KEPT_TAGS & tags:
            cell.metadata.tags = sorted(KEPT_TAGS & tags)
        if cell.cell_type == "markdown":
            start = homework.SECTION_START.match(cell.source)
            if start:
                cell.metadata.ch3book = nbformat.NotebookNode(
                    role="exercises", anchor=start.group(1)
                )
            exercise = [exercise, *homework.exercise_labels(cell.source)][-1]
            cell.source = commonmark.convert(cell.source, links)
        elif role in homework.KEPT_ROLES:
            homework.mark_exercise_cell(cell, role, exercise)
        elif "remove-cell" in tags:
            if position != 0:
                continue  # the build's checks and glue() calls
            cell.source = SETUP_COMMENT + cell.source
        cells.append(cell)
    notebook.cells = cells
    language = notebook.metadata.get("language_info", {}).get("name", "python")
    notebook.metadata = nbformat.NotebookNode(
        kernelspec=notebook.metadata.get("kernelspec", {}),
        language_info=nbformat.NotebookNode(name=language),
    )
    nbformat.validate(notebook)
    return notebook


def executed_notebook(app, docname: str) -> Any | None:
    """The page's reader notebook, or None for a page without code."""
    env = app.env
    written = _compat.executed_notebook_path(env, docname)
    if not written.exists():
        return None
    notebook = nbformat.read(written, as_version=4)
    if not any(cell.cell_type == "code" for cell in notebook.cells):
        return None
    with contextlib.suppress(KeyError):  # a page the cache lacks: outputs as written
        cache = get_cache(app.config.nb_execution_cache_path)
        _, notebook = cache.merge_match_into_notebook(notebook)
    links = targets(app, docname, notebook)
    without_solutions(notebook, urls.page_url(app.config, docname))
    install = install_cell_source(
        package_index.requirement(app),
        package_index.library_version(Path(app.config.book_package_root)),
    )
    return stable(reader_notebook(notebook, links, install))


def _exercises_anchor(notebook: Any) -> str:
    """The anchor of the exercises section (its label), or "" for a page without one."""
    for cell in notebook.cells:
        if cell.metadata.get("ch3book", {}).get("role") == "exercises":
            return cell.metadata.ch3book.get("anchor", "")
    return ""


def published_notebook_path(pagename: str) -> str:
    """The notebook's path in the site's ``_sources/`` and on the notebooks branch."""
    return f"{pagename}.ipynb"


def offer_notebook(app, pagename, templatename, context, doctree) -> None:
    """Publish the reader's notebook in ``_sources/``; the theme's download menu offers it.

    A page with exercises publishes its homework notebook beside it (``homework``).
    """
    if doctree is None or not app.config.book_package_root:
        return
    if _compat.execution_succeeded(app.env, pagename) is False:
        return  # reported already; the build fails, and its outputs are not all there
    try:
        notebook = executed_notebook(app, pagename)
        labels = homework.check_exercises(notebook, pagename) if notebook is not None else []
    except (commonmark.UnsupportedMySTError, ExtensionError) as error:
        # the author's page, not a bug of the build: a warning, an error under -W
        logger.warning(f"the reader's notebook: {error}", location=pagename, type="ch3book")
        return
    if notebook is None:
        return
    target = Path(app.outdir) / "_sources" / published_notebook_path(pagename)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(nbformat.writes(notebook), encoding="utf-8")
    exercises = urls.page_url(app.config, pagename, _exercises_anchor(notebook))
    homework_notebook = homework.homework_notebook(
        notebook, _compat.title(app.env, pagename), exercises
    )
    if labels and homework_notebook is None:
        logger.warning(
            "the page has exercises but no Markdown cell that starts with its exercises "
            "label: put a line `+++` before `(sec-…-exercises)=` in the page's source",
            location=pagename,
            type="ch3book",
        )
    if homework_notebook is not None:
        path = homework.homework_path(pagename)
        (target.parent / path).write_text(
            nbformat.writes(stable(homework_notebook)), encoding="utf-8"
        )
        context["book_homework"] = path
    context["ipynb_source"] = published_notebook_path(pagename)
    context["book_colab_url"] = urls.colab_url(app.config, published_notebook_path(pagename))


def add_run_buttons(app, pagename, templatename, context, doctree) -> None:
    """「執行這一頁」 in the header: open the notebook in Colab, or download it."""
    if "book_colab_url" not in context or "header_buttons" not in context:
        return  # a page without a notebook, or a theme without header buttons
    download = f"{context['pathto']('_sources', 1)}/{context['ipynb_source']}"
    context["header_buttons"].append(
        {
            "type": "group",
            "tooltip": "執行這一頁",
            "icon": "fas fa-rocket",
            "label": "run-this-page",
            "buttons": [
                {
                    "type": "link",
                    "text": "在 Colab 開啟",
                    "tooltip": "在 Google Colab 開啟這一頁的筆記本",
                    "icon": "_static/images/logo_colab.png",
                    "url": context["book_colab_url"],
                    "label": "open-in-colab",
                },
                {
                    "type": "link",
                    "text": "下載 .ipynb",
                    "tooltip": "下載這一頁的筆記本，在 Jupyter 中執行",
                    "icon": "fas fa-download",
                    "url": download,
                    "label": "download-reader-notebook",
                },
            ],
        }
    )


def setup_notebooks(app) -> None:
    """Register the settings and the page-context handlers, around the theme's buttons."""
    app.add_config_value("book_repository", "", "html", types=(str,))
    app.add_config_value("book_notebooks_branch", "notebooks", "html", types=(str,))
    app.connect("html-page-context", offer_notebook, priority=400)  # the theme's runs at 501
    app.connect("html-page-context", add_run_buttons, priority=502)

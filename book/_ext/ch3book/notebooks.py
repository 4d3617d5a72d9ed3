"""Each executed page offers a notebook made for Jupyter and Colab, with its outputs.

An ``html-page-context`` handler writes ``reader_notebook`` to ``_sources/<page>.ipynb`` and
names it ``ipynb_source`` for sphinx-book-theme's download button (which, unasked, offers a
MyST page's ``.md``), and the homework notebook (``homework``); another adds 「執行這一頁」:
Colab (``book_repository``'s ``book_notebooks_branch``, filled by ``.github/workflows/pages.yml``)
and a download, and 「作業 .ipynb」 to the download menu. MyST-NB's ``jupyter_execute/``
notebook does not serve: MyST Markdown, the build's hidden checks and ``glue()`` calls (no
``myst_nb`` on a reader's machine), build metadata, random ids and stream splits, no ch3lib,
and no outputs for a page taken from the execution cache.
"""

from __future__ import annotations

import contextlib
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any

import nbformat
from jupyter_cache import get_cache
from sphinx.errors import ExtensionError
from sphinx.locale import admonitionlabels
from sphinx.util import logging

from ch3book import _compat, commonmark, exercises, homework, package_index, stable_outputs, urls
from ch3book.docstring_links import public_names

logger = logging.getLogger(__name__)

#: The set-up cell every page starts with (hidden on the page, shown in the notebook).
SETUP_COMMENT = "# 每一頁開頭的設定：選擇裝置、固定亂數種子，讓結果與書上相同（見 3-4 節）\n"
#: The one tag a reader's Jupyter understands; the others are the build's.
KEPT_TAGS = {"raises-exception"}


def stable(notebook: Any) -> Any:
    """Give the cells stable ids, merge and elide each code cell's streams, in place."""
    for number, cell in enumerate(notebook.cells, start=1):
        cell.id = f"cell-{number}"
        if cell.cell_type == "code":
            cell.outputs = stable_outputs.stable_outputs(_compat.coalesce_streams(cell.outputs))
    return notebook


def install_cell_source(requirement: str, version: str) -> str:
    """The first cell: install this ch3lib, the site's wheel by URL and hash, if missing.

    One ``pip install`` checks every file before it installs any: offline or on a hash
    mismatch nothing changes, and the cell says which, with the command to run.
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
    page = partial(urls.page_url, config)
    titled = _compat.labels(env)
    labels = {name: (page(*target), "") for name, target in _compat.anonymous_labels(env).items()}
    labels |= {name: (page(doc, anchor), title) for name, (doc, anchor, title) in titled.items()}
    objects = _compat.python_objects(env)
    api = {name: page(doc, anchor) for name, (doc, anchor) in objects.items()}
    api |= {alias: api[name] for alias, name in public_names(objects).items()}
    numbers = {
        name: config.numfig_format["figure"] % ".".join(map(str, number))
        for name, (doc, anchor, _) in titled.items()
        if (number := _compat.figure_number(env, doc, anchor))
    }
    source_folder = PurePosixPath(docname).parent

    def image_url(path: str) -> str:
        relative = (source_folder / path).as_posix()
        return urls.site_url(config, f"_images/{_compat.image_file_name(env, relative)}")

    def include(path: str, options: dict[str, str]) -> str:
        settings = {key: int(value) if key == "dedent" else value for key, value in options.items()}
        filename = Path(env.srcdir, source_folder, path).resolve()
        return _compat.literal_include(filename, settings, config)

    return commonmark.Targets(
        labels=labels,
        admonitions={name: str(title) for name, title in admonitionlabels.items()},
        terms={name: page(*target) for name, target in _compat.glossary_terms(env).items()},
        api=api,
        numbers=numbers,
        glue=_compat.glued_values(notebook),
        image_url=image_url,
        include=include,
    )


def reader_notebook(notebook: Any, links: commonmark.Targets, install: str, page_url: str) -> Any:
    """The notebook a reader runs, made of ``notebook`` in place.

    ``install`` and the set-up cell first, CommonMark, each solution (prose and code between
    its fences) a link to it on ``page_url``, no other ``remove-cell`` cell, exercise cells
    marked (``homework``), and no metadata but the ``raises-exception`` tag.
    """
    cells = [nbformat.v4.new_code_cell(install)]
    exercise, in_solution = None, False  # the last {exercise}'s label; between solution fences
    for cell in notebook.cells:
        tags = set(cell.metadata.get("tags", []))
        role = next((r for r in homework.KEPT_ROLES if f"exercise-{r}" in tags), None)
        cell.metadata = nbformat.NotebookNode()
        if KEPT_TAGS & tags:
            cell.metadata.tags = sorted(KEPT_TAGS & tags)
        if cell.cell_type == "markdown":
            text, *fences = homework.SOLUTION_FENCE.split(cell.source)
            kept = [] if in_solution else [text]
            for kind, label, after in zip(fences[::3], fences[1::3], fences[2::3], strict=True):
                in_solution = kind == "start"
                link = f"<{page_url}#{exercises.solution_label(label)}>"
                kept.append(f"（解答在網頁上，先自己試試看：{link}）\n" if in_solution else after)
            cell.source = "".join(kept).strip("\n")
            if not cell.source:
                continue
            if start := homework.SECTION_START.match(cell.source):
                cell.metadata.ch3book = nbformat.NotebookNode(role="exercises", anchor=start[1])
            exercise = [exercise, *homework.EXERCISE_LABEL.findall(cell.source)][-1]
            cell.source = commonmark.convert(cell.source, links)
        elif in_solution:
            continue
        elif role:
            homework.mark_exercise_cell(cell, role, exercise)
        elif "remove-cell" in tags:
            if len(cells) > 1:
                continue  # the build's checks and glue() calls: the set-up cell is the first
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
    written = _compat.executed_notebook_path(app.env, docname)
    if not written.exists():
        return None
    notebook = nbformat.read(written, as_version=4)
    if not any(cell.cell_type == "code" for cell in notebook.cells):
        return None
    with contextlib.suppress(KeyError):  # a page the cache lacks: outputs as written
        cache = get_cache(app.config.nb_execution_cache_path)
        _, notebook = cache.merge_match_into_notebook(notebook)
    links = targets(app, docname, notebook)
    install = install_cell_source(
        package_index.requirement(app),
        package_index.library_version(Path(app.config.book_package_root)),
    )
    return stable(reader_notebook(notebook, links, install, urls.page_url(app.config, docname)))


def published_notebook_path(pagename: str) -> str:
    """The notebook's path in the site's ``_sources/`` and on the notebooks branch."""
    return f"{pagename}.ipynb"


def offer_notebook(app, pagename, templatename, context, doctree) -> None:
    """Publish the reader's notebook, and its homework notebook if it has exercises."""
    if doctree is None or not app.config.book_package_root:
        return
    if _compat.execution_succeeded(app.env, pagename) is False:
        return  # reported already; the build fails, and its outputs are not all there
    try:
        notebook = executed_notebook(app, pagename)
        if notebook is None:
            return
        page_url = urls.page_url(app.config, pagename)
        work = homework.homework_notebook(notebook, _compat.title(app.env, pagename), page_url)
    except (commonmark.UnsupportedMySTError, ExtensionError) as error:
        # the author's page, not a bug of the build: a warning, an error under -W
        logger.warning(f"the reader's notebook: {error}", location=pagename, type="ch3book")
        return
    published = {published_notebook_path(pagename): notebook}
    if work is not None:
        context["book_homework"] = homework.homework_path(pagename)
        published[context["book_homework"]] = stable(work)
    for path, published_notebook in published.items():
        target = Path(app.outdir, "_sources", path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(nbformat.writes(published_notebook), encoding="utf-8")
    context["ipynb_source"] = published_notebook_path(pagename)
    context["book_colab_url"] = urls.colab_url(app.config, context["ipynb_source"])


def _link(label: str, text: str, tooltip: str, icon: str, url: str) -> dict[str, str]:
    return dict(type="link", text=text, tooltip=tooltip, icon=icon, url=url, label=label)


def add_buttons(app, pagename, templatename, context, doctree) -> None:
    """「執行這一頁」 in the header (Colab, download) and 「作業 .ipynb」 in the download menu."""
    buttons = context.get("header_buttons")
    if "book_colab_url" not in context or buttons is None:
        return  # a page without a notebook, or a theme without header buttons
    sources = context["pathto"]("_sources", 1)
    tip = "在 Google Colab 開啟這一頁的筆記本"
    logo = "_static/images/logo_colab.png"
    colab = _link("open-in-colab", "在 Colab 開啟", tip, logo, context["book_colab_url"])
    tip = "下載這一頁的筆記本，在 Jupyter 中執行"
    url = f"{sources}/{context['ipynb_source']}"
    here = _link("download-reader-notebook", "下載 .ipynb", tip, "fas fa-download", url)
    run = dict(type="group", tooltip="執行這一頁", icon="fas fa-rocket", label="run-this-page")
    buttons.append({**run, "buttons": [colab, here]})
    menu = next((b for b in buttons if b.get("label") == "download-buttons"), None)
    if "book_homework" in context and menu is not None:
        tip = "下載這一頁的練習：答案格與檢查格，可以直接當作業"
        url = f"{sources}/{context['book_homework']}"
        menu["buttons"].append(
            _link("download-homework-button", "作業 .ipynb", tip, "fas fa-file-pen", url)
        )


def setup_notebooks(app) -> None:
    app.add_config_value("book_repository", "", "html", types=(str,))
    app.add_config_value("book_notebooks_branch", "notebooks", "html", types=(str,))
    app.connect("html-page-context", offer_notebook, priority=400)  # the theme's runs at 501
    app.connect("html-page-context", add_buttons, priority=504)  # after book_pdf's, at 503

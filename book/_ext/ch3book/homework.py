"""Exercises that answer back: answer and check cells in the readers' notebooks, homework.

On the page, an exercise is its prompt and a hidden solution. In the page's source it also
has cells the page does not show (``remove-cell``), tagged by what they are:

- ``exercise-given``: what the exercises need from the lesson (once, before the first);
- ``exercise-answer``: the answer cell as a student gets it, with ``...`` where they write;
- ``exercise-check``: the check cell, a ``ch3lib.Exercise`` with its parts and hints;
- ``exercise-reference``: inside the solution, the answer that must pass (visible when the
  solution's own code is that answer).

They run when the book is built, and hidden cells around them make the check run three
times: after the answer cell as given (``expect("unanswered")``), after a plausible wrong
answer written next to the solution (``expect("failed")``) and after the reference
(``expect("passed")``); any other result stops the build with the exercise's label. The
readers' notebook (``notebooks.reader_notebook``) keeps the given, answer and check cells,
without outputs, each marked in its metadata (``ch3book: {role, exercise}``); a check cell's
code is folded (Jupyter's ``source_hidden``, Colab's ``# @title``): it is behaviour, not the
solution, but a student should run it, not read it first.

A page with exercises also publishes a homework notebook, ``_sources/<page>.homework.ipynb``:
the install and set-up cells, then the exercises section alone (it starts at the cell that
begins with ``(sec-…-exercises)=``; a ``+++`` line before it in the source makes that a cell
of its own). Its entry 「作業 .ipynb」 is in the page's download menu, and the lecture-links
page lists every page's homework (``{homework-notebooks}``).

otter-grader and nbgrader were measured for this and do not serve (README: "Exercises that
answer back"): otter refuses tests kept in a notebook's metadata on Colab and pins
``wrapt<2`` against TensorFlow's, nbgrader's tests are ``assert`` cells that raise; both
add about 100 packages and 300–540 MB, and speak English. The checker is ``ch3lib.answers``,
which the install cell already brings.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import nbformat
from docutils import nodes
from sphinx.errors import ExtensionError
from sphinx.util.docutils import SphinxDirective

from ch3book import _compat, incremental, urls
from ch3book.sections import page_labels, page_sort_key

#: The tags of an exercise's cells in the page's source → their role in a reader's notebook.
ROLES = {
    "exercise-given": "given",
    "exercise-answer": "answer",
    "exercise-check": "check",
    "exercise-reference": "reference",
}
#: The roles a reader's notebook keeps (the reference is the solution's, left on the page).
KEPT_ROLES = {"given", "answer", "check"}
EXERCISE_LABEL = re.compile(r"^:label:\s*(ex-[\w-]+)\s*$", re.MULTILINE)
SECTION_START = re.compile(r"^\((sec-[\w-]+-exercises)\)=", re.MULTILINE)
#: A solution's fence: ``start`` or ``end``, the exercise's label, the fence's options.
SOLUTION_FENCE = re.compile(
    r"^```\{solution-(start|end)\}[ \t]*(\S*)[^\n]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL
)
HOMEWORK_SUFFIX = ".homework"


def role_of(tags: set[str]) -> str | None:
    """An exercise cell's role, from its tags; None for any other cell."""
    roles = [ROLES[tag] for tag in sorted(tags) if tag in ROLES]
    return roles[0] if roles else None


def mark_exercise_cell(cell: Any, role: str, label: str | None) -> None:
    """Make a kept exercise cell what a reader gets: no outputs, its role in the metadata."""
    cell.outputs, cell.execution_count = [], None
    cell.metadata.ch3book = nbformat.NotebookNode(role=role)
    if role != "given":
        if label is None:
            raise ExtensionError(f"an exercise's {role} cell comes before any {{exercise}}")
        cell.metadata.ch3book.exercise = label
    if role == "check":
        cell.metadata.jupyter = nbformat.NotebookNode(source_hidden=True)


def exercise_labels(markdown: str) -> list[str]:
    """The labels of the ``{exercise}`` directives in a Markdown cell's source."""
    return EXERCISE_LABEL.findall(markdown)


def check_exercises(notebook: Any, docname: str) -> list[str]:
    """The labels of a reader's notebook, each with one answer and one check cell, in order.

    Raises:
        ExtensionError: If an exercise lacks its answer or check cell, or has two.
    """
    roles: dict[str, list[str]] = {}
    for cell in notebook.cells:
        mark = cell.metadata.get("ch3book", {})
        if mark.get("exercise"):
            roles.setdefault(mark["exercise"], []).append(mark["role"])
    wrong = {label: found for label, found in roles.items() if sorted(found) != ["answer", "check"]}
    if wrong:
        raise ExtensionError(
            f"{docname}: every exercise needs one exercise-answer and one exercise-check cell; "
            f"received: {wrong}"
        )
    return list(roles)


def homework_notebook(reader: Any, title: str, exercises_url: str) -> Any | None:
    """The homework notebook made from a page's reader notebook, or None without exercises."""
    starts = [
        i
        for i, c in enumerate(reader.cells)
        if c.metadata.get("ch3book", {}).get("role") == "exercises"
    ]
    if not starts:
        return None
    intro = nbformat.v4.new_markdown_cell(
        f"# {title}：作業\n\n"
        "這本筆記本只有練習。先執行最前面的兩格（安裝 `ch3lib`、每一頁開頭的設定），"
        "再依序作答：把答案格裡的 `...` 換成你的答案並執行，再執行它下面的檢查格；"
        "檢查格會說哪裡對了、哪裡還不對，並給提示，但不會給出解答。"
        f"解答在網頁上：<{exercises_url}>"
    )
    homework = copy.deepcopy(reader)
    homework.cells = [*homework.cells[:2], intro, *homework.cells[starts[0] :]]
    return homework


def reference_answers(page_notebook: Any) -> dict[str, str]:
    """Each exercise's reference answer (``exercise-reference`` cells in its solution).

    ``page_notebook`` is the page as the build executed it (``jupyter_execute``), tags kept.
    The readers' notebook test pastes these into the answer cells.
    """
    answers: dict[str, list[str]] = {}
    solution = None
    for cell in page_notebook.cells:
        if cell.cell_type == "markdown":
            for kind, label, _ in SOLUTION_FENCE.findall(cell.source):
                solution = label if kind == "start" else None
            continue
        if solution and "exercise-reference" in cell.metadata.get("tags", []):
            answers.setdefault(solution, []).append(cell.source)
    return {label: "\n\n".join(sources) for label, sources in answers.items()}


# -- The download menu and the lecture-links page -------------------------------------------


def homework_path(pagename: str) -> str:
    """The homework notebook's path in the site's ``_sources/`` and on the notebooks branch."""
    return f"{pagename}{HOMEWORK_SUFFIX}.ipynb"


def add_homework_button(app, pagename, templatename, context, doctree) -> None:
    """``html-page-context``: 「作業 .ipynb」 in the download menu of a page with homework."""
    if "book_homework" not in context:
        return
    group = next(
        (b for b in context.get("header_buttons", []) if b.get("label") == "download-buttons"),
        None,
    )
    if group is None:
        return
    group["buttons"].append(
        {
            "type": "link",
            "url": f"{context['pathto']('_sources', 1)}/{context['book_homework']}",
            "text": "作業 .ipynb",
            "tooltip": "下載這一頁的練習：答案格與檢查格，可以直接當作業",
            "icon": "fas fa-file-pen",
            "label": "download-homework-button",
        }
    )


class homework_placeholder(nodes.General, nodes.Element):  # noqa: N801 (docutils' style)
    """Replaced, once every page is read, by the list of homework notebooks."""


def homework_pages(env) -> list[tuple[str, int]]:
    """``(docname, number of exercises)`` of every page with exercises, in reading order."""
    counts = _compat.exercise_pages(env)
    page_label = page_labels(env)
    return sorted(counts.items(), key=lambda item: page_sort_key(page_label[item[0]]))


class HomeworkNotebooks(SphinxDirective):
    """``{homework-notebooks}``: every page's homework notebook, to download or open in Colab."""

    def run(self) -> list[nodes.Node]:
        """A placeholder: the other pages may not have been read yet."""
        return [homework_placeholder()]


def fill_homework_list(app, doctree, fromdocname) -> None:
    """``doctree-resolved``: each page with exercises, its count, download and Colab links."""
    for placeholder in doctree.findall(homework_placeholder):
        items = nodes.bullet_list(classes=["homework-notebooks"])
        for docname, count in homework_pages(app.env):
            title = _compat.title(app.env, docname)
            para = nodes.paragraph()
            page = app.builder.get_relative_uri(fromdocname, docname)
            para += nodes.reference("", title, internal=True, refuri=page)
            para += nodes.Text(f"：{count} 題。")
            download = urls.site_url(app.config, f"_sources/{homework_path(docname)}")
            para += nodes.reference("", "下載作業 .ipynb", internal=False, refuri=download)
            para += nodes.Text("、")
            colab = urls.colab_url(app.config, homework_path(docname))
            para += nodes.reference("", "在 Colab 開啟", internal=False, refuri=colab)
            items += nodes.list_item("", para)
        placeholder.replace_self(items)


def setup_homework(app) -> None:
    """Register the menu entry, the directive, its node and its resolver."""
    app.add_node(homework_placeholder)
    incremental.summary(homework_placeholder)
    app.add_directive("homework-notebooks", HomeworkNotebooks)
    app.connect("doctree-resolved", fill_homework_list)
    app.connect("html-page-context", add_homework_button, priority=504)

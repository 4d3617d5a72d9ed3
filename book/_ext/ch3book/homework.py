"""Exercises that answer back: answer and check cells in the readers' notebooks, homework.

An exercise's ``remove-cell`` cells are tagged ``exercise-`` + ``given``, ``answer``,
``check`` (a ``ch3lib.Exercise``) or ``reference`` (in the solution). The readers' notebook
keeps the first three, empty and marked ``ch3book: {role, exercise}``; a page with exercises
also publishes them alone (``homework_notebook``), offered in its download menu
(``html-page-context``) and listed by ``{homework-notebooks}``. otter-grader and nbgrader
were measured and do not serve (README: "Exercises that answer back"): otter refuses tests
kept in a notebook's metadata on Colab and pins ``wrapt<2`` against TensorFlow's,
nbgrader's tests are ``assert`` cells that raise; both add about 100 packages and 300–540
MB, and speak English. The checker is ``ch3lib.answers`` (the install cell brings it); at
build time, hidden cells run each check on the given, a wrong and the reference answer and
expect unanswered, failed and passed.
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

#: The roles (tag ``exercise-<role>``) a reader's notebook keeps, the first a cell has: not the
#: ``reference``, the solution's, left on the page.
KEPT_ROLES = ("answer", "check", "given")
EXERCISE_LABEL = re.compile(r"^:label:\s*(ex-[\w-]+)\s*$", re.MULTILINE)
SECTION_START = re.compile(r"^\((sec-[\w-]+-exercises)\)=", re.MULTILINE)
#: A solution's fence: ``start`` or ``end``, then the exercise's label.
SOLUTION_FENCE = re.compile(
    r"^```\{solution-(start|end)\}[ \t]*(\S*)[^\n]*\n.*?^```[ \t]*$", re.MULTILINE | re.DOTALL
)


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


def homework_notebook(reader: Any, title: str, page_url: str) -> Any | None:
    """The homework notebook made from a page's reader notebook, or None without exercises.

    An ExtensionError unless each exercise has one answer and one check cell, and the page a
    Markdown cell that starts with its exercises' label.
    """
    marks = [cell.metadata.get("ch3book", {}) for cell in reader.cells]
    roles: dict[str, list[str]] = {}
    for mark in marks:
        if mark.get("exercise"):
            roles.setdefault(mark["exercise"], []).append(mark["role"])
    wrong = {label: found for label, found in roles.items() if sorted(found) != ["answer", "check"]}
    if wrong:
        raise ExtensionError(
            "every exercise needs one exercise-answer and one exercise-check cell; "
            f"received: {wrong}"
        )
    start = next((i for i, mark in enumerate(marks) if mark.get("role") == "exercises"), None)
    if start is None:
        if roles:
            raise ExtensionError(
                "the page has exercises but no Markdown cell that starts with its exercises "
                "label: put a line `+++` before `(sec-…-exercises)=` in the page's source"
            )
        return None
    intro = nbformat.v4.new_markdown_cell(
        f"# {title}：作業\n\n"
        "這本筆記本只有練習。先執行最前面的兩格（安裝 `ch3lib`、每一頁開頭的設定），"
        "再依序作答：把答案格裡的 `...` 換成你的答案並執行，再執行它下面的檢查格；"
        "檢查格會說哪裡對了、哪裡還不對，並給提示，但不會給出解答。"
        f"解答在網頁上：<{page_url}#{marks[start]['anchor']}>"
    )
    homework = copy.deepcopy(reader)
    homework.cells = [*homework.cells[:2], intro, *homework.cells[start:]]
    return homework


def homework_path(pagename: str) -> str:
    """The homework notebook's path in the site's ``_sources/`` and on the notebooks branch."""
    return f"{pagename}.homework.ipynb"


class homework_placeholder(nodes.General, nodes.Element):  # noqa: N801 (docutils' style)
    """Replaced, once every page is read, by the list of homework notebooks."""


class HomeworkNotebooks(SphinxDirective):
    """``{homework-notebooks}``: every page's homework notebook, to download or open in Colab."""

    def run(self) -> list[nodes.Node]:
        return [homework_placeholder()]  # the other pages may not have been read yet


def fill_homework_list(app, doctree, fromdocname) -> None:
    """``doctree-resolved``: each page with exercises, its count, download and Colab links."""
    for placeholder in doctree.findall(homework_placeholder):
        items = nodes.bullet_list(classes=["homework-notebooks"])
        label, pages = page_labels(app.env), _compat.exercise_pages(app.env)
        for docname in sorted(pages, key=lambda docname: page_sort_key(label[docname])):
            para = nodes.paragraph()
            page = app.builder.get_relative_uri(fromdocname, docname)
            para += nodes.reference("", _compat.title(app.env, docname), internal=True, refuri=page)
            para += nodes.Text(f"：{pages[docname]} 題。")
            download = urls.site_url(app.config, f"_sources/{homework_path(docname)}")
            para += nodes.reference("", "下載作業 .ipynb", internal=False, refuri=download)
            para += nodes.Text("、")
            colab = urls.colab_url(app.config, homework_path(docname))
            para += nodes.reference("", "在 Colab 開啟", internal=False, refuri=colab)
            items += nodes.list_item("", para)
        placeholder.replace_self(items)


def setup_homework(app) -> None:
    app.add_node(homework_placeholder)
    incremental.summary(homework_placeholder)
    app.add_directive("homework-notebooks", HomeworkNotebooks)
    app.connect("doctree-resolved", fill_homework_list)

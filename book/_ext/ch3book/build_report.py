"""``{execution-report}``: what the build executed, page by page, with no wall-clock time.

MyST-NB's ``{nb-exec-table}`` lists each page's execution time and the date it last ran,
so two builds of the same sources publish different bytes. This table lists, for every
page with code, the facts that do not change from one build of the same sources to the
next: its code cells, the cells with an output, the figures, and whether it ran without
an error. (The execution times are printed in the build log and measured by
``make bench``.)
"""

from __future__ import annotations

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from ch3book import _compat, incremental, pagedata
from ch3book.sections import page_labels, page_sort_key

HEADER = ("頁面", "頁面上的程式儲存格", "有輸出的儲存格", "圖（含靜態圖）", "執行結果")


class execution_report_placeholder(nodes.General, nodes.Element):  # noqa: N801
    """Replaced, once every page has been read, by the table."""


class ExecutionReport(SphinxDirective):
    """``{execution-report}``: one row per executed page."""

    def run(self) -> list[nodes.Node]:
        """Leave a placeholder: the other pages may not have been read yet."""
        return [execution_report_placeholder()]


def _is_cell(node: nodes.Node) -> bool:
    return isinstance(node, nodes.container) and "cell" in node.get("classes", [])


def page_counts(doctree) -> tuple[int, int, int]:
    """``(code cells, cells with output, figures)`` of a page's doctree."""
    cells = [c for c in doctree.findall(_is_cell) if "tag_remove-cell" not in c["classes"]]
    with_output = sum(
        any("cell_output" in n.get("classes", []) for n in c.findall(nodes.container))
        for c in cells
    )
    figures = sum(1 for _ in doctree.findall(nodes.figure))
    return len(cells), with_output, figures


class PageCounts(pagedata.PageData):
    """Each page's counts, gathered when it is read."""

    name = "ch3book_page_counts"

    def gather(self, app, doctree) -> tuple[int, int, int]:
        """The page's ``page_counts``."""
        return page_counts(doctree)


def page_rows(env) -> list[tuple[str, int, int, int, str]]:
    """``(docname, code cells, cells with output, figures, result)`` in reading order."""
    order = {docname: page_sort_key(label) for docname, label in page_labels(env).items()}
    rows = []
    for docname in sorted(env.found_docs, key=lambda d: (order.get(d, (99,)), d)):
        succeeded = _compat.execution_succeeded(env, docname)
        if succeeded is None:
            continue
        counts = pagedata.of(env, PageCounts.name)[docname]
        rows.append((docname, *counts, "成功" if succeeded else "失敗"))
    return rows


def fill_execution_report(app, doctree, fromdocname) -> None:
    """Replace the placeholder by the table (``doctree-resolved``)."""
    for placeholder in doctree.findall(execution_report_placeholder):
        table = nodes.table(classes=["execution-report"])
        group = nodes.tgroup(cols=len(HEADER))
        table += group
        group.extend(nodes.colspec(colwidth=1) for _ in HEADER)
        head = nodes.thead()
        head += _row([nodes.Text(text) for text in HEADER])
        body = nodes.tbody()
        for docname, *numbers, result in page_rows(app.env):
            title = _compat.title(app.env, docname)
            uri = app.builder.get_relative_uri(fromdocname, docname)
            link = nodes.reference("", title, internal=True, refuri=uri)
            body += _row([link, *(nodes.Text(str(n)) for n in numbers), nodes.Text(result)])
        group += head
        group += body
        placeholder.replace_self(table)


def _row(cells: list[nodes.Node]) -> nodes.row:
    row = nodes.row()
    for content in cells:
        entry = nodes.entry()
        entry += nodes.paragraph("", "", content)
        row += entry
    return row


def setup_build_report(app) -> None:
    """Register the directive, its node and the resolver."""
    app.add_node(execution_report_placeholder)
    incremental.summary(execution_report_placeholder)
    app.add_directive("execution-report", ExecutionReport)
    app.connect("doctree-resolved", fill_execution_report)
    app.add_env_collector(PageCounts)

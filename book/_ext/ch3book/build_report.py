"""``{execution-report}``: what the build executed, page by page, with no wall-clock time.

MyST-NB's ``{nb-exec-table}`` lists execution times and dates, so two builds of the same
sources publish different bytes. The directive leaves a placeholder; once every page is read,
a ``doctree-resolved`` handler writes a table of what does not change between such builds:
each executed page's code cells, cells with an output, figures (counted by an env collector)
and whether it ran without error. (Times are in the build log and ``make bench``.)
"""

from __future__ import annotations

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from ch3book import _compat, incremental, pagedata
from ch3book.sections import page_labels, page_sort_key

HEADER = ("頁面", "頁面上的程式儲存格", "有輸出的儲存格", "圖（含靜態圖）", "執行結果")


class execution_report_placeholder(nodes.General, nodes.Element):  # noqa: N801
    """Replaced by the table once every page has been read."""


class ExecutionReport(SphinxDirective):
    def run(self) -> list[nodes.Node]:
        return [execution_report_placeholder()]


class PageCounts(pagedata.PageData):
    """Each page's ``(code cells, cells with output, figures)``, gathered when it is read."""

    name = "ch3book_page_counts"

    def gather(self, app, doctree) -> tuple[int, int, int]:
        cells = [c for c in doctree.findall(nodes.container) if "cell" in c["classes"]]
        cells = [c for c in cells if "tag_remove-cell" not in c["classes"]]
        with_output = sum(
            any("cell_output" in n["classes"] for n in c.findall(nodes.container)) for c in cells
        )
        return len(cells), with_output, sum(1 for _ in doctree.findall(nodes.figure))


def fill_execution_report(app, doctree, fromdocname) -> None:
    """Replace the placeholder by the table, a row per executed page (``doctree-resolved``)."""
    env = app.env
    for placeholder in doctree.findall(execution_report_placeholder):
        group = nodes.tgroup("", *(nodes.colspec(colwidth=1) for _ in HEADER), cols=len(HEADER))
        group += nodes.thead("", _row([nodes.Text(text) for text in HEADER]))
        body = nodes.tbody()
        order = {docname: page_sort_key(label) for docname, label in page_labels(env).items()}
        counts = pagedata.of(env, PageCounts.name)
        for docname in sorted(env.found_docs, key=lambda d: (order.get(d, (99,)), d)):
            succeeded = _compat.execution_succeeded(env, docname)
            if succeeded is None:
                continue  # not executed
            uri = app.builder.get_relative_uri(fromdocname, docname)
            link = nodes.reference("", _compat.title(env, docname), internal=True, refuri=uri)
            numbers = [nodes.Text(str(n)) for n in counts[docname]]
            body += _row([link, *numbers, nodes.Text("成功" if succeeded else "失敗")])
        group += body
        placeholder.replace_self(nodes.table("", group, classes=["execution-report"]))


def _row(cells: list[nodes.Node]) -> nodes.row:
    return nodes.row("", *(nodes.entry("", nodes.paragraph("", "", cell)) for cell in cells))


def setup_build_report(app) -> None:
    app.add_node(execution_report_placeholder)
    incremental.summary(execution_report_placeholder)
    app.add_directive("execution-report", ExecutionReport)
    app.connect("doctree-resolved", fill_execution_report)
    app.add_env_collector(PageCounts)

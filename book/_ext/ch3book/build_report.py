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

from ch3book import _compat, reuse
from ch3book.sections import page_labels, page_sort_key

HEADER = ("頁面", "頁面上的程式儲存格", "有輸出的儲存格", "圖（含靜態圖）", "執行結果")


class execution_report_placeholder(nodes.General, nodes.Element):  # noqa: N801
    """Replaced, once every page has been read, by the table."""


class ExecutionReport(SphinxDirective):
    """``{execution-report}``: one row per executed page."""

    def run(self) -> list[nodes.Node]:
        """Leave a placeholder: the other pages may not have been read yet."""
        reuse.note_summary(self.env, self.env.docname, "execution-report")
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


#: The environment's attribute that keeps each page's counts from when it was read, so
#: that the table needs no page's doctree again (the environment is pickled with them).
COUNTS = "ch3book_page_counts"


def _counted(env) -> dict[str, tuple[int, int, int]]:
    if not hasattr(env, COUNTS):
        setattr(env, COUNTS, {})
    return getattr(env, COUNTS)


def record_counts(app, doctree) -> None:
    """``doctree-read`` (late): count the page as it is stored."""
    _counted(app.env)[app.env.docname] = page_counts(doctree)


def forget_counts(app, env, docname) -> None:
    """``env-purge-doc``: a page read again is counted again."""
    getattr(env, COUNTS, {}).pop(docname, None)


def merge_counts(app, env, docnames, other) -> None:
    """``env-merge-info``: the counts of pages read by another process."""
    theirs = getattr(other, COUNTS, {})
    _counted(env).update({d: theirs[d] for d in docnames if d in theirs})


def page_rows(env) -> list[tuple[str, int, int, int, str]]:
    """``(docname, code cells, cells with output, figures, result)`` in reading order."""
    order = {docname: page_sort_key(label) for docname, label in page_labels(env).items()}
    counted = getattr(env, COUNTS, {})
    rows = []
    for docname in sorted(env.found_docs, key=lambda d: (order.get(d, (99,)), d)):
        succeeded = _compat.execution_succeeded(env, docname)
        if succeeded is None:
            continue
        counts = counted.get(docname) or page_counts(env.get_doctree(docname))
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
            title = app.env.titles[docname].astext()
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
    """Register the directive, its node, the resolver, and what the table depends on."""
    reuse.SUMMARIES["execution-report"] = lambda env: repr(page_rows(env))
    app.add_node(execution_report_placeholder)
    app.add_directive("execution-report", ExecutionReport)
    app.connect("doctree-resolved", fill_execution_report)
    app.connect("doctree-read", record_counts, priority=900)  # after the others' changes
    app.connect("env-purge-doc", forget_counts)
    app.connect("env-merge-info", merge_counts)

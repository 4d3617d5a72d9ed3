"""What the built site must contain, from the one place each fact is defined.

The published URLs (``book/published-urls.txt``), the executed pages (the sources with
code cells) and the base URL (read from the built site, as a reader's browser sees it).
"""

import re
import tomllib

from ch3book.homework import SOLUTION_FENCE
from ch3book.sections import page_sort_key
from tools import layout
from tools.published_urls import read as published_urls  # book/published-urls.txt
from tools.serve import base_url  # noqa: F401  (the tests read it from here)

#: The repository's pyproject.toml: the library's metadata, the build's groups and machines.
PYPROJECT = tomllib.loads((layout.ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def cell_role(cell) -> str | None:
    """An exercise cell's role in a reader's notebook (ch3book/homework.py), if it has one."""
    return cell.metadata.get("ch3book", {}).get("role")


def reference_answers(page_notebook) -> dict[str, str]:
    """Each exercise's reference answer, from the page as executed (``jupyter_execute``)."""
    answers: dict[str, list[str]] = {}
    solution = None
    for cell in page_notebook.cells:
        if cell.cell_type == "markdown":
            for kind, label in SOLUTION_FENCE.findall(cell.source):
                solution = label if kind == "start" else None
        elif solution and "exercise-reference" in cell.metadata.get("tags", []):
            answers.setdefault(solution, []).append(cell.source)
    return {label: "\n\n".join(sources) for label, sources in answers.items()}


def section_pages() -> dict[str, list[str]]:
    """Each published page with its section anchors (``sec-*``), from the published URLs."""
    pages: dict[str, list[str]] = {}
    for url in published_urls():
        page, _, anchor = url.partition("#")
        if anchor.startswith("sec-"):
            pages.setdefault(page, []).append(anchor)
    return pages


def _reading_order(name: str) -> tuple:
    """A page's place in the book: by its page label's numbers (sec-3-10 after sec-3-9)."""
    text = (layout.BOOK / f"{name}.md").read_text(encoding="utf-8")
    label = re.search(r"^\((sec-\d+-\d+)\)=$", text, re.MULTILINE)
    return (0, page_sort_key(label.group(1))) if label else (1, name)


def notebook_pages() -> list[str]:
    """The pages that are notebooks (MyST Markdown with a jupytext header), in reading order."""
    names = [
        path.relative_to(layout.BOOK).with_suffix("").as_posix()
        for path in layout.BOOK.rglob("*.md")
        if path.read_text(encoding="utf-8").startswith("---\njupytext:")
    ]
    return sorted(names, key=_reading_order)


def glued_pages() -> list[str]:
    """The notebook pages whose prose quotes a number the page computed ({glue:text})."""
    return [
        name
        for name in notebook_pages()
        if "{glue:text}" in (layout.BOOK / f"{name}.md").read_text(encoding="utf-8")
    ]


def solution_code(name: str) -> list[str]:
    """The longest shown code cell of each solution on a page (not in a reader's notebook)."""
    text = (layout.BOOK / f"{name}.md").read_text(encoding="utf-8")
    found = []
    for block in re.findall(r"^```\{solution-start\}.*?^```\{solution-end\}", text, re.S | re.M):
        cells = re.findall(r"^```\{code-cell\} ipython3\n(.*?)^```$", block, re.S | re.M)
        shown = [cell.strip() for cell in cells if not cell.startswith(":tags:")]
        if shown:
            found.append(max(shown, key=len))
    return found

"""What the built site must contain, from the one place each fact is defined.

The published URLs (``book/published-urls.txt``), the executed pages (the sources with
code cells) and the base URL (read from the built site, as a reader's browser sees it).
"""

from tools import layout
from tools.serve import base_url  # noqa: F401  (the tests read it from here)


def published_urls() -> list[str]:
    """Every URL the book has published, relative to the base URL (book/published-urls.txt)."""
    lines = layout.PUBLISHED_URLS.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def section_pages() -> dict[str, list[str]]:
    """Each published page with its section anchors (``sec-*``), from the published URLs."""
    pages: dict[str, list[str]] = {}
    for url in published_urls():
        page, _, anchor = url.partition("#")
        if anchor.startswith("sec-"):
            pages.setdefault(page, []).append(anchor)
    return pages


def notebook_pages() -> list[str]:
    """The pages that are notebooks: MyST Markdown with a jupytext header (front matter)."""
    return sorted(
        path.relative_to(layout.BOOK).with_suffix("").as_posix()
        for path in layout.BOOK.rglob("*.md")
        if path.read_text(encoding="utf-8").startswith("---\njupytext:")
    )

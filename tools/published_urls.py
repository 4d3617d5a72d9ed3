"""``make urls``: add the built site's new pages and section anchors to the list of URLs.

``tests/test_urls.py`` fails, naming the lines, when the site publishes a URL (page, ``sec-*``
anchor, QR view) that ``book/published-urls.txt`` lacks; this adds each after the URL before
it in reading order and never removes or rewrites one: an address published once stays
(rename with a redirect).

Usage: ``python -m tools.published_urls [SITE]`` (``make urls``; SITE: ``_build/html``).
"""

import re
import sys
from pathlib import Path

from tools import layout

ID = re.compile(r'\sid="([^"]+)"')
SIDEBAR_LINK = re.compile(r'<a class="[^"]*reference internal[^"]*" href="([^"#]+)"')


def read(path: Path = layout.PUBLISHED_URLS) -> list[str]:
    """The listed URLs, in the file's order (comments and blank lines left out)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def reading_order(site: Path) -> list[str]:
    """The book's pages in reading order: the home page, then its sidebar's (the toctree)."""
    html = (site / "index.html").read_text(encoding="utf-8")
    start = html.index("bd-docs-nav")
    links = SIDEBAR_LINK.findall(html, start, html.index("</nav>", start))
    return list(dict.fromkeys(["index.html", *links]))


def anchors(site: Path, page: str) -> list[str]:
    """The page's section anchors (``sec-*``), in the order of its headings."""
    html = (site / page).read_text(encoding="utf-8")
    label = layout.book_extension("sections").SECTION_LABEL
    return list(dict.fromkeys(i for i in ID.findall(html) if label.match(i)))


def site_pages(site: Path) -> list[str]:
    """Every page a reader can open, the site's HTML minus redirects and the package index:
    the book's in reading order, then the QR views in the order of their sections, then the
    rest (the search and 404 pages) sorted."""
    pages = [path.relative_to(site).as_posix() for path in sorted(site.rglob("*.html"))]
    pages = [
        page
        for page in pages
        if not page.startswith(("_static/", "simple/"))
        and 'http-equiv="refresh"' not in (site / page).read_text(encoding="utf-8")[:2000]
    ]
    book = reading_order(site)
    folder = layout.book_extension("lecture_links").PROJECTOR_FOLDER  # the QR views
    order = book + [f"{folder}/{anchor}.html" for page in book for anchor in anchors(site, page)]
    return sorted(pages, key=lambda page: order.index(page) if page in order else len(order))


def published(site: Path) -> list[str]:
    """Every page but those the sitemap leaves out (search, 404), and its section anchors."""
    no_content = {f"{name}.html" for name in layout.book_extension("sitemap").EXCLUDED}
    urls = []
    for page in site_pages(site):
        if page not in no_content:
            urls += [page, *(f"{page}#{anchor}" for anchor in anchors(site, page))]
    return urls


def unlisted(site: Path, listed: list[str]) -> list[str]:
    """What the site publishes that the ``listed`` lines lack, in the order ``published`` gives."""
    listed = {line.strip() for line in listed}
    return [url for url in published(site) if url not in listed]


def with_added(lines: list[str], site: Path) -> list[str]:
    """``lines`` as they are, each unlisted URL inserted after the last listed one before it in
    reading order (a new page's block after the page before it; last if none is before)."""
    listed = {line.strip() for line in lines}
    following: dict[str | None, list[str]] = {}  # a listed URL: the unlisted ones after it
    previous = None
    for url in published(site):
        if url in listed:
            previous = url
        else:
            following.setdefault(previous, []).append(url)
    result = []
    for line in lines:
        result += [line, *following.pop(line.strip(), [])]
    return result + following.pop(None, [])


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    site = Path(args[0]) if args else layout.SITE
    if not (site / "sitemap.xml").is_file():
        sys.exit(f"make urls: expected a built site (sitemap.xml) in {site}; run make html first")
    path = layout.PUBLISHED_URLS
    lines = path.read_text(encoding="utf-8").splitlines()
    added = unlisted(site, lines)
    if not added:
        print(f"make urls: {path.relative_to(layout.ROOT)} already lists every URL of {site}")
        return
    path.write_text("\n".join(with_added(lines, site)) + "\n", encoding="utf-8")
    print(f"make urls: added {len(added)} lines to {path.relative_to(layout.ROOT)}:")
    print("\n".join(f"  {url}" for url in added))


if __name__ == "__main__":
    main()

"""``make urls``: add the built site's new pages and section anchors to the list of URLs.

``tests/test_urls.py`` fails, naming the lines, when the site publishes a URL (page, ``sec-*``
anchor, QR view) that ``book/published-urls.txt`` lacks; this adds them where they belong and
never removes or rewrites one: an address published once stays (rename with a redirect).

Usage: ``python -m tools.published_urls [SITE]`` (``make urls``; SITE: ``_build/html``).
"""

import re
import sys
from pathlib import Path

from tools import layout
from tools.serve import base_url

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


def site_pages(site: Path) -> list[str]:
    """The sitemap's pages (the book's first, in reading order), then the QR views, in order."""
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    base = base_url(site)
    listed = [url.removeprefix(base) for url in re.findall(r"<loc>([^<]+)</loc>", sitemap)]
    pages = [page for page in reading_order(site) if page in listed]
    pages += [page for page in listed if page not in pages]
    folder = layout.book_extension("lecture_links").PROJECTOR_FOLDER  # the QR views
    views = {p.relative_to(site).as_posix() for p in (site / folder).glob("*.html")}
    in_order = [f"{folder}/{a}.html" for page in pages for a in anchors(site, page)]
    return pages + [v for v in in_order if v in views] + sorted(views - set(in_order))


def anchors(site: Path, page: str) -> list[str]:
    """The page's section anchors (``sec-*``), in the order of its headings."""
    html = (site / page).read_text(encoding="utf-8")
    label = layout.book_extension("sections").SECTION_LABEL
    return list(dict.fromkeys(i for i in ID.findall(html) if label.match(i)))


def published(site: Path) -> list[str]:
    """Every page and section anchor the site publishes, in reading order."""
    urls = []
    for page in site_pages(site):
        urls += [page, *(f"{page}#{anchor}" for anchor in anchors(site, page))]
    return urls


def unlisted(site: Path, listed: list[str]) -> list[str]:
    """What the site publishes that the ``listed`` lines lack, in the order ``published`` gives."""
    listed = {line.strip() for line in listed}
    return [url for url in published(site) if url not in listed]


def _folder(url: str) -> str:
    return url.partition("#")[0].rpartition("/")[0]


def with_added(lines: list[str], site: Path) -> list[str]:
    """``lines`` with each unlisted URL after the listed one before it in reading order if that
    is its kind (an anchor of its page, a page of its folder), else before the next, else last."""
    order = published(site)
    result = list(lines)
    for url in unlisted(site, lines):
        page, anchor, _ = url.partition("#")
        n = order.index(url)
        if anchor:
            kin = [u for u in order if u.partition("#")[0] == page]
        else:
            kin = [u for u in order if _folder(u) == _folder(url)]
        earlier = [u for u in order[:n] if u in result]
        later = [u for u in order[n + 1 :] if u in result and (not anchor or u in kin)]
        if later and not (earlier and earlier[-1] in kin):
            result.insert(result.index(later[0]), url)
        elif earlier:
            result.insert(result.index(earlier[-1]) + 1, url)
        else:
            result.append(url)
    return result


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

"""URLs that last: every URL the book ever published still resolves (``make test-site``).

``book/published-urls.txt`` lists them (pages and ``sec-*`` anchors). A URL resolves when
its page exists, directly or through redirect pages (``redirects`` in conf.py, written by
sphinx-reredirects with the book's template), and the final page has the anchor.
"""

import posixpath
import re

import pytest
from published import base_url, published_urls

from ch3book.sections import SECTION_LABEL

pytestmark = pytest.mark.site

REDIRECT = re.compile(r'window\.location\.replace\("([^"]+)"')
MAX_REDIRECTS = 5


def resolve(site, url: str) -> tuple[str, str]:
    """Follow redirects from a published URL; return the final page and the anchor."""
    page, _, anchor = url.partition("#")
    for _ in range(MAX_REDIRECTS):
        path = site / page
        if not path.is_file():
            raise LookupError(f"{url}: {page} does not exist")
        target = REDIRECT.search(path.read_text(encoding="utf-8"))
        if target is None:
            return page, anchor
        page = posixpath.normpath(posixpath.join(posixpath.dirname(page), target.group(1)))
    raise LookupError(f"{url}: more than {MAX_REDIRECTS} redirects")


def ids_of(site, page: str) -> set[str]:
    return set(re.findall(r'\sid="([^"]+)"', (site / page).read_text(encoding="utf-8")))


def test_every_published_url_still_resolves(site):
    broken = []
    for url in published_urls():
        try:
            page, anchor = resolve(site, url)
        except LookupError as error:
            broken.append(str(error))
            continue
        if anchor and anchor not in ids_of(site, page):
            broken.append(f"{url}: {page} has no #{anchor}")
    assert broken == []


def unlisted(site, listed: set[str]) -> list[str]:
    """The site's pages and section anchors (sitemap order) that ``listed`` lacks."""
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    base = base_url(site)
    pages = [url.removeprefix(base) for url in re.findall(r"<loc>([^<]+)</loc>", sitemap)]
    missing = [page for page in pages if page not in listed]
    for page in pages:
        missing += [
            f"{page}#{anchor}"
            for anchor in sorted(ids_of(site, page))
            if SECTION_LABEL.match(anchor) and f"{page}#{anchor}" not in listed
        ]
    return missing


def test_every_page_and_section_anchor_is_listed(site):
    """A new page or section must be added to book/published-urls.txt (and then stay)."""
    missing = unlisted(site, set(published_urls()))
    assert missing == [], "add these lines to book/published-urls.txt:\n" + "\n".join(missing)


def test_a_page_left_out_of_the_list_is_named_with_each_line_to_add(site):
    """The check above can fail: without 3-2-keras.html's lines, it names exactly those."""
    page = "3-2-keras.html"
    listed = {url for url in published_urls() if url.partition("#")[0] != page}
    anchors = sorted(a for a in ids_of(site, page) if SECTION_LABEL.match(a))
    assert anchors, page
    assert unlisted(site, listed) == [page] + [f"{page}#{a}" for a in anchors]

"""Every URL in book/published-urls.txt still resolves: its page exists, directly or through
conf.py's ``redirects``, and has the anchor (``make test-site``)."""

import posixpath
import re

import pytest
from published import published_urls

from tools import layout
from tools.published_urls import ID, unlisted, with_added

pytestmark = pytest.mark.site

REDIRECT = re.compile(r'window\.location\.replace\("([^"]+)"')
MAX_REDIRECTS = 5


def resolve(site, url: str) -> tuple[str, str]:
    """Follow redirects from a published URL; return the final page and the anchor."""
    page, _, anchor = url.partition("#")
    for _ in range(MAX_REDIRECTS):
        if not (site / page).is_file():
            raise LookupError(f"{url}: {page} does not exist")
        target = REDIRECT.search((site / page).read_text(encoding="utf-8"))
        if target is None:
            return page, anchor
        page = posixpath.normpath(posixpath.join(posixpath.dirname(page), target.group(1)))
    raise LookupError(f"{url}: more than {MAX_REDIRECTS} redirects")


def test_every_published_url_still_resolves(site):
    broken = []
    for url in published_urls():
        try:
            page, anchor = resolve(site, url)
        except LookupError as error:
            broken.append(str(error))
            continue
        if anchor and anchor not in ID.findall((site / page).read_text(encoding="utf-8")):
            broken.append(f"{url}: {page} has no #{anchor}")
    assert broken == []


def test_every_page_section_anchor_and_qr_view_is_listed(site):
    """A new page or section is added to book/published-urls.txt (`make urls` does), to stay;
    that it names exactly the new lines: test_new_chapter.py."""
    missing = unlisted(site, published_urls())
    assert missing == [], (
        "add these lines to book/published-urls.txt (make urls does):\n" + "\n".join(missing)
    )


def test_make_urls_puts_every_missing_line_back_where_it_was(site):
    """Without a page's block, anchors and QR views, make urls writes the file as it was."""
    lines = layout.PUBLISHED_URLS.read_text(encoding="utf-8").splitlines()
    kept = [
        line
        for line in lines
        if not line.startswith("3-3-history.html")  # a whole page
        and line not in {"3-5-first-steps.html#sec-3-5-3", "3-6-keras-api.html#sec-3-6-7"}
        and line not in {"qr/sec-3-3.html", "qr/sec-3-6-exercises.html"}
    ]
    assert len(kept) == len(lines) - 8
    assert with_added(kept, site) == lines

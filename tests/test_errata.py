"""The errata quotes the pages exactly (``make test-site``).

Each correction quotes, between 「」, the sentence the book now has, so that a reader of
the notes can find it with the browser's search. When a page is edited, its quotes must
follow: this test finds every 「…」 of a **更正** line on the page the item links to.
"""

import re

import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.site


def page_text(site, page: str) -> str:
    soup = BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser")
    for removed in soup.select("a.headerlink, script, style"):
        removed.decompose()
    return " ".join(soup.find("article").get_text(" ").split())


def squeeze(text: str) -> str:
    """Whitespace does not count: the page may break a quote around a link or code."""
    return re.sub(r"\s+", "", text)


def corrections(site) -> list[tuple[str, str]]:
    """``(page, quote)`` for every 「…」 of every 更正 line, with the page its item links to."""
    soup = BeautifulSoup(
        (site / "appendix" / "errata.html").read_text(encoding="utf-8"), "html.parser"
    )
    found = []
    for item in soup.select("article section > ul > li"):
        link = item.find("a", href=True)
        page = link["href"].split("#")[0].removeprefix("../") if link else ""
        for line in item.select("li"):
            text = line.get_text(" ")
            if text.strip().startswith("更正"):
                found += [(page, quote) for quote in re.findall(r"「([^」]+)」", text)]
    return found


def test_the_errata_has_corrections_to_check(site):
    assert len(corrections(site)) >= 60


def test_every_quoted_correction_is_on_its_page(site):
    texts: dict[str, str] = {}
    missing = []
    for page, quote in corrections(site):
        if page not in texts:
            texts[page] = squeeze(page_text(site, page))
        if squeeze(quote) not in texts[page]:
            missing.append(f"{page}: 「{quote}」")
    assert missing == []

"""The errata quotes the pages exactly (``make test-site``): every 「…」 of a **更正** line is
on the page its item links to, so a reader of the notes finds it with the browser's search."""

import re

import pytest
from conftest import soup, squeeze

pytestmark = pytest.mark.site


def page_text(site, page: str) -> str:
    doc = soup(site / page)
    for removed in doc.select("a.headerlink, script, style"):
        removed.decompose()
    return squeeze(doc.find("article").get_text())


def corrections(site) -> list[tuple[str, str]]:
    """``(page, quote)`` for every 「…」 of every 更正 line, with the page its item links to."""
    found = []
    for item in soup(site / "appendix" / "errata.html").select("article section > ul > li"):
        link = item.find("a", href=True)
        page = link["href"].split("#")[0].removeprefix("../") if link else ""
        for line in item.select("li"):
            text = line.get_text(" ")
            if text.strip().startswith("更正"):
                found += [(page, quote) for quote in re.findall(r"「([^」]+)」", text)]
    return found


def test_every_quoted_correction_is_on_its_page(site):
    found = corrections(site)
    assert len(found) >= 60  # the errata has corrections to check
    texts: dict[str, str] = {}
    missing = []
    for page, quote in found:
        if page not in texts:
            texts[page] = page_text(site, page)
        if squeeze(quote) not in texts[page]:
            missing.append(f"{page}: 「{quote}」")
    assert missing == []

"""The glossary (book/glossary.toml): complete, linked from the pages, one term everywhere."""

import re

import pytest
from published import section_pages

from ch3book.glossary import load_glossary, slug
from tools import layout

ENTRIES = load_glossary(layout.BOOK / "glossary.toml")
PAGES = sorted(p for p in layout.BOOK.rglob("*.md") if p.name != "CONVENTIONS.md")
#: The errata names the notes' wrong terms on purpose, to correct them.
PAGES_WITH_CHOSEN_TERMS = [p for p in PAGES if p.name != "errata.md"]
TERM_ROLE = re.compile(r"\{term\}`(?:[^`<]*<)?([^`>]+)>?`")


def prose(path) -> str:
    """A page's text without code, nor the errata's quotations of the notes' own words."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^```\{code-cell\}.*?^```", "", text, flags=re.DOTALL | re.MULTILINE)
    text = re.sub(r"``[^`]+``|`[^`]+`", "", text)
    return "\n".join(
        line
        for line in text.splitlines()
        if "**筆記原文**" not in line and not line.startswith("    ")
    )


def test_the_glossary_has_every_term_the_book_teaches():
    assert len(ENTRIES) >= 60
    assert {"張量", "梯度", "層", "損失函數", "驗證資料", "推論"} <= {e["zh"] for e in ENTRIES}


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: slug(e["en"]))
def test_each_term_is_linked_where_it_is_introduced(entry):
    html = next(page for page, labels in section_pages().items() if entry["section"] in labels)
    page = layout.BOOK / html.replace(".html", ".md")
    linked = set(TERM_ROLE.findall(page.read_text(encoding="utf-8")))
    assert linked & {entry["zh"], entry["en"]}, f"{page.name} does not link {entry['zh']}"


@pytest.mark.parametrize(
    "entry", [e for e in ENTRIES if e.get("variants")], ids=lambda e: slug(e["en"])
)
def test_pages_use_the_chosen_term_not_its_variants(entry):
    found = [
        f"{page.relative_to(layout.BOOK)}: {variant}"
        for page in PAGES_WITH_CHOSEN_TERMS
        for variant in entry["variants"]
        if variant in prose(page)
    ]
    assert found == [], f"use {entry['zh']}"


@pytest.mark.parametrize(("chosen", "variant"), [("傳回", "回傳")], ids=["return"])
def test_pages_use_one_wording_for_common_words(chosen, variant):
    found = [str(page.relative_to(layout.BOOK)) for page in PAGES if variant in prose(page)]
    assert found == [], f"use {chosen}"


@pytest.mark.site
def test_every_term_has_a_stable_ascii_anchor_on_the_glossary_page(site):
    html = (site / "appendix" / "glossary.html").read_text(encoding="utf-8")
    ids = set(re.findall(r'\sid="(term-[^"]+)"', html))
    assert ids == {f"term-{slug(e['en'])}{suffix}" for e in ENTRIES for suffix in ("", "-en")}

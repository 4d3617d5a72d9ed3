"""The book's search (ch3book/search.py, _static/booksearch.js), in Chromium.

What a student types (a glossary term in zh-TW or English, a character, an API name, a heading)
finds the section that teaches it; the page loads only what the query needs, from the site.
"""

import re
from urllib.parse import quote

import pytest
from conftest import Recorder
from published import section_pages

from ch3book.glossary import load_glossary
from ch3book.search import shard_of, tokens
from ch3book.sections import PAGE_LABEL
from tools import layout

pytestmark = pytest.mark.browser

SAMPLES = [
    "驗證資料",
    "層",
    "tf.Variable 與 assign_sub()",
    "model.fit(x, y, epochs=20)",
    "ＧｒａｄｉｅｎｔＴａｐｅ（梯度磁帶）",
    "3-5-4 端到端的範例：使用 TensorFlow 建立線性分類器",
    "決定性",
]


def expected_url(page: str, label: str) -> str:
    """Where a section's result links: the page itself for a page title (``sec-3-5``)."""
    return page if PAGE_LABEL.match(label) else f"{page}#{label}"


@pytest.fixture(scope="module")
def search_page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    recorder = Recorder(page, server)
    page.goto(server + "search.html")
    page.wait_for_function("window.BookSearch !== undefined")
    yield page, recorder
    context.close()


def run_query(page, query: str) -> list[dict]:
    """The results of the book's search for ``query``, as the search page computes them."""
    return page.evaluate("q => BookSearch.search(q)", query)


def test_the_browser_asks_for_tokens_the_index_holds_for_the_same_text(search_page):
    page, _ = search_page
    for sample in SAMPLES:  # so a query for a phrase finds the section that holds it
        assert set(page.evaluate("s => BookSearch.queryTokens(s)", sample)) <= set(tokens(sample))
        for token in tokens(sample):
            assert page.evaluate("t => BookSearch.shardOf(t, 32)", token) == shard_of(token)


def test_every_glossary_term_finds_the_section_that_introduces_it(search_page):
    page, recorder = search_page
    sections = {a: expected_url(page, a) for page, ids in section_pages().items() for a in ids}
    at1 = at3 = 0
    misses = []
    queries = [
        (term, sections[entry["section"]])
        for entry in load_glossary(layout.BOOK / "glossary.toml")
        for term in (entry["zh"], entry["en"])
    ]
    for query, expected in queries:
        found = [r["href"] for r in run_query(page, query)[:3]]
        at1 += found[:1] == [expected]
        at3 += expected in found
        if found[:1] != [expected]:
            misses.append(f"{query}: {found}")
    recall1, recall3 = at1 / len(queries), at3 / len(queries)
    print(
        f"\nglossary terms: {len(queries)} queries, recall@1 {recall1:.1%}, recall@3 {recall3:.1%}"
    )
    assert recall3 == 1.0, misses
    assert recall1 >= 0.95, misses
    assert recorder.errors == [] and recorder.external == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("層", "3-6-keras-api.html#sec-3-6-1"),
        ("軸", "3-5-first-steps.html#sec-3-5-1"),
        ("值", None),
        ("決定性", "3-4-workstation.html#sec-3-4-seed"),
        ("tf.Variable", "3-5-first-steps.html#sec-3-5-1"),
        ("assign_sub", "3-5-first-steps.html#sec-3-5-1"),
        ("model.fit", None),
        ("驗證資料", "3-6-keras-api.html#sec-3-6-6"),
        ("點雲", "3-5-first-steps.html#sec-3-5-4"),
        ("Sequential", "3-6-keras-api.html#sec-3-6-2"),
    ],
)
def test_what_students_type_finds_the_section_that_teaches_it(search_page, query, expected):
    page, _ = search_page
    results = run_query(page, query)
    assert results, f"{query!r} finds nothing"
    if expected is not None:
        assert results[0]["href"] == expected, [r["href"] for r in results[:3]]


def headings() -> list[tuple[str, str]]:
    """``(title words, page#anchor)`` of every labelled heading of the lessons (any chapter)."""
    found = []
    for page in section_pages():  # every page with sections (published-urls.txt)
        path = layout.BOOK / page.replace(".html", ".md")
        text = path.read_text(encoding="utf-8")
        for label, title in re.findall(r"^\((sec-[^)]+)\)=\n#+ (.+)$", text, re.MULTILINE):
            words = re.sub(r"^\d+-\d+(?:-\d+)? ", "", title)
            found.append((words, expected_url(f"{path.stem}.html", label)))
    return found


def test_every_heading_finds_its_section(search_page):
    """In the first three results; a heading that several pages share (練習) finds them all."""
    page, _ = search_page
    sections: dict[str, list[str]] = {}
    for words, expected in headings():
        sections.setdefault(words, []).append(expected)
    misses = []
    for words, expected in sections.items():
        hrefs = [r["href"] for r in run_query(page, words)[: max(3, len(expected))]]
        misses += [f"{words}: {hrefs}" for url in expected if url not in hrefs]
    assert misses == []


def test_the_reference_pages_rank_below_the_lessons(search_page):
    page, _ = search_page
    for query in ("梯度", "SimpleDense", "損失函數", "split_train_validation"):
        first = run_query(page, query)[0]["href"]
        assert not first.startswith("appendix/"), (query, first)


def test_results_link_to_the_subsection_with_a_highlighted_snippet(new_page, server):
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    recorder = Recorder(page, server)
    page.goto(server + f"search.html?q={quote('驗證資料')}")
    page.wait_for_selector("#book-search-results[data-state=done]")
    first = page.locator("#book-search-results li").first
    href = first.locator("a.result").get_attribute("href")
    assert href.startswith("3-6-keras-api.html?highlight=") and href.endswith("#sec-3-6-6")
    assert "驗證資料" in first.locator("mark").first.inner_text() or first.locator("mark").count()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    first.locator("a.result").click()
    page.wait_for_url(re.compile(r"3-6-keras-api\.html.*#sec-3-6-6$"))
    assert recorder.errors == [] and recorder.failed == [] and recorder.external == []


def test_the_search_page_loads_only_what_the_query_needs(new_page, server, site):
    page = new_page()
    sizes: dict[str, int] = {}
    page.on(
        "response",
        lambda r: "/_static/search/" in r.url and sizes.__setitem__(r.url, len(r.body())),
    )
    page.goto(server + f"search.html?q={quote('梯度')}")
    page.wait_for_selector("#book-search-results[data-state=done]")
    index_files = len(list((site / "_static" / "search").glob("*.js")))
    assert len(sizes) < index_files / 2, sorted(sizes)
    assert sum(sizes.values()) < 120_000, sizes
    assert not (site / "searchindex.js").exists()


@pytest.mark.parametrize(
    ("path", "query"),
    [("3-5-first-steps.html", "梯度磁帶"), ("no-such-page.html", "點雲")],
    ids=["ctrl-k", "404-search-button"],
)
def test_ctrl_k_and_the_404_page_s_search_button_reach_the_results(context, server, path, query):
    page = context.new_page()
    page.goto(server + path)
    if path == "no-such-page.html":
        page.locator("button.search-button-field, .search-button").first.click()
    else:
        page.keyboard.press("Control+k")
    field = page.locator("input[name=q]:visible").first
    field.fill(query)
    field.press("Enter")
    page.wait_for_selector("#book-search-results[data-state=done]")
    assert page.locator("#book-search-results li a.result").count() > 0


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_the_search_page_shows_the_query_in_its_field_beside_a_zh_tw_placeholder(
    new_page, server, width
):
    page = new_page(viewport={"width": width, "height": 844})
    page.goto(server + "search.html")
    field = page.locator(".bd-search-container form.bd-search input[name=q]")
    placeholder = field.get_attribute("placeholder")
    assert re.search(r"[\u4e00-\u9fff]", placeholder), placeholder  # zh-TW, not "Search the docs"
    icon = page.locator(".bd-search-container form.bd-search i.fa-magnifying-glass").bounding_box()
    text_start = field.evaluate(
        "e => e.getBoundingClientRect().left + parseFloat(getComputedStyle(e).paddingLeft)"
    )
    assert icon["x"] + icon["width"] <= text_start, (icon, text_start)  # the icon covers no text
    page.goto(server + f"search.html?q={quote('梯度磁帶')}")
    page.wait_for_selector("#book-search-results[data-state=done]")
    assert field.input_value() == "梯度磁帶"


def test_snippets_keep_chinese_sentences_whole_around_links_and_code(search_page):
    page, _ = search_page
    (result,) = [r for r in run_query(page, "形狀") if r["href"].endswith("#sec-3-5-1")]
    text = "".join(piece for piece, _ in result["snippet"])
    assert "稱為它的形狀（shape）" in text, text

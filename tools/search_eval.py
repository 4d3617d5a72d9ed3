"""How well a search engine finds the glossary's terms: recall@1 and recall@3, in Chromium.

``python -m tools.search_eval SITE [--engine book|pagefind]`` serves SITE (a built
``_build/html``) on 127.0.0.1 and asks the engine, in a real browser, for every term of
``book/glossary.toml`` in its zh-TW and its English form. A query is found at rank k when
one of its first k results is the section that introduces the term (``page.html#label``);
``page@1`` counts the right page with any anchor. Prints one line per engine and, with
``--misses``, the queries not found at rank 1.

Engines: ``book`` is the book's own section index (``_static/search/``); ``pagefind`` is
a Pagefind index built
into ``_pagefind/`` of the same site (``pip install "pagefind[extended]"``, then
``python -m pagefind --site SITE --root-selector article``; Pagefind makes sub-results
for headings that carry an id, so the sections' ids go on their headings first).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from urllib.parse import quote, urlsplit

from tools import layout
from tools.serve import serve

PAGE_LABEL = layout.book_extension("sections").PAGE_LABEL


def glossary_queries() -> list[tuple[str, str]]:
    """``(query, expected page#anchor)`` for every glossary term, zh-TW and English."""
    import sys

    sys.path.insert(0, str(layout.EXTENSIONS))
    from ch3book.glossary import load_glossary

    pages = {}
    for line in layout.PUBLISHED_URLS.read_text(encoding="utf-8").splitlines():
        page, _, anchor = line.partition("#")
        if anchor:
            pages[anchor] = page
    queries = []
    for entry in load_glossary(layout.BOOK / "glossary.toml"):
        expected = expected_url(pages[entry["section"]], entry["section"])
        queries += [(entry["zh"], expected), (entry["en"], expected)]
    return queries


def expected_url(page: str, label: str) -> str:
    """Where a section's result links: the page itself for a page title (``sec-3-5``)."""
    return page if PAGE_LABEL.match(label) else f"{page}#{label}"


def _relative(url: str) -> str:
    parts = urlsplit(url)
    return parts.path.lstrip("/") + (f"#{parts.fragment}" if parts.fragment else "")


def results_book(page, base: str, query: str) -> list[str]:
    page.goto(f"{base}search.html?q={quote(query)}")
    page.wait_for_selector("#book-search-results[data-state=done]", timeout=15_000)
    hrefs = page.eval_on_selector_all(
        "#book-search-results li a.result", "as => as.map(a => a.href)"
    )
    return [_relative(h) for h in hrefs]


def results_pagefind(page, base: str, query: str) -> list[str]:
    if page.url.rstrip("/") + "/" != base:
        page.goto(base)
    return page.evaluate(
        """async (q) => {
            window.__pf = window.__pf || await import('./_pagefind/pagefind.js');
            const found = await window.__pf.search(q);
            const urls = [];
            for (const r of found.results.slice(0, 5)) {
                const d = await r.data();
                for (const s of (d.sub_results || [])) urls.push(s.url);
            }
            return urls.map(u => u.replace(/^\\//, "").replace(/\\?[^#]*/, ""));
        }""",
        query,
    )


ENGINES = {"book": results_book, "pagefind": results_pagefind}


def evaluate(site: Path, engine: str, show_misses: bool = False) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    queries = glossary_queries()
    hits1 = hits3 = page1 = 0
    misses = []
    with serve(site, "/") as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=layout.CHROMIUM, args=layout.CHROMIUM_ARGS)
        page = browser.new_page()
        for query, expected in queries:
            found = ENGINES[engine](page, base, query)
            hits1 += bool(found[:1]) and found[0] == expected
            hits3 += expected in found[:3]
            page1 += bool(found[:1]) and found[0].split("#")[0] == expected.split("#")[0]
            if not (found[:1] and found[0] == expected):
                misses.append((query, expected, found[:3]))
        browser.close()
    n = len(queries)
    result = {"queries": n, "recall@1": hits1 / n, "recall@3": hits3 / n, "page@1": page1 / n}
    print(
        f"{engine:<10} {n} queries  recall@1 {hits1 / n:6.1%}  recall@3 {hits3 / n:6.1%}  "
        f"right page first {page1 / n:6.1%}"
    )
    if show_misses:
        for query, expected, found in misses:
            print(f"  {query!r}: expected {expected}, got {found}")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, nargs="?", default=layout.SITE)
    parser.add_argument("--engine", choices=sorted(ENGINES), default="book")
    parser.add_argument("--misses", action="store_true")
    args = parser.parse_args()
    evaluate(args.site, args.engine, args.misses)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

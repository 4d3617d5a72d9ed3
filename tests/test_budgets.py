"""Byte budgets: what a phone downloads on a first visit to each page, asserted per page.

Each page is opened in Chromium at phone width from the GitHub-Pages-like server
(``tools/serve.py``: gzip), with every lazy image loaded too (a reader who scrolls to the end), and
every request it made is priced at the bytes the server sends for that file (gzipped text,
images as they are). The figures depend on the site's files only, not on timing, so the
test is deterministic; ``make lighthouse`` measures the scores, which are not.

Budgets (issue 10): at most 500 KiB for any page; per kind, headroom over today's figures
so that a regression (an icon script, a render-time math library, an uncompressed plot)
fails here.
"""

import re
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import Recorder, load_every_image

from tools.lighthouse import site_pages
from tools.serve import transfer_size

pytestmark = pytest.mark.browser

KIB = 1024
#: Per page, in KiB: the whole first visit, and each kind of resource.
BUDGETS = {"total": 500, "document": 40, "stylesheet": 90, "script": 60, "font": 8, "image": 300}
#: Scripts a page must never load again (issue 10's "before": 648 KiB and 325 KiB gzipped).
BANNED = ("fontawesome.js", "tex-chtml.js", "searchindex.js")


def first_visit(context, server: str, site: Path, page_path: str) -> Counter:
    """Bytes per resource type of one page's first visit, scrolled to the end."""
    page = context.new_page()
    rec = Recorder(page, server)
    requests = []
    page.on("requestfinished", lambda request: requests.append(request))
    page.goto(server + page_path, wait_until="networkidle")
    load_every_image(page)
    page.wait_for_load_state("networkidle")
    page.close()
    assert rec.failed == [] and rec.external == [], (page_path, rec.failed, rec.external)
    prefix = urlsplit(server).path
    sizes: Counter = Counter()
    for request in requests:
        path = unquote(urlsplit(request.url).path).removeprefix(prefix)
        assert not path.endswith(BANNED), f"{page_path} loads {path}"
        file = site / path
        if file.is_dir():
            file = file / "index.html"
        kind = request.resource_type if request.resource_type in BUDGETS else "other"
        sizes[kind] += transfer_size(file)
        sizes["total"] += transfer_size(file)
    return sizes


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=3)
    yield context
    context.close()


def test_every_page_first_visit_is_within_its_byte_budgets(phone, server, site):
    over = {}
    figures = {}
    for page_path in site_pages(site):
        sizes = first_visit(phone, server, site, page_path)
        figures[page_path] = {kind: round(n / KIB) for kind, n in sorted(sizes.items())}
        excess = {k: round(sizes[k] / KIB) for k, kib in BUDGETS.items() if sizes[k] > kib * KIB}
        if excess:
            over[page_path] = excess
    heaviest = max(figures, key=lambda p: figures[p]["total"])
    print(f"heaviest first visit: {heaviest}, {figures[heaviest]} KiB")
    assert over == {}, f"over budget (KiB; budgets {BUDGETS}): {over}"


def test_every_image_is_sized_and_lazy(site):
    for page_path in site_pages(site):
        html = (site / page_path).read_text(encoding="utf-8")
        article = html[html.find("<article") :]
        for tag in re.findall(r"<img\b[^>]*>", article):
            assert re.search(r'\bwidth="\d+"', tag) and re.search(r'\bheight="\d+"', tag), (
                page_path,
                tag[:120],
            )
            assert 'loading="lazy"' in tag, (page_path, tag[:120])


def test_every_page_has_what_search_engines_and_browsers_ask_for(site):
    """Lighthouse's SEO and best-practice checks that a page can fail on its own: a meta
    description, a title, a language, and an icon (else the browser asks for /favicon.ico
    outside the site, and logs the 404 as a console error)."""
    for page_path in site_pages(site):
        head = (site / page_path).read_text(encoding="utf-8").split("</head>")[0]
        assert re.search(r'<meta name="description" content="[^"]{10,}"', head), page_path
        assert re.search(r"<title>[^<]+</title>", head), page_path
        assert re.search(r'<html[^>]* lang="zh-TW"', head), page_path
        assert re.search(r'<link rel="icon" href="[^"]*favicon\.svg"', head), page_path

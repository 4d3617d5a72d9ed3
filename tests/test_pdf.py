"""The book's PDF (``make pdf``) as poppler-utils and pypdf read it, and the browser's print of
any page. `make test-site` makes the PDF first."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import soup, squeeze
from published import glued_pages, section_pages
from pypdf import PdfReader

from tools import layout
from tools.lighthouse import site_pages
from tools.pdf import print_book
from tools.published_urls import anchors, reading_order

pytestmark = pytest.mark.site


@pytest.fixture(scope="module")
def pdf(site) -> Path:
    path = site / layout.PDF_NAME
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make pdf` (make test-site does)")
    return path


@pytest.fixture(scope="module")
def reader(pdf):
    return PdfReader(pdf)


def poppler(tool: str, *args: str) -> str:
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is missing: apt-get install -y poppler-utils")
    return subprocess.run([tool, *args], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def pdf_text(pdf) -> str:
    return poppler("pdftotext", "-enc", "UTF-8", str(pdf), "-")


def section_titles(site) -> list[str]:
    """The title of every published section and subsection, in the book's order."""
    titles, listed = [], section_pages()
    for page in [page for page in reading_order(site) if page in listed]:
        doc = soup(site / page)
        for anchor in [a for a in anchors(site, page) if a in listed[page]]:
            heading = doc.find(id=anchor).find(re.compile("^h[1-6]$"))
            for link in heading.select("a.headerlink"):
                link.decompose()
            titles.append(heading.get_text(" ", strip=True))
    return titles


def flat_outline(reader, outline=None) -> list[tuple[str, int]]:
    entries = []
    for item in reader.outline if outline is None else outline:
        if isinstance(item, list):
            entries.extend(flat_outline(reader, item))
        else:
            entries.append((item.title, reader.get_destination_page_number(item)))
    return entries


def test_a_bookmark_per_section_and_subsection_in_order(reader, site, pdf_text):
    titles = section_titles(site)
    assert titles[0].startswith("3-1") and any(t.startswith("3-6-7") for t in titles)
    outline = flat_outline(reader)
    page_texts = pdf_text.split("\f")
    at = -1
    for title in titles:  # each title is a later bookmark than the one before
        names = [name for name, _ in outline[at + 1 :]]
        assert title in names, f"no bookmark {title!r} after {outline[at] if at >= 0 else 'start'}"
        at += 1 + names.index(title)
        page = outline[at][1]
        assert squeeze(title) in squeeze(page_texts[page]), f"{title!r} is not on its page"


def test_every_glued_number_is_in_the_text(site, pdf_text):
    text = squeeze(pdf_text)
    quoted = 0
    for page in (f"{name}.html" for name in glued_pages()):
        doc = soup(site / page)
        for span in doc.select("span.pasted-text"):
            paragraph = squeeze(span.find_parent(["p", "li", "td"]).get_text())
            value = squeeze(span.get_text())
            at = paragraph.index(value)
            context = paragraph[max(0, at - 6) : at + len(value) + 6]
            assert context in text, f"{page}: {context!r} is not in the PDF"
            quoted += 1
    assert quoted >= 10


def test_fonts_are_embedded_and_the_cjk_face_is_truetype(pdf):
    rows = poppler("pdffonts", str(pdf)).splitlines()[2:]
    assert rows, "pdffonts lists no font"
    for row in rows:
        assert re.search(r"\byes\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+$", row), f"not embedded: {row}"
    cjk = [row for row in rows if "NotoSansCJKtc" in row]
    assert {"NotoSansCJKtc-Regular", "NotoSansCJKtc-Bold"} <= {
        row.split()[0].split("+")[-1] for row in cjk
    }
    assert all("CID TrueType" in row for row in cjk), cjk


def test_links_inside_the_book_land_on_their_section(reader, pdf_text):
    destinations = {name.lstrip("/"): dest for name, dest in reader.named_destinations.items()}
    page_texts = pdf_text.split("\f")
    internal, external = [], []
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") != "/Link":
                continue
            if "/Dest" in annotation:
                internal.append(str(annotation["/Dest"]).lstrip("/"))
            elif "/A" in annotation and "/URI" in annotation["/A"]:
                external.append(str(annotation["/A"]["/URI"]))
    assert len(internal) > 300
    assert set(internal) <= set(destinations), set(internal) - set(destinations)
    assert "sec-3-5-3" in internal
    landing = reader.get_destination_page_number(destinations["sec-3-5-3"])
    assert "3-5-3" in page_texts[landing]
    assert not [url for url in external if "127.0.0.1" in url or "localhost" in url]


def test_pages_are_numbered_and_show_the_figures(reader, pdf_text, site):
    pages = pdf_text.split("\f")[: len(reader.pages)]
    total = len(reader.pages)
    for number, text in enumerate(pages, start=1):
        assert f"{number} / {total}" in text, f"page {number} has no page number"
    plots = set()
    for page in site_pages(site):
        html = (site / page).read_text(encoding="utf-8")
        plots.update(re.findall(r'<img[^>]+src="[./]*(_images/[^"]+\.png)"', html))
    images = sum(len(page.images) for page in reader.pages)
    assert len(plots) >= 6 and images >= len(plots)


@pytest.mark.browser
def test_the_same_site_prints_the_same_bytes(pdf, site, tmp_path, browser):
    """Every print of the same pages is identical, so the published PDF is a pure output."""
    again = tmp_path / "again.pdf"
    print_book(site, again, browser)
    assert again.read_bytes() == pdf.read_bytes()


@pytest.mark.browser
def test_printing_any_page_shows_the_article_only_with_code_wrapped(new_page, server, site):
    page = new_page(viewport={"width": 720, "height": 1000})
    page.emulate_media(media="print")
    problems = {}
    for path in site_pages(site):
        page.goto(server + path, wait_until="load")
        found = page.evaluate(
            """() => {
              const shown = (s) => [...document.querySelectorAll(s)]
                .filter((e) => getComputedStyle(e).display !== "none" && e.offsetParent !== null);
              const chrome = shown(".bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, "
                + ".prev-next-area, .bd-footer, .copybtn, #pst-back-to-top");
              // The projector views (qr/) are one block, not an article.
              const article = document.querySelector("article.bd-article, main");
              const right = article.getBoundingClientRect().right + 1;
              const wide = [...document.querySelectorAll("article pre, article table")]
                .filter((e) => e.getBoundingClientRect().right > right
                  || e.scrollWidth > e.clientWidth + 1);
              const h1 = article.querySelector("h1");
              return {chrome: chrome.map((e) => e.className).slice(0, 3),
                      wide: wide.map((e) => e.textContent.slice(0, 40)).slice(0, 3),
                      title: !h1 || getComputedStyle(h1).display !== "none"};
            }"""
        )
        if found["chrome"] or found["wide"] or not found["title"]:
            problems[path] = found
    assert problems == {}


@pytest.mark.browser
def test_the_download_menu_and_the_home_page_offer_the_pdf(new_page, server, pdf):
    page = new_page(viewport={"width": 390, "height": 844})
    page.goto(server + "appendix/glossary.html")
    menu = page.locator(".dropdown-download-buttons")
    menu.locator("button.dropdown-toggle").click()
    item = menu.get_by_role("link", name="整本書 .pdf")
    assert item.is_visible()
    assert menu.get_by_role("button", name="列印這一頁").is_visible()
    with page.expect_response(lambda r: r.url.endswith(layout.PDF_NAME)) as response:
        page.evaluate("url => fetch(url)", item.get_attribute("href"))
    assert response.value.status == 200
    assert response.value.headers["content-type"] == "application/pdf"
    assert response.value.body() == pdf.read_bytes()
    page.goto(server + "index.html#index-print")
    link = page.locator("#index-print").locator("xpath=..").get_by_role("link", name="ch3-book.pdf")
    assert link.get_attribute("href") == layout.PDF_NAME

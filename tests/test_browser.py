"""The built site in Debian's Chromium (Playwright), served under its base path as on Pages;
a request to any other host is a failure."""

import io
import re
from urllib.parse import urlsplit

import pytest
from conftest import Recorder, load_every_image, soup

pytestmark = pytest.mark.browser


def page_paths(site) -> list[str]:
    return sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if "_static" not in p.parts and p.name != "404.html"
    )


def test_every_page_loads_cleanly_offline_with_all_images(context, server, site):
    problems = {}
    for path in page_paths(site):
        page = context.new_page()
        rec = Recorder(page, server)
        page.goto(server + path, wait_until="networkidle")
        load_every_image(page)
        broken = page.eval_on_selector_all(
            "img", "imgs => imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
        )
        if rec.errors or rec.failed or rec.external or broken:
            problems[path] = {
                "console": rec.errors,
                "failed": rec.failed,
                "external": rec.external,
                "broken images": broken,
            }
        page.close()
    assert problems == {}


def test_internal_links_and_anchors_resolve(site):
    docs = {path: soup(site / path) for path in page_paths(site)}
    ids = {path: {e["id"] for e in doc.find_all(id=True)} for path, doc in docs.items()}
    missing = []
    for path, doc in docs.items():
        for a in doc.find_all("a", href=True):
            href = a["href"]
            if re.match(r"^[a-z]+:", href) or href.startswith("//"):
                continue
            target, _, anchor = href.partition("#")
            resolved = (site / path).parent / target if target else site / path
            resolved = resolved.resolve()
            if not resolved.exists():
                missing.append(f"{path} -> {href}")
            elif anchor and resolved.suffix == ".html":
                rel = resolved.relative_to(site.resolve()).as_posix()
                if rel in ids and anchor not in ids[rel]:
                    missing.append(f"{path} -> {href}")
    assert missing == []


def test_lecture_links_reach_every_section_in_the_browser(context, server, site):
    page = context.new_page()
    page.goto(server + "appendix/lecture-links.html")
    links = page.eval_on_selector_all(
        "ul.lecture-links li a.reference.internal", "as => as.map(a => [a.href, a.textContent])"
    )
    assert links  # one per section, each its permalink: test_site.py
    for href, title in links:
        page.goto(href)
        heading = page.locator(f"#{href.split('#')[1]}").locator("h1, h2, h3").first
        assert heading.inner_text().startswith(title.strip()[:5])


def test_copy_button_copies_code_without_prompts_or_outputs(new_page, server):
    page = new_page(permissions=["clipboard-read", "clipboard-write"])
    page.goto(server + "3-5-first-steps.html")
    cell = page.locator("div.cell_input div.highlight").first
    cell.hover()
    cell.locator("button.copybtn").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.strip() == cell.locator("pre").inner_text().strip()
    assert "import tensorflow as tf" in copied and "tf.Tensor" not in copied
    page.goto(server + "appendix/api.html")
    example = page.locator("div.doctest div.highlight").first
    example.hover()
    example.locator("button.copybtn").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert ">>>" not in copied and copied.strip()


def test_no_horizontal_overflow_at_phone_width(new_page, server, site):
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    overflowing = {}
    for path in page_paths(site):
        page.goto(server + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            overflowing[path] = width
    assert overflowing == {}


def test_math_is_mathml_drawn_by_the_browser_with_no_script(context, server, site):
    source = (site / "_sources" / "3-5-first-steps.md").read_text(encoding="utf-8")
    formulas = len(re.findall(r"(?<![\\$])\$[^$\n]+\$", source))
    page = context.new_page()  # no error, nor request elsewhere: the first test above
    page.goto(server + "3-5-first-steps.html", wait_until="networkidle")
    assert page.locator("span.math > math").count() == formulas >= 18
    assert "\\(" not in page.inner_text("article")  # no LaTeX left for a script to render
    # Chromium lays the MathML out: in x², the 2 is raised and smaller than the x.
    base, exponent = (
        page.locator("span.math msup").first.locator(":scope > *").nth(i) for i in (0, 1)
    )
    size = "e => parseFloat(getComputedStyle(e).fontSize)"
    assert exponent.evaluate(size) < base.evaluate(size)
    assert exponent.bounding_box()["y"] < base.bounding_box()["y"]


def test_dark_mode_keeps_plots_on_white(context, server):
    page = context.new_page()
    page.goto(server + "3-5-first-steps.html")
    page.evaluate("document.documentElement.dataset.theme = 'dark'")
    body = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert body != "rgb(255, 255, 255)"
    img = page.locator("figure img").first
    load_every_image(page)
    pixel = page.evaluate(
        """img => { const c = document.createElement('canvas'); c.width = 4; c.height = 4;
        const g = c.getContext('2d'); g.drawImage(img, 0, 0, 4, 4, 0, 0, 4, 4);
        return Array.from(g.getImageData(0, 0, 1, 1).data); }""",
        img.element_handle(),
    )
    assert pixel[:3] == [255, 255, 255]


def test_missing_page_shows_the_404_page_styled_and_pointing_home(context, server):
    page = context.new_page()
    response = page.goto(server + "no-such-page.html")
    assert response.status == 404
    assert "找不到這一頁" in page.content()
    assert page.locator("article a").first.get_attribute("href") == urlsplit(server).path  # home
    assert page.locator("link[rel=stylesheet]").count() > 0


@pytest.mark.parametrize("viewport", [(1280, 720), (390, 844)])
def test_projector_qr_codes_read_back_as_their_urls(new_page, server, site, viewport):
    """What a phone in the lecture hall sees: the QR code decodes to the section's URL."""
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    width, height = viewport
    page = new_page(viewport={"width": width, "height": height})
    anchors = [p.stem for p in sorted((site / "qr").glob("*.html"))]
    assert "sec-3-5-3" in anchors
    for anchor in ["sec-3-1", "sec-3-5-3", anchors[-1]]:
        page.goto(f"{server}qr/{anchor}.html")
        box = page.locator("svg.qr-code").bounding_box()
        assert box["y"] + box["height"] <= height and box["x"] + box["width"] <= width, anchor
        assert box["width"] >= min(width, height) * 0.5, anchor  # big enough for the back row
        shot = Image.open(io.BytesIO(page.screenshot()))
        decoded = [result.text for result in zxingcpp.read_barcodes(shot)]
        assert decoded == [page.locator("main a").get_attribute("href")], anchor
        assert decoded[0].endswith(f".html#{anchor}")


def test_lecture_links_print_with_their_qr_codes(context, server):
    page = context.new_page()
    page.goto(server + "appendix/lecture-links.html")
    page.emulate_media(media="print")
    sizes = page.locator("ul.lecture-links svg.qr-code").evaluate_all(
        "svgs => svgs.map(s => s.getBoundingClientRect().width)"
    )
    assert sizes and all(80 <= size <= 140 for size in sizes)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [(1280, 900), (390, 844)])
def test_axe_core_finds_no_violation_on_any_page(new_page, server, site, scheme, viewport):
    """Every rule of any impact, label-in-name included; not the package index's pages (for
    pip), and two projector views stand for all (one template)."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    width, height = viewport
    page = new_page(viewport={"width": width, "height": height}, color_scheme=scheme)
    paths = [p for p in page_paths(site) if not p.startswith(("simple/", "qr/"))]
    paths += ["qr/sec-3-1.html", "qr/sec-3-5-3.html", "404.html"]
    options = {"rules": {"label-content-name-mismatch": {"enabled": True}}}
    violations = []
    for path in paths:
        page.goto(server + path)
        if not path.startswith("qr/"):  # the theme's pages take the reader's colour scheme
            page.wait_for_function(f"document.documentElement.dataset.theme === '{scheme}'")
        page.add_style_tag(content="* { transition: none !important; }")  # the final colours
        result = axe.run(page, options=options)
        violations += [
            f"{path}: {v['id']} ({v['impact']}) {[n['target'] for n in v['nodes']][:3]}"
            for v in result.response["violations"]
        ]
    assert violations == []

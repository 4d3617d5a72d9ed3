"""``make pdf``: the whole book as one PDF for handouts, printed by Chromium from the built pages.

Each page's article in ``_build/html`` (no second build), as a browser shows it and in reading
order, is joined into one document that Chromium prints through Playwright with the site's
print stylesheet (``book/_static/ch3book.css``): links between pages become links inside the
PDF, each heading a bookmark, and the CJK face is embedded as TrueType (``truetype_subset``).
The same site gives the same bytes (``SOURCE_DATE_EPOCH`` dates, renumbered structure ids, no
random file id). Written to ``_build/html/ch3-book.pdf``, which the site links; ``make html``
leaves it out of a rebuilt site (``tools/build.py``), so it is never older than the pages.

    python -m tools.pdf [--output PATH]
"""

import argparse
import base64
import io
import logging
import re
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from tools import layout
from tools.build import source_date_epoch
from tools.published_urls import reading_order
from tools.serve import base_url, serve

TITLE = "深度學習第三章：Keras 與 TensorFlow 入門"

#: Chromium's footer: the page number, centred (its templates take inline styles only).
FOOTER = (
    '<div style="width:100%;font-size:8pt;color:#555;text-align:center;font-family:sans-serif">'
    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)

#: In a page: its article, links to the book's pages marked with the page's slug (for RELINK),
#: links to other files of the site pointed at the published site, figures unlinked, details
#: opened, buttons removed; and the stylesheets the page links.
EXTRACT = """
([slugs, site, published]) => {
  const article = document.querySelector("article.bd-article");
  if (!article) return null;
  article.querySelectorAll("details").forEach((d) => d.setAttribute("open", ""));
  article.querySelectorAll(".headerlink, .copybtn").forEach((e) => e.remove());
  for (const a of article.querySelectorAll("a.image-reference")) a.replaceWith(...a.childNodes);
  for (const a of article.querySelectorAll("a[href]")) {
    const url = new URL(a.href);
    const slug = slugs[url.origin + url.pathname];
    if (slug) {
      a.dataset.bookPage = slug;
      a.dataset.bookFragment = decodeURIComponent(url.hash.slice(1));
    } else if (url.href.startsWith(site)) {  // a notebook, the package index: on the web
      a.setAttribute("href", published + url.href.slice(site.length));
    }
  }
  for (const img of article.querySelectorAll("img")) {
    img.setAttribute("src", img.src);  // absolute: the joined document has another address
    img.removeAttribute("loading");
  }
  const ids = [...article.querySelectorAll("[id]")].map((e) => e.id);
  const stylesheets = [...document.querySelectorAll("link[rel=stylesheet]")].map((l) => l.href);
  return {html: article.innerHTML, ids, stylesheets};
}
"""

#: In the joined document: shared ids renamed, each marked link pointed inside the document.
RELINK = """
(renamed) => {
  for (const part of document.querySelectorAll("article.book-pdf-page")) {
    const rename = renamed[part.id.slice("page-".length)];
    for (const e of part.querySelectorAll("[id]")) if (rename[e.id]) e.id = rename[e.id];
  }
  // A link to a section lands on its heading, which may be a sheet after the section's start.
  for (const section of document.querySelectorAll("section[id]")) {
    const heading = section.querySelector(":scope > :is(h1, h2, h3, h4, h5, h6)");
    if (heading && !heading.id) {
      heading.id = section.id;
      section.removeAttribute("id");
    }
  }
  for (const a of document.querySelectorAll("a[data-book-page]")) {
    const part = document.getElementById("page-" + a.dataset.bookPage);
    const id = renamed[a.dataset.bookPage][a.dataset.bookFragment] || a.dataset.bookFragment;
    const known = id && part.querySelector(`[id="${CSS.escape(id)}"]`);
    a.setAttribute("href", "#" + (known ? id : part.id));
  }
}
"""


def shared_ids(parts: list[dict]) -> dict[str, dict[str, str]]:
    """Per page, its ids that another page also has, each with its new name."""
    pages = Counter(i for part in parts for i in set(part["ids"]))  # how many pages have each id
    return {
        part["slug"]: {i: f"{part['slug']}--{i}" for i in part["ids"] if pages[i] > 1}
        for part in parts
    }


def joined_document(parts: list[dict], base: str) -> str:
    """One HTML document with every page's article, each starting a new sheet, and the
    stylesheets of the first (the home page)."""
    links = "\n".join(f'<link rel="stylesheet" href="{href}">' for href in parts[0]["stylesheets"])
    articles = "\n".join(
        f'<article class="bd-article book-pdf-page" id="page-{p["slug"]}">{p["html"]}</article>'
        for p in parts
    )
    return (
        '<!DOCTYPE html>\n<html lang="zh-TW" data-theme="light" data-mode="light">'
        f'<head><meta charset="utf-8"><base href="{base}"><title>{TITLE}</title>{links}</head>'
        '<body class="book-pdf"><div class="bd-container"><div class="bd-container__inner">'
        '<main class="bd-main"><div class="bd-content"><div class="bd-article-container">'
        f"{articles}</div></div></main></div></div></body></html>"
    )


#: The PDF's text face: Noto Sans CJK TC (Debian's fonts-noto-cjk), as fontconfig names it.
FACES = {400: "Noto Sans CJK TC:style=Regular", 700: "Noto Sans CJK TC:style=Bold"}
FAMILY = "Book Sans"


def font_file(pattern: str) -> tuple[Path, int]:
    """The file and collection index fontconfig has for ``pattern``; a clear error if none."""
    command = ["fc-match", "--format=%{file}\t%{index}\t%{family}", pattern]
    found = subprocess.run(command, capture_output=True, text=True)
    file, index, family = [*found.stdout.split("\t"), "", "", ""][:3]
    if found.returncode != 0 or "Noto Sans CJK TC" not in family:
        raise FileNotFoundError(
            f"Expected the font {pattern!r} (Debian: apt-get install -y fonts-noto-cjk). "
            f"Received from fc-match: {found.stdout or found.stderr!r}"
        )
    return Path(file), int(index or 0)


def truetype_subset(pattern: str, text: str) -> bytes:
    """The face ``pattern`` cut to ``text``'s characters, its CFF outlines (which Chromium embeds
    as nameless Type 3 glyphs) made TrueType (cu2qu, within 1 unit of 1000): a CID TrueType font."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont

    file, index = font_file(pattern)
    font = TTFont(file, fontNumber=index, recalcTimestamp=False, lazy=False)
    layout.book_extension("icons").subset(font, [ord(c) for c in text], ("*",))
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in font.getGlyphOrder():
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    for table in ("CFF ", "VORG"):
        if table in font:
            del font[table]
    builder = FontBuilder(font=font)
    builder.isTTF = True  # FontBuilder tells a font's kind by its tables: glyf comes next
    builder.setupGlyf(glyphs)  # with each glyph's bounds
    builder.setupMaxp()
    hmtx = font["hmtx"]
    for name, glyph in glyphs.items():
        hmtx[name] = (hmtx[name][0], getattr(glyph, "xMin", 0))
    font.sfntVersion = "\x00\x01\x00\x00"
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def font_faces(text: str) -> str:
    """``@font-face`` rules of the PDF's face for ``text``, and the rules that use it."""
    text = "".join(sorted(set(text) | {chr(c) for c in range(0x20, 0x7F)}))
    rules = []
    for weight, pattern in FACES.items():
        data = base64.b64encode(truetype_subset(pattern, text)).decode()
        rules.append(
            f'@font-face{{font-family:"{FAMILY}";font-weight:{weight};'
            f"src:url(data:font/ttf;base64,{data})}}"
        )
    rules.append("article.book-pdf-page+article.book-pdf-page{break-before:page}")
    rules.append(
        f'html{{--pst-font-family-base:"{FAMILY}",sans-serif;'
        f'--pst-font-family-heading:"{FAMILY}",sans-serif;'
        f'--pst-font-family-monospace:"Liberation Mono","DejaVu Sans Mono","{FAMILY}",monospace}}'
    )
    return "\n".join(rules)


def print_pages(browser, site: Path, address: str) -> bytes:
    """The book, served at ``address``, printed by ``browser`` (a Playwright Chromium)."""
    published = base_url(site)
    # appendix/api.html → appendix-api
    slugs = {address + p: p.removesuffix(".html").replace("/", "-") for p in reading_order(site)}
    with browser.new_page(viewport={"width": 1000, "height": 1400}) as page:
        parts = []
        for url, slug in slugs.items():
            page.goto(url, wait_until="load")
            part = page.evaluate(EXTRACT, [slugs, address, published])
            if part is None:
                raise RuntimeError(f"Expected an <article class='bd-article'> in {url}; none.")
            parts.append({**part, "slug": slug})
        page.set_content(joined_document(parts, address), wait_until="load")
        page.evaluate(RELINK, shared_ids(parts))
        page.add_style_tag(content=font_faces(page.evaluate("document.body.textContent")))
        page.wait_for_function("[...document.images].every(i => i.complete)")
        page.evaluate("document.fonts.ready")
        return page.pdf(
            format="A4",
            print_background=True,
            outline=True,
            tagged=True,  # Chromium makes the bookmarks from the tagged structure
            display_header_footer=True,
            header_template="<span></span>",
            footer_template=FOOTER,
            margin={"top": "16mm", "bottom": "18mm", "left": "16mm", "right": "16mm"},
        )


STRUCTURE_ID = re.compile(rb"\(node(\d+)\)")


def renumber_structure_ids(pdf: bytes) -> bytes:
    """Chromium's structure ids (``(node00000770)``, DOM node numbers that shift between runs)
    numbered 1, 2, … in order at the same width: offsets and the sorted id tree stay valid."""
    numbers = sorted({int(found) for found in STRUCTURE_ID.findall(pdf)})
    new = {old: rank for rank, old in enumerate(numbers, start=1)}

    def renumber(match: re.Match) -> bytes:
        digits = match.group(1)
        return b"(node%0*d)" % (len(digits), new[int(digits)])

    return STRUCTURE_ID.sub(renumber, pdf)


def undouble_bookmarks(writer, outline: list | None = None) -> list[str]:
    """Halve each bookmark title that is one string of 2+ characters twice (「練習練習」, not
    「謝謝」), as Chromium names a heading moved to the next sheet; return the halved titles."""
    from pypdf.generic import NameObject, TextStringObject

    fixed = []
    for item in writer.outline if outline is None else outline:
        if isinstance(item, list):  # the children of the item before
            fixed += undouble_bookmarks(writer, item)
        elif doubled := re.fullmatch(r"(.{2,})\1", item.title, re.DOTALL):
            item.node[NameObject("/Title")] = TextStringObject(doubled[1])
            fixed.append(doubled[1])
    return fixed


def print_book(site: Path, output: Path, browser) -> tuple[int, int]:
    """Print the book with ``browser`` from the served site to ``output``, with its title and
    dates and no random file identifier; return its size in bytes and its number of pages."""
    from pypdf import PdfWriter

    with serve(site) as address:
        pdf = renumber_structure_ids(print_pages(browser, site, address))
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # Chromium's trailer size is off by 3
    writer = PdfWriter(clone_from=io.BytesIO(pdf))
    undouble_bookmarks(writer)
    epoch = source_date_epoch()
    date = datetime.fromtimestamp(time.time() if epoch is None else epoch, UTC)
    stamp = date.strftime("D:%Y%m%d%H%M%S+00'00'")
    writer.add_metadata(
        {
            "/Title": TITLE,
            "/Author": "ch3-book contributors",
            "/CreationDate": stamp,
            "/ModDate": stamp,
            "/Producer": "Chromium, through tools/pdf.py",
        }
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    writer.write(output)
    return output.stat().st_size, len(writer.pages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=layout.SITE)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args(argv)
    if not (args.site / "index.html").exists():
        parser.error(f"expected a built site in {args.site}; received none: run `make html`")
    if not Path(layout.CHROMIUM).exists():
        parser.error(
            f"expected Chromium at {layout.CHROMIUM}; received no such file: "
            "apt-get install -y chromium, or set CHROMIUM to another Chromium"
        )
    from playwright.sync_api import sync_playwright

    output = args.output or args.site / layout.PDF_NAME
    options = {"executable_path": layout.CHROMIUM, "args": layout.CHROMIUM_ARGS}
    with sync_playwright() as pw, pw.chromium.launch(**options) as browser:
        size, pages = print_book(args.site, output, browser)
    print(f"pdf: {output} ({size / 1024 / 1024:.1f} MiB, {pages} pages)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

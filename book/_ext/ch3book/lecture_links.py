"""``{lecture-links}``: every section's title, full published URL and QR code, in reading order.

For slides: a ``doctree-resolved`` handler fills the directive's placeholder from every
page's ``sec-*`` sections (the search's records), with absolute URLs at ``html_baseurl``, and
writes each one's projector view, ``qr/<label>.html`` (title, screen-sized QR code, URL; no
script; one landscape page in print). QR codes are inline SVG by segno. No stock extension
lists labels with absolute URLs (``autosectionlabel`` makes labels; a toctree lists pages,
relatively); sphinx-qrcode and the like make one code per directive.
"""

from __future__ import annotations

import html
import posixpath
import shutil
from pathlib import Path

import segno
from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from ch3book import incremental, pagedata, search, urls
from ch3book.sections import SECTION_LABEL, page_labels, page_sort_key


class lecture_links_placeholder(nodes.General, nodes.Element):  # noqa: N801 (docutils' style)
    """Replaced, once every label is known, by the list of section links."""


class LectureLinks(SphinxDirective):
    def run(self) -> list[nodes.Node]:
        return [lecture_links_placeholder()]


def section_links(env, config) -> list[tuple[str, str, str]]:
    """``(docname, anchor, title)`` of every ``sec-*`` section, in reading order."""
    pages, records = page_labels(env), pagedata.of(env, search.SearchSections.name)
    return [
        (docname, record["label"], search.resolved(record["title"], env, config))
        for docname in sorted(pages, key=lambda doc: page_sort_key(pages[doc]))
        for record in records.get(docname, [])  # each section of the page, in order
        if SECTION_LABEL.match(record["label"])
    ]


PROJECTOR_FOLDER = "qr"  # qr/<label>.html: one link, full screen


def qr_svg(url: str, title: str) -> str:
    """``url`` as an inline SVG QR code, sized by CSS, named for screen readers."""
    svg = segno.make(url, error="m").svg_inline(
        omitsize=True, border=4, dark="#000", light="#fff", title=title, svgclass="qr-code"
    )
    return svg.replace("<svg ", '<svg role="img" ', 1)


PROJECTOR_PAGE = """\
<!DOCTYPE html>
<html lang="zh-TW">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="description" content="投影用：{title} 的網址與 QR code，用手機掃描即可開啟這一節。">
<link rel="icon" href="../_static/favicon.svg" type="image/svg+xml">
<title>{title} — {project}</title>
<style>
html, body {{ margin: 0; background: #fff; color: #000; }}
body {{ font-family: "Noto Sans CJK TC", "Noto Sans TC", "PingFang TC", sans-serif; }}
main {{ box-sizing: border-box; min-height: 100vh; display: flex; flex-direction: column;
  align-items: center; justify-content: center; gap: 2vmin; padding: 3vmin; text-align: center; }}
h1 {{ font-size: clamp(1.4rem, 6vmin, 4.5rem); margin: 0; }}
.qr-code {{ width: min(68vh, 92vw); height: auto; }}
p {{ margin: 0; font: clamp(0.9rem, 2.8vmin, 2rem)/1.3 ui-monospace, monospace;
  overflow-wrap: anywhere; }}
a {{ color: #000; }}
@media print {{ @page {{ size: landscape; margin: 1cm; }} main {{ min-height: auto; }}
  .qr-code {{ width: 11cm; }} }}
</style>
</head>
<body>
<main>
<h1>{title}</h1>
{svg}
<p><a href="{url}">{url}</a></p>
</main>
</body>
</html>
"""


def fill_lecture_links(app, doctree, fromdocname) -> None:
    """Replace each placeholder by the list of section links (``doctree-resolved``)."""
    folder = posixpath.dirname(fromdocname) or "."
    for placeholder in doctree.findall(lecture_links_placeholder):
        target = Path(app.outdir) / PROJECTOR_FOLDER  # every section's page, no other file
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir()
        items = nodes.bullet_list(classes=["lecture-links"])
        for docname, anchor, title in section_links(app.env, app.config):
            relative = app.builder.get_relative_uri(fromdocname, docname) + "#" + anchor
            absolute = urls.page_url(app.config, docname, anchor)
            projector = posixpath.relpath(f"{PROJECTOR_FOLDER}/{anchor}.html", folder)
            para = nodes.paragraph()
            para += nodes.reference("", title, internal=True, refuri=relative)
            para += [nodes.Text(" "), nodes.literal(absolute, absolute), nodes.Text(" ")]
            para += nodes.reference("", "投影用", internal=False, refuri=projector)
            svg = qr_svg(absolute, f"{title} 的 QR code")
            items += nodes.list_item("", nodes.raw("", svg, format="html"), para)
            page = PROJECTOR_PAGE.format(
                title=html.escape(title),
                project=html.escape(app.config.html_title),
                svg=svg,
                url=html.escape(absolute),
            )
            (target / f"{anchor}.html").write_text(page, encoding="utf-8")
        placeholder.replace_self(items)


def setup_lecture_links(app) -> None:
    app.add_node(lecture_links_placeholder)
    incremental.summary(lecture_links_placeholder)
    app.add_directive("lecture-links", LectureLinks)
    app.connect("doctree-resolved", fill_lecture_links)

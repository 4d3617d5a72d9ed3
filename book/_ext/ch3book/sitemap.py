"""``sitemap.xml``: every page at the published base URL, for search engines.

sphinx-sitemap 2.9.0 was tried in its place: it lists the pages it sees written in this
build (``html-page-context``), and a build writes only the pages whose HTML can have
changed (``incremental.py``): after a prose edit its sitemap listed one page. The list is
simply the environment's documents, minus the pages that are not content.
"""

from __future__ import annotations

import html
from pathlib import Path

from ch3book import urls

#: Pages left out of the sitemap: the search page and the 404 page are not content.
EXCLUDED = ("search", "404")


def write_sitemap(app, exception) -> None:
    """``build-finished``: ``sitemap.xml`` with one ``<url>`` per page, sorted."""
    if exception is not None or app.builder.format != "html":
        return
    entries = "".join(
        f"<url><loc>{html.escape(urls.page_url(app.config, docname))}</loc></url>"
        for docname in sorted(app.env.found_docs)
        if docname not in EXCLUDED
    )
    sitemap = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>\n'
    )
    (Path(app.outdir) / "sitemap.xml").write_text(sitemap, encoding="utf-8")


def setup_sitemap(app) -> None:
    app.connect("build-finished", write_sitemap)

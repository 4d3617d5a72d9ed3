"""Link-preview cards: OpenGraph and Twitter tags on every page.

A link pasted in a chat or a learning platform shows a card with the page's title, its
first paragraph and the book's image. sphinxext-opengraph 0.13.0 was tried in its place:
its description puts a space between every two pieces of text (「作為 後端 （backend）」,
「如 圖 1 所示」 on the 3-2 card: it is written for languages with spaces between words),
and importing it imports ``matplotlib.pyplot`` for its social-card generator even with
cards disabled (0.24 s of every build, measured with ``python -X importtime``). This
``html-page-context`` handler writes the tags it would, from the page's first paragraph
as the page shows it.
"""

from __future__ import annotations

import html
import re

from docutils import nodes

from ch3book import urls

DESCRIPTION_LENGTH = 160


def description_of(doctree, fallback: str) -> str:
    """The page's first paragraph, on one line, cut at ``DESCRIPTION_LENGTH`` characters."""
    first = next(iter(doctree.findall(nodes.paragraph)), None) if doctree is not None else None
    text = " ".join((first.astext() if first else fallback).split())
    return text if len(text) <= DESCRIPTION_LENGTH else text[: DESCRIPTION_LENGTH - 1] + "…"


def add_social_meta(app, pagename, templatename, context, doctree) -> None:
    title = re.sub(r"<[^>]+>", "", context.get("title") or app.config.html_title)
    description = description_of(doctree, app.config.project)
    image = urls.site_url(app.config, app.config.book_social_image)
    values = {
        "og:title": title,
        "og:type": "website",
        "og:url": urls.page_url(app.config, pagename),
        "og:site_name": app.config.html_title,
        "og:description": description,
        "og:image": image,
        "og:image:alt": app.config.book_social_image_alt,
        "og:locale": "zh_TW",
    }
    tags = [f'<meta property="{k}" content="{html.escape(v)}" />' for k, v in values.items()]
    tags += [
        f'<meta name="description" content="{html.escape(description)}" />',
        '<meta name="twitter:card" content="summary_large_image" />',
        f'<meta name="twitter:title" content="{html.escape(title)}" />',
        f'<meta name="twitter:description" content="{html.escape(description)}" />',
        f'<meta name="twitter:image" content="{html.escape(image)}" />',
    ]
    context["metatags"] = context.get("metatags", "") + "\n".join(tags)


def setup_opengraph(app) -> None:
    app.add_config_value("book_social_image", "_static/og-card.png", "html", types=(str,))
    app.add_config_value("book_social_image_alt", "", "html", types=(str,))
    app.connect("html-page-context", add_social_meta)

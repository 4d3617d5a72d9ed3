r"""Every use of pydata-sphinx-theme's files and markup, behind ``_compat``'s version guard.

sphinx-book-theme draws the book on top of pydata-sphinx-theme, and neither offers an API
for what the book changes. The book's Python reads the theme only through this module:

- where the theme's stylesheet and Font Awesome's solid web font are, in the theme's
  package and in the built site, and how the stylesheet draws an icon
  (``.fa-bars{--fa:"\f0c9"}``), for the cut icon font (``icons.py``);
- the ``<script>`` that loads ``fontawesome.js`` in the theme's ``css`` block;
- the theme's Simplified Chinese catalog, which zh-TW falls back to (``translations.py``).

What cannot be Python depends on the theme's markup too, and is listed here so that an
upgrade knows where to look: ``book/_templates/layout.html`` (the ``css`` and
``extrahead`` blocks of ``layout.html``), ``search.html`` (``page.html``'s ``docs_body``,
``htmltitle`` and ``scripts`` blocks), ``search-button-field.html`` (the theme's component
of that name), ``book-sidebar-brand.html`` and ``book-sidebar-search.html``, and the
selectors of ``book/_static/ch3book.css``. ``_compat.TESTED`` pins both themes' release
series; the site and browser tests (``make test-site``) check what these produce.
"""

from __future__ import annotations

import re
from pathlib import Path

#: In the built site: the theme's stylesheet, and the font its icons are drawn with.
STYLESHEET = Path("_static") / "styles" / "pydata-sphinx-theme.css"
ICON_FONT = Path("_static") / "vendor" / "fontawesome" / "webfonts" / "fa-solid-900.woff2"
#: The theme's script tag in its ``css`` block.
ICON_SCRIPT = re.compile(
    r'\s*<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*"></script>'
)
#: ``}.fa-bars,.fa-navicon{--fa:"\f0c9"}`` → the selectors and the code point. The rule
#: starts after a ``}``: matching from every character instead took 0.5 s on the theme's CSS.
ICON_RULE = re.compile(r'\}([^{}]+)\{--fa:"\\([0-9a-f]+)"')
#: The class list of an element drawn with the solid icon font.
SOLID_ICON = re.compile(r'class="([^"]*\bfa(?:s|-solid)\b[^"]*)"')


def _package() -> Path:
    import pydata_sphinx_theme

    return Path(pydata_sphinx_theme.__file__).parent


def installed(path: Path) -> Path:
    """A file of the site's ``_static`` (``STYLESHEET``, ``ICON_FONT``) as the theme ships it."""
    found = _package() / "theme" / "pydata_sphinx_theme" / "static" / path.relative_to("_static")
    if not found.is_file():
        raise RuntimeError(
            f"Expected pydata-sphinx-theme's {path.name} at {found}. Received no such file: "
            "has the theme changed? (book/_ext/ch3book/_theme.py)"
        )
    return found


def simplified_chinese_catalog() -> Path:
    """The theme's ``zh`` message catalog (Simplified Chinese), which zh_TW falls back to."""
    return _package() / "locale" / "zh" / "LC_MESSAGES" / "sphinx.mo"

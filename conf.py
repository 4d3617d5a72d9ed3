"""Sphinx configuration of the executable book (sources in book/, output in _build/html)."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

sys.path[:0] = [str(Path(__file__).resolve().parent)]
from tools import build, layout  # noqa: E402

sys.path.insert(0, str(layout.EXTENSIONS))
from ch3book.package_index import sources_digest  # noqa: E402

# -- Project -------------------------------------------------------------------------------
project = "深度學習第三章：Keras 與 TensorFlow 入門"
author = "ch3-book contributors"
copyright = "2026, ch3-book contributors"
language = "zh_TW"
numfig = True
numfig_format = {"figure": "圖 %s", "table": "表 %s", "code-block": "程式 %s"}
exclude_patterns = ["CONVENTIONS.md", "**/.ipynb_checkpoints", "_build"]
# The last commit's date, not the clock's: two builds of the same sources are identical.
_epoch = build.source_date_epoch()
today = (
    datetime.fromtimestamp(_epoch, UTC).strftime("%Y-%m-%d")
    if _epoch is not None
    else "（不是 git 工作目錄：日期未記錄）"
)

#: The published address; one setting, overridable with BOOK_BASE_URL.
BASE_URL = os.environ.get("BOOK_BASE_URL", "https://ch3-book.github.io/ch3-book/")
if not BASE_URL.endswith("/"):
    BASE_URL += "/"
#: The GitHub repository whose notebooks branch Colab opens (BOOK_REPOSITORY: owner/name).
book_repository = os.environ.get("BOOK_REPOSITORY", "ch3-book/ch3-book")
book_notebooks_branch = "notebooks"  # pushed by .github/workflows/pages.yml
book_pdf = layout.PDF_NAME  # the whole book, printed by `make pdf` (tools/pdf.py)

extensions = [
    "ch3book",  # book/_ext/ch3book/: the book's own features, one module each
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx_copybutton",
    "notfound.extension",
    "sphinx_reredirects",
]

# -- MyST and execution --------------------------------------------------------------------
myst_enable_extensions = ["colon_fence", "dollarmath", "deflist", "substitution"]
nb_execution_mode = "cache"
# One cache per library source, packages and device settings (tools/build.py).
nb_execution_cache_path = str(build.execution_cache())
# Read every page again when the extension or a package changes ("env"); write every page
# again when the stylesheets (linked by checksum) or ch3lib's wheel (pinned by hash) change.
_page_packages = build.versions(build.PAGE_PACKAGES)
book_build_fingerprint = build.digest(build.files(layout.EXTENSIONS), *_page_packages)
book_page_inputs = build.digest(build.files(layout.BOOK / "_static"), sources_digest(layout.ROOT))
# ch3lib's wheel and sdist, published under simple/ (ch3book/package_index.py).
book_package_root = str(layout.ROOT)
book_package_cache = str(layout.PACKAGE_CACHE)
book_glossary = str(layout.GLOSSARY)  # the terms (ch3book/glossary.py)
# `make html` executes stale pages with these settings before Sphinx (tools/execute.py).
# Should MyST-NB execute a page itself, a failure is a warning naming the page (-W: error).
nb_execution_raise_on_error = False
nb_execution_timeout = 600
nb_execution_show_tb = True
nb_output_stderr = "warn"  # with -W, any stderr output fails the build
nb_merge_streams = True
nb_render_image_options = {"width": "100%"}

# -- Library reference ---------------------------------------------------------------------
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": False}
napoleon_numpy_docstring = False

# -- HTML ----------------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = "深度學習第三章"
html_baseurl = BASE_URL
templates_path = ["book/_templates"]
html_static_path = ["book/_static"]
html_css_files = ["ch3book.css"]
html_theme_options = {
    "use_fullscreen_button": False,
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "search_bar_text": "搜尋這本書…",  # the search fields' placeholder (the theme's is English)
}
# The theme's sidebar, with the logo and search inside landmarks (axe-core's rule).
html_sidebars = {
    "**": [
        "book-sidebar-brand.html",
        "icon-links.html",
        "book-sidebar-search.html",
        "sbt-sidebar-nav.html",
    ]
}
html_use_index = False  # no general index or module index: search and the API page
html_domain_indices = False  # cover them
html_context = {"default_mode": "auto"}  # follow the reader's light/dark setting
html_sourcelink_suffix = ""
# Code only: notebook inputs, code blocks and doctest examples; never cell outputs.
copybutton_selector = ", ".join(
    f"{block} div.highlight pre"
    for block in ("div.cell_input", "div.highlight-python", "div.highlight-bash", "div.doctest")
)
copybutton_exclude = ".linenos, .gp, .go"
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True


# -- URLs that last ------------------------------------------------------------------------
# Page names and sec-* labels are public URLs (book/published-urls.txt, tests/test_urls.py).
# A renamed page leaves a redirect: "old/docname": "new-docname.html" (anchors are kept).
redirects: dict[str, str] = {}
redirect_html_template_file = "_templates/redirect.html"

# -- Offline, linkable, shareable ----------------------------------------------------------
# Math is MathML, made while the pages are written (book/_ext/ch3book/mathml.py).
html_math_renderer = "mathml"
html_favicon = "book/_static/favicon.svg"
book_social_image = "_static/og-card.png"  # card of every page (ch3book/opengraph.py)
book_social_image_alt = "Deep Learning with Python, Chapter 3: Keras and TensorFlow"
notfound_urls_prefix = urlsplit(BASE_URL).path
notfound_context = {
    "title": "找不到這一頁",
    "body": "<h1>找不到這一頁</h1><p>網址可能打錯了，或這一頁已經移動。"
    '請從<a href="' + notfound_urls_prefix + '">目錄</a>重新開始，或使用搜尋。</p>',
}

"""Where everything lives: the one definition of the repository and ``_build`` layout.

``conf.py``, the build driver, the preview server, the benchmark and the tests all take
their paths from here.
"""

import importlib
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"  # the sources: one MyST notebook per section
EXTENSIONS = BOOK / "_ext"  # the book's Sphinx extension package, ``ch3book``
LIBRARY = ROOT / "src" / "ch3lib"
PUBLISHED_URLS = BOOK / "published-urls.txt"  # every URL the book has ever published
GLOSSARY = BOOK / "glossary.toml"  # the book's terms

BUILD = ROOT / "_build"
SITE = BUILD / "html"  # what gets published
STAGING = BUILD / ".html-next"  # Sphinx's output, kept between builds; copied to SITE
DOCTREES = BUILD / "doctrees"  # Sphinx's environment and doctrees (reused between builds)
EXECUTION_CACHE = BUILD / ".jupyter_cache"  # one jupyter-cache per version of ch3lib
DIGEST = BUILD / ".inputs-digest"  # what the last successful build was made from

#: ch3lib's wheel and sdist, one folder per hash of their sources, shared by every checkout
#: (like pip's wheel cache: a content-addressed cache cannot be stale, and ``make clean``
#: need not rebuild them). ``book/_ext/ch3book/package_index.py`` explains.
PACKAGE_CACHE = (
    Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ch3-book" / "package"
)

#: Debian's Chromium by default; CHROMIUM names another Chromium-based browser (CI runners).
#: The browser tests, ``make pdf`` and ``make lighthouse`` drive it.
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
#: How they launch it: as root in a container (no sandbox), no GPU, nothing in the background.
CHROMIUM_ARGS = [
    *("--no-sandbox", "--disable-gpu", "--disable-background-networking"),
    *("--disable-component-update", "--disable-sync", "--no-first-run"),
]


#: The whole book as one PDF (``make pdf``, tools/pdf.py), published beside the pages.
PDF_NAME = "ch3-book.pdf"


def book_extension(module: str) -> Any:
    """A module of the book's extension (``ch3book.<module>``), imported from a tool."""
    if str(EXTENSIONS) not in sys.path:
        sys.path.insert(0, str(EXTENSIONS))
    return importlib.import_module(f"ch3book.{module}")

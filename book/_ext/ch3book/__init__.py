"""The book's Sphinx extension: one module per feature, each with its ``setup_<module>``.

Each module's docstring says what it adds, how, and why no stock extension does it; the
stock extensions used instead of own code are in ``conf.py``. ``_compat`` holds every use
of another project's internals, ``_theme`` every use of pydata-sphinx-theme's files and
markup. The pages are executed before Sphinx starts (``tools/execute.py``).
"""

from __future__ import annotations

import importlib

#: In the order of registration: ``anchors`` before the features that read the ids it leaves.
FEATURES = (
    *("translations", "anchors", "notebooks", "homework", "stable_outputs", "package_index"),
    *("build_report", "lecture_links", "glossary", "exercises", "docstring_links"),
    *("cjk_spacing", "search", "mathml", "icons", "images", "book_pdf", "loading"),
    *("opengraph", "sitemap", "incremental", "sections"),
)


def setup(app):
    """Register every feature."""
    app.add_config_value("book_build_fingerprint", "", "env", types=(str,))
    app.add_config_value("book_page_inputs", "", "html", types=(str,))
    for name in FEATURES:
        getattr(importlib.import_module(f"ch3book.{name}"), f"setup_{name}")(app)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

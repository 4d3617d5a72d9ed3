"""The book's Sphinx extension: one module per feature, registered by ``setup()``.

==========================  =============================================================
module                      what it adds
==========================  =============================================================
``notebooks``               each page's notebook for Jupyter and Colab; 「在 Colab 開啟」
``homework``                answer and check cells in the notebooks; 「作業 .ipynb」 per page
``stable_outputs``          Keras's timings and install paths elided from the outputs
``commonmark``              MyST Markdown → CommonMark, for those notebooks
``package_index``           ch3lib's wheel and sdist under ``simple/``, a PEP 503 index
``build_report``            ``{execution-report}``: what was executed, without timestamps
``lecture_links``           ``{lecture-links}``: every section's full URL
``glossary``                ``{book-glossary}``: the glossary, with ASCII anchors
``exercises``               exercises in zh-TW (sphinx-exercise)
``docstring_links``         "section 3-5-4" in docstrings and ``ch3lib.gradient`` in pages link
``anchors``                 labelled headings lose docutils' ``idN`` ids
``cjk_spacing``             no space between Chinese text and a link whose text is Chinese
``search``                  section-level search for any Chinese substring or API name
``mathml``                  math as MathML at build time (no script, offline, printable)
``icons``                   the theme's icons from a web font cut to the icons used
``loading``                 the head's scripts deferred: nothing blocks the first paint
``images``                  every image sized (no layout shift) and loaded lazily
``book_pdf``                the whole book's PDF (``make pdf``) in the download menu
``opengraph``               link-preview cards
``sitemap``                 ``sitemap.xml`` of every page
``incremental``             what Sphinx's incremental writing must be told (no stale page)
``pagedata``                what features gather from each page as it is read
``sections``                the section-label pattern the others share
``urls``                    every absolute URL of the site, made in one place
``_compat``                 every use of another project's internals, each with its reason
``_theme``                  every use of pydata-sphinx-theme's files and markup
==========================  =============================================================

Each module's docstring says what it does and why no stock extension does it. Stock
extensions used instead of own code are listed in ``conf.py`` (copy button, 404 page,
redirects). The pages are executed before Sphinx starts
(``tools/execute.py``); MyST-NB finds them in its cache.
"""

from __future__ import annotations


def setup(app):
    """Register every feature."""
    from ch3book import (
        anchors,
        book_pdf,
        build_report,
        cjk_spacing,
        docstring_links,
        exercises,
        glossary,
        homework,
        icons,
        images,
        incremental,
        lecture_links,
        loading,
        mathml,
        notebooks,
        opengraph,
        package_index,
        search,
        sections,
        sitemap,
        stable_outputs,
        translations,
    )

    translations.setup_translations(app)  # before the theme registers its own catalog
    anchors.setup_anchors(app)  # first: the others read the sections' ids as it leaves them
    # Settings whose values (hashes, computed in conf.py) make Sphinx read every page again
    # ("env") or write every page again ("html") when what they hash changes.
    app.add_config_value("book_build_fingerprint", "", "env", types=(str,))
    app.add_config_value("book_page_inputs", "", "html", types=(str,))
    notebooks.setup_notebooks(app)
    homework.setup_homework(app)
    stable_outputs.setup_stable_outputs(app)
    package_index.setup_package_index(app)
    build_report.setup_build_report(app)
    lecture_links.setup_lecture_links(app)
    glossary.setup_glossary(app)
    exercises.setup_exercises(app)
    docstring_links.setup_docstring_links(app)
    cjk_spacing.setup_cjk_spacing(app)
    search.setup_search(app)
    mathml.setup_mathml(app)
    icons.setup_icons(app)
    images.setup_images(app)
    book_pdf.setup_book_pdf(app)
    loading.setup_loading(app)
    opengraph.setup_opengraph(app)
    sitemap.setup_sitemap(app)
    incremental.setup_incremental(app)
    app.connect("env-check-consistency", sections.check_page_labels)
    app.connect("env-check-consistency", sections.check_home_page_contents)
    # The search index and the build report gather what every page holds in this process.
    return {"parallel_read_safe": True, "parallel_write_safe": True}

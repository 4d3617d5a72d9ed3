"""The book's own Sphinx extension.

- fixes Sphinx 9.0's Chinese search script (sphinx#14229);
- ``{lecture-links}``: the list of every section's published URL, built from the labels;
- turns "section 3-5-4" in the library's docstrings into links to the page that teaches it;
- re-writes the pages that list other pages (lecture links, build report) on every build;
- offers each page's executed notebook (``.ipynb``) in the theme's download menu;
- serves MathJax from the site itself (no CDN), so math renders offline.
"""

from __future__ import annotations

import contextlib
import filecmp
import importlib.util
import logging
import re
import shutil
from pathlib import Path

import jieba
import nbformat
from docutils import nodes
from jupyter_cache import get_cache
from sphinx.search.zh import SearchChinese
from sphinx.util.docutils import SphinxDirective

#: Pages regenerated on every build: they list what other pages define or how they ran.
ALWAYS_REBUILT = ("appendix/lecture-links", "appendix/build-report")

SECTION_LABEL = re.compile(r"^sec-3-\d(?:-\d+)?$")


class SearchChineseFixed(SearchChinese):
    """Sphinx 9.0's zh search emits ``window.Stemmer = ChineseStemmer`` (undefined, sphinx#14229).

    The stemmer it ships is the English one, so name it accordingly; segmentation by jieba is
    unchanged.
    """

    language_name = "English"


def section_sort_key(label: str) -> tuple[int, ...]:
    """``sec-3-6-10`` after ``sec-3-6-9``: compare the numbers, not the text."""
    return tuple(int(part) for part in label.split("-")[1:])


class lecture_links_placeholder(nodes.General, nodes.Element):  # noqa: N801 (docutils' style)
    """Replaced, once every label is known, by the list of section links."""


class LectureLinks(SphinxDirective):
    """``{lecture-links}``: every ``sec-*`` label as a title, a link and a full URL."""

    def run(self) -> list[nodes.Node]:
        """Leave a placeholder: the labels of later pages are not known yet."""
        return [lecture_links_placeholder()]


def section_links(env) -> list[tuple[str, str, str]]:
    """``(docname, anchor, title)`` of every ``sec-*`` section, in reading order."""
    labels = env.domaindata["std"]["labels"]
    pages = {labels[label][0]: label for label in labels if SECTION_LABEL.match(label)}
    links = []
    for docname in sorted(pages, key=lambda doc: section_sort_key(pages[doc])):
        for section in env.get_doctree(docname).findall(nodes.section):
            if section["ids"] and section["ids"][0].startswith("sec-"):
                links.append((docname, section["ids"][0], section[0].astext()))
    return links


def fill_lecture_links(app, doctree, fromdocname) -> None:
    """Replace each placeholder by the list of section links (``doctree-resolved``)."""
    base_url = app.config.html_baseurl.rstrip("/") + "/"
    for placeholder in doctree.findall(lecture_links_placeholder):
        items = nodes.bullet_list()
        for docname, anchor, title in section_links(app.env):
            relative = app.builder.get_relative_uri(fromdocname, docname) + "#" + anchor
            absolute = f"{base_url}{docname}.html#{anchor}"
            para = nodes.paragraph()
            para += nodes.reference("", title, internal=True, refuri=relative)
            para += nodes.Text(" ")
            para += nodes.literal(absolute, absolute)
            items += nodes.list_item("", para)
        placeholder.replace_self(items)


SECTION_MENTION = re.compile(r"\bsections? (3-\d(?:-\d+)?)(?: (?:and|to) (3-\d(?:-\d+)?))?")


def link_sections_in_docstrings(app, what, name, obj, options, lines) -> None:
    """Turn "section 3-5-4" in a docstring into a link to the page that teaches it."""

    def link(number: str) -> str:
        return f":ref:`{number} <sec-{number}>`"

    def replace(match: re.Match) -> str:
        first, second = match.group(1), match.group(2)
        if second is None:
            return f"section {link(first)}"
        joiner = match.group(0)[len("sections ") + len(first) : -len(second)]
        return f"sections {link(first)}{joiner}{link(second)}"

    lines[:] = [SECTION_MENTION.sub(replace, line) for line in lines]


AUTO_ID = re.compile(r"^id\d+$")


def drop_auto_ids(app, doctree) -> None:
    """Drop the ``idN`` ids docutils gives Chinese headings once a ``sec-*`` label names them."""
    for section in doctree.findall(nodes.section):
        explicit = [i for i in section["ids"] if not AUTO_ID.match(i)]
        if explicit and len(explicit) < len(section["ids"]):
            for auto in set(section["ids"]) - set(explicit):
                doctree.ids.pop(auto, None)
            section["ids"] = explicit


def always_outdated(app, env, added, changed, removed) -> list[str]:
    """Re-read the pages that summarise the others on every build (``env-get-outdated``)."""
    return [doc for doc in ALWAYS_REBUILT if doc in env.found_docs]


#: The parts of MathJax 3 that ``tex-chtml.js`` loads: its input extensions, fonts and menu.
MATHJAX_PARTS = ("tex-chtml.js", "input", "output/chtml", "ui", "a11y")


def _copy_if_changed(source: Path, target: Path) -> None:
    if target.exists() and filecmp.cmp(source, target, shallow=False):
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def copy_mathjax(app, exception) -> None:
    """Copy MathJax (from the pinned ``sphinx-mathjax-offline`` wheel) into ``_static``."""
    if exception is not None or app.builder.format != "html":
        return
    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    if spec is None or spec.origin is None:
        raise RuntimeError(
            "Expected the package sphinx-mathjax-offline (MathJax served locally). "
            "Received: not installed; run `make html`, which installs the pinned extras."
        )
    source_root = Path(spec.origin).parent / "static" / "mathjax"
    target_root = Path(app.outdir) / "_static" / "mathjax"
    for part in MATHJAX_PARTS:
        source = source_root / part
        files = (
            [source] if source.is_file() else sorted(p for p in source.rglob("*") if p.is_file())
        )
        for path in files:
            _copy_if_changed(path, target_root / path.relative_to(source_root))


def _executed_notebook(app, pagename: str):
    """The page's notebook with its outputs, or ``None`` for a page without code.

    MyST-NB writes ``jupyter_execute/<page>.ipynb`` without outputs when the page came
    from its cache, so the outputs are merged back from that same jupyter-cache here.
    """
    written = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if not written.exists():
        return None
    notebook = nbformat.read(written, as_version=4)
    if not any(cell.cell_type == "code" for cell in notebook.cells):
        return None
    cache = get_cache(app.env.mystnb_config.execution_cache_path)
    with contextlib.suppress(KeyError):  # not from the cache: the file has its outputs
        _, notebook = cache.merge_match_into_notebook(notebook)
    return notebook


def offer_notebook(app, pagename, templatename, context, doctree) -> None:
    """Publish the executed notebook in ``_sources/``; the theme's download menu offers it."""
    if doctree is None:
        return
    notebook = _executed_notebook(app, pagename)
    if notebook is None:
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(nbformat.writes(notebook), encoding="utf-8")
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app):
    """Register the extension; it needs autodoc for the docstring hook."""
    jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict" chatter in the build log
    app.setup_extension("sphinx.ext.autodoc")
    app.add_search_language(SearchChineseFixed)
    app.add_node(lecture_links_placeholder)
    app.add_directive("lecture-links", LectureLinks)
    app.connect("doctree-resolved", fill_lecture_links)
    app.connect("autodoc-process-docstring", link_sections_in_docstrings)
    app.connect("env-get-outdated", always_outdated)
    app.connect("doctree-read", drop_auto_ids)
    app.connect("html-page-context", offer_notebook, priority=400)  # before the theme's 501
    app.connect("build-finished", copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

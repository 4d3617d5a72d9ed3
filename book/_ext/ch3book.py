"""The book's own Sphinx extension.

- fixes Sphinx 9.0's Chinese search script (sphinx#14229), and gives jieba a dictionary of
  its frequent words plus the book's terms;
- drops the ``idN`` ids docutils gives Chinese headings that carry a ``sec-*`` label;
- ``{lecture-links}``: the list of every section's published URL, built from the labels;
- turns "section 3-5-4" in the library's docstrings into links to the page that teaches it;
- rewrites the lecture-links page whenever a section is added or retitled;
- offers each page's executed notebook (``.ipynb``) in the theme's download menu;
- serves MathJax from the site itself (no CDN), so math renders offline;
- writes OpenGraph/Twitter card tags on every page, and a complete ``sitemap.xml``;
- skips the interpreter's final garbage collection (faster rebuilds).
"""

from __future__ import annotations

import contextlib
import filecmp
import gc
import html
import importlib.metadata
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

#: Pages that list every section: rewritten whenever a section is added or retitled.
LINK_PAGES = ("appendix/lecture-links",)

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


def refresh_lecture_links(app, env) -> list[str]:
    """``env-updated``: rewrite the lecture-links page when a section was added or retitled."""
    links = section_links(env)
    if links == getattr(env, "ch3book_section_links", None):
        return []
    env.ch3book_section_links = links
    return [doc for doc in LINK_PAGES if doc in env.found_docs]


#: The parts of MathJax 3 that ``tex-chtml.js`` loads: its input extensions, fonts and menu.
MATHJAX_PARTS = ("tex-chtml.js", "input/tex", "output/chtml", "ui", "a11y")


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
    version = "sphinx-mathjax-offline " + importlib.metadata.version("sphinx-mathjax-offline")
    marker = target_root / ".copied-from"
    if marker.exists() and marker.read_text(encoding="utf-8") == version:
        return  # copied by an earlier build from the same wheel
    for part in MATHJAX_PARTS:
        source = source_root / part
        files = [source] if source.is_file() else sorted(source.rglob("*.*"))
        for path in files:
            _copy_if_changed(path, target_root / path.relative_to(source_root))
    marker.write_text(version, encoding="utf-8")


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


def add_social_meta(app, pagename, templatename, context, doctree) -> None:
    """OpenGraph and Twitter cards, so that a link pasted in a chat or LMS shows a card."""
    base = app.config.html_baseurl.rstrip("/") + "/"
    title = re.sub(r"<[^>]+>", "", context.get("title") or app.config.html_title)
    first = next(iter(doctree.findall(nodes.paragraph)), None) if doctree is not None else None
    description = " ".join((first.astext() if first else app.config.project).split())
    if len(description) > 160:
        description = description[:159] + "…"
    image = base + app.config.book_social_image
    values = {
        "og:title": title,
        "og:type": "website",
        "og:url": f"{base}{pagename}.html",
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


#: Words of jieba's dictionary kept for the search index: the frequent ones (see README).
JIEBA_MIN_FREQUENCY = 50


def use_small_jieba_dictionary(app) -> None:
    """``builder-inited``: jieba's frequent words plus the book's terms, loaded in ~0.1 s.

    jieba's full dictionary (349,046 simplified-Chinese words) takes ~0.7 s to load on
    every build; the book is in Traditional Chinese, which it mostly does not contain.
    Its 52,000 most frequent words and the book's own terms (``html_search_options``'s
    ``dict``) segment the pages as well for search.
    """
    source = Path(jieba.__file__).parent / "dict.txt"
    terms = Path(app.config.html_search_options.get("dict", ""))
    target = Path(app.outdir).parent / ".jieba" / "dict.txt"
    inputs = [source, *([terms] if terms.is_file() else [])]
    if not target.exists() or any(p.stat().st_mtime > target.stat().st_mtime for p in inputs):
        lines = [
            line
            for line in source.read_text(encoding="utf-8").splitlines()
            if int(line.split()[1]) >= JIEBA_MIN_FREQUENCY
        ]
        if terms.is_file():
            lines += terms.read_text(encoding="utf-8").splitlines()
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    jieba.set_dictionary(str(target))


def write_sitemap(app, exception) -> None:
    """``build-finished``: ``sitemap.xml`` of every page, also after an incremental build."""
    if exception is not None or app.builder.format != "html":
        return
    base = app.config.html_baseurl.rstrip("/") + "/"
    urls = "".join(
        f"<url><loc>{html.escape(base + docname)}.html</loc></url>"
        for docname in sorted(app.env.found_docs)
    )
    sitemap = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n'
    )
    (Path(app.outdir) / "sitemap.xml").write_text(sitemap, encoding="utf-8")


def skip_final_garbage_collection(app, exception) -> None:
    """``build-finished``, last: the process ends next, so its garbage need not be collected.

    Python's final collection walks every doctree and environment object (~0.5 s), which
    would be a sixth of a rebuild after a prose-only edit. Frozen objects are skipped.
    """
    gc.freeze()


def setup(app):
    """Register the extension; it needs autodoc for the docstring hook."""
    jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict" chatter in the build log
    app.setup_extension("sphinx.ext.autodoc")
    app.add_search_language(SearchChineseFixed)
    app.add_node(lecture_links_placeholder)
    app.add_directive("lecture-links", LectureLinks)
    app.connect("doctree-resolved", fill_lecture_links)
    app.connect("autodoc-process-docstring", link_sections_in_docstrings)
    app.connect("env-updated", refresh_lecture_links)
    app.connect("doctree-read", drop_auto_ids)
    app.connect("html-page-context", offer_notebook, priority=400)  # before the theme's 501
    app.connect("build-finished", copy_mathjax)
    app.add_config_value("book_build_fingerprint", "", "env", types=(str,))
    app.add_config_value("book_social_image", "_static/og-card.png", "html", types=(str,))
    app.add_config_value("book_social_image_alt", "", "html", types=(str,))
    app.connect("html-page-context", add_social_meta)
    app.connect("builder-inited", use_small_jieba_dictionary)
    app.connect("build-finished", write_sitemap)
    app.connect("build-finished", skip_final_garbage_collection, priority=1000)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

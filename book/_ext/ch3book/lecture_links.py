"""``{lecture-links}``: every section's title, link and full published URL, in reading order.

The lecture-links page must list every ``sec-*`` label with its absolute URL at the
configured base URL (``html_baseurl``), so a lecturer can paste it into slides. The list
is built from the labels when the page is written (``doctree-resolved``), after every
page has been read, so it follows retitled, added and removed sections. No stock
extension lists labels with absolute URLs (``sphinx.ext.autosectionlabel`` creates labels;
a toctree lists pages, not anchors, and links relatively).
"""

from __future__ import annotations

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from ch3book.sections import PAGE_LABEL, SECTION_LABEL, page_sort_key


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
    pages = {labels[label][0]: label for label in labels if PAGE_LABEL.match(label)}
    links = []
    for docname in sorted(pages, key=lambda doc: page_sort_key(pages[doc])):
        for section in env.get_doctree(docname).findall(nodes.section):
            if section["ids"] and SECTION_LABEL.match(section["ids"][0]):
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


def setup_lecture_links(app) -> None:
    """Register the directive, its node and the resolver."""
    app.add_node(lecture_links_placeholder)
    app.add_directive("lecture-links", LectureLinks)
    app.connect("doctree-resolved", fill_lecture_links)

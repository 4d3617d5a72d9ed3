"""The book's section labels: ``sec-3-5`` for a page, ``sec-3-5-4`` for a part of it.

Any chapter and number of sections (``sec-3-10`` sorts after ``sec-3-9``); a part may have a
name (``sec-3-4-device``). The one definition of the pattern, which the lecture links,
homework, build report, exercises, glossary and docstring links follow; two
``env-check-consistency`` handlers check the labels and the home page's contents list.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx import addnodes
from sphinx.util import logging

from ch3book import _compat

#: The label of a section page's title.
PAGE_LABEL = re.compile(r"^sec-\d+-\d+$")
#: The label of a section or of any heading inside it.
SECTION_LABEL = re.compile(r"^sec-\d+-\d+(?:-[0-9a-z]+)*$")
#: The label of the home page's contents list, where every section page has a line.
CONTENTS_LABEL = "index-contents"
#: A section number as the library's docstrings write it ("section 3-5-4").
SECTION_NUMBER = r"\d+-\d+(?:-\d+)?"

logger = logging.getLogger(__name__)


def page_labels(env) -> dict[str, str]:
    """``{docname: page label}``: the label of each section page's title, not a second one."""
    return {docname: names[0] for docname, names in _page_labels(env).items()}


def _page_labels(env) -> dict[str, list[str]]:
    """Each page's labels that look like page labels, the title's first."""
    labels = _compat.labels(env)
    found: dict[str, list[str]] = {}
    for name in sorted(filter(PAGE_LABEL.match, labels), key=page_sort_key):
        docname, _, section_title = labels[name]
        names = found.setdefault(docname, [])
        names.insert(0 if section_title == _compat.title(env, docname) else len(names), name)
    return found


def check_page_labels(app, env) -> None:
    """``env-check-consistency``: a page with two page labels is a warning naming both."""
    for docname, (first, *others) in _page_labels(env).items():
        for name in others:
            logger.warning(
                f"two section-page labels on one page, {first} and {name}: a page has one, "
                f"on its title. A part of section {first.removeprefix('sec-')} is labelled "
                f"{first}-<n> (or {first}-<name>); {name} is the title of a page of its own",
                location=docname,
                type="ch3book",
                subtype="sections",
            )


def check_home_page_contents(app, env) -> None:
    """``env-check-consistency``: each section page has a line in the home page's contents."""
    root = app.config.root_doc
    if root not in env.found_docs:
        return
    doctree = env.get_doctree(root)
    contents = [s for s in doctree.findall(nodes.section) if CONTENTS_LABEL in s["ids"]]
    if not contents:
        return  # a book without a contents list
    linked = {
        x.get("reftarget", "").lstrip("#") for x in contents[0].findall(addnodes.pending_xref)
    }
    pages = page_labels(env)
    for docname in sorted(pages, key=lambda doc: page_sort_key(pages[doc])):
        if pages[docname] not in linked:
            logger.warning(
                f"the home page's contents list ({CONTENTS_LABEL}) has no line for "
                f"{docname} ({pages[docname]}): add `[](#{pages[docname]})：` and a "
                "sentence on what it teaches",
                location=root,
                type="ch3book",
                subtype="sections",
            )


def page_sort_key(label: str) -> tuple[int, ...]:
    """``sec-3-10`` after ``sec-3-9``: compare the numbers, not the text."""
    return tuple(int(part) for part in label.split("-")[1:])


def setup_sections(app) -> None:
    app.connect("env-check-consistency", check_page_labels)
    app.connect("env-check-consistency", check_home_page_contents)

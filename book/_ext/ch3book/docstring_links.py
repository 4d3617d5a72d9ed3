"""Links from the API reference back to the lessons: "section 3-5-4" becomes a link.

Each public docstring of ch3lib says which section teaches it, in plain text (it is also
read in ``help()`` and in an editor). An ``autodoc-process-docstring`` handler rewrites
those mentions as ``:ref:`` roles to the section labels when autodoc renders the API
page. ``sphinx.ext.autodoc`` offers the event but no such rule; intersphinx and
``sphinx.ext.linkcode`` link to code, not to prose.
"""

from __future__ import annotations

import re

from ch3book.sections import SECTION_NUMBER, label_of

SECTION_MENTION = re.compile(rf"\bsections? ({SECTION_NUMBER})(?: (?:and|to) ({SECTION_NUMBER}))?")


def link_sections_in_docstrings(app, what, name, obj, options, lines) -> None:
    """Turn "section 3-5-4" in a docstring into a link to the page that teaches it."""

    def link(number: str) -> str:
        return f":ref:`{number} <{label_of(number)}>`"

    def replace(match: re.Match) -> str:
        first, second = match.group(1), match.group(2)
        if second is None:
            return f"section {link(first)}"
        joiner = match.group(0)[len("sections ") + len(first) : -len(second)]
        return f"sections {link(first)}{joiner}{link(second)}"

    lines[:] = [SECTION_MENTION.sub(replace, line) for line in lines]


def setup_docstring_links(app) -> None:
    """Register the handler (autodoc must be loaded for its event to exist)."""
    app.setup_extension("sphinx.ext.autodoc")
    app.connect("autodoc-process-docstring", link_sections_in_docstrings)

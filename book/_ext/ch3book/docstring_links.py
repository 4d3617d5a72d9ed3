"""Links between the lessons and the API reference, both ways.

Pages name ch3lib's functions as readers import them (``ch3lib.gradient``), which Sphinx's
Python domain left unlinked, silently: a ``missing-reference`` handler resolves them to the
one documented ``ch3lib.<module>.<name>`` (``public_alias``, also for the readers'
notebooks). Docstrings say in plain text which section teaches them (for ``help()`` too): an
``autodoc-process-docstring`` handler makes those ``:ref:`` links. autodoc has the event but
no such rule; intersphinx and ``sphinx.ext.linkcode`` link to code, not to prose.
"""

from __future__ import annotations

import re

from sphinx.util.nodes import make_refnode

from ch3book import _compat
from ch3book.sections import SECTION_NUMBER

SECTION_MENTION = re.compile(rf"\bsections? {SECTION_NUMBER}(?:(?: and | to ){SECTION_NUMBER})?")


def link_sections_in_docstrings(app, what, name, obj, options, lines) -> None:
    """Turn "section 3-5-4" in a docstring into a link to the page that teaches it."""

    def link(mention: re.Match) -> str:  # "sections 3-6-3 to 3-6-7": each number
        return re.sub(SECTION_NUMBER, r":ref:`\g<0> <sec-\g<0>>`", mention[0])

    lines[:] = [SECTION_MENTION.sub(link, line) for line in lines]


def public_alias(name: str) -> str | None:
    """``ch3lib.gradients.gradient`` → ``ch3lib.gradient``: the name readers import."""
    package, _, rest = name.partition(".")
    module, _, public = rest.partition(".")
    return f"{package}.{public}" if package == "ch3lib" and module and public else None


def public_names(objects) -> dict[str, str]:
    """Each documented object's public alias → its documented name (unambiguous ones)."""
    aliases: dict[str, list[str]] = {}
    for name in objects:
        alias = public_alias(name)
        if alias and alias not in objects:
            aliases.setdefault(alias, []).append(name)
    return {alias: names[0] for alias, names in aliases.items() if len(names) == 1}


def resolve_public_name(app, env, node, contnode):
    """``missing-reference``: link ``ch3lib.<name>`` to where autodoc documented it."""
    if node.get("refdomain") != "py":
        return None
    objects = _compat.python_objects(env)
    documented = public_names(objects).get(node["reftarget"])
    if documented is None:
        return None
    docname, anchor = objects[documented]
    return make_refnode(app.builder, node["refdoc"], docname, anchor, contnode, documented)


def setup_docstring_links(app) -> None:
    app.setup_extension("sphinx.ext.autodoc")  # which defines the event
    app.connect("autodoc-process-docstring", link_sections_in_docstrings)
    app.connect("missing-reference", resolve_public_name)

"""Headings keep only their ASCII label as id: no ``#id3`` next to ``#sec-3-5-3``.

Docutils derives a heading's id from its text; a Chinese title has no ASCII letters, so
it gets ``idN``, numbered in document order, which changes whenever a heading is added
above it. A labelled heading (``(sec-3-5-3)=``) carries both ids, and Sphinx's permalink
uses the first. No stock extension drops the generated one (MyST's
``myst_heading_anchors`` makes slugs, and slugs of Chinese text are empty or unstable).
A ``doctree-read`` transform removes ``idN`` from every section that has a label.
"""

from __future__ import annotations

import re

from docutils import nodes

AUTO_ID = re.compile(r"^id\d+$")


def drop_auto_ids(app, doctree) -> None:
    """Drop the ``idN`` ids docutils gives Chinese headings that also carry a label."""
    for section in doctree.findall(nodes.section):
        explicit = [i for i in section["ids"] if not AUTO_ID.match(i)]
        if explicit and len(explicit) < len(section["ids"]):
            for auto in set(section["ids"]) - set(explicit):
                doctree.ids.pop(auto, None)
            section["ids"] = explicit


def setup_anchors(app) -> None:
    app.connect("doctree-read", drop_auto_ids)

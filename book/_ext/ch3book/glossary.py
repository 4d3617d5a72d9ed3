"""``{book-glossary}``: the glossary page, from ``book/glossary.toml``, with ASCII anchors.

Sphinx's ``glossary`` ids a Chinese term by its place (``term-0``…), which changes when a
term is added. This directive builds the same nodes (``make_glossary_term``: ``{term}``,
the search and the index work as for a stock glossary) from the ``book_glossary`` file, with
ids from the English term (``term-tensor`` for 張量, ``term-tensor-en`` for "tensor"), each
entry linking the section that introduces it. The search and the tests read the same file.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.util.docutils import SphinxDirective

from ch3book import _compat
from ch3book.sections import SECTION_NUMBER

FIELDS = {"zh", "en", "section", "definition"}
#: Where a term is first taught: a numbered section (``sec-3-5-4``) or a named part of
#: one (``sec-3-1-loop``), in any chapter and with any number of sections.
SECTION = re.compile(rf"sec-(?P<number>{SECTION_NUMBER})(?P<name>-[a-z][a-z0-9-]*)?")


def load_glossary(path: Path) -> list[dict[str, Any]]:
    """The entries of a glossary file, checked (fields, section labels, unique terms).

    A ``ValueError`` names the file if it is not TOML or an entry is not as expected.
    """
    try:
        entries = tomllib.loads(path.read_text(encoding="utf-8")).get("term", [])
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{path}: expected TOML ([[term]] tables); {error}") from None
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        if missing := FIELDS - entry.keys():
            raise ValueError(
                f"{path}: entry {number} ({entry.get('zh', '?')}) is missing "
                f"{', '.join(sorted(missing))}; expected the fields {', '.join(sorted(FIELDS))}"
            )
        if not SECTION.fullmatch(str(entry["section"])):
            raise ValueError(
                f"{path}: entry {number} ({entry['zh']}): expected a section label such as "
                f"'sec-3-5-4' or 'sec-3-1-loop'; received section = {entry['section']!r}"
            )
        for term in (entry["zh"], entry["en"], *entry.get("aliases", [])):
            if term.lower() in seen:
                raise ValueError(f"{path}: the term {term!r} appears twice")
            seen.add(term.lower())
    return entries


def slug(english: str) -> str:
    """``GradientTape`` → ``gradienttape``; ``one-hot encoding`` → ``one-hot-encoding``."""
    return re.sub(r"[^a-z0-9]+", "-", english.lower()).strip("-")


def section_link(label: str) -> str:
    """A link to a section, a named part (``sec-3-1-loop``) prefixed by its number.

    A ``ValueError`` if ``label`` is not a section label (``sec-<chapter>-<n>…``).
    """
    match = SECTION.fullmatch(label)
    if match is None:
        raise ValueError(f"expected a section label such as 'sec-3-5-4'; received {label!r}")
    link = f"[](#{label})"  # a numbered section's title starts with it: "3-5-4 端到端的範例…"
    return link if match["name"] is None else f"{match['number']} {link}"


class BookGlossary(SphinxDirective):
    """``{book-glossary}``: every entry of ``book_glossary`` (conf.py), sorted by English."""

    def run(self) -> list[nodes.Node]:
        path = Path(self.config.book_glossary)
        self.env.note_dependency(str(path))
        document = self.state.document
        source, line = self.get_source_info()
        try:
            entries = load_glossary(path)
        except ValueError as error:  # the author's file: a message, not a crash report
            return [document.reporter.error(str(error), line=line)]
        items = nodes.definition_list(classes=["glossary"])
        for entry in sorted(entries, key=lambda e: e["en"].lower()):
            item = nodes.definition_list_item()
            anchor = f"term-{slug(entry['en'])}"
            for text, node_id in ((entry["zh"], anchor), (entry["en"], f"{anchor}-en")):
                term = _compat.glossary_term(self.env, text, source, line, node_id, document)
                document.ids[node_id] = term
                for index in list(term.findall(addnodes.index)):  # not in the search's
                    index.parent.remove(index)  # index entries: the lessons rank first
                item += term
            code = "、".join(f"`{alias}`" for alias in entry.get("aliases", []))
            written = f"程式中寫作 {code}。" if code else ""
            text = f"{entry['definition']}{written}（首次介紹：{section_link(entry['section'])}）"
            inline, messages = self.parse_inline(text, lineno=line)
            item += nodes.definition("", nodes.paragraph("", "", *inline), *messages)
            items += item
        return [addnodes.glossary("", items, sorted=False)]  # sorted here, by the English term


def setup_glossary(app) -> None:
    app.add_config_value("book_glossary", "", "env", types=(str,))  # an absolute path
    app.add_directive("book-glossary", BookGlossary)

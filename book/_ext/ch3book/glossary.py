"""``{book-glossary}``: the glossary page, from ``book/glossary.toml``, with ASCII anchors.

Sphinx's ``glossary`` directive gives each term an id made from its text; a Chinese term
has no ASCII letters, so it gets ``term-0``, ``term-1``…, numbered in page order, which
change whenever a term is added (and the book's anchors must last). This directive builds
the same glossary nodes (``sphinx.domains.std.make_glossary_term``, so ``{term}`` roles,
the search and the index work as for a stock glossary) from the data file, with ids made
from the English term: ``term-tensor`` for 張量, ``term-tensor-en`` for "tensor". Each
entry ends with a link to the section that introduces the term. The data file is also read
by the search dictionary and by the tests (one source for the book's terms).
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

FIELDS = {"zh", "en", "section", "definition"}
#: Where a term is first taught: a numbered section (``sec-3-5-4``) or a named part of
#: one (``sec-3-1-loop``), in any chapter and with any number of sections.
SECTION = re.compile(r"sec-(?P<number>\d+-\d+(?:-\d+)?)(?P<name>-[a-z][a-z0-9-]*)?")


def load_glossary(path: Path) -> list[dict[str, Any]]:
    """The entries of a glossary file, checked: each has the four fields, terms unique.

    Raises:
        ValueError: Naming the file, if it is not TOML or an entry is not as expected.
    """
    try:
        entries = tomllib.loads(path.read_text(encoding="utf-8")).get("term", [])
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{path}: expected TOML ([[term]] tables); {error}") from None
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        missing = FIELDS - entry.keys()
        if missing:
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
    """A link to a section; a named part (``sec-3-1-loop``) is prefixed by its number.

    Raises:
        ValueError: If ``label`` is not a section label (``sec-<chapter>-<n>…``).
    """
    match = SECTION.fullmatch(label)
    if match is None:
        raise ValueError(f"expected a section label such as 'sec-3-5-4'; received {label!r}")
    link = f"[](#{label})"
    if match.group("name") is None:
        return link  # the title starts with the number: "3-5-4 端到端的範例…"
    return f"{match.group('number')} {link}"


class BookGlossary(SphinxDirective):
    """``{book-glossary}``: every entry of ``book_glossary`` (conf.py), sorted by English."""

    def run(self) -> list[nodes.Node]:
        """Build the glossary nodes and register every term."""
        path = Path(self.config.book_glossary)
        self.env.note_dependency(str(path))
        document = self.state.document
        source, line = self.get_source_info()
        items = nodes.definition_list(classes=["glossary"])
        try:
            entries = load_glossary(path)
        except ValueError as error:  # the author's file: a message, not a crash report
            return [document.reporter.error(str(error), line=line)]
        for entry in sorted(entries, key=lambda e: e["en"].lower()):
            item = nodes.definition_list_item()
            for text, node_id in ((entry["zh"], slug(entry["en"])), (entry["en"], None)):
                node_id = f"term-{node_id or slug(entry['en']) + '-en'}"
                term = _compat.glossary_term(self.env, text, source, line, node_id, document)
                document.ids[node_id] = term
                for index in list(term.findall(addnodes.index)):  # not in the search's
                    index.parent.remove(index)  # index entries: the lessons rank first
                item += term
            definition = nodes.definition()
            code = "、".join(f"`{alias}`" for alias in entry.get("aliases", []))
            written = f"程式中寫作 {code}。" if code else ""
            text = f"{entry['definition']}{written}（首次介紹：{section_link(entry['section'])}）"
            inline, messages = self.parse_inline(text, lineno=line)
            definition += nodes.paragraph("", "", *inline)
            definition += messages
            item += definition
            items += item
        glossary = addnodes.glossary(sorted=False)  # already sorted, by the English term
        glossary += items
        return [glossary]


def setup_glossary(app) -> None:
    """Register the directive and its data file setting (an absolute path)."""
    app.add_config_value("book_glossary", "", "env", types=(str,))
    app.add_directive("book-glossary", BookGlossary)

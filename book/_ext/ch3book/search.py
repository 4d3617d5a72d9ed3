"""The book's search: section-level results, any Chinese substring, ranked for learning.

Sphinx's search indexes whole pages with jieba (a Simplified-Chinese dictionary): a query
segmented otherwise, or one character such as 層, finds nothing. Pagefind ORs single
characters: 決定性 finds every 性. So the book builds its own index, which
``_static/booksearch.js`` queries on the search page:

- **Documents are sections** (each heading with an id; the page's first section is the
  page), plus one per object of the API reference, gathered when a page is read.
- **Tokens need no dictionary** (``tokens``, the same in ``booksearch.js``, tested on the
  same strings): a Chinese run gives its characters and overlapping pairs, an ASCII word
  keeps its dots and underscores and gives its parts. A query matches a section holding
  all its pairs: a phrase, not a scatter of characters.
- **Ranking** (``RANKING``, read by ``booksearch.js``): BM25 with title tokens counted
  ``title`` times; a phrase bonus; the section introducing a glossary term first when the
  query is that term; reference pages weighted below the lessons.
- **Loaded in pieces:** the list of sections, then only the term shards and section texts a
  query needs. All local files: search works offline and under any base path.

Sphinx's own ``searchindex.js`` is empty (``NoIndexLanguage``); ``make html`` drops it.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.search import SearchLanguage

from ch3book import _compat, exercises, pagedata
from ch3book.cjk_spacing import CJK, HAN, IS_CJK
from ch3book.glossary import load_glossary
from ch3book.pagedata import PageData

#: Ranking weights, shared with booksearch.js (written into docs.js).
RANKING = {
    "k1": 1.2,  # BM25 term-frequency saturation
    "b": 0.5,  # BM25 length normalisation (sections differ a lot in length)
    "title": 4,  # a token in the section title counts this many times
    "phrase": 3.0,  # the whole query appears as written in the section
    "introduces": 50.0,  # the section that introduces the glossary term queried: first
    "reference": 0.3,  # multiplier for the API reference, errata, glossary, build report
    "shown": 12,  # results with a snippet (the phrase bonus re-ranks these)
}
#: Pages that are reference material, ranked below the lessons for the same match.
REFERENCE_PAGES = ("appendix/api", "appendix/errata", "appendix/glossary", "appendix/build-report")
SHARDS = 32
TEXT_CHUNK = 2500  # characters of section text per file of snippets
SKIPPED_CLASSES = {"cell_output", "headerlink", "toggle", "admonition-title"}

_RUNS = re.compile(rf"[{HAN}]+|[a-z0-9_]+(?:\.[a-z0-9_]+)*")


def normalize(text: str) -> str:
    """NFKC (full-width letters become ASCII) and lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def tokens(text: str) -> list[str]:
    """Index tokens of a text, in order (repeats kept: they are term frequencies)."""
    found: list[str] = []
    for run in _RUNS.findall(normalize(text)):
        if run[0] >= "\u3400":
            found += list(run)
            found += [run[i : i + 2] for i in range(len(run) - 1)]
        else:
            found.append(run)
            found += _word_parts(run)
    return found


def _word_parts(run: str) -> list[str]:
    """The parts of a dotted or snake_case name.

    ``ch3lib.split_train`` → ``ch3lib``, ``split_train``, ``split``, ``train``.
    """
    parts = []
    dotted = [part for part in run.split(".") if part]
    if len(dotted) > 1:
        parts += dotted
    for part in dotted:
        words = [word for word in part.split("_") if word]
        if len(words) > 1:
            parts += words
    return parts


def query_tokens(text: str) -> list[str]:
    """The tokens a section must hold to match a query: pairs, or a lone character."""
    required: list[str] = []
    for run in _RUNS.findall(normalize(text)):
        if run[0] >= "\u3400":
            required += [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]
        else:
            required.append(run)
    return list(dict.fromkeys(required))


class NoIndexLanguage(SearchLanguage):
    """Keeps Sphinx from segmenting text for its own index, which nothing reads."""

    lang = "zh"
    language_name = "Chinese"

    def split(self, input: str) -> list[str]:
        """No words: the book's index is built from ``SearchSections``."""
        return []


# -- Collecting the sections --------------------------------------------------------------


def _text(node: nodes.Node) -> str:
    """A node's readable text, without cell outputs, permalinks and admonition labels.

    The pieces of a paragraph (text, links, inline code) are joined as they stand, so that
    「稱為它的{term}`形狀`（shape）」 stays 「稱為它的形狀（shape）」 in a snippet; blocks
    (paragraphs, list items, cells) are separated by a space. A link whose text Sphinx
    fills in when the page is written (``[](#sec-3-5-4)``, ``{numref}``) is kept as a
    placeholder, which ``resolved`` replaces once every page is known.
    """
    if isinstance(node, nodes.Text):
        return str(node)
    if isinstance(node, nodes.Element) and SKIPPED_CLASSES & set(node.get("classes", [])):
        return ""
    if isinstance(node, (nodes.comment, nodes.raw, addnodes.index)):
        return ""
    exercise, _, solution = _compat.exercise_node_types()
    with contextlib.suppress(ValueError):  # titled as on the page: 練習 1（副標題）
        if isinstance(node.parent, exercise) and node is node.parent[0] and len(node) > 1:
            return exercises.title(node.parent.get("label", ""), node[1].astext())
        if isinstance(node.parent, solution) and node is node.parent[0]:
            return node.astext() + exercises.title(node.parent.get("target_label", ""))
    if isinstance(node, addnodes.pending_xref) and not node.get("refexplicit"):
        kind = node.get("reftype")
        if kind in ("myst", "ref", "numref"):
            return f"\x00{kind}\x01{node['reftarget'].lstrip('#')}\x00"
    separator = "" if isinstance(node, nodes.TextElement) else " "
    return separator.join(filter(None, (_text(child) for child in node.children)))


#: A placeholder with the spaces around it, which go where the link's text is Chinese
#: (as ``cjk_spacing`` does on the page).
PLACEHOLDER = re.compile(
    rf"(?P<before>(?<=[{CJK}]) )?"
    r"\x00(?P<kind>\w+)\x01(?P<target>[^\x00]*)\x00"
    rf"(?P<after> (?=[{CJK}]))?"
)


def resolved(text: str, env, config) -> str:
    """``text`` with each link placeholder replaced by the link's text on the page."""
    labels = _compat.labels(env)

    def link_text(match: re.Match) -> str:
        docname, anchor, title = labels.get(match["target"], ("", "", match["target"]))
        if match["kind"] == "numref":
            number = _compat.figure_number(env, docname, anchor)
            title = config.numfig_format["figure"] % ".".join(map(str, number or ()))
        before = "" if title and IS_CJK.match(title[0]) else match["before"] or ""
        after = "" if title and IS_CJK.match(title[-1]) else match["after"] or ""
        return f"{before}{title}{after}"

    return PLACEHOLDER.sub(link_text, text)


def _is_heading_section(node: nodes.Node) -> bool:
    """A section with a heading (sphinx-exercise also makes untitled ones inside boxes)."""
    return (
        isinstance(node, nodes.section)
        and bool(node["ids"])
        and bool(node.children)
        and isinstance(node[0], nodes.title)
    )


def _own_text(section: nodes.section) -> str:
    """A section's text, without its title and the sections under its own headings."""
    return " ".join(
        _text(child)
        for child in section.children
        if not isinstance(child, nodes.title) and not _is_heading_section(child)
    )


class SearchSections(PageData):
    """One document per section (and per API object) of every page, when it is read."""

    name = "ch3book_search"

    def gather(self, app, doctree) -> list[dict[str, str]]:
        """The page's sections: anchor, label, title and text."""
        records = []
        for section in doctree.findall(_is_heading_section):
            records.append(
                {
                    "anchor": section["ids"][0],
                    "label": section["ids"][0],
                    "title": _text(section[0]),
                    "text": " ".join(_own_text(section).split()),
                }
            )
        for desc in doctree.findall(addnodes.desc):
            signature = next(desc.findall(addnodes.desc_signature), None)
            if signature is None or not signature["ids"]:
                continue
            content = next(desc.findall(addnodes.desc_content), None)
            first = next(content.findall(nodes.paragraph), None) if content else None
            records.append(
                {
                    "anchor": signature["ids"][0],
                    "label": signature["ids"][0],
                    "title": signature["ids"][0],
                    "text": " ".join((first.astext() if first else "").split()),
                }
            )
        if records:
            records[0]["anchor"] = ""  # the page's own result: its top
        return records


def term_counts(title: str, text: str) -> dict[str, int]:
    """How often each token occurs in a section, a title's tokens counting ``RANKING["title"]``."""
    counts = Counter(tokens(text))
    for token in tokens(title):
        counts[token] += RANKING["title"]
    return dict(counts)


# -- Writing the index ---------------------------------------------------------------------


def shard_of(token: str) -> int:
    """The shard a token's postings go to (the same function in booksearch.js)."""
    value = 0
    for char in token:
        value = (value * 31 + ord(char)) % 1_000_003
    return value % SHARDS


def _js(name: str, data: Any) -> str:
    """A script that stores ``data`` (a <script> tag loads it, also for a page opened from disk)."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return f"window.BookSearch.store({json.dumps(name)},{payload});\n"


def build_index(app) -> dict[str, str]:
    """The files of the index: relative name → content."""
    env = app.env
    pages = pagedata.of(env, SearchSections.name)
    try:
        glossary = load_glossary(Path(app.config.book_glossary)) if app.config.book_glossary else []
    except ValueError:
        glossary = []  # a malformed file: the glossary page reported it, the build fails
    docs, postings, labels = [], defaultdict(list), {}
    lengths, texts = [], []
    for docname in sorted(pages):
        page_title = _compat.title(env, docname) or docname
        reference = docname.startswith(REFERENCE_PAGES)
        url = app.builder.get_target_uri(docname)
        for record in pages[docname]:
            number = len(docs)
            href = url + (f"#{record['anchor']}" if record["anchor"] else "")
            title, text = (resolved(record[k], env, app.config) for k in ("title", "text"))
            docs.append([href, title, page_title, int(reference), docname])
            labels[(docname, record["label"])] = number
            texts.append(text)
            counts = term_counts(title, text)
            lengths.append(sum(counts.values()))
            for token, count in counts.items():
                postings[token].append([number, count])
    introduces = {}
    for entry in glossary:
        docname = _label_target(env, entry["section"])[0]
        number = labels.get((docname, entry["section"]))
        if number is not None:
            for term in (entry["zh"], entry["en"], *entry.get("aliases", [])):
                introduces[normalize(term)] = number
    shards: dict[int, dict[str, list]] = defaultdict(dict)
    for token in sorted(postings):
        shards[shard_of(token)][token] = postings[token]
    chunks: list[list[str]] = [[]]
    chunk_of = []
    for text in texts:
        if chunks[-1] and sum(map(len, chunks[-1])) + len(text) > TEXT_CHUNK:
            chunks.append([])
        chunk_of.append([len(chunks) - 1, len(chunks[-1])])
        chunks[-1].append(text)
    meta = {
        "docs": [d[:4] for d in docs],
        "textOf": chunk_of,
        "lengths": lengths,
        "introduces": introduces,
        "ranking": RANKING,
        "shards": SHARDS,
    }
    files = {"docs.js": _js("docs", meta)}
    for number in range(SHARDS):
        files[f"terms-{number}.js"] = _js(f"terms-{number}", shards.get(number, {}))
    for number, chunk in enumerate(chunks):
        files[f"text-{number}.js"] = _js(f"text-{number}", chunk)
    return files


def _label_target(env, label: str) -> tuple[str, str, str]:
    """``(docname, anchor, title)`` of a label (Sphinx's standard domain)."""
    return _compat.labels(env).get(label, ("", "", ""))


def write_index(app, exception) -> None:
    """``build-finished``: write the index into ``_static/search/``."""
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / "search"
    shutil.rmtree(target, ignore_errors=True)  # no file of an earlier, longer index
    target.mkdir(parents=True)
    files = build_index(app)
    for name, content in files.items():
        (target / name).write_text(content, encoding="utf-8")


def setup_search(app) -> None:
    """Register the language, the collector and the writer."""
    app.add_search_language(NoIndexLanguage)
    app.add_env_collector(SearchSections)
    app.connect("build-finished", write_index)

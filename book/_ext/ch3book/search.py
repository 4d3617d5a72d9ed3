"""The book's search: section-level results, any Chinese substring, ranked for learning.

Sphinx's search (jieba, a Simplified-Chinese dictionary) finds nothing for a query segmented
otherwise or for one character such as 層; Pagefind ORs single characters (決定性 finds every
性). So an env collector keeps one document per section and API object; at ``build-finished``
the index is written in pieces that ``_static/booksearch.js`` loads. ``tokens`` indexes Chinese
runs' characters and pairs, and the script asks for a query's pairs: a query matches a phrase,
ranked by ``RANKING``. Sphinx's own index is empty (``NoIndexLanguage``).
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import unicodedata
from collections import Counter, defaultdict
from itertools import pairwise
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.search import SearchLanguage

from ch3book import _compat, exercises, pagedata
from ch3book.cjk_spacing import CJK, HAN, IS_CJK
from ch3book.glossary import load_glossary

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
        found += [run, *_subwords(run)] if run.isascii() else [*run, *map("".join, pairwise(run))]
    return found


def _subwords(run: str) -> list[str]:
    """``ch3lib.split_train`` → ``ch3lib``, ``split_train``, ``split``, ``train``."""
    dotted = run.split(".")
    snake = [words for part in dotted if len(words := re.findall("[a-z0-9]+", part)) > 1]
    return (dotted if len(dotted) > 1 else []) + [word for words in snake for word in words]


class NoIndexLanguage(SearchLanguage):
    """Keeps Sphinx from segmenting text for its own index, which nothing reads."""

    lang = "zh"
    language_name = "Chinese"

    def split(self, input: str) -> list[str]:
        return []


# -- Collecting the sections --------------------------------------------------------------


def _text(node: nodes.Node) -> str:
    """A node's readable text, without cell outputs, permalinks and admonition labels.

    Inline pieces are joined as they stand, blocks with a space; a link whose text Sphinx
    fills in later (``[](#sec-3-5-4)``, ``{numref}``) is a placeholder for ``resolved``.
    """
    if isinstance(node, nodes.Text):
        return str(node)
    skipped = isinstance(node, (nodes.comment, nodes.raw, addnodes.index))
    if skipped or SKIPPED_CLASSES & set(node["classes"]):
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
        and node.first_child_matching_class(nodes.title) == 0
    )


def _record(label: str, title: str, text: str) -> dict[str, str]:
    return {"label": label, "title": title, "text": " ".join(text.split())}


def _own_text(section: nodes.section) -> str:
    """A heading section's text after its title, without the sections under its own headings."""
    return " ".join(_text(child) for child in section[1:] if not _is_heading_section(child))


class SearchSections(pagedata.PageData):
    """One document per section (and per API object) of every page, when it is read."""

    name = "ch3book_search"

    def gather(self, app, doctree) -> list[dict[str, str]]:
        records = [
            _record(section["ids"][0], _text(section[0]), _own_text(section))
            for section in doctree.findall(_is_heading_section)
        ]
        for desc in doctree.findall(addnodes.desc):
            signature = next(desc.findall(addnodes.desc_signature), None)
            if signature is not None and signature["ids"]:
                first = next(desc.findall(nodes.paragraph), None)  # signatures have none
                label = signature["ids"][0]
                records.append(_record(label, label, first.astext() if first else ""))
        return records


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
    docs, labels, lengths, chunk_of, chunks = [], {}, [], [], [[]]
    shards = [defaultdict(list) for _ in range(SHARDS)]  # token → postings; sorted when written
    for docname in sorted(pages):
        page_title = _compat.title(env, docname) or docname
        reference = int(docname.startswith(REFERENCE_PAGES))
        url = app.builder.get_target_uri(docname)
        for n, record in enumerate(pages[docname]):
            href = f"{url}#{record['label']}" if n else url  # the page's own result: its top
            title, text = (resolved(record[k], env, app.config) for k in ("title", "text"))
            labels[(docname, record["label"])] = len(docs)
            counts = Counter(tokens(text) + tokens(title) * RANKING["title"])
            for token, count in counts.items():
                shards[shard_of(token)][token].append([len(docs), count])
            docs.append([href, title, page_title, reference])
            lengths.append(sum(counts.values()))
            if chunks[-1] and sum(map(len, chunks[-1])) + len(text) > TEXT_CHUNK:
                chunks.append([])  # the next file of snippets
            chunk_of.append([len(chunks) - 1, len(chunks[-1])])
            chunks[-1].append(text)
    introduces = {}
    for entry in glossary:
        docname = _compat.labels(env).get(entry["section"], ("",))[0]
        if (number := labels.get((docname, entry["section"]))) is not None:
            for term in (entry["zh"], entry["en"], *entry.get("aliases", [])):
                introduces[normalize(term)] = number
    meta = {"docs": docs, "textOf": chunk_of, "lengths": lengths, "introduces": introduces}
    meta |= {"ranking": RANKING, "shards": SHARDS}
    files = {"docs.js": _js("docs", meta)}
    files |= {f"terms-{n}.js": _js(f"terms-{n}", shard) for n, shard in enumerate(shards)}
    return files | {f"text-{n}.js": _js(f"text-{n}", chunk) for n, chunk in enumerate(chunks)}


def write_index(app, exception) -> None:
    """``build-finished``: write the index into ``_static/search/``."""
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / "search"
    shutil.rmtree(target, ignore_errors=True)  # no file of an earlier, longer index
    target.mkdir(parents=True)
    for name, content in build_index(app).items():
        (target / name).write_text(content, encoding="utf-8")


def setup_search(app) -> None:
    app.add_search_language(NoIndexLanguage)
    app.add_env_collector(SearchSections)
    app.connect("build-finished", write_index)

"""Write only the pages whose HTML can have changed; keep the others from the last build.

``tools/build.py`` starts each build from a copy of the last published site (all but
``_static``, which Sphinx copies fresh), and Sphinx writes, as usual, the pages whose
sources changed or that it re-read. That alone is Sphinx's incremental writing, which
publishes stale pages: a page's HTML also depends on the *other* pages (their titles in
its navigation and in ``[](#label)`` links, the figure numbers it cites, the API objects
and glossary terms it links, the stylesheets' ``?v=`` checksums). So:

- ``env-get-updated``: the digest of everything a page reads from outside its own
  doctree (``global_digest``, with the ``SHARED_INPUTS`` other modules register, such as
  the hash of ch3lib's wheel that every notebook's first cell pins) is compared with the
  last build's; if it differs, every page is written again. A page that summarises what
  the others contain, such as the build report's table, is written again when that
  summary changes (``SUMMARIES``).
- ``build-finished``: what the copy brought but this build no longer has is deleted: the
  HTML and sources of a deleted or renamed page, and every image no page shows. Folders
  that a feature rewrites as a whole when the page that owns them is written
  (``OWNED_FOLDERS``: the lecture links' ``qr/``) are left to it.

``tests/test_rebuild.py`` checks the result against clean builds after every kind of
edit. No stock extension does this: Sphinx rewrites a page only when the page itself or a
page whose toctree includes it changed, and never deletes an output.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from docutils import nodes

#: Packages whose templates, scripts or transforms shape every page.
PACKAGES = (
    "sphinx",
    "myst-nb",
    "myst-parser",
    "sphinx-book-theme",
    "pydata-sphinx-theme",
    "sphinx-copybutton",
    "sphinx-exercise",
    "sphinx-notfound-page",
    "sphinx-reredirects",
)


def _toc_text(toc: nodes.Node) -> list[tuple[str, str]]:
    """The entries of a page's table of contents: (anchor, text)."""
    return [(ref.get("anchorname", ""), ref.astext()) for ref in toc.findall(nodes.reference)]


def _static_digest(app) -> str:
    """Hash of the files in ``html_static_path`` (their ``?v=`` checksums are in every page)."""
    digest = hashlib.sha256()
    for folder in app.config.html_static_path:
        root = Path(app.confdir, folder)
        for path in sorted(root.rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(root).as_posix().encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()


#: What pages show that is neither in a doctree nor in the environment: name → a function
#: of the Sphinx application (``package_index``: the wheel readers install, by hash).
SHARED_INPUTS: dict[str, Callable[[Any], str]] = {}


def global_digest(app, env) -> str:
    """Everything a page's HTML reads from outside its own doctree, hashed."""
    domains = env.domaindata
    parts = [
        sorted((doc, env.titles[doc].astext()) for doc in env.found_docs if doc in env.titles),
        sorted((doc, _toc_text(env.tocs[doc])) for doc in env.found_docs if doc in env.tocs),
        sorted((k, sorted(v)) for k, v in env.toctree_includes.items()),
        sorted(domains["std"]["labels"].items()),
        sorted(domains["std"]["anonlabels"].items()),
        sorted((repr(k), v) for k, v in domains["std"]["objects"].items()),
        sorted((k, repr(v)) for k, v in domains.get("py", {}).get("objects", {}).items()),
        sorted((k, repr(v)) for k, v in env.toc_fignumbers.items()),
        sorted((k, repr(v)) for k, v in env.toc_secnumbers.items()),
        _static_digest(app),
        [(name, importlib.metadata.version(name)) for name in PACKAGES],
        sorted((name, shared(app)) for name, shared in SHARED_INPUTS.items()),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


#: What a summary (a directive that lists what other pages contain) depends on: its
#: name → a function of the environment. The directive calls ``note_summary``.
SUMMARIES: dict[str, Callable[[Any], str]] = {}


def note_summary(env, docname: str, name: str) -> None:
    """Record that ``docname`` shows the summary ``name`` (from the directive's ``run``)."""
    if not hasattr(env, "ch3book_summaries"):
        env.ch3book_summaries = {}
    env.ch3book_summaries[docname] = name


def forget_summary(app, env, docname: str) -> None:
    """``env-purge-doc``: a page read again records its summaries again."""
    getattr(env, "ch3book_summaries", {}).pop(docname, None)


def pages_to_write(app, env) -> list[str]:
    """``env-get-updated``: the pages whose HTML can have changed without being re-read.

    Every page if anything they share changed; otherwise the pages whose summary changed.
    """
    digests = {"": global_digest(app, env)}
    for docname, name in getattr(env, "ch3book_summaries", {}).items():
        if docname in env.found_docs:
            digests[docname] = hashlib.sha256(SUMMARIES[name](env).encode()).hexdigest()
    previous = getattr(env, "ch3book_digests", {})
    env.ch3book_digests = digests  # pickled with the environment, for the next build
    if previous.get("") != digests[""]:
        return sorted(env.found_docs)
    return sorted(doc for doc in digests if doc and previous.get(doc) != digests[doc])


#: Top-level output folders of HTML that is not a page, each rewritten as a whole by the
#: module that owns it whenever its content can have changed (``lecture_links``: ``qr``).
OWNED_FOLDERS: set[str] = set()

#: The attribute of the Sphinx application that holds when it started writing (pages
#: older than this were copied).
WRITE_START = "ch3book_write_start"


def note_start(app, builder) -> None:
    """``write-started``: files older than now were copied from the last build."""
    setattr(app, WRITE_START, time.time() - 1)  # file times can be rounded to the second


def prune(app, exception) -> None:
    """``build-finished``: delete what the copied site had and this build does not."""
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    start = getattr(app, WRITE_START, time.time())
    docs = app.env.found_docs
    for path in list(outdir.rglob("*.html")) + list((outdir / "_sources").rglob("*")):
        if not path.is_file() or path.stat().st_mtime >= start or "_static" in path.parts:
            continue
        if path.relative_to(outdir).parts[0] in OWNED_FOLDERS:
            continue
        relative = path.relative_to(outdir).as_posix()
        source = relative.removeprefix("_sources/")
        # <page>.homework.ipynb belongs to its page (homework.py)
        docname = re.sub(r"(\.homework)?\.(html|md|ipynb|rst|txt)$", "", source)
        if docname not in docs:
            path.unlink()
    shown = set()
    for page in outdir.rglob("*.html"):
        shown.update(re.findall(r"_images/([^\"'#?)\s]+)", page.read_text(encoding="utf-8")))
    images = outdir / "_images"
    if images.is_dir():
        for image in images.iterdir():
            if image.name not in shown:
                image.unlink()
    for folder in sorted(outdir.rglob("*"), reverse=True):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def setup_reuse(app) -> None:
    """Register the decision, the start time and the pruning."""
    app.connect("env-purge-doc", forget_summary)
    app.connect("env-get-updated", pages_to_write)
    app.connect("write-started", note_start)
    app.connect("build-finished", prune, priority=900)

"""What Sphinx's incremental writing needs to be told, so that it writes what a clean build writes.

Sphinx writes a page again when the page itself was read again, when a page whose toctree
includes it changed, or when a setting marked ``"html"`` changed (``conf.py``'s
``book_page_inputs``: the stylesheets, whose checksums every page links, and ch3lib's
wheel, whose hash every notebook pins). A page's HTML also shows what other pages hold:
every title in its navigation, the titles of the sections it links with ``[](#label)``,
figure numbers, API and glossary anchors. And Sphinx never deletes an output. So, with
Sphinx's public events only:

- ``env-get-updated``: when what pages show of each other changed (``shared``), every page
  is written again; the pages that summarise all the others (registered with ``summary``:
  the lecture links, the build report, the homework list) are written on every build;
- ``env-get-outdated``: a page whose source is gone loses its HTML and its sources;
- ``build-finished``: an image no page shows any more leaves ``_images``.

``tests/test_rebuild.py`` checks the result against clean builds after each kind of edit.
Writing every page into an empty folder instead was measured (``make bench``): a
one-line edit then took 3.6 s on the six-page book, and every page more adds its own.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from docutils import nodes

from ch3book import _compat, pagedata

#: Node types of directives that list what every page holds (``summary`` registers them).
SUMMARY_NODES: list[type[nodes.Node]] = []


def summary(node_type: type[nodes.Node]) -> None:
    """Register a placeholder node whose page must be written whenever any page changes."""
    SUMMARY_NODES.append(node_type)


class Summaries(pagedata.PageData):
    """Whether each page holds a summary of the others."""

    name = "ch3book_summaries"

    def gather(self, app, doctree) -> bool:
        return any(next(doctree.findall(kind), None) is not None for kind in SUMMARY_NODES)


def shared(env) -> str:
    """A hash of what a page shows of the other pages."""
    parts = [
        sorted((doc, _compat.title(env, doc)) for doc in env.found_docs),
        sorted(_compat.labels(env).items()),
        sorted(_compat.anonymous_labels(env).items()),
        sorted(_compat.glossary_terms(env).items()),
        sorted(_compat.python_objects(env).items()),
        sorted((doc, repr(numbers)) for doc, numbers in _compat.figure_numbers(env).items()),
        sorted((doc, list(children)) for doc, children in _compat.toctrees(env).items()),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def pages_to_write(app, env) -> list[str]:
    """``env-get-updated``: every page if ``shared`` changed, else the summaries."""
    digest, previous = shared(env), getattr(env, "ch3book_shared", None)
    env.ch3book_shared = digest  # pickled with the environment, for the next build
    if digest != previous:
        return sorted(env.found_docs)
    return sorted(doc for doc, holds in pagedata.of(env, Summaries.name).items() if holds)


def remove_outputs(app, env, added, changed, removed) -> list[str]:
    """``env-get-outdated``: delete the HTML and the sources of the pages that are gone."""
    outdir = Path(app.outdir)
    for docname in removed:
        for path in [outdir / f"{docname}.html", *(outdir / "_sources").glob(f"{docname}.*")]:
            path.unlink(missing_ok=True)
            for folder in path.parents:  # and the folders that held nothing else
                if folder == outdir or not folder.is_dir() or any(folder.iterdir()):
                    break
                folder.rmdir()
    return []


def remove_unshown_images(app, exception) -> None:
    """``build-finished``: ``_images`` holds the images of the pages, and nothing else."""
    if exception is not None or app.builder.format != "html":
        return
    folder = Path(app.outdir) / "_images"
    shown = _compat.image_names(app.env)
    for path in folder.glob("*") if folder.is_dir() else []:
        if path.name not in shown:
            path.unlink()


def setup_incremental(app) -> None:
    app.add_env_collector(Summaries)
    # After Sphinx's own collectors, which number the figures at this event.
    app.connect("env-get-updated", pages_to_write, priority=900)
    app.connect("env-get-outdated", remove_outputs)
    app.connect("build-finished", remove_unshown_images)

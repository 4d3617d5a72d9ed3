"""What the book's features gather from each page when it is read, kept between builds.

Sphinx's ``EnvironmentCollector`` API, as Sphinx's own collectors keep titles and images:
a page's data is gathered when the page is read (``doctree-read``), kept in the pickled
environment, dropped when the page is read again or removed, and merged from parallel
readers. The search index, the build report and the lecture links are made from every
page's data without reading any page's doctree again, also when a build writes one page.
"""

from __future__ import annotations

from typing import Any

from sphinx.environment.collectors import EnvironmentCollector


class PageData(EnvironmentCollector):
    """Keeps ``gather(app, doctree)`` of every page in the environment attribute ``name``."""

    name = ""

    def gather(self, app, doctree) -> Any:
        """What to keep of a page (a subclass says)."""
        raise NotImplementedError

    def clear_doc(self, app, env, docname: str) -> None:
        of(env, self.name).pop(docname, None)

    def merge_other(self, app, env, docnames, other) -> None:
        theirs = of(other, self.name)
        of(env, self.name).update({d: theirs[d] for d in docnames if d in theirs})

    def process_doc(self, app, doctree) -> None:
        of(app.env, self.name)[app.env.docname] = self.gather(app, doctree)


def of(env, name: str) -> dict[str, Any]:
    """The data ``name`` of every page read: docname → what was gathered."""
    return vars(env).setdefault(name, {})

"""Every use of other projects' internals: the one module that reads them, each with its reason.

Sphinx, MyST-NB and sphinx-exercise offer no public API for these; only this module names them
(``tests/test_ch3book.py`` fails when another module or a tool names a private attribute, an
internal module or an environment attribute read below; pydata-sphinx-theme's files and markup
are ``_theme.py``'s). Each entry only reads, replacing no function. When an upstream release
changes one, the build fails here, and ``make test-latest`` (weekly in CI) names the package.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

# -- Sphinx: what the environment knows of other pages ----------------------------------
# Sphinx documents ``env.get_domain()`` and ``env.found_docs``, not the tables below. The
# readers' notebooks, the search, the lecture links and the build report resolve names the
# way the site resolved them, so they read the tables the site was resolved from. Tried:
# ``env.get_and_resolve_doctree`` per page and reading the links back: every page's doctree
# resolved again for each notebook, and no figure number or anonymous label in it.


def labels(env) -> dict[str, tuple[str, str, str]]:
    """Every label of the book: name → (page, anchor, title) (the standard domain's)."""
    return env.domains.standard_domain.labels


def anonymous_labels(env) -> dict[str, tuple[str, str]]:
    """Every label, with or without a title: name → (page, anchor)."""
    return env.domains.standard_domain.anonlabels


def glossary_terms(env) -> dict[str, tuple[str, str]]:
    """Every glossary term, lower case → (page, anchor)."""
    objects = env.domains.standard_domain.objects
    return {name.lower(): target[:2] for (kind, name), target in objects.items() if kind == "term"}


def python_objects(env) -> dict[str, tuple[str, str]]:
    """Every object autodoc documented: full name → (page, anchor)."""
    return {name: (e.docname, e.node_id) for name, e in env.domains.python_domain.objects.items()}


def title(env, docname: str) -> str | None:
    """A page's title as text (None for a page Sphinx has not read)."""
    node = env.titles.get(docname)
    return None if node is None else node.astext()


def figure_numbers(env) -> dict[str, dict[str, dict[str, tuple[int, ...]]]]:
    """Every number Sphinx gave (``numfig``): page → figure type → anchor → number."""
    return env.toc_fignumbers


def figure_number(env, docname: str, anchor: str) -> tuple[int, ...] | None:
    """The number Sphinx gave the figure at ``anchor`` of ``docname``."""
    return env.toc_fignumbers.get(docname, {}).get("figure", {}).get(anchor)


def toctrees(env) -> dict[str, list[str]]:
    """Each page's toctree entries, in order: the navigation every page shows."""
    return env.toctree_includes


def image_file_name(env, path: str) -> str:
    """The name Sphinx gives an image of the sources (``path``) in the site's ``_images``."""
    return env.images[path][1]


def image_names(env) -> set[str]:
    """The names of every image the pages show, in the site's ``_images``."""
    return {name for _, name in env.images.values()}


def glossary_term(env, text: str, source: str, line: int, node_id: str, document) -> Any:
    """A glossary term node, registered as Sphinx's ``glossary`` directive registers one.

    ``make_glossary_term`` is behind the directive, whose ids (``term-0``…) change with the text.
    """
    from docutils import nodes
    from sphinx.domains.std import make_glossary_term

    return make_glossary_term(env, [nodes.Text(text)], None, source, line, node_id, document)


def image_size(path: Path) -> tuple[int, int] | None:
    """An image's size in pixels as Sphinx reads it (None if it cannot tell).

    ``sphinx.util.images`` is what Sphinx's builders use; docutils reads sizes only for ``:scale:``.
    """
    from sphinx.util.images import get_image_size

    return get_image_size(path)


def equation_number(translator, node) -> str:
    """The number Sphinx shows for a numbered equation, as its MathJax renderer asks for it."""
    from sphinx.util.math import get_node_equation_number

    return get_node_equation_number(translator, node)


def literal_include(path: Path, options: dict[str, Any], config) -> str:
    """The text ``literalinclude`` shows of ``path`` with ``options`` (``lines``, …).

    A reader's notebook shows the page's lines; only the directive's reader implements its options.
    """
    from sphinx.directives.code import LiteralIncludeReader

    return LiteralIncludeReader(str(path), options, config).read()[0]


def with_attribute(script, **attribute: str) -> Any:
    """A script entry of a page's context (Sphinx's ``_JavaScript``) with ``attribute``.

    ``loading_method`` serves one's own ``add_js_file`` only, not Sphinx's and the themes' scripts.
    """
    attributes = dict(getattr(script, "attributes", {}))
    return type(script)(script.filename, priority=script.priority, **attributes, **attribute)


# -- MyST-NB --------------------------------------------------------------------------------
# A reader's notebook must show what the page shows: MyST-NB's merging of streams and its
# formatting of glued values, which its renderer applies with no public entry point.


def executed_notebook_path(env, docname: str) -> Path:
    """Where MyST-NB writes the notebook of a page it has read (its ``output_folder``)."""
    return Path(env.mystnb_config.output_folder, f"{docname}.ipynb")


def execution_succeeded(env, docname: str) -> bool | None:
    """Whether MyST-NB executed the page (or took it from its cache) without error; None: not run.

    MyST-NB keeps this for its ``{nb-exec-table}``, whose table shows the clock (build_report.py).
    """
    from myst_nb.sphinx_ import NbMetadataCollector

    data = NbMetadataCollector.get_exec_data(env, docname)
    return None if data is None else bool(data.get("succeeded"))


def coalesce_streams(outputs: list) -> list:
    """MyST-NB's rule for merging a cell's stream outputs (``nb_merge_streams``)."""
    from myst_nb.core.utils import coalesce_streams as merge

    return merge(outputs)


def format_glue(text: str, spec: str) -> str:
    """A glued ``text/plain`` value as ``{glue:text}`key:spec``` shows it on the page."""
    from myst_nb.core.variables import format_plain_text

    return format_plain_text(text, spec)


def glued_values(notebook) -> dict[str, str]:
    """Every ``glue()`` call's ``text/plain`` value by key (its output's ``scrapbook`` metadata)."""
    return {
        record["name"]: output["data"][record["mime_prefix"] + "text/plain"]
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if (record := output.get("metadata", {}).get("scrapbook"))
    }


# -- sphinx-exercise ------------------------------------------------------------------------
# The book titles exercises per page and lists every page's homework; sphinx-exercise
# numbers across the book and keeps its exercises in a registry of its own.


def exercise_node_types() -> tuple[type, type, type]:
    """sphinx-exercise's nodes: an exercise, a numbered exercise, a solution."""
    from sphinx_exercise.nodes import exercise_enumerable_node, exercise_node, solution_node

    return exercise_node, exercise_enumerable_node, solution_node


def exercise_pages(env) -> dict[str, int]:
    """How many exercises (labelled ``ex-…``) each page has, from sphinx-exercise's registry."""
    return Counter(
        entry["docname"]
        for label, entry in getattr(env, "sphinx_exercise_registry", {}).items()
        if label.startswith("ex-") and entry.get("type") == "exercise"
    )

"""Exercises and their solutions (sphinx-exercise), titled in zh-TW and numbered per page.

sphinx-exercise (Executable Books) provides ``{exercise}`` and the gated
``{solution-start}`` … ``{solution-end}``, between which a solution's code cells are
executed at build time like any other cell; ``:class: dropdown`` hides a solution until
the reader opens it. Two things it does not do the way this book needs:

- Its labels ("Exercise", "Solution to") are translated for zh_CN, not zh_TW: this module
  adds a zh-TW message catalog for them (``translations.register``).
- It numbers exercises across the whole book ("Exercise 5" is the first one of the second
  page that has any) and writes the subtitle in ASCII parentheses. Here every exercise is
  ``:nonumber:`` and a post-transform titles it 「練習 N（標題）」, N taken from its label
  ``ex-<section>-<N>`` (``ex-3-6-1`` is 練習 1 of page 3-6), and its solution
  「解答：練習 N（標題）」, linked to the exercise. The transform checks what makes the
  number true: the labels of a page are ``ex-<its section>-1``, ``-2``, … in reading order,
  each exercise is ``:nonumber:``, and each solution's label is its exercise's with
  ``sol-``; anything else is a warning (an error with ``-W``) naming the page and label.
  The readers' notebooks write the same title (``commonmark`` calls ``title``).
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

from ch3book.translations import EXERCISE as LABELS

#: sphinx-exercise's labels in zh-TW.
#: An exercise's label: ``ex-`` + its page's section number + ``-`` + its number there.
LABEL = re.compile(r"^ex-(?P<section>\d+(?:-\d+)*)-(?P<number>\d+)$")

logger = logging.getLogger(__name__)


def number_of(label: str) -> str:
    """The number an exercise label gives its exercise: ``ex-3-6-2`` → ``"2"``.

    Raises:
        ValueError: If the label is not ``ex-<section>-<number>``.
    """
    match = LABEL.match(label)
    if match is None:
        raise ValueError(
            "Expected an exercise label such as 'ex-3-5-1' (ex-<section>-<number>). "
            f"Received: {label!r}"
        )
    return match.group("number")


def title(label: str, subtitle: str = "") -> str:
    """「練習 N（subtitle）」, or 「練習 N」 without a subtitle, as text."""
    return f"練習 {number_of(label)}" + (f"（{subtitle}）" if subtitle else "")


def _subtitle(title_node: nodes.Element) -> list[nodes.Node]:
    """The nodes between sphinx-exercise's `` (`` and ``)`` in a resolved title."""
    children = list(title_node.children)
    if not children or children[-1].astext() != ")":
        return []
    for start, child in enumerate(children):
        if isinstance(child, nodes.Text) and child.astext().endswith(" ("):
            return [node.deepcopy() for node in children[start + 1 : -1]]
    return []


def _titled(prefix: str, number: str, subtitle: list[nodes.Node]) -> list[nodes.Node]:
    parts: list[nodes.Node] = [nodes.Text(f"{prefix}{number}")]
    if subtitle:
        parts += [nodes.Text("（"), *subtitle, nodes.Text("）")]
    return parts


class TitleExercisesPerPage(SphinxPostTransform):
    """「練習 N（標題）」 and 「解答：練習 N（標題）」 after sphinx-exercise's own titles."""

    default_priority = 30  # sphinx-exercise resolves its titles at 20 and 21

    def _section(self) -> str | None:
        """The page's section number (``3-5`` for ``sec-3-5``), from its page label."""
        from ch3book.sections import page_labels

        label = page_labels(self.env).get(self.env.docname)
        return label.removeprefix("sec-") if label else None

    def _warn(self, node: nodes.Node, message: str) -> None:
        logger.warning(f"exercise: {message}", location=node, type="ch3book", subtype="exercise")

    def run(self, **kwargs) -> None:
        """Retitle every exercise and solution of the page, checking its label."""
        from ch3book import _compat

        exercise_node, exercise_enumerable_node, solution_node = _compat.exercise_node_types()
        section = self._section()
        subtitles = {}
        position = 0
        for node in self.document.findall(
            lambda n: isinstance(n, exercise_node | exercise_enumerable_node)
        ):
            position += 1
            label = node.get("label", "")
            if isinstance(node, exercise_enumerable_node):
                self._warn(node, f"{label or 'an exercise'} needs :nonumber: (numbered per page)")
                continue
            expected = f"ex-{section}-{position}"
            if label != expected:
                self._warn(node, f"label {label!r} should be {expected!r} (its place on the page)")
                continue
            title_node = node.children[0]
            subtitles[label] = _subtitle(title_node)
            title_node.children = _titled("練習 ", number_of(label), subtitles[label])
        for node in self.document.findall(solution_node):
            target = node.get("target_label", "")
            if node.get("label") != f"sol-{target.removeprefix('ex-')}":
                self._warn(node, f"solution {node.get('label')!r} should be 'sol-' + {target!r}")
                continue
            if target not in subtitles:
                continue  # its exercise is on another page, or was reported above
            reference = next(node.children[0].findall(nodes.reference), None)
            if reference is None:
                continue
            reference.children = _titled("練習 ", number_of(target), subtitles[target])
            node.children[0].children = [nodes.Text(LABELS["Solution to"]), reference]
            node["title"] = f"{LABELS['Solution to']}練習 {number_of(target)}"


def setup_exercises(app) -> None:
    """Load sphinx-exercise, add the zh-TW labels to its message catalog, title per page."""
    from ch3book.translations import register

    app.setup_extension("sphinx_exercise")
    register(app, "exercise")  # sphinx-exercise's catalog name
    app.add_post_transform(TitleExercisesPerPage)

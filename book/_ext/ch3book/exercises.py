"""Exercises and their solutions (sphinx-exercise), titled in zh-TW and numbered per page.

sphinx-exercise's labels are translated for zh_CN only (this module adds a zh-TW catalog,
``translations.register``), and it numbers exercises across the book in ASCII parentheses.
Here every exercise is ``:nonumber:``; a post-transform titles it 「練習 N（標題）」, N from its
label ``ex-<section>-<N>``, and its solution 「解答：練習 N（標題）」, and warns, naming page and
label, unless a page's labels are ``ex-<its section>-1``, ``-2``… in reading order, each
exercise ``:nonumber:`` and each solution ``sol-…`` after its exercise. ``commonmark``
writes the same title (``title``) into the readers' notebooks. Each box's body gets its box's
label + ``-content`` as id, not sphinx-exercise's one id for all (invalid HTML: repeated).
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

from ch3book import _compat, translations
from ch3book.sections import page_labels

SOLUTION_TO = translations.EXERCISE["Solution to"]  # 「解答：」
#: An exercise's label: ``ex-`` + its page's section number + ``-`` + its number there.
LABEL = re.compile(r"^ex-(?P<section>\d+(?:-\d+)*)-(?P<number>\d+)$")

logger = logging.getLogger(__name__)


def title(label: str, subtitle: str = "") -> str:
    """「練習 N（subtitle）」, or 「練習 N」 without a subtitle, as text: N from ``ex-3-6-N``."""
    match = LABEL.match(label)
    if match is None:
        raise ValueError(
            "Expected an exercise label such as 'ex-3-5-1' (ex-<section>-<number>). "
            f"Received: {label!r}"
        )
    return f"練習 {match.group('number')}" + (f"（{subtitle}）" if subtitle else "")


def solution_label(exercise_label: str) -> str:
    """The label a solution must have: ``sol-3-5-1`` for the exercise ``ex-3-5-1``."""
    return f"sol-{exercise_label.removeprefix('ex-')}"


def _subtitle(title_node: nodes.Element) -> list[nodes.Node]:
    """The nodes between sphinx-exercise's `` (`` and ``)`` in a resolved title."""
    children = list(title_node.children)
    if not children or children[-1].astext() != ")":
        return []
    for start, child in enumerate(children):
        if isinstance(child, nodes.Text) and child.astext().endswith(" ("):
            return [node.deepcopy() for node in children[start + 1 : -1]]
    return []


def _titled(label: str, subtitle: list[nodes.Node]) -> list[nodes.Node]:
    """``title`` as nodes, the subtitle's own nodes (links, code) kept."""
    parts: list[nodes.Node] = [nodes.Text(title(label))]
    if subtitle:
        parts += [nodes.Text("（"), *subtitle, nodes.Text("）")]
    return parts


class TitleExercisesPerPage(SphinxPostTransform):
    """「練習 N（標題）」 and 「解答：練習 N（標題）」 after sphinx-exercise's own titles."""

    default_priority = 30  # sphinx-exercise resolves its titles at 20 and 21

    def _warn(self, node: nodes.Node, message: str) -> None:
        logger.warning(f"exercise: {message}", location=node, type="ch3book", subtype="exercise")

    def run(self, **kwargs) -> None:
        exercise_node, exercise_enumerable_node, solution_node = _compat.exercise_node_types()
        page_label = page_labels(self.env).get(self.env.docname)
        section = page_label.removeprefix("sec-") if page_label else None  # 3-5 for sec-3-5
        subtitles = {}
        found = self.document.findall(
            lambda n: isinstance(n, exercise_node | exercise_enumerable_node)
        )
        for position, node in enumerate(found, start=1):
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
            title_node.children = _titled(label, subtitles[label])
        for node in self.document.findall(solution_node):
            target = node.get("target_label", "")
            if node.get("label") != solution_label(target):
                self._warn(node, f"solution {node.get('label')!r} should be 'sol-' + {target!r}")
                continue
            if target not in subtitles:
                continue  # its exercise is on another page, or was reported above
            reference = next(node.children[0].findall(nodes.reference), None)
            if reference is None:
                continue
            reference.children = _titled(target, subtitles[target])
            node.children[0].children = [nodes.Text(SOLUTION_TO), reference]
            node["title"] = SOLUTION_TO + title(target)
        boxes = exercise_node | exercise_enumerable_node | solution_node
        for box in self.document.findall(lambda n: isinstance(n, boxes)):
            for body in box.children:
                if isinstance(body, nodes.section):  # upstream's exercise-/solution-content
                    body["ids"] = [f"{box['label']}-content"]


def setup_exercises(app) -> None:
    app.setup_extension("sphinx_exercise")
    translations.register(app, "exercise")  # sphinx-exercise's catalog name
    app.add_post_transform(TitleExercisesPerPage)

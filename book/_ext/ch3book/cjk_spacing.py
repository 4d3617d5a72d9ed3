"""No space between two Chinese characters where a link's text is Chinese.

The book's style puts a space between Chinese and Latin text (``使用 TensorFlow 建立``),
and a writer keeps it around a cross-reference whose text they cannot see in the source:
``見 [](#sec-3-4-seed)。``, ``{numref}`fig-a` 與 {numref}`fig-b` 比較``. Sphinx fills
in the target's title (「可重現的結果」, 「圖 6」), and the page reads 「見 可重現的結果」,
「圖 6 與 圖 7」: a stray gap in the middle of a Chinese sentence. This post-transform runs
once the references are resolved and removes the one space between a Chinese character
(or full-width punctuation) and a link whose text begins or ends with one, so the source
can keep its spaces whatever the targets are called. A space beside Latin text or digits
stays (「見 3-5-4 端到端的範例」). No stock extension does this; the search index and the
PDF, made from the same doctrees or pages, get the same text.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

#: CJK ideographs (the search tokenises them); with CJK punctuation and full-width forms
#: (，。：（）), what counts as Chinese beside a link. The book's one definition of both.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK = f"\u3000-\u303f{HAN}\uff00-\uffef"
ENDS_CJK_SPACE = re.compile(rf"[{CJK}] $")
STARTS_SPACE_CJK = re.compile(rf"^ [{CJK}]")
IS_CJK = re.compile(rf"[{CJK}]")


def _sibling(node: nodes.Node, offset: int) -> nodes.Node | None:
    parent = node.parent
    if parent is None:
        return None
    index = parent.index(node) + offset
    return parent[index] if 0 <= index < len(parent) else None


def join_chinese_around_links(document: nodes.Node) -> None:
    """Drop the space between Chinese text and a link whose text is Chinese at that side."""
    for reference in list(document.findall(nodes.reference)):
        text = reference.astext()
        if not text:
            continue
        before, after = _sibling(reference, -1), _sibling(reference, 1)
        chinese_start, chinese_end = IS_CJK.match(text[0]), IS_CJK.match(text[-1])
        if chinese_start and isinstance(before, nodes.Text) and ENDS_CJK_SPACE.search(before):
            before.parent.replace(before, nodes.Text(str(before)[:-1]))
        if chinese_end and isinstance(after, nodes.Text) and STARTS_SPACE_CJK.search(after):
            after.parent.replace(after, nodes.Text(str(after)[1:]))


class JoinChineseAroundLinks(SphinxPostTransform):
    """``join_chinese_around_links`` on every page, once its references are resolved."""

    default_priority = 900  # after the references are resolved (Sphinx: 10)

    def run(self, **kwargs) -> None:
        """Rewrite the text beside every such link of the page."""
        join_chinese_around_links(self.document)


def setup_cjk_spacing(app) -> None:
    """Register the post-transform."""
    app.add_post_transform(JoinChineseAroundLinks)

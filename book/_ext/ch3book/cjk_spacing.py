"""No space between two Chinese characters where a link's text is Chinese.

Writers keep the space between Chinese and Latin text around a reference whose text they
cannot see (``見 [](#sec-3-4-seed)。``), and the page read 「見 可重現的結果」. A post-transform,
once references are resolved, drops the one space between a Chinese character (or full-width
punctuation) and a link whose text begins or ends with one; beside Latin text or digits it
stays. No stock extension does this; the search and the PDF get the same text.
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


def join_chinese_around_links(document: nodes.Node) -> None:
    """Drop the space between Chinese text and a link whose text is Chinese at that side."""
    for reference in list(document.findall(nodes.reference)):
        text = reference.astext()
        if not text:
            continue
        before = reference.previous_sibling()
        after = reference.next_node(descend=False, siblings=True)
        chinese_start, chinese_end = IS_CJK.match(text[0]), IS_CJK.match(text[-1])
        if chinese_start and isinstance(before, nodes.Text) and ENDS_CJK_SPACE.search(before):
            before.parent.replace(before, nodes.Text(str(before)[:-1]))
        if chinese_end and isinstance(after, nodes.Text) and STARTS_SPACE_CJK.search(after):
            after.parent.replace(after, nodes.Text(str(after)[1:]))


class JoinChineseAroundLinks(SphinxPostTransform):
    """``join_chinese_around_links`` on every page, once its references are resolved."""

    default_priority = 900  # after the references are resolved (Sphinx: 10)

    def run(self, **kwargs) -> None:
        join_chinese_around_links(self.document)


def setup_cjk_spacing(app) -> None:
    app.add_post_transform(JoinChineseAroundLinks)

"""The book's sources keep each paragraph, list item and table row on one line (CONVENTIONS.md):
a line break renders as a space, a stray gap in the middle of a Chinese sentence."""

import re

import pytest

from tools import layout

PAGES = sorted(p for p in layout.BOOK.rglob("*.md") if p.name != "CONVENTIONS.md")
#: Fences whose content is Markdown prose; every other fence holds code or other syntax.
PROSE_FENCE = re.compile(r"^(`{3,}|:{3,})\{(note|tip|warning|admonition|exercise|figure)\}")
FENCE = re.compile(r"^(`{3,}|~{3,}|:{3,})")
#: Lines that start a block of their own (so the line before them ended its block).
BLOCK_START = re.compile(r"^(\s*([-*+]|\d+\.)\s|#|\||:|\(.*\)=$|`{3,}|~{3,}|>|<|\$\$|\s{4})")


def continued_lines(text: str) -> list[tuple[int, str]]:
    """``(line number, line)`` of each prose line that continues the previous line."""
    found, previous, in_code, fence = [], "", False, ""
    lines = text.splitlines()
    start = lines.index("---", 1) + 1 if lines[:1] == ["---"] else 0  # after the front matter
    for number, line in enumerate(lines[start:], start=start + 1):
        stripped = line.strip()
        if in_code:
            if stripped == fence:
                in_code, previous = False, ""
            continue
        if FENCE.match(stripped) and not PROSE_FENCE.match(stripped):
            if stripped.strip("`~:"):  # an opening fence (a closing one is only the marks)
                in_code, fence = True, FENCE.match(stripped).group(0)
            previous = ""
            continue
        if stripped and previous and not (BLOCK_START.match(line) or BLOCK_START.match(previous)):
            found.append((number, line))
        previous = line if stripped else ""
    return found


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(layout.BOOK).as_posix())
def test_no_line_break_inside_a_paragraph(page):
    assert continued_lines(page.read_text(encoding="utf-8")) == [], (
        "join these lines to the line above them: a line break inside a Chinese paragraph "
        "renders as a stray space"
    )


def test_the_check_finds_a_broken_paragraph_and_accepts_blocks():
    broken = "第一句。\n{numref}`fig-x` 把它畫出來。\n"
    assert continued_lines(broken) == [(2, "{numref}`fig-x` 把它畫出來。")]
    blocks = (
        "段落。\n\n- 項目\n- 項目\n\n| a |\n|---|\n\n```{code-cell} ipython3\nx = 1\ny = 2\n```\n"
    )
    assert continued_lines(blocks) == []

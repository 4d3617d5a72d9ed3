"""The book's section labels: ``sec-3-5`` for a page, ``sec-3-5-4`` for a part of it.

``sec-<chapter>-<section>`` for any chapter and any number of sections (``sec-4-1``,
``sec-3-10``, which sorts after ``sec-3-9``). A part may also have a name rather than a
number (``sec-3-4-device``). This is the one definition of the pattern; the lecture
links, the homework list, the build report, the exercises and the docstring links follow
it, and ``book/published-urls.txt`` lists every such anchor the book has published.
"""

from __future__ import annotations

import re

#: The label of a section page's title.
PAGE_LABEL = re.compile(r"^sec-\d+-\d+$")
#: The label of a section or of any heading inside it.
SECTION_LABEL = re.compile(r"^sec-\d+-\d+(?:-[0-9a-z]+)*$")
#: A section number as the library's docstrings write it ("section 3-5-4").
SECTION_NUMBER = r"\d+-\d+(?:-\d+)?"


def page_sort_key(label: str) -> tuple[int, ...]:
    """``sec-3-10`` after ``sec-3-9``: compare the numbers, not the text."""
    return tuple(int(part) for part in label.split("-")[1:])


def label_of(number: str) -> str:
    """The label of a section number: ``3-5-4`` → ``sec-3-5-4``."""
    return f"sec-{number}"

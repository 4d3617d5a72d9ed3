"""A lecturer adds a chapter: every feature covers the new pages (``make test-rebuild``).

A copy of the book gains a chapter-4 page (two subsections, an executed cell with a plot
and a glued number, a new glossary term, an exercise) and a page 3-10, whose number has
two digits: it must come after 3-6, not between 3-1 and 3-2. The copy is built with the
README's commands and checked by the book's own site tests (those that read the files, not
the browser's), run inside the copy, so that every list they check (pages, sections,
notebooks, glued numbers, solutions, search headings, QR views) is derived
from the copy's toctree and labels; then a few direct checks show that the new pages really
are in those lists. What a contributor could forget fails loudly and says what to add: the
home page's contents line (the build), the URL list's lines (the URL test; ``make urls``
adds them).
"""

import re
import subprocess
from pathlib import Path

import pytest

from tools.rebuild_check import build_env, make_workspace, replace

pytestmark = pytest.mark.rebuild

CHAPTER_4 = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

```{code-cell} ipython3
:tags: [remove-cell]
import ch3lib
ch3lib.setup()
```

(sec-4-1)=
# 4-1 新的一章：擬合一條直線

這一章是新加的一章：替排成一直線的十個點找出那條直線。

(sec-4-1-1)=
## 4-1-1 資料與擬合

用{term}`最小平方法`替十個點擬合一條直線，NumPy 的 `polyfit` 傳回斜率與截距：

```{code-cell} ipython3
import numpy as np

xs = np.arange(10, dtype="float64")
ys = 2.5 * xs + 1.0
slope, intercept = np.polyfit(xs, ys, 1)
round(float(slope), 4)
```

```{code-cell} ipython3
:tags: [remove-cell]
from myst_nb import glue
glue("slope_4_1", float(slope), display=False)
```

擬合出的斜率是 {glue:text}`slope_4_1:.4f`，直線正好穿過每一個點（{numref}`fig-fitted-line`）：

```{code-cell} ipython3
:mystnb:
:  figure:
:    caption: 十個點與擬合出的直線。
:    name: fig-fitted-line
:  image:
:    alt: 散佈圖：十個點由左下到右上排成一直線，一條直線穿過每一個點。
import matplotlib.pyplot as plt

plt.scatter(xs, ys)
plt.plot(xs, slope * xs + intercept)
plt.show()
```

(sec-4-1-2)=
## 4-1-2 斜率的意義

斜率說的是 x 每多 1，y 多多少；截距是 x 為 0 時 y 的值。

+++

(sec-4-1-exercises)=
## 練習

```{code-cell} ipython3
:tags: [exercise-given, remove-cell]
# 練習要用的東西：本頁的十個點
import numpy as np

xs = np.arange(10, dtype="float64")
```

```{exercise} 預測：斜率是多少？
:label: ex-4-1-1
:nonumber:

把 `ys` 換成 `3 * xs`，擬合出的斜率是多少？先想，再執行。
```

```{code-cell} ipython3
:tags: [exercise-answer, remove-cell]
# 先預測，再把你的答案寫在這裡
predicted_slope = ...
```

```{code-cell} ipython3
:tags: [exercise-check, remove-cell]
# @title 檢查練習 1 的答案（執行這一格，可以重複執行；它不會給出解答）
exercise_1 = ch3lib.Exercise("ex-4-1-1", [
    ch3lib.Part("斜率", needs=["predicted_slope"],
                test=lambda: abs(float(predicted_slope) - 3.0) < 1e-6,
                hint="x 每多 1，3 * x 多多少？"),
])
exercise_1.check()
```

```{code-cell} ipython3
:tags: [remove-cell]
exercise_1.check().expect("unanswered")
```

```{solution-start} ex-4-1-1
:class: dropdown
:label: sol-4-1-1
```

斜率是 3：x 每多 1，`3 * xs` 就多 3。

```{code-cell} ipython3
new_slope, new_intercept = np.polyfit(xs, 3 * xs, 1)
round(float(new_slope), 4)
```

```{code-cell} ipython3
:tags: [remove-cell]
# A plausible wrong answer: the check must fail.
predicted_slope = 2.5  # the slope before the change
exercise_1.check().expect("failed")
```

```{code-cell} ipython3
:tags: [exercise-reference, remove-cell]
predicted_slope = 3.0
```

```{code-cell} ipython3
:tags: [remove-cell]
exercise_1.check().expect("passed")
```

```{solution-end}
```
"""

SECTION_3_10 = """(sec-3-10)=
# 3-10 第十節：兩位數的節號

這一頁的節號有兩位數：它排在第三章最後，不在 3-1 與 3-2 之間。

(sec-3-10-1)=
## 3-10-1 一個小節

下一章從 [](#sec-4-1-1) 開始。
"""

TERM = """
[[term]]
zh = "最小平方法"
en = "least squares"
section = "sec-4-1-1"
definition = "找出一條直線（或一個模型），使所有資料點與它的差的平方和最小的方法。"
"""

CONTENTS = """
[](#sec-3-10)：兩位數節號的一頁，排在第三章最後。

[](#sec-4-1)：新的一章，替十個點擬合一條直線。
"""

#: The new pages' section labels, in reading order.
NEW_SECTIONS = {
    "3-10-more-sections": ["sec-3-10", "sec-3-10-1"],
    "4-1-new-chapter": ["sec-4-1", "sec-4-1-1", "sec-4-1-2", "sec-4-1-exercises"],
}
#: What the URL test must ask for, in reading order, and `make urls` must add.
NEW_URLS = [
    url
    for page, labels in NEW_SECTIONS.items()
    for url in [f"{page}.html", *(f"{page}.html#{label}" for label in labels)]
] + [f"qr/{label}.html" for labels in NEW_SECTIONS.values() for label in labels]


def run(workspace: Path, *command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, cwd=workspace, env=build_env(workspace), capture_output=True, text=True
    )


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    """The copy with the new pages (built by the test below)."""
    ws = make_workspace(tmp_path_factory.mktemp("new-chapter") / "repo", executed=True)
    (ws / "book/4-1-new-chapter.md").write_text(CHAPTER_4, encoding="utf-8")
    (ws / "book/3-10-more-sections.md").write_text(SECTION_3_10, encoding="utf-8")
    with (ws / "book/glossary.toml").open("a", encoding="utf-8") as glossary:
        glossary.write(TERM)
    toctree = "3-6-keras-api\n" + "\n".join(NEW_SECTIONS) + "\n```"
    replace(ws / "book/index.md", "3-6-keras-api\n```", toctree)
    return ws


def test_a_new_chapter_is_covered_by_every_feature(book):
    ws = book
    # 1. The book with the new pages and their home-page contents lines (without, the build
    # fails naming the lines to add: tests/test_ch3book.py shows it).
    replace(ws / "book/index.md", "\n(index-reading)=", CONTENTS + "\n(index-reading)=")
    built = run(ws, "make", "html")
    assert built.returncode == 0, built.stdout + built.stderr

    # 2. Forgotten: the URL list. Its test names exactly the new lines; `make urls` adds them.
    urls = run(ws, ".venv/bin/python", "-m", "pytest", "tests/test_urls.py", "-q", "-k", "listed")
    assert urls.returncode != 0
    # The assertion's message, as pytest prints it (CI=true prints the summary line whole).
    message = "AssertionError: add these lines to book/published-urls.txt (make urls does):"
    asked = urls.stdout.split(message)[1]
    assert re.findall(r"^E\s+(\S+\.html\S*)$", asked, re.MULTILINE)[: len(NEW_URLS)] == NEW_URLS
    before = (ws / "book/published-urls.txt").read_text(encoding="utf-8").splitlines()
    added = run(ws, "make", "urls")
    assert added.returncode == 0, added.stdout + added.stderr
    after = (ws / "book/published-urls.txt").read_text(encoding="utf-8").splitlines()
    assert [line for line in after if line not in before] == NEW_URLS
    assert after.index("3-10-more-sections.html") == before.index("appendix/api.html")
    assert after.index("4-1-new-chapter.html") == after.index("appendix/api.html") - 5
    assert after.index("qr/sec-4-1-exercises.html") == len(after) - 1

    # 3. The book's own site tests (not the browser's and the PDF's: the pages are made the
    # same way, and test_pdf.py reads them in reading order), on the copy, with its lists.
    tests = run(
        ws, ".venv/bin/python", "-m", "pytest", "-m", "site and not browser", "tests", "-q",
        "--ignore=tests/test_pdf.py", "-k", "not reruns_in_jupyter and not pip_installs_from",
    )  # fmt: skip
    assert tests.returncode == 0, tests.stdout[-6000:] + tests.stderr[-2000:]
    assert re.search(r"^\d+ passed", tests.stdout.splitlines()[-1]), tests.stdout[-500:]


def test_the_new_pages_are_in_every_list(book):
    """Not vacuous: the lists the site tests walk hold the new pages, in reading order."""
    site = book / "_build/html"
    if not (site / "4-1-new-chapter.html").exists():
        pytest.skip("the build above did not finish")
    order = ["sec-3-6-7", "sec-3-10", "sec-3-10-1", "sec-4-1", "sec-4-1-1", "sec-4-1-2"]
    lectures = (site / "appendix/lecture-links.html").read_text(encoding="utf-8")
    positions = [lectures.index(f'.html#{label}"') for label in order]
    assert positions == sorted(positions)
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "4-1-new-chapter.html</loc>" in sitemap and "3-10-more-sections.html</loc>" in sitemap
    page = (site / "4-1-new-chapter.html").read_text(encoding="utf-8")
    assert re.search(r"colab\.research\.google\.com/github/[^\"]+/4-1-new-chapter\.ipynb", page)
    assert 'class="pasted-text">2.5000<' in page  # the glued slope
    glossary = (site / "appendix/glossary.html").read_text(encoding="utf-8")
    assert "最小平方法" in glossary and "../4-1-new-chapter.html#sec-4-1-1" in glossary
    documents = (site / "_static/search/docs.js").read_text(encoding="utf-8")
    assert "4-1-new-chapter.html#sec-4-1-1" in documents and "#sec-3-10-1" in documents

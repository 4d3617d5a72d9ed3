"""The book's Sphinx extension (book/_ext/ch3book): its pure parts, and one small build."""

import ast
import hashlib
import io
import os
import re
import shutil
import sys
import tarfile
from pathlib import Path

import nbformat
import pytest
from babel.messages.mofile import read_mo
from docutils import nodes
from docutils.utils import new_document
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

from ch3book import (
    commonmark,
    exercises,
    homework,
    notebooks,
    package_index,
    sections,
    translations,
)
from ch3book.cjk_spacing import join_chinese_around_links
from ch3book.docstring_links import link_sections_in_docstrings, public_alias
from ch3book.glossary import load_glossary, section_link
from ch3book.search import _text
from ch3book.stable_outputs import stable_text
from tools import layout

code, markdown = nbformat.v4.new_code_cell, nbformat.v4.new_markdown_cell
KERNELSPEC = {"name": "python3", "display_name": "Python 3"}


def test_published_notebooks_get_stable_ids_and_merged_streams():
    printed = [nbformat.v4.new_output("stream", name="stdout", text=t) for t in ("1\n", "2\n")]
    cells = [markdown("# title"), code("print(1); print(2)", outputs=printed)]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebooks.stable(notebook)
    assert [cell.id for cell in notebook.cells] == ["cell-1", "cell-2"]
    assert [o.text for o in notebook.cells[1].outputs] == ["1\n2\n"]


PAGE_LABELS = ["sec-3-5", "sec-3-10", "sec-4-1", "sec-12-3"]
NOT_SECTION_LABELS = ["errata-3-5", "sec-3", "sec-3-x"]


@pytest.mark.parametrize(
    "label", [*PAGE_LABELS, "sec-3-5-4", "sec-3-4-device", "sec-4-1-2", *NOT_SECTION_LABELS]
)
def test_section_and_page_labels_of_any_chapter_and_section_count(label):
    assert bool(sections.SECTION_LABEL.match(label)) == (label not in NOT_SECTION_LABELS)
    assert bool(sections.PAGE_LABEL.match(label)) == (label in PAGE_LABELS)


def test_pages_sort_by_number_not_text():
    ordered = ["sec-3-9", "sec-3-10", "sec-4-1", "sec-10-1"]
    assert sorted(reversed(ordered), key=sections.page_sort_key) == ordered


def test_section_mentions_in_docstrings_become_links():
    lines = ["Defined in section 3-5-4.", "Taught in sections 3-6-3 to 3-6-7."]
    link_sections_in_docstrings(None, "function", "f", None, {}, lines)
    assert lines == [
        "Defined in section :ref:`3-5-4 <sec-3-5-4>`.",
        "Taught in sections :ref:`3-6-3 <sec-3-6-3>` to :ref:`3-6-7 <sec-3-6-7>`.",
    ]


@pytest.mark.parametrize(
    ("documented", "alias"),
    [
        ("ch3lib.gradients.gradient", "ch3lib.gradient"),
        ("ch3lib.linear_classifier.LinearClassifier.fit", "ch3lib.LinearClassifier.fit"),
        ("ch3lib.gradients", None),
        ("keras.layers.Dense", None),
    ],
)
def test_public_alias_is_the_name_readers_import(documented, alias):
    assert public_alias(documented) == alias


# -- readers' notebooks: MyST Markdown → CommonMark ------------------------------------------

BASE = "https://example.org/book/"
REQUIREMENT = f"ch3lib @ {BASE}simple/ch3lib/ch3lib-9.9.9-py3-none-any.whl#sha256={'0' * 64}"
TERM = f"{BASE}glossary.html#term-tensor"
TARGETS = commonmark.Targets(
    labels={
        "sec-3-5-4": (f"{BASE}3-5.html#sec-3-5-4", "3-5-4 端到端的範例"),
        "fig-loss": (f"{BASE}3-5.html#fig-loss", ""),
    },
    admonitions={"note": "備註"},
    terms={"張量": TERM},
    api={"ch3lib.gradient": f"{BASE}api.html#ch3lib.gradients.gradient"},
    numbers={"fig-loss": "圖 3"},
    glue={"final_loss": "0.028521031141281128", "device": "'CPU'"},
    image_url=lambda path: f"{BASE}_images/{path.rsplit('/', 1)[-1]}",
    include=lambda path, options: f"# {path} {options['pyobject']}\n",
)


@pytest.mark.parametrize(
    ("myst", "plain"),
    [
        ("(sec-3-5)=\n# 3-5 第一步", "# 3-5 第一步"),
        ("{term}`張量`與{term}`數字 <張量>`", f"[張量]({TERM})與[數字]({TERM})"),
        (
            "{py:func}`ch3lib.gradient`",
            f"[`ch3lib.gradient()`]({BASE}api.html#ch3lib.gradients.gradient)",
        ),
        ("見 [](#sec-3-5-4)。", f"見 [3-5-4 端到端的範例]({BASE}3-5.html#sec-3-5-4)。"),
        ("{numref}`fig-loss`", f"[圖 3]({BASE}3-5.html#fig-loss)"),
        ("約為 {glue:text}`final_loss:.4f`，在 {glue:text}`device` 上", "約為 0.0285，在 CPU 上"),
        ("`{term}` 不是角色", "`{term}` 不是角色"),
        (
            ":::{admonition} 標題\n:class: tip\n內文 {term}`張量`\n:::",
            f"> **標題**\n>\n> 內文 [張量]({TERM})",
        ),
        ("```{note}\n一行\n```", "> **備註**\n>\n> 一行"),
        (
            "```{exercise} 預測\n:label: ex-3-5-2\n:nonumber:\n\n問題？\n```",
            "> **練習 2（預測）**\n>\n> 問題？",
        ),
        (
            "```{literalinclude} ../src/x.py\n:language: python\n:pyobject: f\n```",
            "```python\n# ../src/x.py f\n```",
        ),
        ("```python\n(sec-1)=\n{term}`x`\n```", "```python\n(sec-1)=\n{term}`x`\n```"),
    ],
)
def test_myst_becomes_commonmark_with_links_to_the_site(myst, plain):
    assert commonmark.convert(myst, TARGETS) == plain


def test_a_figure_becomes_an_image_with_its_numbered_caption():
    myst = "```{figure} figures/loss.svg\n:name: fig-loss\n:alt: 損失曲線\n\n每一步的損失值。\n```"
    html = commonmark.convert(myst, TARGETS)
    assert f'<img src="{BASE}_images/loss.svg" alt="損失曲線"' in html
    assert "<figcaption>圖 3：每一步的損失值。</figcaption>" in html


@pytest.mark.parametrize(
    ("myst", "message"),
    [
        ("```{mermaid}\ngraph\n```", "the directive {mermaid} has no CommonMark equivalent"),
        ("{download}`x.zip`", "the role {download} has no CommonMark equivalent"),
        ("{term}`向量`", "no glossary term named '向量' on the site"),
        ("```{note}\nnever closed", "is not closed"),
    ],
)
def test_myst_without_a_commonmark_equivalent_stops_the_build(myst, message):
    with pytest.raises(commonmark.UnsupportedMySTError, match=re.escape(message)):
        commonmark.convert(myst, TARGETS)


def test_reader_notebook_starts_with_the_install_cell_by_url_and_hash_and_drops_build_cells():
    """The install cell names the version and installs the one file by URL and hash (offline,
    tampered, with no index: test_reader.py and test_site.py, on the built site)."""
    notebook = nbformat.v4.new_notebook(
        metadata={"jupytext": {}, "source_map": [1], "kernelspec": KERNELSPEC},
        cells=[
            code("import ch3lib\nch3lib.setup()", metadata={"tags": ["remove-cell"]}),
            markdown("(sec-1)=\n# 標題"),
            code("x = 1", metadata={"tags": ["hide-input"]}),
            code("glue('x', x)", metadata={"tags": ["remove-cell"]}),
            code("1 / 0", metadata={"tags": ["raises-exception", "x"]}),
        ],
    )
    install = notebooks.install_cell_source(REQUIREMENT, "9.9.9")
    compile(install, "install-cell", "exec")
    assert install.startswith("# 若還沒有安裝本書的函式庫 ch3lib 9.9.9")
    assert f'CH3LIB = "{REQUIREMENT}"' in install and '"install", "--quiet", CH3LIB]' in install
    reader = notebooks.stable(notebooks.reader_notebook(notebook, TARGETS, install, BASE))
    assert [cell.source.splitlines()[-1] for cell in reader.cells] == [
        '    print("已安裝 ch3lib 9.9.9")',
        "ch3lib.setup()",
        "# 標題",
        "x = 1",
        "1 / 0",
    ]
    assert reader.cells[1].source.startswith("# 每一頁開頭的設定")
    assert [cell.metadata for cell in reader.cells] == [{}] * 4 + [{"tags": ["raises-exception"]}]


# -- the site as a package index ----------------------------------------------------------


def test_library_version_is_read_without_importing(tmp_path):
    init = tmp_path / "src" / "ch3lib" / "__init__.py"
    init.parent.mkdir(parents=True)
    init.write_text('import tensorflow\n__version__ = "1.2.3"\n', encoding="utf-8")
    assert package_index.library_version(tmp_path) == "1.2.3"
    init.write_text("VERSION = 1\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"has no `__version__ = \"…\"` line; expected one"):
        package_index.library_version(tmp_path)


def test_sdist_is_rewritten_without_clock_owner_or_name(tmp_path):
    first, second = tmp_path / "a.tar.gz", tmp_path / "b.tar.gz"
    for number, path in enumerate((first, second)):
        source = tmp_path / f"file{number}.txt"
        source.write_text("same content", encoding="utf-8")
        os.utime(source, (1_000_000 + number, 1_000_000 + number))  # different file times
        with tarfile.open(path, "w:gz") as tar:
            tar.add(source, arcname="pkg/file.txt")
        package_index.normalize_sdist(path, epoch=1_700_000_000)
    assert first.read_bytes() == second.read_bytes()
    with tarfile.open(first) as tar:
        member = tar.getmember("pkg/file.txt")
        assert (member.mtime, member.uid, member.uname) == (1_700_000_000, 0, "")
        assert tar.extractfile(member).read() == b"same content"


def test_simple_index_pages_link_each_file_with_its_digest(tmp_path):
    wheel = tmp_path / "ch3lib-1.0-py3-none-any.whl"
    wheel.write_bytes(b"wheel bytes")
    package_index.write_index([wheel], tmp_path / "site")
    project = (tmp_path / "site/simple/ch3lib/index.html").read_text(encoding="utf-8")
    digest = hashlib.sha256(b"wheel bytes").hexdigest()
    assert f'<a href="ch3lib-1.0-py3-none-any.whl#sha256={digest}">' in project
    assert '<a href="ch3lib/">ch3lib</a>' in (tmp_path / "site/simple/index.html").read_text()


@pytest.mark.parametrize("cache", ["", ".", "ch3-book/package", "/tmp/not-the-cache"])
def test_the_package_cache_must_be_an_absolute_ch3_book_package_folder(cache, tmp_path):
    """It is the only folder whose contents are deleted: never the working directory."""
    keep = tmp_path / "keep.txt"
    keep.write_text("still here", encoding="utf-8")
    with pytest.raises(ValueError, match="must be an absolute path ending in 'ch3-book/package'"):
        package_index.distributions(tmp_path, Path(cache), 0)
    assert keep.read_text(encoding="utf-8") == "still here"


def test_built_distributions_are_reproducible_and_old_versions_leave_the_cache(tmp_path):
    cache = tmp_path / "ch3-book" / "package"
    stale = []
    for number in range(package_index.CACHE_KEEP):
        stale.append(cache / f"{number:016x}")
        stale[-1].mkdir(parents=True)
        os.utime(stale[-1], (number, number))  # the oldest first
    first = package_index.distributions(layout.ROOT, cache)
    assert not stale[0].exists() and all(entry.exists() for entry in stale[1:])
    again = package_index.build_distributions(layout.ROOT, tmp_path / "again")
    assert [p.name for p in first] == [p.name for p in again]
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in again]


def test_the_wheel_depends_on_ch3lib_s_files_only_not_on_the_book_s_readme(tmp_path):
    """Its hash is pinned in every published notebook (package_index.requirement)."""
    copy = tmp_path / "repo"
    for name in [*package_index.SOURCES, "README.md"]:
        source = layout.ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, copy / name)
    before = package_index.sources_digest(copy)
    (copy / "README.md").write_text("# the book's README changed\n", encoding="utf-8")
    assert package_index.sources_digest(copy) == before
    (copy / "LICENSE").write_text("changed\n", encoding="utf-8")
    assert package_index.sources_digest(copy) != before


# -- Keras's training log ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("printed", "published"),
    [
        (
            "Epoch 1/10\n16/16 - 1s - 35ms/step - binary_accuracy: 0.5870 - loss: 0.6634\n",
            "Epoch 1/10\n16/16 - … - binary_accuracy: 0.5870 - loss: 0.6634\n",
        ),
        ("1/1 - 0s - 950us/step - loss: 1.0000e-04\n", "1/1 - … - loss: 1.0000e-04\n"),
        ("1/1 - 12s - 12s/step\n", "1/1 - …\n"),
        ("Loss at step 3: 0.1000\n", "Loss at step 3: 0.1000\n"),  # not Keras's: kept
        ("took 1s - 35ms/step in my loop\n", "took 1s - 35ms/step in my loop\n"),
        (  # install paths in tracebacks
            "File \x1b[32m/work/.venv/lib/python3.11/site-packages/tensorflow/x.py:10\x1b[0m",
            "File \x1b[32m…/tensorflow/x.py:10\x1b[0m",
        ),
        (
            r"File C:\Users\ann\env\Lib\site-packages\keras\y.py:3",
            r"File …/keras\y.py:3",
        ),
        ("File /usr/lib/python3/dist-packages/numpy/z.py", "File …/numpy/z.py"),
        ("Cell In[5], line 2", "Cell In[5], line 2"),
    ],
)
def test_keras_epoch_timings_and_install_paths_in_tracebacks_are_elided(printed, published):
    assert stable_text(printed) == published


def test_an_exercise_is_numbered_by_its_label_with_full_width_parentheses_or_named_wrong():
    assert exercises.title("ex-3-6-2", "換激勵函數") == "練習 2（換激勵函數）"
    assert exercises.title("ex-4-10", "") == "練習 10"
    with pytest.raises(ValueError, match=r"ex-<section>-<number>\)\. Received: 'ex-one'"):
        exercises.title("ex-one")  # a label that gives no number


def test_search_snippets_keep_a_chinese_sentence_whole_around_links_and_code():
    paragraph = nodes.paragraph(
        "",
        "稱為它的",
        nodes.reference("", "形狀", refuri="#term"),
        nodes.Text("（shape），用 "),
        nodes.literal("", "tf.Variable"),
        nodes.Text(" 建立"),
    )
    item = nodes.bullet_list(
        "", nodes.list_item("", paragraph), nodes.list_item("", nodes.paragraph("", "下一項"))
    )
    assert _text(paragraph) == "稱為它的形狀（shape），用 tf.Variable 建立"
    assert _text(item) == "稱為它的形狀（shape），用 tf.Variable 建立 下一項"


@pytest.mark.parametrize(
    ("before", "link", "after", "expected"),
    [
        ("見 ", "可重現的結果", "）", "見可重現的結果）"),
        ("如 ", "圖 1", " 所示", "如圖 1 所示"),
        ("見 ", "3-5-4 端到端的範例", " 一節", "見 3-5-4 端到端的範例一節"),
        ("use ", "Keras", " here", "use Keras here"),
        ("見 ", "tf.Variable", " 的說明", "見 tf.Variable 的說明"),
    ],
)
def test_no_space_between_chinese_text_and_a_chinese_link(before, link, after, expected):
    document = new_document("test")
    document += nodes.paragraph("", before, nodes.reference("", link), nodes.Text(after))
    join_chinese_around_links(document)
    assert document.astext() == expected


# -- exercises that answer back (homework.py) -----------------------------------------------


def _page_with_an_exercise():
    """A page's notebook as MyST-NB executes it: an exercise, its cells, its solution."""
    return nbformat.v4.new_notebook(
        metadata={"kernelspec": KERNELSPEC},
        cells=[
            code("import ch3lib\nch3lib.setup()", metadata={"tags": ["remove-cell"]}),
            markdown("# 標題\n\n課文。"),
            code("x = 1"),
            markdown("(sec-3-5-exercises)=\n## 練習"),
            code("import tensorflow as tf", metadata={"tags": ["exercise-given", "remove-cell"]}),
            markdown("```{exercise} 預測：形狀\n:label: ex-3-5-1\n:nonumber:\n\n問題？\n```"),
            code("shape = ...", metadata={"tags": ["exercise-answer", "remove-cell"]}),
            code(
                "# @title 檢查\nexercise_1.check()",
                metadata={"tags": ["exercise-check", "remove-cell"]},
                outputs=[nbformat.v4.new_output("stream", text="練習 1：還沒作答。")],
            ),
            code('exercise_1.check().expect("unanswered")', metadata={"tags": ["remove-cell"]}),
            markdown("```{solution-start} ex-3-5-1\n:class: dropdown\n:label: sol-3-5-1\n```"),
            code("shape = (2, 4)", metadata={"tags": ["exercise-reference", "remove-cell"]}),
            markdown("```{solution-end}\n```\n\n之後。"),
        ],
    )


def _reader_of(page):
    install = notebooks.install_cell_source(REQUIREMENT, "9.9.9")
    return notebooks.reader_notebook(page, TARGETS, install, "https://example.org/book/3-5.html")


def test_a_reader_notebook_keeps_the_answer_and_check_cells_marked_and_empty():
    reader = _reader_of(_page_with_an_exercise())
    marks = [cell.metadata.get("ch3book") for cell in reader.cells]
    assert [m for m in marks if m] == [
        {"role": "exercises", "anchor": "sec-3-5-exercises"},
        {"role": "given"},
        {"role": "answer", "exercise": "ex-3-5-1"},
        {"role": "check", "exercise": "ex-3-5-1"},
    ]
    text = "\n".join(cell.source for cell in reader.cells)  # the solution: a link to it
    assert "<https://example.org/book/3-5.html#sol-3-5-1>）" in text and "(2, 4)" not in text
    assert reader.cells[-1].source == "之後。"


def test_the_homework_notebook_is_the_install_and_set_up_cells_then_the_exercises():
    """Its cells on the built pages: test_site.py; here, its link and its lesson left out."""
    reader = _reader_of(_page_with_an_exercise())
    work = homework.homework_notebook(reader, "3-5 標題", "https://example.org/book/3-5.html")
    sources = [cell.source for cell in work.cells]
    assert "<https://example.org/book/3-5.html#sec-3-5-exercises>" in sources[2]
    assert "課文" not in "".join(sources)
    empty = notebooks.stable(nbformat.v4.new_notebook())
    assert homework.homework_notebook(empty, "t", "u") is None


def test_an_exercise_without_its_check_cell_stops_the_build_naming_it():
    page = _page_with_an_exercise()
    del page.cells[7:9]  # the check cell and its build-time expectation
    message = r"one exercise-check cell; received: \{'ex-3-5-1': \['answer'\]\}"
    with pytest.raises(ExtensionError, match=message):
        homework.homework_notebook(_reader_of(page), "3-5 標題", "https://example.org/")


# -- glossary.py: the author's file gives a message naming it, never a crash --------------

GLOSSARY_ENTRY = '[[term]]\nzh = "張量"\nen = "tensor"\nsection = "{section}"\ndefinition = "…"\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[term]]\nzh = "張量"\n', r"entry 1 \(張量\) is missing definition, en, section"),
        (GLOSSARY_ENTRY.format(section="3-5-1"), r"received section = '3-5-1'"),
        (GLOSSARY_ENTRY.format(section="sec-3-5") * 2, r"the term '張量' appears twice"),
    ],
)
def test_a_malformed_glossary_is_named_with_what_was_expected(tmp_path, text, message):
    path = tmp_path / "glossary.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_glossary(path)


@pytest.mark.parametrize(
    ("label", "link"),
    [
        ("sec-3-5-4", "[](#sec-3-5-4)"),
        ("sec-3-10", "[](#sec-3-10)"),
        ("sec-3-1-loop", "3-1 [](#sec-3-1-loop)"),
        ("sec-4-2-shapes", "4-2 [](#sec-4-2-shapes)"),
        ("sec-3-6-6-validation-split", "3-6-6 [](#sec-3-6-6-validation-split)"),
    ],
)
def test_glossary_section_links_in_any_chapter(label, link):
    assert section_link(label) == link  # section_link raises for what SECTION does not match


def test_glossary_section_link_refuses_what_is_not_a_section_label():
    with pytest.raises(ValueError, match="received 'ex-3-5-1'"):
        section_link("ex-3-5-1")


def test_a_second_page_label_and_a_page_missing_from_the_contents_are_named(tmp_path):
    """Page 9-1 labels a part `sec-9-10`; page 9-2 is not in the home page's contents."""
    src = tmp_path / "src"
    src.mkdir()
    conf = f"import sys\nsys.path.insert(0, {str(layout.EXTENSIONS)!r})\n"
    conf += 'extensions = ["ch3book", "myst_nb"]\nnb_execution_mode = "off"\n'
    (src / "conf.py").write_text(conf, encoding="utf-8")
    (src / "index.md").write_text(
        "# Book\n\n(index-contents)=\n## 內容\n\n[](#sec-9-1)：第一節。\n\n"
        "```{toctree}\n9-1-one\n9-2-two\n```\n",
        encoding="utf-8",
    )
    (src / "9-1-one.md").write_text(
        "(sec-9-1)=\n# 9-1 一\n\n(sec-9-10)=\n## 9-1-10 十\n\n文字。\n", encoding="utf-8"
    )
    (src / "9-2-two.md").write_text("(sec-9-2)=\n# 9-2 二\n\n文字。\n", encoding="utf-8")
    log = io.StringIO()
    app = Sphinx(src, src, tmp_path / "out", tmp_path / "doctrees", "html", status=log, warning=log)
    app.build()
    warnings = log.getvalue()
    assert (
        "9-1-one.md: WARNING: two section-page labels on one page, sec-9-1 and sec-9-10: a page "
        "has one, on its title. A part of section 9-1 is labelled sec-9-1-<n> (or "
        "sec-9-1-<name>); sec-9-10 is the title of a page of its own" in warnings
    ), warnings
    assert (
        "index.md: WARNING: the home page's contents list (index-contents) has no line for "
        "9-2-two (sec-9-2): add `[](#sec-9-2)：` and a sentence on what it teaches" in warnings
    ), warnings
    assert "no line for 9-1-one" not in warnings
    assert sections.page_labels(app.env) == {"9-1-one": "sec-9-1", "9-2-two": "sec-9-2"}


# -- One door to other projects' internals ---------------------------------------------------

#: Modules with a documented API, which any module may import; every other module of a
#: third-party package is its internal, for the adapters (_compat.py, _theme.py) only.
PUBLIC_MODULES = {
    "sphinx", "sphinx.addnodes", "sphinx.application", "sphinx.cmd.build", "sphinx.errors",
    "sphinx.locale", "sphinx.transforms", "sphinx.transforms.post_transforms",
    "sphinx.util.docutils", "sphinx.util.logging",
    "sphinx.environment.collectors",  # EnvironmentCollector: the API of collectors
    "sphinx.search",  # SearchLanguage: the API of a search language
    "sphinx.util",  # only its `logging`
    "sphinx.util.matching",  # Matcher: exclude_patterns as Sphinx matches them
    "sphinx.util.nodes",  # make_refnode
    "jupyter_cache",  # get_cache
    "jupyter_cache.base",  # CacheBundleIn, what cache_notebook_bundle takes
    "jupyter_cache.readers",  # get_reader: the readers MyST-NB registers
    "jupyter_cache.executors.utils",  # single_nb_execution, which MyST-NB executes with
    "nbclient",  # NotebookClient
    "nbclient.exceptions",  # CellTimeoutError, DeadKernelError
    "IPython.core.interactiveshell",  # InteractiveShell, documented for embedding
    "IPython.core.pylabtools",  # select_figure_formats, documented
    "traitlets.config",  # Config, for the kernel manager nbclient starts
}  # fmt: skip
#: Third-party packages the extension and the tools may import whole, without internals
#: (the modules they import are all public), and the standard library's.
PLAIN_PACKAGES = {
    "docutils", "nbformat", "segno", "fontTools", "latex2mathml", "psutil", "playwright",
    "pypdf", "babel", "uvicorn", "packaging", "tomllib",
}  # fmt: skip
#: Attributes of the environment, Sphinx's domains and nbclient that are internals,
#: although not spelled with an underscore.
INTERNAL_ATTRIBUTES = {
    "domaindata", "domains", "tocs", "toc_fignumbers", "toc_secnumbers", "toctree_includes",
    "titles", "images", "mystnb_config", "myst_config", "sphinx_exercise_registry",
    "km", "kc", "owns_km",
}  # fmt: skip
ADAPTERS = {"_compat.py", "_theme.py"}
OWN_PACKAGES = {"ch3book", "ch3lib", "tools", "__future__"}
OWN_MODULES = {"_compat", "_theme", "layout", "self", "cls"}


def internals_used(source: str) -> list[str]:
    """Each use of another project's private name or internal module: a third-party import
    must be of a ``PLAIN_PACKAGES`` package or a ``PUBLIC_MODULES`` module."""

    def foreign(module: str) -> bool:
        top = module.split(".")[0]
        return top not in OWN_PACKAGES and top not in sys.stdlib_module_names

    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom | ast.Import):
            modules = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            modules += [alias.name for alias in node.names if isinstance(node, ast.Import)]
            for module in filter(foreign, modules):
                if module not in PUBLIC_MODULES and module.split(".")[0] not in PLAIN_PACKAGES:
                    found.append(f"line {node.lineno}: import from {module}")
            if isinstance(node, ast.ImportFrom) and foreign(node.module or ""):
                found += [
                    f"line {node.lineno}: import {alias.name} from {node.module}"
                    for alias in node.names
                    if alias.name.startswith("_") and alias.name != "_"  # "_" is gettext
                ]
        elif isinstance(node, ast.Attribute):
            owner = node.value.id if isinstance(node.value, ast.Name) else None
            private = node.attr.startswith("_") and not node.attr.startswith("__")
            if owner in OWN_MODULES:
                continue
            if private or node.attr in INTERNAL_ATTRIBUTES:
                found.append(f"line {node.lineno}: .{node.attr}")
    return sorted(found, key=lambda use: int(use.split(":")[0].removeprefix("line ")))


def test_only_the_adapters_use_other_projects_internals():
    modules = [
        *(p for p in (layout.EXTENSIONS / "ch3book").glob("*.py") if p.name not in ADAPTERS),
        *(layout.ROOT / "tools").glob("*.py"),
        layout.ROOT / "conf.py",
    ]
    uses = {
        str(path.relative_to(layout.ROOT)): used
        for path in modules
        if (used := internals_used(path.read_text(encoding="utf-8")))
    }
    assert uses == {}


#: One line of source per row, with the uses the internals check must find on it.
KINDS_OF_USE = [
    ("from myst_nb.core.read import create_nb_reader", ["import from myst_nb.core.read"]),
    ("from sphinx.util import _private", ["import _private from sphinx.util"]),
    ("import sphinx.environment", ["import from sphinx.environment"]),
    ("name = app.env.images[path]", [".images"]),
    ("config = env.mystnb_config", [".mystnb_config"]),
    ("alive = km._async_is_alive", ["._async_is_alive"]),
    ("from sphinx_exercise.nodes import exercise_node", ["import from sphinx_exercise.nodes"]),
    ("from sphinx_autobuild.server import RebuildServer", ["import from sphinx_autobuild.server"]),
    ("labels = env.domaindata['std']", [".domaindata"]),
    ("numbers = env.toc_fignumbers, env.tocs", [".toc_fignumbers", ".tocs"]),
    ("from sphinx.util import logging", []),
    ("import json, docutils.nodes", []),
    ("self._own = 1", []),
]


def test_the_internals_check_finds_each_kind_of_use():
    source = "".join(f"{line}\n" for line, _ in KINDS_OF_USE)
    expected = [f"line {n}: {use}" for n, (_, uses) in enumerate(KINDS_OF_USE, 1) for use in uses]
    assert internals_used(source) == expected


def test_no_module_replaces_another_project_s_function():
    """No monkeypatch of an imported module or class in the extension, tools or tests."""
    files = [*layout.EXTENSIONS.rglob("*.py"), *(layout.ROOT / "tools").glob("*.py")]
    files += [*(layout.ROOT / "tests").glob("*.py"), layout.ROOT / "conf.py"]
    patched = []
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imports = [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]
        imported = {(a.asname or a.name).split(".")[0] for n in imports for a in n.names}
        ours = {  # the book's own modules, which a test may replace a part of
            a.asname or a.name
            for n in imports
            if isinstance(n, ast.ImportFrom) and (n.module or "").split(".")[0] in OWN_PACKAGES
            for a in n.names
        }
        for node in ast.walk(tree):
            targets = node.targets if isinstance(node, ast.Assign) else []
            for target in targets:
                root = target
                while isinstance(root, ast.Attribute):
                    root = root.value
                if target is not root and isinstance(root, ast.Name) and root.id in imported:
                    patched.append(f"{path.name}:{node.lineno}")
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "setattr":
                owner = getattr(node.func, "value", None)
                if isinstance(owner, ast.Name) and owner.id == "monkeypatch" and node.args:
                    first = node.args[0]
                    if not (isinstance(first, ast.Name) and first.id in ours):
                        patched.append(f"{path.name}:{node.lineno}")
    assert patched == []


def test_the_committed_catalogs_are_compiled_from_their_po_files():
    """Set-up writes nothing: the committed .mo files hold the .po files' messages."""
    for domain, messages in translations.CATALOGS.items():
        committed = translations.catalog_path(domain)
        with committed.open("rb") as mo:
            compiled = {message.id: message.string for message in read_mo(mo) if message.id}
        assert compiled == messages, (
            f"{committed} is out of date: compile it as book/_ext/ch3book/translations.py says"
        )

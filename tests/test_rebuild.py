"""Every build publishes what a clean build of the same sources publishes (``make test-rebuild``).

Works on copies of the repository (``tools/rebuild_check.py``). An incremental workspace
goes through each kind of edit (``EDITS``); after each one its ``_build/html`` must be
byte-identical to a clean build of a copy of the same sources (after the library edit, a
cold build that executes every page again: two executions of the book publish the same
bytes; ``make bench`` also checks that MyST-NB executing every page itself publishes the
same site). Last, each fault an author can cause fails the build with the
book's message, publishes nothing, and leaves the site as it was once fixed.
"""

import os
import re
import shutil
from types import SimpleNamespace

import pytest

from ch3book import _theme
from tools import build
from tools.rebuild_check import (
    EDITS,
    check_edit,
    make_html,
    make_workspace,
    site,
    tree_differences,
)

pytestmark = pytest.mark.rebuild

PAGES_WITH_CODE = ["3-1-tensorflow", "3-4-workstation", "3-5-first-steps", "3-6-keras-api"]


@pytest.fixture(scope="module")
def workspaces(tmp_path_factory):
    """The incremental workspace, its first (cold) site and log, and a scratch folder."""
    root = tmp_path_factory.mktemp("rebuild")
    incremental = make_workspace(root / "incremental")
    logs = [make_html(incremental)]
    initial_site = root / "initial-site"
    shutil.copytree(site(incremental), initial_site)
    return SimpleNamespace(
        root=root, incremental=incremental, logs=logs, initial_site=initial_site, applied=[]
    )


def test_make_html_says_what_it_is_doing_and_nothing_of_it_is_published(workspaces):
    """A line when it starts, one when execution starts and one per page executed, one
    when Sphinx starts, the time and the site's path at the end; again, one line."""
    workspaces.logs.append(make_html(workspaces.incremental))
    first, again = workspaces.logs
    lines = [line for line in first.splitlines() if "make html" in line or line.startswith(" ")]
    kernels = min(4, os.cpu_count() or 1)
    assert lines[:2] == [
        "make html: building the book (SPHINXOPTS=-v shows Sphinx's output)",
        f"make html: executing 4 pages on {kernels} kernel{'s' if kernels > 1 else ''}",
    ]
    pages = [re.fullmatch(r"  (\d)/4 (\S+) \d+\.\d s", line) for line in lines[2:6]]
    assert [m.group(1) for m in pages] == ["1", "2", "3", "4"], lines
    assert sorted(m.group(2) for m in pages) == PAGES_WITH_CODE
    assert lines[6] == "make html: reading and writing the pages (Sphinx)"
    assert re.fullmatch(r"make html: built in \d+ s: _build/html/index\.html", lines[7]), lines
    assert [line for line in again.splitlines() if "make" in line] == [build.NOTHING_CHANGED]
    published = site(workspaces.incremental)
    assert not [p for p in published.rglob("*.html") if "make html:" in p.read_text("utf-8")]


def test_a_code_edit_built_then_undone_publishes_the_cold_build_again(workspaces):
    page = workspaces.incremental / "book/3-1-tensorflow.md"
    original = page.read_text(encoding="utf-8")
    page.write_text(original.replace("epoch_losses = []", "epoch_losses = []  # 改了"), "utf-8")
    make_html(workspaces.incremental)
    assert tree_differences(workspaces.initial_site, site(workspaces.incremental)) != []
    page.write_text(original, encoding="utf-8")
    make_html(workspaces.incremental)
    assert tree_differences(workspaces.initial_site, site(workspaces.incremental)) == []


@pytest.mark.parametrize("kind", list(EDITS))
def test_incremental_build_equals_clean_build_after_edit(workspaces, kind):
    for earlier in list(EDITS)[: list(EDITS).index(kind)]:
        if earlier not in workspaces.applied:  # when run alone with -k
            EDITS[earlier](workspaces.incremental)
            workspaces.applied.append(earlier)
    workspaces.applied.append(kind)
    log, differences = check_edit(workspaces.incremental, workspaces.root, kind)
    assert differences == [], kind
    executing = re.findall(r"^  \d/\d+ (\S+)", log, re.MULTILINE)
    assert executing == {"prose": [], "code cell": ["3-4-workstation"]}.get(kind, executing), log
    published = site(workspaces.incremental)
    if kind == "rename a page":  # the old address is a redirect, the old page is gone
        redirect = (published / "3-3-history.html").read_text(encoding="utf-8")
        assert 'window.location.replace("3-3-keras-history.html"' in redirect
        assert not (published / "_sources/3-3-history.md").exists()


def _cell_after_setup(code: str):
    """A code cell right after the page's set-up cell (so that it runs at once)."""
    setup = "ch3lib.setup()\n```\n"
    cell = f"{setup}\n```{{code-cell}} ipython3\n{code}\n```\n"
    return lambda source: source.replace(setup, cell, 1)


#: Faults an author (or the machine) can cause, grouped by the build that finds them: two
#: execution faults in one build (a raising cell and a dead kernel are test_execution.py's),
#: the three that Sphinx finds in another, the glossary alone (it stops the build before any page).
FAULTS = {
    "execution": {
        "book/3-5-first-steps.md": (
            lambda s: _cell_after_setup("import time\ntime.sleep(600)")(
                s.replace(
                    "  name: python3\n---\n", "  name: python3\nexecution:\n  timeout: 15\n---\n", 1
                )
            ),
            r"book/3-5-first-steps\.md: the cell that starts 'import time' ran past the "
            r"timeout of 15 s",
        ),
        "book/3-6-keras-api.md": (
            _cell_after_setup("print('x' * 50_000_000)"),
            r"book/3-6-keras-api\.md: a cell's output is 50\.0 MB \(50000001 bytes\): a page "
            r"shows at most 100000 bytes of one output \(book_max_output_bytes in conf\.py\)",
        ),
    },
    "sphinx": {
        "book/3-2-keras.md": (
            lambda s: s + "\n(sec-3-1-loop)=\n## 重複的標籤\n\n{term}`不存在的詞`。\n",
            r"3-2-keras\.md:\d+: WARNING: duplicate label sec-3-1-loop.*\n(.*\n)*"
            r".*3-2-keras\.md:\d+: WARNING: term not in glossary: '不存在的詞'",
        ),
        # The theme's stylesheet with its icon rules written another way (book/_static
        # wins over the theme's own static files).
        "book/_static/styles/pydata-sphinx-theme.css": (
            lambda _: (
                _theme.installed(_theme.STYLESHEET)
                .read_text(encoding="utf-8")
                .replace('{--fa:"', '{--fa-glyph:"')
            ),
            r"WARNING: Expected a rule like \.fa-bars\{--fa:.* for every icon of the pages\. "
            r"Received none for: .*fa-solid fa-bars",
        ),
    },
    "glossary": {
        "book/glossary.toml": (
            lambda source: source.replace("[[term]]", "[[term]", 1),
            r"\nmake html: .*glossary\.toml: expected TOML \(\[\[term\]\] tables\); .*"
            r"\(at line \d+, column \d+\) \(_build/html is unchanged\)\n(make: \*\*\* .*\n)?$",
        ),
    },
}


def test_a_failed_build_says_why_publishes_nothing_and_the_fixed_build_is_as_before(
    workspaces, tmp_path
):
    """Each group of faults, in turn: the build fails with the book's message for each (not
    Sphinx's crash report) and leaves the site as it was. Fixed, the site is what it was."""
    before = tmp_path / "before"
    shutil.copytree(site(workspaces.incremental), before)
    for group, faults in FAULTS.items():
        originals = {}
        for name, (change, _) in faults.items():
            path = workspaces.incremental / name
            originals[path] = path.read_text(encoding="utf-8") if path.exists() else None
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(change(originals[path] or ""), encoding="utf-8")
        with pytest.raises(RuntimeError) as failed:
            make_html(workspaces.incremental)
        log = str(failed.value)
        for _, message in faults.values():
            assert re.search(message, log), (group, message, log[-3000:])
        assert "report this error to the developers" not in log, group
        assert tree_differences(before, site(workspaces.incremental)) == [], group
        for path, original in originals.items():
            if original is None:
                path.unlink()
                path.parent.rmdir()
            else:
                path.write_text(original, encoding="utf-8")
    make_html(workspaces.incremental)
    assert tree_differences(before, site(workspaces.incremental)) == []

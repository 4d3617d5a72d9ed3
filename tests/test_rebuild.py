"""Every build publishes what a clean build of the same sources publishes (``make test-rebuild``).

Works on copies of the repository (``tools/rebuild_check.py``): an incremental workspace
goes through every kind of edit, and after each one its ``_build/html`` must be
byte-identical to a clean build of a fresh copy of the same sources. Two clean builds must
be identical too, and so must a build whose notebooks MyST-NB executes itself, one page at
a time (``BOOK_EXECUTION=myst-nb``) instead of ch3book's parallel executor.
"""

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from tools.rebuild_check import (
    EDITS,
    build_env,
    make_html,
    make_workspace,
    site,
    tree_differences,
)

pytestmark = pytest.mark.rebuild

PAGES_WITH_CODE = ["3-1-tensorflow", "3-4-workstation", "3-5-first-steps", "3-6-keras-api"]


class Workspaces:
    """The incremental workspace, the edits applied to it so far, and a scratch folder."""

    def __init__(self, root):
        self.root = root
        self.incremental = make_workspace(root / "incremental")
        self.logs: list[str] = []  # the first build's output, then a build with no change
        make_html(self.incremental, self.logs)
        self.initial_site = root / "initial-site"
        shutil.copytree(site(self.incremental), self.initial_site)
        self.applied: list[str] = []

    def clean_build(self, name: str, **env: str):
        workspace = make_workspace(self.root / name, self.incremental)
        make_html(workspace, **env)
        return site(workspace)


@pytest.fixture(scope="module")
def workspaces(tmp_path_factory):
    return Workspaces(tmp_path_factory.mktemp("rebuild"))


def test_two_clean_builds_are_byte_identical(workspaces):
    if workspaces.applied:
        pytest.skip("the incremental workspace was already edited")
    assert tree_differences(workspaces.initial_site, workspaces.clean_build("second")) == []


def test_make_html_says_what_it_is_doing_and_nothing_of_it_is_published(workspaces):
    """A line per phase and per executed page, the time and the site's path at the end; a
    build with nothing to do says so in one line."""
    if workspaces.applied:
        pytest.skip("the incremental workspace was already edited")
    make_html(workspaces.incremental, workspaces.logs)
    first, again = workspaces.logs
    lines = [line for line in first.splitlines() if "make html" in line or line.startswith(" ")]
    kernels = min(4, os.cpu_count() or 1)
    assert lines[:2] == [
        "make html: building the book (`make html SPHINXOPTS=-v` shows Sphinx's own output)",
        f"make html: executing 4 pages on {kernels} kernel{'s' if kernels > 1 else ''}",
    ]
    pages = [re.fullmatch(r"  (\d)/4 (\S+) \d+\.\d s", line) for line in lines[2:6]]
    assert [m.group(1) for m in pages] == ["1", "2", "3", "4"], lines
    assert sorted(m.group(2) for m in pages) == sorted(PAGES_WITH_CODE)
    assert lines[6] == "make html: writing the pages"
    assert re.fullmatch(r"make html: built in \d+ s: _build/html/index\.html", lines[7]), lines
    said = [line for line in again.splitlines() if line.startswith("make html")]
    assert said == ["make html: nothing changed since the last build"]  # no "make[1]: …"
    published = site(workspaces.incremental)
    assert not [p for p in published.rglob("*.html") if "make html:" in p.read_text("utf-8")]


def test_parallel_executor_publishes_what_mystnb_publishes(workspaces):
    if workspaces.applied:
        pytest.skip("the incremental workspace was already edited")
    serial = workspaces.clean_build("myst-nb", BOOK_EXECUTION="myst-nb")
    assert tree_differences(workspaces.initial_site, serial) == []


def test_new_kernel_processes_publish_what_the_zygote_publishes(workspaces):
    """The path without fork (macOS, or BOOK_KERNELS=spawn) gives the same site."""
    if workspaces.applied:
        pytest.skip("the incremental workspace was already edited")
    spawned = workspaces.clean_build("spawn", BOOK_KERNELS="spawn")
    assert tree_differences(workspaces.initial_site, spawned) == []


def test_a_book_executed_in_shares_and_merged_publishes_what_one_machine_publishes(workspaces):
    """The fan-out of tools/execution_cache.py, as a matrix of runners would do it: two
    machines each execute half the pages; a third merges their caches and builds."""
    if workspaces.applied:
        pytest.skip("the incremental workspace was already edited")
    shares = []
    halves = {"share-1": ["book/3-1-*", "book/3-4-*"], "share-2": ["book/3-[56]-*"]}
    for name, patterns in halves.items():
        machine = make_workspace(workspaces.root / name, workspaces.incremental)
        done = subprocess.run(
            [".venv/bin/python", "-m", "tools.execution_cache", "execute", *patterns],
            cwd=machine,
            env=build_env(machine),
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "execution_cache: 2 pages executed, stored in" in done.stdout
        assert not (machine / "_build/html").exists()  # a share publishes nothing
        (cache,) = (machine / "_build/.jupyter_cache").iterdir()
        shares.append(cache)
    builder = make_workspace(workspaces.root / "merged", workspaces.incremental)
    merged = subprocess.run(
        [".venv/bin/python", "-m", "tools.execution_cache", "merge", *map(str, shares)],
        cwd=builder,
        env=build_env(builder),
        capture_output=True,
        text=True,
    )
    assert merged.returncode == 0, merged.stdout + merged.stderr
    log: list[str] = []
    make_html(builder, log)
    assert "executing" not in log[0]  # every page's outputs came from the merged caches
    assert tree_differences(workspaces.initial_site, site(builder)) == []


@pytest.mark.parametrize("kind", list(EDITS))
def test_incremental_build_equals_clean_build_after_edit(workspaces, kind):
    for earlier in list(EDITS)[: list(EDITS).index(kind)]:
        if earlier not in workspaces.applied:  # when run alone with -k
            EDITS[earlier](workspaces.incremental)
            workspaces.applied.append(earlier)
    EDITS[kind](workspaces.incremental)
    workspaces.applied.append(kind)
    make_html(workspaces.incremental)
    clean = workspaces.clean_build(f"clean-{len(workspaces.applied)}")
    assert tree_differences(site(workspaces.incremental), clean) == [], kind
    if kind == "rename a page":  # the old address redirects to the new one
        redirect = (clean / "extra.html").read_text(encoding="utf-8")
        assert 'window.location.replace("extra-renamed.html" + window.location.hash)' in redirect
    if kind == "delete a page":
        assert not (clean / "extra-renamed.html").exists()


def _append(text: str) -> Callable[[str], str]:
    return lambda source: source + text


def _cell(code: str) -> Callable[[str], str]:
    return _append(f"\n```{{code-cell}} ipython3\n{code}\n```\n")


@dataclass
class Fault:
    """Files and how each changes, and what the build must say."""

    changes: dict[str, Callable[[str], str]]
    message: str


T31 = "book/3-1-tensorflow.md"

#: Faults an author (or the machine) can cause, and what the build must say.
FAULTS: dict[str, Fault] = {
    "a cell that raises": Fault(
        {T31: _cell("raise RuntimeError('a cell that fails')")},
        r"3-1-tensorflow\.md: WARNING: Executing notebook failed: CellExecutionError",
    ),
    "a kernel that dies": Fault(
        {T31: _cell("import os, signal\nos.kill(os.getpid(), 9)")},
        r"3-1-tensorflow\.md: WARNING: the kernel died while running the cell that starts "
        r"'import os, signal'",
    ),
    "the kernel zygote killed mid-page": Fault(
        {
            T31: _cell(
                "import os, signal, time\nos.kill(os.getppid(), signal.SIGKILL)\ntime.sleep(60)"
            )
        },
        r"3-1-tensorflow\.md: WARNING: the kernel zygote \(book/_ext/ch3book/zygote\.py\) is "
        r"not running: it was killed or crashed, and with it the page's kernel; the kernel "
        r"died while running the cell that starts 'import os, signal, time'",
    ),
    "a cell past its timeout": Fault(
        {
            T31: lambda source: _cell("import time\ntime.sleep(60)")(
                source.replace(
                    "  name: python3\n---\n", "  name: python3\nexecution:\n  timeout: 5\n---\n", 1
                )
            )
        },
        r"3-1-tensorflow\.md: WARNING: the cell that starts 'import time' ran past the timeout "
        r"of 5 s",
    ),
    "a cell that prints 50 MB": Fault(
        {T31: _cell("print('x' * 50_000_000)")},
        r"3-1-tensorflow\.md: WARNING: a cell's output is 50\.0 MB \(50000001 bytes\): a page "
        r"shows at most 100000 bytes of one output \(book_max_output_bytes in conf\.py\)",
    ),
    "a {term} to a missing glossary entry": Fault(
        {T31: lambda source: re.sub(r"\{term\}`[^`]+`", "{term}`不存在的詞`", source, count=1)},
        r"3-1-tensorflow\.md:\d+: WARNING: term not in glossary: '不存在的詞'",
    ),
    "a duplicated label": Fault(
        {"book/3-2-keras.md": _append("\n(sec-3-1-loop)=\n## 重複的標籤\n")},
        r"3-2-keras\.md:\d+: WARNING: duplicate label sec-3-1-loop",
    ),
    "a malformed glossary": Fault(
        {"book/glossary.toml": lambda source: source.replace("[[term]]", "[[term]", 1)},
        r"glossary\.md:\d+: ERROR: .*glossary\.toml: expected TOML .*\(at line \d+, column \d+\)",
    ),
    # The theme's stylesheet with its icon rules written another way (book/_static wins
    # over the theme's own static files).
    "a theme that no longer draws its icons": Fault(
        {
            "book/_static/styles/pydata-sphinx-theme.css": lambda _: theme_stylesheet().replace(
                '{--fa:"', '{--fa-glyph:"'
            )
        },
        r"WARNING: Expected a rule like \.fa-bars\{--fa:.* for every icon of the pages\. "
        r"Received none for: .*fa-solid fa-bars",
    ),
}


def theme_stylesheet() -> str:
    """pydata-sphinx-theme's stylesheet as installed."""
    from ch3book import _theme

    return _theme.installed(_theme.STYLESHEET).read_text(encoding="utf-8")


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_failed_build_says_why_publishes_nothing_and_fails_again_until_fixed(
    workspaces, tmp_path, fault
):
    """A clean build of sources with a fault fails with the book's message (not Sphinx's
    crash report); so must every incremental build, however often it is run, and the site
    stays as it was. Once the fault is gone, the site is what it was before."""
    fault = FAULTS[fault]
    before = tmp_path / "before"
    shutil.copytree(site(workspaces.incremental), before)
    originals = {}
    for name, change in fault.changes.items():
        path = workspaces.incremental / name
        originals[path] = path.read_text(encoding="utf-8") if path.exists() else None
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(change(originals[path] or ""), encoding="utf-8")
    for attempt in ("first", "second"):
        with pytest.raises(RuntimeError) as failed:
            make_html(workspaces.incremental)
        log = str(failed.value)
        assert re.search(fault.message, log), (attempt, log)
        assert "report this error to the developers" not in log, attempt
        assert tree_differences(before, site(workspaces.incremental)) == [], attempt
    for path, original in originals.items():
        if original is None:
            path.unlink()
            path.parent.rmdir()
        else:
            path.write_text(original, encoding="utf-8")
    make_html(workspaces.incremental)
    assert tree_differences(before, site(workspaces.incremental)) == []

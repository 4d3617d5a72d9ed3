"""Incremental builds publish what clean builds publish: the edits, the copies, the diff.

Shared by ``tests/test_rebuild.py`` (``make test-rebuild``, run in CI) and ``make bench``.
A *workspace* is a copy of the repository in a temporary folder (tracked and untracked
files, not ``_build``), sharing this repository's ``.venv``. ``EDITS`` are the kinds of
change a contributor makes; each is applied to the incremental workspace, which is then
rebuilt with ``make html`` and compared, byte for byte, with a clean build of a fresh copy
of the same sources.
"""

from __future__ import annotations

import ast
import filecmp
import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tools import layout
from tools.build import source_date_epoch

SKIPPED = {"_build", ".venv", ".git", "__pycache__", ".pytest_cache", ".ruff_cache"}


def tracked_files(root: Path) -> list[str]:
    """The repository's tracked and untracked-but-not-ignored files."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=root,
        capture_output=True,
        check=True,
        text=True,
    ).stdout.split("\0")
    return [name for name in listed if name and (root / name).is_file()]


def check_shared_venv() -> None:
    """Workspaces share this repository's .venv: it must be up to date, or the first
    ``make html`` in a workspace would reinstall ch3lib from that temporary copy."""
    up_to_date = subprocess.run(["make", "-q", "venv"], cwd=layout.ROOT, capture_output=True)
    if up_to_date.returncode != 0:
        raise RuntimeError("the .venv is out of date: run `make html` in the repository first")


def make_workspace(dest: Path, source: Path = layout.ROOT) -> Path:
    """Copy the sources of ``source`` (a git checkout or another workspace) into ``dest``."""
    check_shared_venv()
    dest.mkdir(parents=True, exist_ok=True)
    if (source / ".git").exists():
        names = tracked_files(source)
    else:
        names = [
            p.relative_to(source).as_posix()
            for p in source.rglob("*")
            if p.is_file() and not SKIPPED & set(p.relative_to(source).parts)
        ]
    for name in names:
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / name, dest / name)
    (dest / ".venv").symlink_to(layout.ROOT / ".venv")
    return dest


def build_env(workspace: Path, **extra: str) -> dict[str, str]:
    """The environment of a build in ``workspace``: its own ch3lib, this repo's date."""
    env = {**os.environ, "PYTHONPATH": str(workspace / "src"), **extra}
    epoch = source_date_epoch()
    if epoch is not None:
        env.setdefault("SOURCE_DATE_EPOCH", str(epoch))
    return env


def make_html(workspace: Path, log: list[str] | None = None, **extra: str) -> float:
    """Run ``make html`` in ``workspace``; return its wall time, append its standard output
    to ``log`` if given. Raise with its log on failure."""
    start = time.perf_counter()
    done = subprocess.run(
        ["make", "html"],
        cwd=workspace,
        env=build_env(workspace, **extra),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"make html failed in {workspace}:\n{done.stdout}{done.stderr}")
    if log is not None:
        log.append(done.stdout)
    return time.perf_counter() - start


def tree_differences(first: Path, second: Path) -> list[str]:
    """Files that only one tree has, or that differ in bytes (relative paths, sorted)."""
    differences = []

    def walk(compare: filecmp.dircmp, prefix: str) -> None:
        differences.extend(f"only in the first: {prefix}{n}" for n in compare.left_only)
        differences.extend(f"only in the second: {prefix}{n}" for n in compare.right_only)
        for name in compare.common_files:
            if not filecmp.cmp(Path(compare.left, name), Path(compare.right, name), shallow=False):
                differences.append(f"differs: {prefix}{name}")
        for name, sub in compare.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(first, second, ignore=[]), "")
    return sorted(differences)


def site(workspace: Path) -> Path:
    """The published tree of a workspace."""
    return workspace / layout.SITE.relative_to(layout.ROOT)


def replace(path: Path, old: str, new: str) -> None:
    """Replace the first ``old`` in a file by ``new``; fail loudly if ``old`` is not there."""
    text = path.read_text(encoding="utf-8")
    if old not in text:
        raise ValueError(f"cannot find {old!r} in {path}")
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def set_value(path: Path, name: str, change: Callable[[Any], Any]) -> None:
    """Give the top-level assignment ``name = <literal>`` of a Python file the value
    ``change(old value)``, whatever its layout (a structural edit: parse, change, write).

    Raises:
        ValueError: If the file has no such assignment, or its value is not a literal.
    """
    data = path.read_bytes()
    for node in ast.parse(data).body:
        targets = getattr(node, "targets", None) or [getattr(node, "target", None)]
        if not any(isinstance(t, ast.Name) and t.id == name for t in targets) or not node.value:
            continue
        value = node.value
        try:
            new = change(ast.literal_eval(value))
        except ValueError:
            raise ValueError(f"{path}: expected a literal value of {name}") from None
        starts = [0]  # byte offset of each line: the AST's columns count UTF-8 bytes
        for line in data.splitlines(keepends=True):
            starts.append(starts[-1] + len(line))
        begin = starts[value.lineno - 1] + value.col_offset
        end = starts[value.end_lineno - 1] + value.end_col_offset
        path.write_bytes(data[:begin] + repr(new).encode() + data[end:])
        return
    raise ValueError(f"{path}: expected a top-level assignment to {name}; found none")


# -- The edits -------------------------------------------------------------------------------


def edit_prose(ws: Path) -> None:
    replace(
        ws / "book/3-5-first-steps.md", "這一節先練習低階的部分", "這一節先練習低階的部分（修改）"
    )


def edit_title(ws: Path) -> None:
    replace(ws / "book/3-2-keras.md", "# 3-2 Keras 是什麼？", "# 3-2 Keras 是什麼（新標題）？")


def edit_code(ws: Path) -> None:
    replace(ws / "book/3-5-first-steps.md", "# 全為 1 的張量", "# 全為 1 的張量（程式修改）")


def edit_library(ws: Path) -> None:
    replace(ws / "src/ch3lib/training.py", 'print(f"epoch ', 'print(f"Epoch ')


def edit_stylesheet(ws: Path) -> None:
    with (ws / "book/_static/ch3book.css").open("a", encoding="utf-8") as css:
        css.write("\n/* an edit */\nmain { letter-spacing: 0.01em; }\n")


def edit_subsection_title(ws: Path) -> None:
    """A subsection that other pages link by label ([](#sec-3-4-device)) is retitled."""
    replace(ws / "book/3-4-workstation.md", "## 使用 GPU，或強制使用 CPU", "## 使用 GPU 或 CPU")


def edit_add_cell(ws: Path) -> None:
    """A new code cell on 3-4: the build report counts the cells of every page."""
    replace(
        ws / "book/3-4-workstation.md",
        "(sec-3-4-device)=",
        "```{code-cell} ipython3\ninfo.device\n```\n\n(sec-3-4-device)=",
    )


def edit_add_figure(ws: Path) -> None:
    """A figure before the book's first: every figure after it, on every page, is renumbered."""
    replace(
        ws / "book/3-2-keras.md",
        "```{figure} figures/keras-tensorflow-hardware.svg\n:name: fig-keras-architecture",
        "```{figure} figures/keras-tensorflow-hardware.svg\n:name: fig-rebuild-added\n"
        ":alt: 與下一張相同的方塊圖。\n:width: 560px\n\n新加的一張圖。\n```\n\n"
        "```{figure} figures/keras-tensorflow-hardware.svg\n:name: fig-keras-architecture",
    )


def lose_search_records(ws: Path) -> None:
    """The search index's kept sections lost (deleted, damaged) before a build."""
    (ws / "_build/.search-records.pickle").unlink()


def both(first: Callable[[Path], None], second: Callable[[Path], None]) -> Callable[[Path], None]:
    """Two edits checked with one clean build (each clean build is half a minute of CI)."""

    def edit(ws: Path) -> None:
        first(ws)
        second(ws)

    return edit


def edit_conf(ws: Path) -> None:
    set_value(ws / "conf.py", "html_title", lambda title: f"{title}（修改）")


def edit_licence(ws: Path) -> None:
    """ch3lib's wheel changes, and no page: every notebook pins the new wheel's hash."""
    replace(ws / "LICENSE", "Copyright (c) 2026 ", "Copyright (c) 2026-2027 ")


NEW_PAGE = """(extra-page)=
# 補充頁

新增的一頁，連到 [3-5-3](#sec-3-5-3)。
"""


def edit_add_page(ws: Path) -> None:
    (ws / "book/extra.md").write_text(NEW_PAGE, encoding="utf-8")
    replace(ws / "book/index.md", "3-6-keras-api\n```", "3-6-keras-api\nextra\n```")


def edit_rename_page(ws: Path) -> None:
    (ws / "book/extra.md").rename(ws / "book/extra-renamed.md")
    replace(ws / "book/index.md", "\nextra\n", "\nextra-renamed\n")
    set_value(ws / "conf.py", "redirects", lambda old: {**old, "extra": "extra-renamed.html"})


def edit_delete_page(ws: Path) -> None:
    (ws / "book/extra-renamed.md").unlink()
    replace(ws / "book/index.md", "\nextra-renamed\n", "\n")


#: Edit kinds in the order they are applied (the page edits build on one another).
EDITS: dict[str, Callable[[Path], None]] = {
    "prose": edit_prose,
    "title": edit_title,
    "code cell": edit_code,
    "library": edit_library,
    "stylesheet": edit_stylesheet,
    # Both rewrite every page: the figure numbers are what this one checks.
    "subsection title, a figure added": both(edit_subsection_title, edit_add_figure),
    # A narrow edit (two pages written): the lost sections must make the others written too.
    "code cell added, search records lost": both(edit_add_cell, lose_search_records),
    "conf.py": edit_conf,
    "licence (the wheel)": edit_licence,
    "add a page": edit_add_page,
    "rename a page": edit_rename_page,
    "delete a page": edit_delete_page,
}


def check_edit(incremental: Path, scratch: Path, kind: str) -> tuple[float, float, list[str]]:
    """Apply an edit to ``incremental``, rebuild it, and build a clean copy in ``scratch``.

    Returns the incremental and the clean build's seconds, and the tree differences.
    """
    EDITS[kind](incremental)
    seconds = make_html(incremental)
    clean = make_workspace(scratch / re.sub(r"\W+", "-", kind), incremental)
    clean_seconds = make_html(clean)
    differences = tree_differences(site(incremental), site(clean))
    shutil.rmtree(clean)
    return seconds, clean_seconds, differences


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_preview(workspace: Path, port: int, output=subprocess.DEVNULL) -> subprocess.Popen:
    """``make preview``'s server in ``workspace``, in a session of its own (stop it with
    ``os.killpg``); ``output`` receives its log (``subprocess.PIPE`` to read it)."""
    return subprocess.Popen(
        [str(workspace / ".venv/bin/python"), "-m", "tools.preview", "--port", str(port)],
        cwd=workspace,
        env=build_env(workspace),
        stdout=output,
        stderr=subprocess.STDOUT if output is subprocess.PIPE else output,
        text=True,
        start_new_session=True,
    )

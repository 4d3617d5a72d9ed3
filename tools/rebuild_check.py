"""Incremental builds publish what clean builds publish: the edits, the copies, the diff.

For ``tests/test_rebuild.py`` and ``make bench``. A *workspace* is a copy of the repository's
files (not ``_build``) sharing its ``.venv``; ``EDITS`` are the kinds of change a contributor
makes, each checked byte for byte against a clean build of a copy of the same sources.
"""

from __future__ import annotations

import filecmp
import os
import re
import shutil
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path

from tools import layout
from tools.build import source_date_epoch

SKIPPED = {"_build", ".venv", ".git", "__pycache__", ".pytest_cache", ".ruff_cache"}


def copy_checkout(source: Path, dest: Path) -> None:
    """Copy the tracked and the untracked but not ignored files of a git checkout."""
    command = ["git", "ls-files", "-co", "--exclude-standard", "-z"]
    listed = subprocess.run(command, cwd=source, capture_output=True, check=True, text=True)
    for name in listed.stdout.split("\0"):
        if name and (source / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / name, dest / name)


def make_workspace(dest: Path, source: Path = layout.ROOT, *, executed: bool = False) -> Path:
    """Copy the sources of ``source`` (a checkout or a workspace) into ``dest``; ``executed``:
    and its execution cache (pages whose code it holds do not execute again)."""
    # Workspaces share the .venv: out of date, it would be reinstalled from a copy.
    up_to_date = subprocess.run(["make", "-q", "venv"], cwd=layout.ROOT, capture_output=True)
    if up_to_date.returncode != 0:
        raise RuntimeError("the .venv is out of date: run `make html` in the repository first")
    if (source / ".git").exists():
        copy_checkout(source, dest)
    else:  # a workspace
        shutil.copytree(source, dest, ignore=shutil.ignore_patterns(*SKIPPED), dirs_exist_ok=True)
    (dest / ".venv").symlink_to(layout.ROOT / ".venv")
    cache = source / layout.EXECUTION_CACHE.relative_to(layout.ROOT)
    if executed and cache.is_dir():
        shutil.copytree(cache, dest / cache.relative_to(source))
    return dest


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def build_env(workspace: Path, **extra: str) -> dict[str, str]:
    """The environment of a build in ``workspace``: its own ch3lib, this repo's date, and
    no settings of an outer ``make`` (which would add "Entering directory" lines)."""
    outer = {"MAKEFLAGS", "MAKELEVEL", "MFLAGS"}
    env = {k: v for k, v in os.environ.items() if k not in outer}
    env |= {"PYTHONPATH": str(workspace / "src"), **extra}
    epoch = source_date_epoch()
    if epoch is not None:
        env.setdefault("SOURCE_DATE_EPOCH", str(epoch))
    return env


def make_html(workspace: Path, **extra: str) -> str:
    """``make html`` in ``workspace``: its output (raises with it if it fails)."""
    env = build_env(workspace, **extra)
    done = subprocess.run(["make", "html"], cwd=workspace, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"make html failed in {workspace}:\n{done.stdout}{done.stderr}")
    return done.stdout


def tree_differences(first: Path, second: Path) -> list[str]:
    """Files that only one tree has, or that differ in bytes (sorted)."""
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
    return workspace / layout.SITE.relative_to(layout.ROOT)


def replace(path: Path, old: str, new: str) -> None:
    """Replace the first ``old`` in a file by ``new`` (which must be there)."""
    text = path.read_text(encoding="utf-8")
    if old not in text:
        raise ValueError(f"cannot find {old!r} in {path}")
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# -- The edits -------------------------------------------------------------------------------


def edit_prose(ws: Path, note: str = "修改") -> None:
    sentence = "這一節先練習低階的部分"
    replace(ws / "book/3-5-first-steps.md", sentence, f"{sentence}（{note}）")


def edit_title(ws: Path) -> None:
    replace(ws / "book/3-2-keras.md", "# 3-2 Keras 是什麼？", "# 3-2 Keras 是什麼（新標題）？")


def edit_code(ws: Path) -> None:
    code = "info = ch3lib.build_info()"
    replace(ws / "book/3-4-workstation.md", code, f"{code}  # 程式修改")


def edit_library(ws: Path) -> None:
    replace(ws / "src/ch3lib/training.py", 'print(f"epoch ', 'print(f"Epoch ')


def edit_rename_page(ws: Path) -> None:
    (ws / "book/3-3-history.md").rename(ws / "book/3-3-keras-history.md")
    replace(ws / "book/index.md", "\n3-3-history\n", "\n3-3-keras-history\n")
    redirects = "redirects: dict[str, str] = {"
    replace(ws / "conf.py", redirects, f'{redirects}"3-3-history": "3-3-keras-history.html", ')


#: Edit kinds in the order they are applied (each builds on the ones before).
EDITS: dict[str, Callable[[Path], None]] = {
    "prose": edit_prose,
    "code cell": edit_code,
    "library": edit_library,
    "title": edit_title,
    "rename a page": edit_rename_page,
}


def check_edit(incremental: Path, scratch: Path, kind: str) -> tuple[str, list[str]]:
    """Apply an edit to ``incremental`` and rebuild it; build a clean copy in ``scratch``
    (with the execution cache, but for the library edit: two executions of every page).
    The incremental build's output, and the differences between the two sites."""
    EDITS[kind](incremental)
    log = make_html(incremental)
    cached = kind != "library"
    clean = make_workspace(scratch / re.sub(r"\W+", "-", kind), incremental, executed=cached)
    make_html(clean)
    differences = tree_differences(site(incremental), site(clean))
    shutil.rmtree(clean)
    return log, differences

"""Copy the readers' notebooks of a built site to where the 「在 Colab 開啟」 buttons point.

Colab opens a notebook from a GitHub path, ``/github/<owner>/<repo>/blob/<branch>/<path>``,
not from a web address. The publishing workflow (``.github/workflows/pages.yml``) checks
out the notebooks branch (``book_notebooks_branch`` in conf.py) into a folder, runs this
script, and pushes the result. The paths come from the function the buttons are made with
(``ch3book.notebooks.published_notebook_path``), and ``tests/test_site.py`` checks that
every button's path exists in the folder this script writes.

Usage: ``python -m tools.publish_notebooks SITE FOLDER``: copies ``SITE/_sources/*.ipynb``
to ``FOLDER`` (deleting notebooks of pages that no longer exist) and writes a README.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from tools import layout

README = """\
# 深度學習第三章：讀者的筆記本

這個分支由發布流程自動產生（`.github/workflows/pages.yml`），每個檔案是書中一頁的筆記本，
供網站上的「在 Colab 開啟」按鈕使用。請不要直接修改：要改內容，請改 `main` 分支的 `book/`。
"""


def publish(site: Path, folder: Path) -> list[Path]:
    """Copy every reader notebook of ``site`` into ``folder``; return the copied paths."""
    published_notebook_path = layout.book_extension("notebooks").published_notebook_path
    sources = site / "_sources"
    notebooks = sorted(sources.rglob("*.ipynb"))
    if not notebooks:
        raise SystemExit(f"{sources} has no notebooks: run `make html` first")
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.rglob("*.ipynb"):
        old.unlink()
    copied = []
    for notebook in notebooks:
        pagename = notebook.relative_to(sources).with_suffix("").as_posix()
        target = folder / published_notebook_path(pagename)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(notebook, target)
        copied.append(target)
    (folder / "README.md").write_text(README, encoding="utf-8")
    return copied


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="the built site (_build/html)")
    parser.add_argument("folder", type=Path, help="a checkout of the notebooks branch")
    args = parser.parse_args(argv)
    for path in publish(args.site, args.folder):
        print(path)


if __name__ == "__main__":
    main()

"""The staging folder of ``make html``: the last site copied, written, then published.

Sphinx writes into ``layout.STAGING``, which starts as a copy of the last published site
(but ``_static``, which Sphinx copies fresh, and the PDF) and replaces ``layout.SITE`` in
one rename when the build succeeded, so the published site is never half written.

This is its own module, not part of ``tools/build.py``, because ``conf.py`` waits for the
copy too (``staging_ready``), and ``python -m tools.build`` runs that file as
``__main__``: its state would not be the one ``conf.py`` imports.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from tools import layout

#: Files Sphinx keeps in its output for its next build, which the site does not need:
#: ``.buildinfo`` (it hashes the configuration's absolute paths, so two checkouts would
#: publish different bytes) and ``searchindex.js`` (the book has its own search index).
BOOKKEEPING = (".buildinfo", "searchindex.js")
#: ... and the backup Sphinx makes of an outdated ``.buildinfo``, which is not kept at all.
DISCARDED = (".buildinfo.bak",)


def seed_staging() -> None:
    """Start copying the last site into the staging folder, but ``_static`` and the PDF.

    The copy runs in another process (``python -m tools.staging``, on another core) while
    Sphinx imports and sets up its extensions; Sphinx waits for it before it looks at its
    output folder (``staging_ready``, connected in ``conf.py``).
    """
    shutil.rmtree(layout.STAGING, ignore_errors=True)
    kept = [layout.KEPT_BESIDE / name for name in BOOKKEEPING]
    if not (layout.SITE.is_dir() and all(path.is_file() for path in kept)):
        return  # a first build: Sphinx writes everything
    start_copy(layout.SITE, layout.STAGING, layout.KEPT_BESIDE)


def start_copy(site: Path, staging: Path, kept_beside: Path) -> None:
    """Start ``copy_last_site(site, staging, kept_beside)`` in another process."""
    command = [sys.executable, "-m", "tools.staging", str(site), str(staging), str(kept_beside)]
    process = subprocess.Popen(
        command, cwd=layout.ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    _COPYING.append((process, f"copy the last site ({site}) into {staging}"))


def copy_last_site(site: Path, staging: Path, kept_beside: Path) -> None:
    """Copy ``site`` (but ``_static`` and the PDF) and the bookkeeping files into ``staging``.

    The files keep their times: ``reuse.prune`` tells what Sphinx wrote by them.
    """

    def skip_static(folder: str, names: list[str]) -> list[str]:
        # The PDF was printed from the last site's pages: `make pdf` prints it again.
        return ["_static", layout.PDF_NAME] if Path(folder) == site else []

    # Sphinx may have made the (empty) output folder meanwhile.
    shutil.copytree(site, staging, ignore=skip_static, dirs_exist_ok=True)
    for name in BOOKKEEPING:
        shutil.copy2(kept_beside / name, staging / name)


#: The process copying the last site into the staging folder, and what it does.
_COPYING: list[tuple[subprocess.Popen, str]] = []


def staging_ready(app: Any = None, *, quiet: bool = False) -> None:
    """``builder-inited`` (``conf.py``): wait until the last site is copied.

    A failed copy is an error in Sphinx's log (with ``app``: the build fails and publishes
    nothing) or an exception (without), unless ``quiet``. Does nothing when no copy is
    under way (another driver than ``make html``: ``make preview``, a test's own Sphinx).
    """
    while _COPYING:
        process, what = _COPYING.pop()
        _, errors = process.communicate()
        if process.returncode == 0 or quiet:
            continue
        last = errors.strip().splitlines()[-1:] or ["no message"]
        message = f"could not {what}: exit status {process.returncode}: {last[0]}"
        if app is None:
            raise RuntimeError(message)
        from sphinx.util import logging

        logging.getLogger(__name__).error(message)


def publish_staging() -> None:
    """Replace the published site by the staging folder (two renames, then clean up).

    Sphinx's bookkeeping files (``BOOKKEEPING``) are kept beside the site, not in it.
    """
    layout.KEPT_BESIDE.mkdir(parents=True, exist_ok=True)
    for name in DISCARDED:
        (layout.STAGING / name).unlink(missing_ok=True)
    for name in BOOKKEEPING:
        path = layout.STAGING / name
        if path.exists():
            path.replace(layout.KEPT_BESIDE / name)
    old = layout.BUILD / ".html-old"
    shutil.rmtree(old, ignore_errors=True)
    if layout.SITE.exists():
        layout.SITE.rename(old)
    layout.STAGING.rename(layout.SITE)
    shutil.rmtree(old, ignore_errors=True)


if __name__ == "__main__":
    copy_last_site(*map(Path, sys.argv[1:4]))

"""Math renders offline: MathJax is served from the site, copied from a pinned wheel.

Sphinx loads MathJax from a CDN by default, which fails offline and on a network that
blocks it. ``sphinx-mathjax-offline`` ships MathJax 3 but copies all of it (~30 MB of
fonts and extensions) into every build; this module copies only what ``tex-chtml.js``
loads. It runs at ``write-started``, before the pages are written, so that Sphinx sees
the file and gives its ``<script>`` tag the same ``?v=`` checksum in every build.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import shutil
from pathlib import Path

#: The parts of MathJax 3 that ``tex-chtml.js`` loads: its input extensions, fonts and menu.
MATHJAX_PARTS = ("tex-chtml.js", "input/tex", "output/chtml", "ui", "a11y")
PACKAGE = "sphinx-mathjax-offline"


def mathjax_source() -> Path:
    """The MathJax folder inside the installed wheel."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.origin is None:
        raise RuntimeError(
            f"Expected the package {PACKAGE} (MathJax served locally). "
            "Received: not installed; run `make html`, which installs the pinned extras."
        )
    return Path(spec.origin).parent / "static" / "mathjax"


def copy_mathjax(app, builder) -> None:
    """Copy the parts of MathJax the page loads into ``_static/mathjax``."""
    if builder.format != "html":
        return
    source_root = mathjax_source()
    target_root = Path(app.outdir) / "_static" / "mathjax"
    for part in MATHJAX_PARTS:
        source = source_root / part
        for path in [source] if source.is_file() else sorted(source.rglob("*.*")):
            target = target_root / path.relative_to(source_root)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)


def setup_mathjax(app) -> None:
    """Serve MathJax from ``_static`` (``mathjax_path`` in conf.py names the file)."""
    app.connect("write-started", copy_mathjax)

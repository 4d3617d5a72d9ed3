"""The theme's icons without its 1.5 MB icon script: Font Awesome's web font, cut to the icons used.

pydata-sphinx-theme loads ``scripts/fontawesome.js`` on every page (1.5 MB, 530 KiB gzipped,
"so that users can add custom icons"), yet its Font Awesome CSS and fonts alone draw every
icon. A Jinja filter (``drop_icon_script``, used by ``layout.html``) drops the script; at
``build-finished`` ``fa-solid-900.woff2`` is cut (112 KiB → 2–3 KiB) to the icons the whole
written site uses (so an incremental build cuts the same font), cached by its inputs' hash.
No stock extension does this: sphinx-icon and sphinx-design add icons, none removes the script.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import shutil
from pathlib import Path

from sphinx.util import logging as sphinx_logging

from ch3book import _theme

logger = sphinx_logging.getLogger(__name__)

#: ``fa-bars``, not after a letter, digit or ``_`` (``\bfa-…``), the literal first: the
#: engine skips to each ``fa-``, 20 times faster than ``\b`` on the site's pages.
ICON_CLASS = re.compile(r"fa-(?<!\wfa-)[a-z0-9-]+")
PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


def drop_icon_script(css_block: str) -> str:
    """Jinja filter: the theme's ``css`` block without its ``fontawesome.js`` script."""
    without, found = _theme.ICON_SCRIPT.subn("", css_block)
    if found != 1:
        raise RuntimeError(
            "Expected one <script ... scripts/fontawesome.js> in pydata-sphinx-theme's css "
            f"block (book/_ext/ch3book/icons.py). Received {found}: has the theme changed?"
        )
    return without


def icon_rules(outdir: Path) -> dict[str, int]:
    """Each icon class the theme's CSS draws, and its code point in the icon font."""
    css = (outdir / _theme.STYLESHEET).read_text(encoding="utf-8")
    return {
        name: int(code, 16)
        for selectors, code in _theme.ICON_RULE.findall(css)
        for name in ICON_CLASS.findall(selectors)
    }


def icon_code_points(outdir: Path, classes: dict[str, int]) -> list[int]:
    """Every code point the site draws with the icon font, sorted."""
    used = set()
    for path in [*outdir.rglob("*.html"), *(outdir / "_static").rglob("*.js")]:
        if path.name == "fontawesome.js":
            continue
        used.update(ICON_CLASS.findall(path.read_text(encoding="utf-8")))
    points = {classes[name] for name in used if name in classes}
    for path in (outdir / "_static").rglob("*.css"):
        points.update(ord(c) for c in PRIVATE_USE.findall(path.read_text(encoding="utf-8")))
    return sorted(points)


def undrawn_icons(outdir: Path, classes: dict[str, int]) -> list[str]:
    """The solid icons in the pages (``class="fa-solid fa-bars …"``) that no rule draws."""
    undrawn = set()
    for path in outdir.rglob("*.html"):
        for names in _theme.SOLID_ICON.findall(path.read_text(encoding="utf-8")):
            if not any(name in classes for name in ICON_CLASS.findall(names)):
                undrawn.add(names)
    return sorted(undrawn)


def subset(font, codes, layout_features: tuple[str, ...] = ()):
    """``font`` (a ``TTFont``) cut to ``codes`` in place, names kept; also for tools/pdf.py."""
    from fontTools import subset as fonttools_subset

    logging.getLogger("fontTools").setLevel(logging.WARNING)  # it logs every table at INFO
    options = fonttools_subset.Options()
    options.layout_features = list(layout_features)
    options.name_IDs = ["*"]  # keeps the copyright and licence names
    options.name_languages = ["*"]
    options.notdef_outline = True
    subsetter = fonttools_subset.Subsetter(options)
    subsetter.populate(unicodes=codes)
    subsetter.subset(font)
    return font


def subset_icon_font(app, exception) -> None:
    """``build-finished``: replace the icon font by its cut (WOFF2, the same bytes each run)."""
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    if not (outdir / _theme.STYLESHEET).is_file():  # another theme: nothing to cut
        return
    source = _theme.installed(_theme.ICON_FONT).read_bytes()
    classes = icon_rules(outdir)
    if undrawn := undrawn_icons(outdir, classes):
        logger.warning(
            f'Expected a rule like .fa-bars{{--fa:"\\f0c9"}} in {_theme.STYLESHEET} for every icon '
            f"of the pages. Received none for: {', '.join(undrawn)}. Has pydata-sphinx-theme "
            "changed how it draws icons? (book/_ext/ch3book/icons.py)",
            type="ch3book",
            subtype="icons",
        )
    points = icon_code_points(outdir, classes)
    key = hashlib.sha256(source + repr(points).encode()).hexdigest()[:20]
    folder = Path(app.doctreedir) / "ch3book-icons"
    cached = folder / f"{key}.woff2"
    if not cached.exists():
        from fontTools.ttLib import TTFont

        shutil.rmtree(folder, ignore_errors=True)  # the cut of earlier inputs goes
        folder.mkdir(parents=True)
        font = subset(TTFont(io.BytesIO(source), recalcTimestamp=False), points)
        font.flavor = "woff2"
        font.save(cached)
    shutil.copyfile(cached, outdir / _theme.ICON_FONT)


def register_filter(app) -> None:
    """``builder-inited``: make ``drop_icon_script`` available to the templates."""
    templates = getattr(app.builder, "templates", None)
    if templates is not None:
        templates.environment.filters["drop_icon_script"] = drop_icon_script


def setup_icons(app) -> None:
    app.connect("builder-inited", register_filter)
    app.connect("build-finished", subset_icon_font, priority=950)  # after the other writers

"""Exercises and their solutions (sphinx-exercise), labelled in zh-TW.

sphinx-exercise (Executable Books) provides ``{exercise}`` and the gated
``{solution-start}`` … ``{solution-end}``, between which a solution's code cells are
executed at build time like any other cell; ``:class: dropdown`` hides a solution until
the reader opens it. It ships translations of its labels ("Exercise", "Solution to")
for zh_CN but not for zh_TW, so this module adds a zh-TW message catalog for them.
"""

from __future__ import annotations

from pathlib import Path

#: sphinx-exercise's labels in zh-TW.
LABELS = {"Exercise": "練習", "Solution": "解答", "Solution to": "解答："}
CATALOG = "exercise"  # sphinx-exercise's message catalog name


def write_catalog(locale_dir: Path) -> None:
    """Compile the zh-TW catalog (a .mo file) into ``locale_dir`` if it is not there."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    target = locale_dir / "zh_TW" / "LC_MESSAGES" / f"{CATALOG}.mo"
    catalog = Catalog(locale="zh_TW", domain=CATALOG)
    for message, translation in LABELS.items():
        catalog.add(message, translation)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as handle:
        write_mo(handle, catalog)


def setup_exercises(app) -> None:
    """Load sphinx-exercise, then add the zh-TW labels to its message catalog."""
    app.setup_extension("sphinx_exercise")
    locale_dir = Path(app.doctreedir).parent / ".locale"
    write_catalog(locale_dir)
    app.add_message_catalog(CATALOG, str(locale_dir))

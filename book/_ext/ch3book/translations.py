"""zh-TW message catalogs for what other packages draw: the theme and sphinx-exercise.

pydata-sphinx-theme ships one catalog for Chinese, ``zh``, in Simplified Chinese, which
gettext falls back to for ``zh_TW``: every page said 跳转至主要内容, 回到顶部, 网页导航
(the landmarks a screen reader announces) and 亮色 / 暗色. sphinx-exercise has zh_CN only.
``locale/zh_TW/LC_MESSAGES/*.po`` hold their strings in Traditional Chinese as used in
Taiwan; the compiled ``.mo`` files beside them are committed, so that setting up the
extension writes nothing (``python book/_ext/ch3book/translations.py`` compiles them again,
and ``tests/test_ch3book.py`` fails until it has). ch3book is the first extension in
``conf.py``, so its ``sphinx`` catalog is registered before the theme's and gettext
consults it first.
"""

from __future__ import annotations

from pathlib import Path

LOCALE = Path(__file__).parent / "locale"
DOMAINS = ("sphinx", "exercise")  # the theme's (Sphinx's domain) and sphinx-exercise's


def catalog_path(domain: str, folder: Path = LOCALE, suffix: str = ".mo") -> Path:
    """Where the catalog of ``domain`` is in ``folder``."""
    return folder / "zh_TW" / "LC_MESSAGES" / f"{domain}{suffix}"


def read(domain: str):
    """The catalog of ``domain``, from its ``.po`` file (a Babel ``Catalog``)."""
    from babel.messages.pofile import read_po

    with catalog_path(domain, suffix=".po").open("rb") as po:
        return read_po(po, locale="zh_TW", domain=domain)


def messages(domain: str) -> dict[str, str]:
    """Each message of ``domain`` and its translation."""
    return {message.id: message.string for message in read(domain) if message.id}


THEME, EXERCISE = messages("sphinx"), messages("exercise")
CATALOGS = dict(zip(DOMAINS, (THEME, EXERCISE), strict=True))


def write_catalogs(folder: Path = LOCALE) -> None:
    """Compile every catalog into ``folder`` (``LOCALE``: the committed ones)."""
    from babel.messages.mofile import write_mo

    for domain in DOMAINS:
        path = catalog_path(domain, folder)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as mo:
            write_mo(mo, read(domain))


def register(app, domain: str) -> None:
    """Add the committed catalog of ``domain`` to Sphinx."""
    app.add_message_catalog(domain, str(LOCALE))


def setup_translations(app) -> None:
    """The theme's strings in zh-TW (called before the theme is set up)."""
    register(app, "sphinx")


if __name__ == "__main__":
    write_catalogs()
    print(f"wrote {', '.join(DOMAINS)} in {LOCALE}")

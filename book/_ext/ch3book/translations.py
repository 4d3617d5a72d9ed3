"""zh-TW message catalogs for what other packages draw: the theme and sphinx-exercise.

pydata-sphinx-theme ships one catalog for Chinese, ``zh``, in Simplified Chinese, which
gettext falls back to for ``zh_TW``: every page said 跳转至主要内容, 回到顶部, 网页导航
(the landmarks a screen reader announces) and 亮色 / 暗色. sphinx-exercise has zh_CN only.
``locale/zh_TW/LC_MESSAGES/*.po`` hold their strings in Traditional Chinese as used in
Taiwan; the compiled ``.mo`` files beside them are committed, so that setting up the
extension writes nothing (``python book/_ext/ch3book/translations.py`` compiles them again,
and ``tests/test_ch3book.py`` fails until it has). gettext consults Sphinx's own zh_TW
catalog first, then the others in the order they were added: this ``sphinx`` catalog
before the theme's, which Sphinx sets up with the builder, after every extension.
"""

from __future__ import annotations

from pathlib import Path

LOCALE = Path(__file__).parent / "locale"
DOMAINS = ("sphinx", "exercise")  # the theme's (Sphinx's domain) and sphinx-exercise's


def catalog_path(domain: str, suffix: str = ".mo") -> Path:
    """Where the committed catalog of ``domain`` is."""
    return LOCALE / "zh_TW" / "LC_MESSAGES" / f"{domain}{suffix}"


def read(domain: str):
    """The catalog of ``domain``, from its ``.po`` file (a Babel ``Catalog``)."""
    from babel.messages.pofile import read_po

    with catalog_path(domain, ".po").open("rb") as po:
        return read_po(po, locale="zh_TW", domain=domain)


#: Each domain's messages and their translations.
CATALOGS = {
    domain: {message.id: message.string for message in read(domain) if message.id}
    for domain in DOMAINS
}
THEME, EXERCISE = CATALOGS["sphinx"], CATALOGS["exercise"]


def register(app, domain: str) -> None:
    """Add the committed catalog of ``domain`` to Sphinx."""
    app.add_message_catalog(domain, str(LOCALE))


def setup_translations(app) -> None:
    register(app, "sphinx")


if __name__ == "__main__":  # compile every catalog
    from babel.messages.mofile import write_mo

    for domain in DOMAINS:
        with catalog_path(domain).open("wb") as mo:
            write_mo(mo, read(domain))
    print(f"wrote {', '.join(DOMAINS)} in {LOCALE}")

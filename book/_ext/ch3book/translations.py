"""zh-TW message catalogs for what other packages draw: the theme and sphinx-exercise.

pydata-sphinx-theme ships one catalog for Chinese, ``zh``, in Simplified Chinese, which
gettext falls back to for ``zh_TW``: every page said 跳转至主要内容, 回到顶部, 网页导航
(the landmarks a screen reader announces) and 亮色 / 暗色. sphinx-exercise has zh_CN only.
``locale/zh_TW/LC_MESSAGES/*.po`` hold their strings in Traditional Chinese as used in
Taiwan; the compiled ``.mo`` files beside them are committed, so that setting up the
extension writes nothing; ``tests/test_ch3book.py`` fails until Babel has compiled them again:
``.venv/bin/pybabel compile -d book/_ext/ch3book/locale -D "sphinx exercise"``. gettext reads
Sphinx's own zh_TW catalog first, then the others in the order they were added: this ``sphinx``
catalog before the theme's, which Sphinx sets up with the builder, after every extension.
"""

from __future__ import annotations

from pathlib import Path

LOCALE = Path(__file__).parent / "locale"
DOMAINS = ("sphinx", "exercise")  # the theme's (Sphinx's domain) and sphinx-exercise's


def catalog_path(domain: str, suffix: str = ".mo") -> Path:
    """Where the committed catalog of ``domain`` is."""
    return LOCALE / "zh_TW" / "LC_MESSAGES" / f"{domain}{suffix}"


def messages(domain: str) -> dict[str, str]:
    """The messages of ``domain`` and their translations, from its ``.po`` file (with Babel)."""
    from babel.messages.pofile import read_po

    with catalog_path(domain, ".po").open("rb") as po:
        catalog = read_po(po, locale="zh_TW", domain=domain)
    return {message.id: message.string for message in catalog if message.id}


CATALOGS = {domain: messages(domain) for domain in DOMAINS}
THEME, EXERCISE = CATALOGS["sphinx"], CATALOGS["exercise"]


def register(app, domain: str) -> None:
    """Add the committed catalog of ``domain`` to Sphinx."""
    app.add_message_catalog(domain, str(LOCALE))


def setup_translations(app) -> None:
    register(app, "sphinx")

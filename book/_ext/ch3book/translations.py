"""zh-TW message catalogs for what other packages draw: the theme and sphinx-exercise.

pydata-sphinx-theme (under sphinx-book-theme) ships one catalog for Chinese, ``zh``, in
Simplified Chinese; gettext falls back to it for ``zh_TW``. Without ``THEME`` every page
said 跳转至主要内容 (the skip link), 回到顶部 (the back-to-top button), 网页导航 and
当前页面 (the navigation landmarks a screen reader announces), 亮色 / 暗色 in the colour
switcher, and "Color mode" and "System Settings" in English. ``THEME`` is every string of
that catalog in Traditional Chinese, as used in Taiwan.

The catalogs are compiled into ``book/_ext/ch3book/locale`` and committed, so that setting
up the extension writes nothing: ``python book/_ext/ch3book/translations.py`` writes them
again after an edit here, and ``tests/test_ch3book.py`` fails until it has. ch3book is the
first extension in ``conf.py``, so its ``sphinx`` catalog is registered before the theme's
and gettext consults it first; Sphinx's own zh_TW catalog still comes before both. The
catalogs are in ``book/_ext``, whose hash (``book_build_fingerprint``) makes every page be
read and written again when they change. ``tests/test_site.py`` checks that no page shows a
string of the theme's ``zh`` catalog.

sphinx-exercise's labels ("Exercise", "Solution to") have a catalog of their own,
``exercise`` (``EXERCISE``; ``exercises.py`` explains).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

#: pydata-sphinx-theme's strings (its ``sphinx.pot``) in zh-TW. The two copyright lines
#: are left out: the theme's translation is the English text itself.
THEME = {
    "Click to expand": "展開",
    "Click to collapse": "收合",
    "Skip to main content": "跳到主要內容",
    "Back to top": "回到頂端",
    "Search": "搜尋",
    "Error": "錯誤",
    "Please activate JavaScript to enable the search functionality.": (
        "請啟用 JavaScript 才能使用搜尋功能。"
    ),
    "Breadcrumb": "導覽路徑",
    "Home": "首頁",
    "Edit on %(provider)s": "在 %(provider)s 上編輯",
    "Edit": "編輯",
    "Indices": "索引",
    "General Index": "總索引",
    "Global Module Index": "全域模組索引",
    "Python Module Index": "Python 模組索引",
    "Last updated on %(last_updated)s.": "最後更新於 %(last_updated)s。",
    "On this page": "本頁內容",
    "previous page": "上一頁",
    "previous": "上一頁",
    "next page": "下一頁",
    "next": "下一頁",
    "Collapse Sidebar": "收合側邊欄",
    "Expand Sidebar": "展開側邊欄",
    "Section Navigation": "章節導覽",
    "Show Source": "顯示原始碼",
    "Color mode": "色彩模式",
    "Light": "淺色",
    "Dark": "深色",
    "System Settings": "依系統設定",
    "Version warning": "版本警告",
    "Announcement": "公告",
    "Site navigation": "網站導覽",
}


#: sphinx-exercise's labels in zh-TW (its own catalog has zh_CN only).
EXERCISE = {"Exercise": "練習", "Solution": "解答", "Solution to": "解答："}
#: Each catalog: the gettext domain and its messages.
CATALOGS: dict[str, Mapping[str, str]] = {"sphinx": THEME, "exercise": EXERCISE}
LOCALE = Path(__file__).parent / "locale"


def compiled(domain: str, messages: Mapping[str, str]) -> bytes:
    """``messages`` as a zh_TW ``.mo`` file, the same bytes on every run."""
    import datetime
    import io

    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    fixed = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    catalog = Catalog(
        locale="zh_TW",
        domain=domain,
        project="ch3-book",
        version="1",
        creation_date=fixed,
        revision_date=fixed,
    )
    for message, translation in messages.items():
        catalog.add(message, translation)
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def catalog_path(domain: str, folder: Path = LOCALE) -> Path:
    """Where the ``.mo`` file of ``domain`` is in ``folder``."""
    return folder / "zh_TW" / "LC_MESSAGES" / f"{domain}.mo"


def write_catalogs(folder: Path = LOCALE) -> None:
    """Compile every catalog into ``folder`` (``LOCALE``: the committed ones)."""
    for domain, messages in CATALOGS.items():
        path = catalog_path(domain, folder)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(compiled(domain, messages))


def register(app, domain: str) -> None:
    """Add the committed catalog of ``domain`` to Sphinx."""
    app.add_message_catalog(domain, str(LOCALE))


def setup_translations(app) -> None:
    """The theme's strings in zh-TW (called before the theme is set up)."""
    register(app, "sphinx")


if __name__ == "__main__":
    write_catalogs()
    print(f"wrote {', '.join(CATALOGS)} in {LOCALE}")

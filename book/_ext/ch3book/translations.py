"""zh-TW message catalogs for what other packages draw: the theme and sphinx-exercise.

pydata-sphinx-theme (under sphinx-book-theme) ships one catalog for Chinese, ``zh``, in
Simplified Chinese; gettext falls back to it for ``zh_TW``. Without ``THEME`` every page
said 跳转至主要内容 (the skip link), 回到顶部 (the back-to-top button), 网页导航 and
当前页面 (the navigation landmarks a screen reader announces), 亮色 / 暗色 in the colour
switcher, and "Color mode" and "System Settings" in English. ``THEME`` is every string of
that catalog in Traditional Chinese, as used in Taiwan.

``setup_translations`` compiles the catalogs into ``_build/.locale`` and registers them.
ch3book is the first extension in ``conf.py``, so its ``sphinx`` catalog is registered
before the theme's and gettext consults it first; Sphinx's own zh_TW catalog still comes
before both. The catalogs are Python data in ``book/_ext``, whose hash
(``book_build_fingerprint``) makes every page be read and written again when they change.
``tests/test_site.py`` checks that no page shows a string of the theme's ``zh`` catalog.
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


def write_catalog(locale_dir: Path, domain: str, messages: Mapping[str, str]) -> None:
    """Compile ``messages`` into ``locale_dir/zh_TW/LC_MESSAGES/<domain>.mo``."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    target = locale_dir / "zh_TW" / "LC_MESSAGES" / f"{domain}.mo"
    catalog = Catalog(locale="zh_TW", domain=domain)
    for message, translation in messages.items():
        catalog.add(message, translation)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as handle:
        write_mo(handle, catalog)


def register(app, domain: str, messages: Mapping[str, str]) -> None:
    """Compile ``messages`` for ``domain`` beside the doctrees and add them to Sphinx."""
    locale_dir = Path(app.doctreedir).parent / ".locale"
    write_catalog(locale_dir, domain, messages)
    app.add_message_catalog(domain, str(locale_dir))


def setup_translations(app) -> None:
    """The theme's strings in zh-TW (called before the theme is set up)."""
    register(app, "sphinx", THEME)

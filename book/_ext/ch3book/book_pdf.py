"""The whole book's PDF in every page's download menu (made by ``make pdf``, tools/pdf.py).

sphinx-book-theme's download menu offers the page's sources and "print to PDF" (the
browser's print of one page). A lecturer handing out the chapter wants the whole book as
one file with bookmarks and page numbers: this adds 「整本書 .pdf」 to that menu, linking
``book_pdf`` (conf.py) at the site's root, and renames the theme's ".pdf" (which only opens
the browser's print dialog for this page) 「列印這一頁」, so that the two are not confused.
The home page links the PDF too (book/index.md).
"""


def add_book_pdf(app, pagename, templatename, context, doctree) -> None:
    """``html-page-context``, after the theme's buttons: one more entry in the download menu."""
    menus = [b for b in context.get("header_buttons", []) if b.get("label") == "download-buttons"]
    for menu in menus:  # none on a page without sources (search, 404) or in another theme
        for button in menu["buttons"]:
            if button.get("label") == "download-pdf-button":  # the theme's window.print()
                button.update(text="列印這一頁", tooltip="用瀏覽器列印這一頁", icon="fas fa-print")
        menu["buttons"].append(
            {
                "type": "link",
                "url": context["pathto"](app.config.book_pdf, 1),
                "text": "整本書 .pdf",
                "tooltip": "下載整本書的 PDF（A4，含書籤與頁碼，講義用）",
                "icon": "fas fa-book",
                "label": "download-book-pdf-button",
            }
        )


def setup_book_pdf(app) -> None:
    app.add_config_value("book_pdf", "ch3-book.pdf", "html", types=(str,))
    app.connect("html-page-context", add_book_pdf, priority=503)  # the theme's runs at 501

"""The published address of anything on the site: the one place absolute URLs are made.

Readers' notebooks, lecture links and QR codes, link-preview cards, the sitemap, the
package index and the homework list all point at the published site, whose address is
``html_baseurl`` (``conf.py``; ``BOOK_BASE_URL`` for a fork or a local preview), with or
without its final slash.
"""

from __future__ import annotations


def site_url(config, path: str = "", anchor: str = "") -> str:
    """``<html_baseurl>/<path>`` and ``#<anchor>`` if given; the site's root without ``path``."""
    url = f"{config.html_baseurl.rstrip('/')}/{path}"
    return f"{url}#{anchor}" if anchor else url


def page_url(config, docname: str, anchor: str = "") -> str:
    """The published address of a page (``3-5-first-steps``), or of a section on it."""
    return site_url(config, f"{docname}.html", anchor)


def colab_url(config, path: str) -> str:
    """Where Colab opens the notebook ``path`` of the notebooks branch (Colab reads GitHub)."""
    repository, branch = config.book_repository, config.book_notebooks_branch
    return f"https://colab.research.google.com/github/{repository}/blob/{branch}/{path}"

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")  # before anything imports matplotlib

import ch3lib  # noqa: F401  (it sets TensorFlow's log level before TensorFlow loads)
from tools import layout
from tools.layout import CHROMIUM, CHROMIUM_ARGS
from tools.serve import base_url, serve


@pytest.fixture(scope="session")
def site() -> Path:
    """The built site of `make html` (or BOOK_SITE's, for `make mutants`)."""
    path = Path(os.environ.get("BOOK_SITE") or layout.SITE)
    if not (path / "index.html").exists():
        pytest.fail(f"{path} has no index.html: run `make html` before the site tests")
    return path


def soup(path: Path):
    """A published HTML file, parsed (bs4 is imported here: test-oldest's environment lacks it)."""
    from bs4 import BeautifulSoup

    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def squeeze(text: str) -> str:
    """Whitespace does not count: a page or a PDF may break a sentence around a link or code."""
    return re.sub(r"\s+", "", text)


def load_every_image(page) -> None:
    """Load the lazy images too (as a reader scrolling to the end would), then wait for them."""
    page.evaluate("document.querySelectorAll('img').forEach(i => (i.loading = 'eager'))")
    page.wait_for_function("[...document.images].every(i => i.complete)")


@pytest.fixture(scope="session")
def server(site):
    with serve(site, urlsplit(base_url(site)).path) as address:  # under /ch3-book/, as on Pages
        yield address


@pytest.fixture(scope="session")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    with playwright_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    yield ctx
    ctx.close()


@pytest.fixture
def new_page(browser):
    """``new_page(**options)``: a page in a new browser context; each closes after the test."""
    contexts = []

    def open_page(**options):
        contexts.append(browser.new_context(**options))
        return contexts[-1].new_page()

    yield open_page
    for ctx in contexts:
        ctx.close()


class Recorder:
    """Console errors, failed requests and requests to other hosts of one page."""

    def __init__(self, page, server):
        self.errors, self.failed, self.external = [], [], []
        host = urlsplit(server).netloc
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("requestfailed", lambda r: self.failed.append(r.url))
        page.on(
            "response",
            lambda r: r.status >= 400 and self.failed.append(f"{r.status} {r.url}"),
        )

        def route(r):
            if urlsplit(r.request.url).netloc != host and not r.request.url.startswith("data:"):
                self.external.append(r.request.url)
                return r.abort()
            return r.continue_()

        page.route("**/*", route)

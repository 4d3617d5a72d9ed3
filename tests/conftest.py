import contextlib
import functools
import http.server
import os
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")  # before anything imports matplotlib

from published import base_url

import ch3lib  # noqa: F401  (it sets TensorFlow's log level before TensorFlow loads)
from tools import layout


@pytest.fixture(scope="session")
def site() -> Path:
    """The built site; the site and browser tests run after `make html`."""
    if not (layout.SITE / "index.html").exists():
        pytest.fail(f"{layout.SITE} has no index.html: run `make html` before the site tests")
    return layout.SITE


#: Debian's Chromium by default; CHROMIUM names another Chromium-based browser (CI runners).
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class PrefixHandler(http.server.SimpleHTTPRequestHandler):
    """Serve the site under a path prefix, and 404.html for missing pages, like Pages does."""

    prefix = "/"

    def translate_path(self, path):
        path = unquote(urlsplit(path).path)
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / "__outside_the_site__")
        return super().translate_path("/" + path[len(self.prefix) :])

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code == 404 and page.exists():
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            super().send_error(code, message, explain)

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(directory: Path, prefix: str, port: int = 0):
    """Serve ``directory`` at ``http://127.0.0.1:<port><prefix>``; yield that address."""
    handler = functools.partial(
        type("Handler", (PrefixHandler,), {"prefix": prefix}), directory=str(directory)
    )
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}{prefix}"
    finally:
        httpd.shutdown()
        httpd.server_close()


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

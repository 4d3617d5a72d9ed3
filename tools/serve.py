"""Serve the built site the way GitHub Pages does: under a path prefix, gzip, 404.html.

Text is gzipped when the browser asks, images are sent as they are, a missing page gets
404.html: the site tests, the readers' notebook test and ``make lighthouse`` measure what a
student's phone downloads.

    python -m tools.serve            # http://127.0.0.1:8000/ch3-book/ until Ctrl-C
"""

import argparse
import contextlib
import gzip
import http.server
import io
import re
import threading
from pathlib import Path
from typing import ClassVar
from urllib.parse import unquote, urlsplit

#: Content types GitHub Pages sends gzipped.
COMPRESSED = ("text/", "application/javascript", "application/json", "image/svg+xml")


def base_url(site: Path) -> str:
    """The base URL the site was built for, read from the built home page's canonical link."""
    html = (Path(site) / "index.html").read_text(encoding="utf-8")
    canonical = re.search(r'<link rel="canonical" href="([^"]+)index\.html"', html)
    if not canonical:
        raise ValueError(
            f"Expected a canonical link (html_baseurl) in {site}/index.html. Received none."
        )
    return canonical.group(1)


def gzipped(data: bytes) -> bytes:
    """``data`` gzipped at level 6 with no timestamp: the same bytes on every call."""
    return gzip.compress(data, compresslevel=6, mtime=0)


def transfer_size(path: Path) -> int:
    """The bytes of ``path``'s response body from this server (and Pages): gzipped or not."""
    data = Path(path).read_bytes()
    compressed = PagesHandler.guess_type(PagesHandler, str(path)).startswith(COMPRESSED)
    return len(gzipped(data)) if compressed else len(data)


class PagesHandler(http.server.SimpleHTTPRequestHandler):
    """One request to the site: the prefix stripped, text gzipped, 404.html for what is missing."""

    prefix = "/"
    extensions_map: ClassVar[dict[str, str]] = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "application/javascript",
        ".mjs": "application/javascript",
    }

    def translate_path(self, path):
        path = unquote(urlsplit(path).path)
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / "__outside_the_site__")
        return super().translate_path("/" + path[len(self.prefix) :])

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        accepts_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        kind = self.guess_type(str(path))
        if not (accepts_gzip and path.is_file() and kind.startswith(COMPRESSED)):
            return super().send_head()
        body = gzipped(path.read_bytes())
        self.send_response(200)
        self.send_header("Content-Type", kind + ("; charset=utf-8" if "text" in kind else ""))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Cache-Control", "max-age=600")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)  # what do_GET copies to the client and closes

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code == 404 and page.exists():  # the body send_error fills in: the site's page as it is
            self.error_message_format = page.read_text(encoding="utf-8").replace("%", "%%")
        super().send_error(code, message, explain)

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(directory: Path, prefix: str | None = None, port: int = 0):
    """Serve ``directory`` at ``http://127.0.0.1:<port><prefix>``; yield that address. The
    prefix is by default the path of the base URL the site was built for, as on Pages."""
    if not Path(directory).is_dir():
        raise FileNotFoundError(f"Expected the built site's folder. Received: {directory}")
    prefix = urlsplit(base_url(directory)).path if prefix is None else prefix
    if not prefix.startswith("/") or not prefix.endswith("/"):
        raise ValueError(f"Expected a path prefix such as '/ch3-book/'. Received: {prefix!r}")
    handler = type("Handler", (PagesHandler,), {"prefix": prefix})
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", port), lambda *a: handler(*a, directory=str(directory))
    )
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}{prefix}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def main(argv: list[str] | None = None) -> None:
    from tools import layout

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--site", type=Path, default=layout.SITE)
    args = parser.parse_args(argv)
    with serve(args.site, port=args.port) as address:
        print(f"serving {args.site} at {address} (Ctrl-C stops)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()

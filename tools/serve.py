"""Serve the built site the way GitHub Pages does: under a path prefix, gzip, 404.html.

GitHub Pages compresses text (HTML, CSS, JavaScript, SVG, JSON, XML) with gzip when the
browser asks for it and serves images as they are; a missing page gets the site's 404.html.
The site tests, the readers' notebook test and ``make lighthouse`` use this server, so that
what they measure is what a student's phone downloads.

    python -m tools.serve            # http://127.0.0.1:8000/ch3-book/ until Ctrl-C
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import http.server
import re
import threading
from pathlib import Path
from typing import ClassVar
from urllib.parse import unquote, urlsplit

#: Content types GitHub Pages sends gzipped.
COMPRESSED = ("text/", "application/javascript", "application/json", "image/svg+xml")
COMPRESSED_EXTRA = {".js": "application/javascript", ".mjs": "application/javascript"}


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


def is_compressed(content_type: str) -> bool:
    """Whether GitHub Pages sends this type gzipped."""
    return content_type.startswith(COMPRESSED)


def transfer_size(path: Path) -> int:
    """The bytes of ``path``'s response body from this server (and Pages): gzipped or not."""
    kind = PagesHandler.guess_type(PagesHandler, str(path))
    data = Path(path).read_bytes()
    return len(gzipped(data)) if is_compressed(kind) else len(data)


class PagesHandler(http.server.SimpleHTTPRequestHandler):
    """One request to the site: the prefix stripped, text gzipped, 404.html for what is missing."""

    prefix = "/"
    extensions_map: ClassVar[dict[str, str]] = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        **COMPRESSED_EXTRA,
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
        if not (accepts_gzip and path.is_file() and is_compressed(kind)):
            return super().send_head()
        body = gzipped(path.read_bytes())
        self.send_response(200)
        self.send_header("Content-Type", kind + ("; charset=utf-8" if "text" in kind else ""))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Cache-Control", "max-age=600")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return _Body(body)

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code == 404 and page.exists():
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        else:
            super().send_error(code, message, explain)

    def log_message(self, *args):
        pass


class _Body:
    """A gzipped body in the shape ``SimpleHTTPRequestHandler.copyfile`` reads."""

    def __init__(self, data: bytes):
        self.data = data

    def read(self, size: int = -1) -> bytes:
        data, self.data = (self.data, b"") if size < 0 else (self.data[:size], self.data[size:])
        return data

    def close(self) -> None:
        pass


@contextlib.contextmanager
def serve(directory: Path, prefix: str, port: int = 0):
    """Serve ``directory`` at ``http://127.0.0.1:<port><prefix>``; yield that address."""
    if not prefix.startswith("/") or not prefix.endswith("/"):
        raise ValueError(f"Expected a path prefix such as '/ch3-book/'. Received: {prefix!r}")
    if not Path(directory).is_dir():
        raise FileNotFoundError(f"Expected the built site's folder. Received: {directory}")
    handler = type("Handler", (PagesHandler,), {"prefix": prefix})
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", port), lambda *a: handler(*a, directory=str(directory))
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
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
    with serve(args.site, urlsplit(base_url(args.site)).path, args.port) as address:
        print(f"serving {args.site} at {address} (Ctrl-C stops)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()

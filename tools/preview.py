"""``make preview``: the book at http://127.0.0.1:8000/, rebuilt and reloaded after every edit.

sphinx-autobuild watches ``book/``, ``src/ch3lib/`` and ``conf.py``, serves ``_build/html``
and tells the open pages to reload when a build has finished. Each build is
``tools.build.build()``, the function behind ``make html``, so the preview shows exactly
what ``make html`` publishes. Two things make it fast:

- sphinx-autobuild starts ``python -m sphinx`` for every change, which spends about a
  second importing Sphinx, MyST-NB and the theme. Here the server imports them once, and
  every build runs in a fork of it: a fresh process, with nothing from the previous build,
  that starts at the build itself. (The book's extension, ``book/_ext/ch3book``, is not
  imported in advance, so an edit to it takes effect at the next build.)
- A code edit re-executes its page, and a new kernel spends ~3.5 s importing TensorFlow.
  The server keeps a *kernel zygote* (``book/_ext/ch3book/zygote.py``) for the whole
  session: a process that has imported ch3lib (and so TensorFlow) and nothing else, from
  which every executed page gets a fresh kernel by ``fork()`` in a fraction of a second.

Both need ``fork``, which is safe on Linux only (``zygote.forks_safely``). Elsewhere, or
with ``BOOK_KERNELS=spawn``, every build is ``python -m tools.build`` and every executed
page a new kernel process: slower, the same pages.

Usage: ``python -m tools.preview [--port 8000] [--host 127.0.0.1]``.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.metadata
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from tools import build, layout

#: Imported once by the server, so that no forked build spends time importing them.
PRELOADED = (
    "sphinx.cmd.build",
    "sphinx.application",
    "sphinx.builders.html",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "docutils.parsers.rst",
    "myst_parser",
    "myst_nb",
    "myst_nb.sphinx_ext",
    "sphinx_book_theme",
    "pydata_sphinx_theme",
    "sphinx_copybutton",
    "notfound.extension",
    "sphinx_reredirects",
    "segno",
    "sphinx.directives.code",
    "sphinx_exercise",
    "jupyter_cache",
    "nbclient",
    "nbformat",
    "jupyter_client",
)
#: sphinx-autobuild's server pieces are used directly, not through its command line.
AUTOBUILD_TESTED = ("2025.8.",)
WATCHED = (layout.BOOK, layout.LIBRARY, layout.ROOT / "conf.py")


def _zygote():
    """``ch3book.zygote``, and only it: the rest of the extension is read fresh by each build."""
    return layout.book_extension("zygote")


class Rebuild:
    """sphinx-autobuild's change callback: one ``make html`` build, in a fork of the server.

    A top-level class, because sphinx-autobuild runs the callback in a process pool, which
    pickles it.
    """

    def __call__(self, *, changed_paths: Sequence[Path] = ()) -> None:
        names = ", ".join(sorted({p.name for p in changed_paths})) or "first build"
        print(f"preview: building ({names})", flush=True)
        start = time.perf_counter()
        if _zygote().mode() == "spawn":
            code = subprocess.run([sys.executable, "-m", "tools.build"], check=False).returncode
            result = "done" if code == 0 else "FAILED (see above)"
            print(f"preview: build {result} in {time.perf_counter() - start:.1f} s", flush=True)
            return
        pid = os.fork()
        if pid == 0:  # the build: a fresh process with everything imported
            status = 1
            try:
                for name in [m for m in sys.modules if m.split(".")[0] == "ch3book"]:
                    del sys.modules[name]  # the extension as it is now on disk
                status = build.build()
            finally:
                sys.stdout.flush()
                os._exit(status)
        _, status = os.waitpid(pid, 0)
        seconds = time.perf_counter() - start
        result = "done" if os.waitstatus_to_exitcode(status) == 0 else "FAILED (see above)"
        print(f"preview: build {result} in {seconds:.1f} s", flush=True)


def check_autobuild() -> None:
    version = importlib.metadata.version("sphinx-autobuild")
    if not version.startswith(AUTOBUILD_TESTED):
        raise SystemExit(
            "tools/preview.py uses sphinx-autobuild's server classes, tested with "
            f"sphinx-autobuild {' or '.join(v + 'x' for v in AUTOBUILD_TESTED)}. "
            f"Received: sphinx-autobuild {version}."
        )


def create_app(url_host: str):
    """The ASGI app: the site, the reload script in every page, the rebuild watcher."""
    from sphinx_autobuild.filter import IgnoreFilter
    from sphinx_autobuild.middleware import JavascriptInjectorMiddleware
    from sphinx_autobuild.server import RebuildServer
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.routing import Mount, WebSocketRoute
    from starlette.staticfiles import StaticFiles

    ignore = IgnoreFilter(
        [layout.BUILD, layout.ROOT / ".venv"],
        [r"__pycache__", r"\.ipynb_checkpoints", r"\.sw[px]$", r"~$", r"/\.#"],
    )
    watcher = RebuildServer(list(WATCHED), ignore, change_callback=Rebuild())
    return Starlette(
        routes=[
            WebSocketRoute("/websocket-reload", watcher, name="reload"),
            Mount("/", app=StaticFiles(directory=layout.SITE, html=True), name="static"),
        ],
        middleware=[Middleware(JavascriptInjectorMiddleware, ws_url=url_host)],
        lifespan=watcher.lifespan,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    check_autobuild()
    import uvicorn

    for module in PRELOADED:
        importlib.import_module(module)
    zygote = _zygote()
    with zygote.start() if zygote.mode() == "zygote" else contextlib.nullcontext() as path:
        if path:
            os.environ[zygote.ENV] = path
        Rebuild()()
        if not layout.SITE.exists():
            return 1
        url_host = f"{args.host}:{args.port}"
        print(f"preview: serving http://{url_host}/ (Ctrl+C stops)", flush=True)
        uvicorn.run(create_app(url_host), host=args.host, port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())

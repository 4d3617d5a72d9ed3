"""The site is also a package index, and the readers install ch3lib from it by hash.

On ``build-finished``, ch3lib's wheel and sdist go under ``simple/ch3lib/`` with the two pages
of a PEP 503 index (no stock extension publishes one); ``{pip-install}`` shows the command.
Readers install ``requirement``, the site's wheel by URL and hash, in one ``pip install``. Not
``--extra-index-url``: pip takes the best candidate of the site and PyPI, so a ``ch3lib`` on
PyPI with a build tag would win (dependency confusion, ``tests/test_reader.py``); nor
``--index-url --no-deps`` and a second install, which can leave half an environment offline
and trusts an unhashed index page. The hash is in every notebook, so the files depend on
``SOURCES`` only: setuptools' backend builds them in a copy dated ``EPOCH`` (not the last
commit), the sdist rewritten without clock, owner or name; they are cached by the sources'
hash in ``~/.cache/ch3-book/package/`` (``$XDG_CACHE_HOME``; ``CACHE_KEEP`` versions, kept by
``make clean``).
"""

from __future__ import annotations

import ast
import gzip
import hashlib
import html
import importlib.metadata
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from ch3book import urls

#: What the distributions are made from, relative to the repository root: not the book's
#: README (the long description is in ``pyproject.toml``).
SOURCES = ("pyproject.toml", "LICENSE", "src/ch3lib")
PROJECT = "ch3lib"
#: The date of every file in the wheel and sdist: 1980-01-01, the earliest a zip can hold.
EPOCH = 315_532_800
INDEX = "simple"  # the folder of the site that pip is pointed at
#: The cache is ``…/ch3-book/package``: the only folder whose contents are ever deleted here.
CACHE_PARTS = ("ch3-book", "package")
CACHE_KEEP = 8  # versions of the sources whose files stay in the cache


def library_version(root: Path) -> str:
    """``ch3lib.__version__``, read from the source without importing it (or TensorFlow)."""
    path = root / "src" / PROJECT / "__init__.py"
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        match node:
            case ast.Assign(targets=[ast.Name(id="__version__")], value=ast.Constant(value=value)):
                return str(value)
    raise ValueError(f'{path} has no `__version__ = "…"` line; expected one, as a string')


def _source_files(root: Path) -> list[Path]:
    files = []
    for name in SOURCES:
        path = root / name
        found = sorted(path.rglob("*")) if path.is_dir() else [path]
        files += [p for p in found if p.is_file() and "__pycache__" not in p.parts]
    return files


def sources_digest(root: Path, epoch: int = EPOCH) -> str:
    """Hash of everything the distributions are made from, the backend's version included."""
    backend = importlib.metadata.version("setuptools")
    digest = hashlib.sha256(f"{epoch}\0{sys.version_info[:2]}\0{backend}\0".encode())
    for path in _source_files(root):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def normalize_sdist(path: Path, epoch: int) -> None:
    """Rewrite a ``.tar.gz`` with sorted members, the source date, no owner, clock or name."""
    with (
        tarfile.open(fileobj=io.BytesIO(path.read_bytes()), mode="r:gz") as tar,
        path.open("wb") as file,
        gzip.GzipFile(filename="", mode="wb", fileobj=file, mtime=0) as compressed,
        tarfile.open(fileobj=compressed, mode="w", format=tarfile.PAX_FORMAT) as out,
    ):
        for member in sorted(tar.getmembers(), key=lambda member: member.name):
            content = tar.extractfile(member)
            member.mtime, member.uid, member.gid = epoch, 0, 0
            member.uname = member.gname = ""
            member.pax_headers = {}
            out.addfile(member, content)


def build_distributions(root: Path, out: Path, epoch: int = EPOCH) -> list[Path]:
    """Build the wheel and sdist of ch3lib into ``out``; return their paths."""
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ch3lib-dist-") as temporary:
        copy = Path(temporary, "src-copy")
        for path in _source_files(root):
            target = copy / path.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        for path in [*copy.rglob("*"), copy]:
            os.utime(path, (epoch, epoch))
        backend = (
            "import sys; from setuptools import build_meta as b; out = sys.argv[1]; "
            "b.build_wheel(out); b.build_sdist(out)"  # the backend rewrites sys.argv
        )
        result = subprocess.run(
            [sys.executable, "-c", backend, str(out)],
            cwd=copy,
            env={**os.environ, "SOURCE_DATE_EPOCH": str(epoch), "PYTHONHASHSEED": "0"},
            capture_output=True,
            text=True,
        )
    if result.returncode != 0:
        raise RuntimeError(f"building ch3lib's wheel and sdist failed:\n{result.stderr}")
    for sdist in out.glob("*.tar.gz"):
        normalize_sdist(sdist, epoch)
    return sorted(out.glob("*.whl")) + sorted(out.glob("*.tar.gz"))


def _page(title: str, links: list[tuple[str, str]]) -> str:
    anchors = "\n".join(
        f'    <a href="{html.escape(href)}">{html.escape(text)}</a><br>' for href, text in links
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n  <head>\n'
        '    <meta name="pypi:repository-version" content="1.0">\n'
        '    <meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"    <title>{html.escape(title)}</title>\n  </head>\n  <body>\n"
        f"{anchors}\n  </body>\n</html>\n"
    )


def write_index(files: list[Path], site: Path) -> None:
    """Publish ``files`` under ``<site>/simple/ch3lib/`` with the two PEP 503 pages."""
    index = site / INDEX
    shutil.rmtree(index, ignore_errors=True)
    project = index / PROJECT
    project.mkdir(parents=True)
    links = []
    for path in files:
        shutil.copyfile(path, project / path.name)
        sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
        links.append((f"{path.name}#sha256={sha256}", path.name))
    (project / "index.html").write_text(_page(f"Links for {PROJECT}", links), encoding="utf-8")
    (index / "index.html").write_text(
        _page("Simple index", [(f"{PROJECT}/", PROJECT)]), encoding="utf-8"
    )


def distributions(root: Path, cache: Path, epoch: int = EPOCH) -> list[Path]:
    """This version's wheel and sdist, from ``cache`` or built into it (see ``CACHE_PARTS``)."""
    if not (cache.is_absolute() and cache.parts[-2:] == CACHE_PARTS):
        raise ValueError(
            "book_package_cache must be an absolute path ending in "
            f"{'/'.join(CACHE_PARTS)!r}; received {str(cache)!r}"
        )
    folder = cache / sources_digest(root, epoch)
    files = sorted(folder.glob("*.whl")) + sorted(folder.glob("*.tar.gz"))
    if len(files) != 2:
        shutil.rmtree(folder, ignore_errors=True)  # an interrupted build's leftovers
        files = build_distributions(root, folder, epoch)
    os.utime(folder)  # used now
    entries = sorted(
        (p for p in cache.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True
    )
    for old in entries[CACHE_KEEP:]:
        shutil.rmtree(old, ignore_errors=True)
    return files


def published_files(app) -> list[Path]:
    """The wheel and sdist this build publishes: built once per build, or from the cache."""
    if getattr(app, "ch3book_distributions", None) is None:
        root, cache = app.config.book_package_root, app.config.book_package_cache
        app.ch3book_distributions = distributions(Path(root), Path(cache))
    return app.ch3book_distributions


def publish_index(app, exception) -> None:
    if exception is None and app.builder.format == "html" and app.config.book_package_root:
        write_index(published_files(app), Path(app.outdir))


def requirement(app) -> str:
    """``ch3lib @ <site>simple/ch3lib/<wheel>#sha256=<digest>``; "" if there is no package."""
    if not app.config.book_package_root:
        return ""
    (wheel,) = [path for path in published_files(app) if path.suffix == ".whl"]
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    url = urls.site_url(app.config, f"{INDEX}/{PROJECT}/{wheel.name}", f"sha256={digest}")
    return f"{PROJECT} @ {url}"


class pip_install(nodes.General, nodes.Element):  # noqa: N801  (docutils names nodes so)
    """Where ``{pip-install}`` shows the command; filled in when the page is resolved."""


class PipInstall(SphinxDirective):
    """``{pip-install}``: the command that installs this build's ch3lib from the site."""

    def run(self) -> list[nodes.Node]:
        return [pip_install()]  # the wheel's hash is known only once it is built


def fill_pip_install(app, doctree, docname) -> None:
    """``doctree-resolved``: each placeholder becomes a ``bash`` block of ``pip install``."""
    for node in list(doctree.findall(pip_install)):
        command = f'pip install "{requirement(app)}"'  # quoted: the requirement holds spaces
        node.replace_self(nodes.literal_block(command, command, language="bash"))


def setup_package_index(app) -> None:
    app.add_config_value("book_package_root", "", "", types=(str,))
    app.add_config_value("book_package_cache", "", "", types=(str,))
    app.add_node(pip_install)
    app.add_directive("pip-install", PipInstall)
    app.connect("doctree-resolved", fill_pip_install)
    app.connect("build-finished", publish_index)

"""Share a book's execution among machines: each executes some pages, one merges the caches.

``make html`` executes the pages whose code is not in the execution cache
(``_build/.jupyter_cache/<key>/``: a jupyter-cache, keyed inside on each page's code, and
by ``<key>`` on ch3lib, the packages that compute the outputs, Python, the platform and the
device; ``tools/build.py``). So a book too big for one machine's build can be executed in
shares, on several machines of the same kind (a GitHub Actions matrix, one job per
chapter), and built on one of them from the merged caches without executing anything:

    python -m tools.execution_cache execute 'book/4-*.md'   # a share, on each machine
    python -m tools.execution_cache folder                   # the cache to upload
    python -m tools.execution_cache merge DOWNLOADED ...     # on the machine that builds
    make html                                                # executes nothing

``execute`` runs the book's own executor (``book/_ext/ch3book/execution.py``: the same
kernels, settings and storage as ``make html``) on the pages matching the patterns, and
nothing else: it reads no page and writes no site. It fails, naming the page, if a page
fails. ``merge`` copies each execution of the given cache folders into this checkout's
cache (they must have been made under the same key: ``folder`` prints it).
``tests/test_rebuild.py`` checks that a book executed in two shares and built from the
merged caches executes nothing and is byte-identical to a book built on one machine.

Usage: ``python -m tools.execution_cache {execute PATTERN ...|merge FOLDER ...|folder}``.
"""

from __future__ import annotations

import argparse
import fnmatch
import io
import sys
import tempfile
from pathlib import Path

from tools import build, layout


def pages(patterns: list[str]) -> list[str]:
    """The book's pages (docnames) whose source path, relative to the repository, matches."""
    found = []
    for path in sorted(layout.BOOK.rglob("*.md")):
        name = path.relative_to(layout.ROOT).as_posix()
        if "_build" in path.parts or path.name == "CONVENTIONS.md":
            continue
        if any(fnmatch.fnmatch(name, pattern) for pattern in patterns):
            found.append(path.relative_to(layout.BOOK).with_suffix("").as_posix())
    return found


def plural(count: int) -> str:
    return f"{count} page{'s' if count != 1 else ''}"


def execute(patterns: list[str]) -> int:
    """Execute the matching pages that the cache lacks, with the book's executor."""
    from sphinx.application import Sphinx

    docnames = pages(patterns)
    if not docnames:
        print(
            "execution_cache: expected patterns of pages such as 'book/3-5-*.md'; "
            f"{patterns} match none",
            file=sys.stderr,
        )
        return 2
    execution = layout.book_extension("execution")
    warnings = io.StringIO()
    with tempfile.TemporaryDirectory(prefix="ch3-execute-") as scratch:
        app = Sphinx(
            str(layout.BOOK),
            str(layout.ROOT),
            str(Path(scratch) / "out"),
            str(Path(scratch) / "doctrees"),
            "dummy",
            status=None,
            warning=warnings,
            freshenv=True,
        )
        print(f"execution_cache: executing what the cache lacks of {plural(len(docnames))}")
        executed, failed = execution.execute_now(
            app.env, docnames, lambda line: print(line.replace("make html:", "execution_cache:"))
        )
        if failed:
            sys.stderr.write(warnings.getvalue())
            print(
                f"execution_cache: {', '.join(failed)} failed (make html says which cell)",
                file=sys.stderr,
            )
            return 1
    print(f"execution_cache: {plural(executed)} executed, stored in {build.execution_cache()}")
    return 0


def merge(folders: list[Path]) -> int:
    """Copy every execution of ``folders`` (jupyter-caches) into this checkout's cache."""
    compat = layout.book_extension("_compat")
    target = build.execution_cache()
    target.mkdir(parents=True, exist_ok=True)
    for folder in folders:
        if not (folder / "global.db").is_file():
            print(
                f"execution_cache: expected a jupyter-cache folder (with global.db); "
                f"received {folder}",
                file=sys.stderr,
            )
            return 2
        if folder.name != target.name:
            print(
                f"execution_cache: {folder} was made under another key ({folder.name}, this "
                f"checkout's is {target.name}): other pins, Python, platform or ch3lib",
                file=sys.stderr,
            )
            return 2
    for folder in folders:
        print(f"execution_cache: {compat.copy_executions(folder, target)} from {folder}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.execution_cache")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("execute", help="execute a share of the pages").add_argument(
        "patterns", nargs="+", help="paths of pages, with wildcards: 'book/4-*.md'"
    )
    commands.add_parser("merge", help="merge other machines' caches").add_argument(
        "folders", nargs="+", type=Path
    )
    commands.add_parser("folder", help="print this checkout's execution cache folder")
    args = parser.parse_args(argv)
    if args.command == "execute":
        return execute(args.patterns)
    if args.command == "merge":
        return merge(args.folders)
    print(build.execution_cache())
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``make mutants``: each site-level check fails when the site it checks is broken.

Each check runs (``BOOK_SITE``, read by ``tests/conftest.py``) on an intact copy of
``_build/html``, which must pass, then on the copy broken the one way the check exists to
catch, which must fail; one line per check, non-zero exit if one passed. The build-level
checks' mutations need a build each: they are in the closing notes of their issues.

Usage: ``python -m tools.mutants [-k SUBSTRING]`` after ``make pdf`` (``make mutants``).
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from tools import layout
from tools.rebuild_check import replace

Mutation = Callable[[Path], None]

#: (the check, its test in tests/ with an optional " -k expression", the mutation), in order.
MUTANTS: list[tuple[str, str, Mutation]] = []


def mutant(check: str, test: str) -> Callable[[Mutation], Mutation]:
    """Register the decorated function as the breakage that ``test`` must catch."""

    def register(mutate: Mutation) -> Mutation:
        MUTANTS.append((check, test, mutate))
        return mutate

    return register


def rewrite_search_file(path: Path, what: str, change: Callable) -> None:
    """``window.BookSearch.store("…", data);`` with ``data`` replaced by ``change(data)``."""
    text = path.read_text(encoding="utf-8")
    match = re.fullmatch(r'(window\.BookSearch\.store\("[^"]+",)(.*)(\);\n?)', text, re.S)
    if match is None:
        raise SystemExit(f"mutants: {path} is not {what} as expected")
    data = json.dumps(change(json.loads(match.group(2))), ensure_ascii=False)
    path.write_text(match.group(1) + data + match.group(3), "utf-8")


@mutant("URL list", "test_urls.py::test_every_published_url_still_resolves")
def drop_anchor(site: Path) -> None:
    """A section's anchor disappears (a label renamed with no redirect)."""
    replace(site / "3-5-first-steps.html", 'id="sec-3-5-3"', 'id="sec-3-5-3-renamed"')


@mutant("byte budgets", "test_budgets.py::test_every_page_first_visit_is_within_its_byte_budgets")
def add_icon_script(site: Path) -> None:
    """The theme's 1.5 MB icon script is back on a page."""
    script = '<script src="_static/scripts/fontawesome.js"></script></head>'
    replace(site / "3-1-tensorflow.html", "</head>", script)


@mutant("search ranking", "test_search.py::test_every_heading_finds_its_section")
def scramble_search_index(site: Path) -> None:
    """Every token of the search index points at the first section."""
    for shard in (site / "_static" / "search").glob("terms-*.js"):
        rewrite_search_file(shard, "a search shard", lambda terms: {t: [[0, 1]] for t in terms})


@mutant(
    "glossary search",
    "test_search.py::test_every_glossary_term_finds_the_section_that_introduces_it",
)
def forget_introductions(site: Path) -> None:
    """The search no longer knows which section introduces each glossary term."""
    path = site / "_static" / "search" / "docs.js"
    rewrite_search_file(path, "the search's document list", lambda meta: {**meta, "introduces": {}})


@mutant("PDF bookmarks", "test_pdf.py::test_a_bookmark_per_section_and_subsection_in_order")
def drop_pdf_outline(site: Path) -> None:
    """The PDF loses its bookmarks."""
    from pypdf import PdfWriter

    path = site / layout.PDF_NAME
    writer = PdfWriter(clone_from=path)
    del writer.root_object["/Outlines"]
    writer.write(path)


@mutant("PDF fonts", "test_pdf.py::test_fonts_are_embedded_and_the_cjk_face_is_truetype")
def unembed_pdf_fonts(site: Path) -> None:
    """The PDF's fonts are referenced, not embedded (a reader without them sees tofu)."""
    from pypdf import PdfWriter
    from pypdf.generic import NameObject

    path = site / layout.PDF_NAME
    writer = PdfWriter(clone_from=path)
    for page in writer.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            for candidate in [font, *font.get("/DescendantFonts", [])]:
                descriptor = candidate.get_object().get("/FontDescriptor")
                if descriptor is not None:
                    for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                        descriptor.get_object().pop(NameObject(key), None)
    writer.write(path)


@mutant("axe", "test_browser.py::test_axe_core_finds_no_violation_on_any_page -k viewport1-light")
def drop_language(site: Path) -> None:
    """The home page no longer says its language (screen readers read zh-TW as English)."""
    replace(site / "index.html", '<html lang="zh-TW"', "<html")


@mutant("reader notebooks", "test_site.py::test_downloaded_notebook_reruns_in_jupyter")
def break_notebook(site: Path) -> None:
    """A reader's notebook trains with another learning rate than the page shows."""
    notebook = site / "_sources" / "3-5-first-steps.ipynb"
    replace(notebook, "learning_rate = 0.1", "learning_rate = 0.2")  # the first: a code cell's


@mutant("glued numbers", "test_site.py::test_glued_numbers_match_the_outputs_beside_them")
def change_glued_number(site: Path) -> None:
    """A number quoted in the prose is not the one the output beside it prints."""
    path = site / "3-5-first-steps.html"
    text = path.read_text(encoding="utf-8")
    mutated = re.sub(
        r'(<span class="pasted-text">)(\d+)\.(\d+)',
        lambda m: f"{m.group(1)}{int(m.group(2)) + 7}.{m.group(3)}",
        text,
        count=1,
    )
    if mutated == text:
        raise SystemExit(f"mutants: no glued number in {path}")
    path.write_text(mutated, encoding="utf-8")


def run_check(test: str, site: Path) -> int:
    """pytest's exit status for ``test`` run against ``site``."""
    command = [sys.executable, "-m", "pytest", "-p", "no:cov", "-q", "-x", *f"tests/{test}".split()]
    env = {**os.environ, "BOOK_SITE": str(site)}
    done = subprocess.run(command, cwd=layout.ROOT, env=env, capture_output=True, text=True)
    if done.returncode not in (0, 1):  # 2–5: interrupted, usage error, nothing collected
        sys.stdout.write(done.stdout[-3000:] + done.stderr[-3000:])
        raise SystemExit(f"mutants: pytest could not run tests/{test} (exit {done.returncode})")
    return done.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", default="", help="only the checks whose name contains this")
    args = parser.parse_args(argv)
    if not (layout.SITE / layout.PDF_NAME).is_file():
        raise SystemExit(f"mutants: {layout.SITE / layout.PDF_NAME} is missing: run make pdf")
    survived = []
    selected = [m for m in MUTANTS if args.k in m[0]]
    with tempfile.TemporaryDirectory(prefix="ch3-mutants-") as tmp:
        for check, test, mutate in selected:
            site = Path(tmp) / "html"
            shutil.rmtree(site, ignore_errors=True)
            shutil.copytree(layout.SITE, site)
            intact = run_check(test, site)
            mutate(site)
            broken = run_check(test, site)
            caught = intact == 0 and broken == 1
            verdict = "caught" if caught else "NOT CAUGHT"
            if intact != 0:
                verdict += " (the check fails on the intact site too)"
            print(f"{check:<18} {mutate.__doc__:<88} {verdict}", flush=True)
            if not caught:
                survived.append(check)
    caught = len(selected) - len(survived)
    print(f"mutants: {caught} of {len(selected)} checks failed on their broken site", end="")
    print(f"; not caught: {', '.join(survived)}" if survived else "")
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())

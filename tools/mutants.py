"""``make mutants``: each site-level check fails when the site it checks is broken.

Each check runs (``BOOK_SITE``, read by ``tests/conftest.py``) on an intact copy of
``_build/html``, which must pass, then on the copy broken the one way the check exists to
catch, which must fail; one line per check, non-zero exit if one passed. The build-level
checks' mutations need a build each: they are in the closing notes of their issues.

Usage: ``python -m tools.mutants [-k SUBSTRING]`` after ``make pdf`` (``make mutants``).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from tools import layout

Mutation = Callable[[Path], None]
#: A search shard's list of (section, count) pairs for one token.
POSTINGS = re.compile(r"\[\[\d+,\d+\](?:,\[\d+,\d+\])*\]")


def replacing(path: str, old: str, new: str) -> Mutation:
    """The mutation that replaces every ``old`` in the site's file ``path`` by ``new``; in the
    PDF too, whose objects are not compressed: a ``new`` of ``old``'s length keeps its offsets."""

    def mutate(site: Path) -> None:
        data = (site / path).read_bytes()
        if old.encode() not in data:
            raise SystemExit(f"mutants: expected {old!r} in {site / path}; received none")
        (site / path).write_bytes(data.replace(old.encode(), new.encode()))

    return mutate


def point_every_token_at_the_first_section(site: Path) -> None:
    for shard in (site / "_static" / "search").glob("terms-*.js"):
        text, found = POSTINGS.subn("[[0,1]]", shard.read_text(encoding="utf-8"))
        if not found:
            raise SystemExit(f"mutants: expected a token's sections in {shard}; received none")
        shard.write_text(text, encoding="utf-8")


#: (the check, its test in tests/ with an optional " -k expression", the breakage it must
#: catch, the mutation), in order.
MUTANTS: list[tuple[str, str, str, Mutation]] = [
    (
        "URL list",
        "test_urls.py::test_every_published_url_still_resolves",
        "A section's anchor disappears (a label renamed with no redirect).",
        replacing("3-5-first-steps.html", 'id="sec-3-5-3"', 'id="sec-3-5-3-renamed"'),
    ),
    (
        "byte budgets",
        "test_budgets.py::test_every_page_first_visit_is_within_its_byte_budgets",
        "The theme's 1.5 MB icon script is back on a page.",
        replacing(
            "3-1-tensorflow.html",
            "</head>",
            '<script src="_static/scripts/fontawesome.js"></script></head>',
        ),
    ),
    (
        "search ranking",
        "test_search.py::test_every_heading_finds_its_section",
        "Every token of the search index points at the first section.",
        point_every_token_at_the_first_section,
    ),
    (
        "glossary search",
        "test_search.py::test_every_glossary_term_finds_the_section_that_introduces_it",
        "The search no longer knows which section introduces each glossary term.",
        # An empty map; the old one under a name the search does not read.
        replacing("_static/search/docs.js", '"introduces":{', '"introduces":{},"unused":{'),
    ),
    (
        "PDF bookmarks",
        "test_pdf.py::test_a_bookmark_per_section_and_subsection_in_order",
        "The PDF loses its bookmarks.",
        replacing(layout.PDF_NAME, "/Outlines", "/Outlinez"),
    ),
    (
        "PDF fonts",
        "test_pdf.py::test_fonts_are_embedded_and_the_cjk_face_is_truetype",
        "The PDF's fonts are referenced, not embedded (a reader without them sees tofu).",
        replacing(layout.PDF_NAME, "/FontFile2", "/FontFileX"),
    ),
    (
        "axe",
        "test_browser.py::test_axe_core_finds_no_violation_on_any_page -k viewport1-light",
        "The home page no longer says its language (screen readers read zh-TW as English).",
        replacing("index.html", '<html lang="zh-TW"', "<html"),
    ),
    (
        "reader notebooks",
        "test_site.py::test_downloaded_notebook_reruns_in_jupyter",
        "A reader's notebook trains with another learning rate than the page shows.",
        replacing("_sources/3-5-first-steps.ipynb", "learning_rate = 0.1", "learning_rate = 0.2"),
    ),
    (
        "glued numbers",
        "test_site.py::test_glued_numbers_match_the_outputs_beside_them",
        "A number quoted in the prose is not the one the output beside it prints.",
        replacing("3-5-first-steps.html", ">9.8</span>", ">8.9</span>"),  # the acceleration
    ),
]


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
        for check, test, breakage, mutate in selected:
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
            print(f"{check:<18} {breakage:<88} {verdict}", flush=True)
            if not caught:
                survived.append(check)
    caught = len(selected) - len(survived)
    print(f"mutants: {caught} of {len(selected)} checks failed on their broken site", end="")
    print(f"; not caught: {', '.join(survived)}" if survived else "")
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())

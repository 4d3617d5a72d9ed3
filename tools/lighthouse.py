"""``make lighthouse``: Lighthouse (mobile, default throttling) on every page of the built site.

The site is served the way GitHub Pages serves it (``tools/serve.py``: gzip, under the base
URL's path) and each page is audited by Lighthouse 12 (npm, pinned in
``tools/lighthouse/package.json``) driving Debian's Chromium. Prints one row per page and
a summary line; the reports are kept in ``_build/lighthouse/<page>.json``.

A benchmark, not a test: scores move with the machine's load, so it never fails on a
score, only on an error. The byte budgets it reports are asserted, deterministically, by
``tests/test_budgets.py``.

Targets (issue 10): performance ≥ 90; accessibility, best practices and SEO 100.

``--one-qr-view`` audits one of the lecture-hall QR views (``qr/sec-*.html``) instead of all
of them: they are one template with a different code and title, two-thirds of the pages
and of the time (about 11 s a page). CI runs it that way; ``make lighthouse`` audits all.

    python -m tools.lighthouse [--runs 3] [--one-qr-view] [PAGE ...]   # PAGE: 3-5-first-steps.html
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from tools import layout
from tools.serve import base_url, serve

LIGHTHOUSE = layout.ROOT / "tools" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
REPORTS = layout.BUILD / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGETS = {"performance": 90, "accessibility": 100, "best-practices": 100, "seo": 100}


def site_pages(site: Path) -> list[str]:
    """Every page a reader can open: the site's HTML minus redirects and the package index."""
    pages = []
    for path in sorted(site.rglob("*.html")):
        relative = path.relative_to(site).as_posix()
        if relative.startswith(("_static/", "simple/")):
            continue
        if 'http-equiv="refresh"' in path.read_text(encoding="utf-8")[:2000]:
            continue
        pages.append(relative)
    return pages


def repeated_qr_views(pages: list[str]) -> list[str]:
    """The QR views of sections (``qr/sec-*.html``) in ``pages`` but the first."""
    return [page for page in pages if page.startswith("qr/sec-")][1:]


def audit(url: str, report: Path) -> dict:
    """One Lighthouse run of ``url``; its JSON report, also written to ``report``."""
    if not LIGHTHOUSE.exists():
        raise FileNotFoundError(
            f"Expected Lighthouse at {LIGHTHOUSE}. Received no such file: run `make lighthouse`, "
            "which installs it with npm."
        )
    report.parent.mkdir(parents=True, exist_ok=True)
    command = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={report}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
    ]
    subprocess.run(command, check=True, env={**os.environ, "CHROME_PATH": layout.CHROMIUM})
    return json.loads(report.read_text(encoding="utf-8"))


def summarise(report: dict) -> dict[str, float]:
    """The scores (0–100) and the figures behind the performance score."""
    audits = report["audits"]
    row = {name: round(report["categories"][name]["score"] * 100) for name in CATEGORIES}
    row["FCP s"] = audits["first-contentful-paint"]["numericValue"] / 1000
    row["LCP s"] = audits["largest-contentful-paint"]["numericValue"] / 1000
    row["TBT ms"] = audits["total-blocking-time"]["numericValue"]
    row["CLS"] = audits["cumulative-layout-shift"]["numericValue"]
    row["KiB"] = audits["total-byte-weight"]["numericValue"] / 1024
    return row


def median_row(rows: list[dict[str, float]]) -> dict[str, float]:
    """Per column, the median of several runs (the performance score varies most)."""
    return {key: statistics.median(row[key] for row in rows) for key in rows[0]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", help="pages to audit (default: every page)")
    parser.add_argument("--runs", type=int, default=1, help="runs per page; the median is shown")
    parser.add_argument("--site", type=Path, default=layout.SITE)
    parser.add_argument(
        "--one-qr-view",
        action="store_true",
        help="audit one QR view of a section, not all of them (one template)",
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error(f"--runs: expected a whole number ≥ 1; received {args.runs}")
    if not (args.site / "index.html").exists():
        parser.error(f"expected a built site in {args.site}; received none: run `make html`")
    every_page = site_pages(args.site)
    unknown = [page for page in args.pages if page not in every_page]
    if unknown:
        parser.error(f"expected pages of the site ({', '.join(every_page)}); received {unknown}")
    pages = args.pages or every_page
    if args.one_qr_view and (skipped := repeated_qr_views(pages)):
        pages = [page for page in pages if page not in skipped]
        print(f"--one-qr-view: {len(skipped)} more QR views, from the same template, not audited")

    header = f"{'page':<34}{'perf':>5}{'a11y':>5}{'BP':>5}{'SEO':>5}"
    header += f"{'FCP s':>7}{'LCP s':>7}{'TBT ms':>8}{'CLS':>7}{'KiB':>7}"
    print(header, flush=True)
    met = 0
    with serve(args.site, urlsplit(base_url(args.site)).path) as address:
        for page in pages:
            name = page.removesuffix(".html").replace("/", "--")
            rows = [
                summarise(audit(address + page, REPORTS / f"{name}-{run}.json"))
                for run in range(args.runs)
            ]
            row = median_row(rows)
            ok = all(row[name] >= target for name, target in TARGETS.items())
            met += ok
            print(
                f"{page:<34}{row['performance']:>5.0f}{row['accessibility']:>5.0f}"
                f"{row['best-practices']:>5.0f}{row['seo']:>5.0f}{row['FCP s']:>7.1f}"
                f"{row['LCP s']:>7.1f}{row['TBT ms']:>8.0f}{row['CLS']:>7.3f}{row['KiB']:>7.0f}"
                + ("" if ok else "  below target"),
                flush=True,
            )
    print(
        f"lighthouse: {met} of {len(pages)} pages met every target "
        f"(performance ≥ 90; accessibility, best practices, SEO 100; median of {args.runs})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

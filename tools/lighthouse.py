"""``make lighthouse``: Lighthouse (mobile, default throttling) on every page of the built site.

Lighthouse 12 (npm, ``tools/lighthouse/package.json``) drives Debian's Chromium on the site
served as Pages serves it (``tools/serve.py``); one row per page, reports in ``_build/lighthouse``.
Targets (issue 10): performance ≥ 90, the rest 100. A benchmark: scores move with the load, so
it fails only on an error (``tests/test_budgets.py`` asserts the byte budgets). CI audits one
page per template.

    python -m tools.lighthouse [--runs 3] [PAGE ...]   # PAGE: 3-5-first-steps.html
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from tools import layout
from tools.serve import serve

LIGHTHOUSE = layout.ROOT / "tools" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
REPORTS = layout.BUILD / "lighthouse"
TARGETS = {"performance": 90, "accessibility": 100, "best-practices": 100, "seo": 100}


def site_pages(site: Path) -> list[str]:
    """Every page a reader can open: the site's HTML minus redirects and the package index."""
    pages = [path.relative_to(site).as_posix() for path in sorted(site.rglob("*.html"))]
    return [
        page
        for page in pages
        if not page.startswith(("_static/", "simple/"))
        and 'http-equiv="refresh"' not in (site / page).read_text(encoding="utf-8")[:2000]
    ]


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
        f"--only-categories={','.join(TARGETS)}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
    ]
    subprocess.run(command, check=True, env={**os.environ, "CHROME_PATH": layout.CHROMIUM})
    return json.loads(report.read_text(encoding="utf-8"))


def summarise(report: dict) -> dict[str, float]:
    """The scores (0–100) and the figures behind the performance score."""
    audits = report["audits"]
    row = {name: round(report["categories"][name]["score"] * 100) for name in TARGETS}
    row["FCP s"] = audits["first-contentful-paint"]["numericValue"] / 1000
    row["LCP s"] = audits["largest-contentful-paint"]["numericValue"] / 1000
    row["TBT ms"] = audits["total-blocking-time"]["numericValue"]
    row["CLS"] = audits["cumulative-layout-shift"]["numericValue"]
    row["KiB"] = audits["total-byte-weight"]["numericValue"] / 1024
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", help="pages to audit (default: every page)")
    parser.add_argument("--runs", type=int, default=1, help="runs per page; the median is shown")
    parser.add_argument("--site", type=Path, default=layout.SITE)
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

    print(f"{'page':<34} perf a11y   BP  SEO  FCP s  LCP s  TBT ms    CLS    KiB", flush=True)
    met = 0
    with serve(args.site) as address:
        for page in pages:
            name = page.removesuffix(".html").replace("/", "--")
            runs = [
                summarise(audit(address + page, REPORTS / f"{name}-{run}.json"))
                for run in range(args.runs)
            ]
            row = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
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

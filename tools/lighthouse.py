"""``make lighthouse``: Lighthouse (mobile, default throttling) on every page of the built site.

Lighthouse 12 (npm, ``tools/lighthouse/package.json``) drives Debian's Chromium on the site
served as Pages serves it (``tools/serve.py``); one row per page, reports in ``_build/lighthouse``.
Targets (issue 10): performance ≥ 90, the rest 100. A benchmark: scores move with the load, so
it fails only on an error (``tests/test_budgets.py`` asserts the byte budgets). CI audits one
page per template.

    python -m tools.lighthouse [--site SITE] [PAGE ...]   # PAGE: 3-5-first-steps.html
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from tools import layout
from tools.published_urls import site_pages
from tools.serve import serve

LIGHTHOUSE = layout.ROOT / "tools" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
REPORTS = layout.BUILD / "lighthouse"
TARGETS = {"performance": 90, "accessibility": 100, "best-practices": 100, "seo": 100}


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
    parser.add_argument("--site", type=Path, default=layout.SITE)
    args = parser.parse_args(argv)
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
            report = REPORTS / f"{page.removesuffix('.html').replace('/', '--')}.json"
            row = summarise(audit(address + page, report))
            ok = all(row[name] >= target for name, target in TARGETS.items())
            met += ok
            scores = "".join(f"{row[name]:>5.0f}" for name in TARGETS)
            print(
                f"{page:<34}{scores}{row['FCP s']:>7.1f}{row['LCP s']:>7.1f}"
                f"{row['TBT ms']:>8.0f}{row['CLS']:>7.3f}{row['KiB']:>7.0f}"
                + ("" if ok else "  below target"),
                flush=True,
            )
    print(
        f"lighthouse: {met} of {len(pages)} pages met every target "
        f"(performance ≥ 90; accessibility, best practices, SEO 100)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

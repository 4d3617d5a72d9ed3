"""``make bench``: how fast and how truthful builds are, measured in one run.

Works on temporary copies of the repository (the working tree is never touched) with the
repository's .venv. Prints one line per measure, with its figure and its target, then a
summary line and the profile of a cold build. A benchmark, not a test: it never fails on
a slow figure, only on an error. Times on a shared machine are noisy: the ratios are
measured in the same run, and the edit timings are medians of three.

Measures:
  cold ÷ floor            cold ``make html`` ÷ every code cell run once in one process
  peak memory             of the whole process tree during a cold build
  no change               rebuild with nothing changed (Sphinx does not even start)
  prose edit              rebuild after a prose-only edit of one page (no kernel may start)
  code edit               rebuild after a code edit of one page (only that page executes)
  library edit            rebuild after a change in src/ch3lib (every notebook executes,
                          and the new library's output is on the page)
  identical cold builds   two cold builds publish byte-identical trees
  MyST-NB serial          a cold build with MyST-NB's own execution ("before" figure) ...
  same as MyST-NB         ... publishes the same tree as the parallel executor
  incremental = cold      per kind of edit: ``make html`` after the edit publishes what a
                          clean build of the same sources publishes
  preview: prose / code   ``make preview``: from saving an edit to the reloaded page in
                          Chromium showing it

Scale (``--scale``, also part of a full run): the six lessons copied nine times under
chapter numbers 4 to 12 (``add_chapters``: 60 pages, 40 of them executed) against the book
as it is (6 pages, 4 executed), each measured the same way: cold build ÷ its execution
floor, peak memory, no change, prose edit, code edit, title edit (every page rewritten),
library edit (every page executed), the search index's size and the bytes a query loads,
and ``make pdf``. Targets: cold ÷ floor ≤ 1.5 at 60 pages; a prose edit within 1.5× of
the six-page book's; memory ≤ 4 GiB; no step growing with the square of the page count
(with 10× the pages, a step taking more than 20× as long is reported).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psutil

from tools import build, layout, rebuild_check
from tools.rebuild_check import (
    build_env,
    free_port,
    make_workspace,
    replace,
    site,
    start_preview,
    tree_differences,
)

RESULTS: list[tuple[str, str, str, bool | None]] = []
PAGE = "book/3-5-first-steps.md"


def report(measure: str, figure: str, target: str, met: bool | None) -> None:
    """One line of the results; ``met`` is None where this machine cannot measure it."""
    RESULTS.append((measure, figure, target, met))
    verdict = "n/a" if met is None else "met" if met else "MISSED"
    print(f"{measure:<30} {figure:<40} target {target:<24} {verdict}", flush=True)


#: The executor's own record of what it runs (``execution.py``, printed by ``make html``).
EXECUTING = re.compile(r"^make html: executing (\d+) pages? on \d+ kernels?$", re.M)


class Monitor:
    """Sample a build's process tree every 0.25 s: MyST-NB's kernels and peak memory.

    The book's executor says how many pages it executes (``EXECUTING``); a kernel that
    MyST-NB starts itself (``BOOK_JOBS=0``, ``BOOK_EXECUTION=myst-nb``, a page the executor
    leaves to it) is a process of jupyter_client's launcher, seen here. Memory is PSS
    (shared pages, such as TensorFlow's libraries in every kernel, count once), which only
    Linux reports: elsewhere it is None, and the bench says "n/a". Reading it costs CPU,
    so timed runs do not ask for it.
    """

    def __init__(self, process: psutil.Popen, memory: bool):
        self.process, self.memory, self.kernels = process, memory, set()
        self.peak: int | None = 0 if memory and sys.platform.startswith("linux") else None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while self.process.poll() is None:
            try:
                tree = [self.process, *self.process.children(recursive=True)]
            except psutil.Error:
                tree = []
            total = 0
            for proc in tree:
                try:
                    if "ipykernel_launcher" in " ".join(proc.cmdline()):
                        self.kernels.add(proc.pid)
                    if self.peak is not None:
                        total += proc.memory_full_info().pss
                except psutil.Error:
                    pass
            if self.peak is not None:
                self.peak = max(self.peak, total)
            time.sleep(0.25)


@dataclass
class Build:
    """What one ``make html`` took: seconds, kernels started, peak memory (None: n/a)."""

    seconds: float
    kernels: int
    peak: int | None
    output: str


def timed_build(ws: Path, memory: bool = False, **env: str) -> Build:
    """``make html`` in a workspace, timed and watched."""
    start = time.perf_counter()
    process = psutil.Popen(
        ["make", "html"],
        cwd=ws,
        env=build_env(ws, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    monitor = Monitor(process, memory)
    output, _ = process.communicate()
    seconds = time.perf_counter() - start
    monitor.thread.join()
    text = output.decode(errors="replace")
    if process.returncode != 0:
        sys.stdout.write(text[-4000:])
        raise SystemExit(f"make html failed in {ws}")
    executed = sum(int(n) for n in EXECUTING.findall(text))
    return Build(seconds, executed + len(monitor.kernels), monitor.peak, text)


def median_of_three(ws: Path, change=None) -> tuple[float, list[Build]]:
    """Median time of three ``make html`` runs (each after ``change(n)`` if given), and
    the runs."""
    runs = []
    for number in range(3):
        if change is not None:
            change(number)
        runs.append(timed_build(ws))
    return statistics.median(r.seconds for r in runs), runs


def executions_since(ws: Path, since: datetime) -> int:
    """Pages executed (records the execution cache stored) since ``since`` (naive UTC)."""
    compat = layout.book_extension("_compat")
    cache = ws / layout.EXECUTION_CACHE.relative_to(layout.ROOT)
    return sum(
        created >= since
        for folder in cache.glob("*/")
        for created, _ in compat.stored_executions(folder)
    )


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def run_tool(ws: Path, module: str) -> str:
    """Run ``python -m module`` in this workspace; its output, or an error that shows it."""
    done = subprocess.run(
        [str(ws / ".venv" / "bin" / "python"), "-m", module],
        cwd=ws,
        env=build_env(ws),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"python -m {module} failed in {ws} (exit status {done.returncode}):\n"
            f"{done.stdout}{done.stderr}"
        )
    return done.stdout


def floor_seconds(ws: Path) -> float:
    """The execution floor (``tools/floor.py``) in this workspace."""
    return float(run_tool(ws, "tools.floor").strip().splitlines()[-1])


# -- One function per measure ----------------------------------------------------------------


def measure_memory(ws: Path) -> None:
    """A first cold build warms the OS caches and measures memory."""
    peak = timed_build(ws, memory=True).peak
    report(
        "peak memory (PSS)",
        "n/a (PSS is read on Linux only)" if peak is None else f"{peak / 2**30:.2f} GiB",
        "≤ 1.5 GB",
        None if peak is None else peak <= 1.5e9,
    )
    shutil.rmtree(ws / "_build")


def measure_cold_vs_floor(ws: Path) -> tuple[float, float]:
    cold = timed_build(ws).seconds
    floor = floor_seconds(ws)
    report(
        "cold ÷ floor",
        f"{cold:.1f} s ÷ {floor:.1f} s = {cold / floor:.2f}",
        "≤ 1.5",
        cold / floor <= 1.5,
    )
    return cold, floor


def measure_no_change(ws: Path) -> None:
    seconds, runs = median_of_three(ws)
    kernels = sum(r.kernels for r in runs)
    skipped = sum(build.NOTHING_CHANGED in r.output for r in runs)  # Sphinx did not even start
    report(
        "no change",
        f"{seconds:.2f} s (median of 3), {kernels} kernels, Sphinx skipped {skipped}/3",
        "≤ 2 s, Sphinx skipped",
        seconds <= 2.0 and not kernels and skipped == 3,
    )


def measure_prose_edit(ws: Path) -> None:
    def prose_edit(number: int) -> None:
        replace(ws / PAGE, "這一節先練習低階的部分", f"這一節先練習低階的部分（文字修改 {number}）")

    seconds, runs = median_of_three(ws, prose_edit)
    kernels = sum(r.kernels for r in runs)
    report(
        "prose edit",
        f"{seconds:.2f} s (median of 3), {kernels} kernels",
        "≤ 3 s, no kernel",
        seconds <= 3.0 and not kernels,
    )


def measure_code_edit(ws: Path) -> None:
    since = utc_now()
    replace(ws / PAGE, "# 全為 1 的張量", "# 全為 1 的張量（基準測試的程式修改）")
    seconds = timed_build(ws).seconds
    text = (site(ws) / "3-5-first-steps.html").read_text(encoding="utf-8")
    executed = executions_since(ws, since)
    ok = executed == 1 and "基準測試的程式修改" in text
    report("code edit", f"{seconds:.1f} s, {executed} page(s) executed", "that page only", ok)


def measure_library_edit(ws: Path, notebooks: int) -> None:
    since = utc_now()
    replace(ws / "src/ch3lib/training.py", 'print(f"epoch ', 'print(f"Epoch ')
    seconds = timed_build(ws).seconds
    executed = executions_since(ws, since)
    html = (site(ws) / "3-6-keras-api.html").read_text(encoding="utf-8")
    fresh = "Epoch 20/20" in html and "epoch 20/20" not in html
    report(
        "library edit",
        f"{seconds:.1f} s, {executed}/{notebooks} pages executed, "
        f"{'new' if fresh else 'STALE'} output",
        "all pages, never stale",
        executed == notebooks and fresh,
    )


def measure_cold_builds_identical(ws: Path, first: Path) -> float:
    shutil.rmtree(ws / "_build", ignore_errors=True)
    seconds = timed_build(ws).seconds
    differences = tree_differences(first, site(ws))
    report(
        "identical cold builds",
        f"{len(differences)} files differ",
        "byte-identical trees",
        not differences,
    )
    return seconds


def measure_mystnb(ws: Path, first: Path, floor: float) -> None:
    shutil.rmtree(ws / "_build", ignore_errors=True)
    serial = timed_build(ws, BOOK_EXECUTION="myst-nb").seconds
    report(
        "before: MyST-NB serial",
        f"{serial:.1f} s ÷ {floor:.1f} s = {serial / floor:.2f}",
        "(reference)",
        True,
    )
    differences = tree_differences(first, site(ws))
    report(
        "same as MyST-NB",
        f"{len(differences)} files differ",
        "byte-identical trees",
        not differences,
    )
    for difference in differences[:10]:
        print(f"  {difference}")


def measure_incremental_equals_cold(root: Path) -> None:
    incremental = make_workspace(root / "incremental")
    rebuild_check.make_html(incremental)
    for kind in rebuild_check.EDITS:
        seconds, clean, differences = rebuild_check.check_edit(incremental, root, kind)
        report(
            f"incremental = cold: {kind}",
            f"{len(differences)} files differ ({seconds:.1f} s vs {clean:.1f} s)",
            "byte-identical trees",
            not differences,
        )
        for difference in differences[:10]:
            print(f"  {difference}")


def measure_preview(root: Path) -> None:
    """From saving an edit to the page, reloaded by itself in Chromium, showing it."""
    from playwright.sync_api import sync_playwright

    ws = make_workspace(root / "preview")
    rebuild_check.make_html(ws)
    port = free_port()
    server = start_preview(ws, port)
    page_file = ws / PAGE
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=layout.CHROMIUM, args=layout.CHROMIUM_ARGS)
            page = browser.new_page()
            _wait(lambda: _loads(page, f"http://127.0.0.1:{port}/3-5-first-steps.html"), 120)

            time.sleep(10)  # as in a real session: the kernel zygote has imported TensorFlow

            def visible_after(old: str, new: str) -> float:
                time.sleep(1)
                start = time.perf_counter()
                replace(page_file, old, new)
                _wait(lambda: _shows(page, new), 120)
                return time.perf_counter() - start

            prose = [
                visible_after("這一節先練習低階的部分", f"這一節先練習低階的部分（預覽 {n}）")
                for n in range(3)
            ]
            code = [
                visible_after("# 全為 1 的張量", f"# 全為 1 的張量（預覽 {n}）") for n in range(3)
            ]
            browser.close()
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
    for name, runs, limit in (("prose", prose, 2.0), ("code", code, 4.0)):
        seconds = statistics.median(runs)
        report(
            f"preview: {name} edit visible",
            f"{seconds:.2f} s (median of 3: {', '.join(f'{r:.1f}' for r in runs)})",
            f"≤ {limit:g} s",
            seconds <= limit,
        )


def _loads(page, url: str) -> bool:
    try:
        return page.goto(url).ok
    except Exception:
        return False


def _shows(page, text: str) -> bool:
    try:
        return page.evaluate("t => document.body.innerText.includes(t)", text)
    except Exception:  # the page is reloading
        return False


def _wait(condition, timeout: float) -> None:
    end = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > end:
            raise SystemExit("bench: timed out waiting for the preview")
        time.sleep(0.02)


def profile(ws: Path) -> None:
    """The phases of a cold build (``tools/profile_build.py``)."""
    shutil.rmtree(ws / "_build", ignore_errors=True)
    print("\nprofile of a cold build:", flush=True)
    subprocess.run(
        [str(ws / ".venv/bin/python"), "-m", "tools.profile_build"],
        cwd=ws,
        env=build_env(ws),
        check=True,
    )


# -- Scale: the same book with 10× the pages -------------------------------------------------

#: The chapters the generated book adds: the lessons of chapter 3, copied under these numbers.
CHAPTERS = range(4, 13)
#: Queries whose loaded bytes are measured (a term, an API name, a phrase).
QUERIES = ("梯度", "Sequential", "損失函數", "tf.Variable")


def add_chapters(ws: Path, chapters: range = CHAPTERS) -> None:
    """Copy chapter 3's lessons as chapters ``chapters``: labels, headings, exercises and
    figures renumbered; a toctree line and a home-page contents line for each page."""
    lessons = sorted((ws / "book").glob("3-*.md"))
    pages, contents = [], []
    for chapter in chapters:
        for lesson in lessons:
            text = lesson.read_text(encoding="utf-8")
            text = re.sub(r"\b(sec|ex|sol)-3-", rf"\g<1>-{chapter}-", text)
            text = re.sub(r"^(#+ )3-(\d)", rf"\g<1>{chapter}-\2", text, flags=re.MULTILINE)
            text = re.sub(r"(name: |\{numref\}`)fig-", rf"\g<1>fig-{chapter}-", text)
            name = f"{chapter}{lesson.stem[1:]}"
            (ws / "book" / f"{name}.md").write_text(text, encoding="utf-8")
            pages.append(name)
            label = re.search(r"^\((sec-\d+-\d+)\)=$", text, re.MULTILINE).group(1)
            contents.append(f"[](#{label})：第 {chapter} 章（第三章的複本，基準測試用）。\n")
    replace(
        ws / "book/index.md", "3-6-keras-api\n```", "3-6-keras-api\n" + "\n".join(pages) + "\n```"
    )
    replace(
        ws / "book/index.md",
        "\n(index-reading)=",
        "\n" + "\n".join(contents) + "\n(index-reading)=",
    )


def search_bytes(site_path: Path) -> tuple[int, int]:
    """The search index's size, and the most a query in QUERIES loads (both gzipped, as
    served): the search page's own index files, not the page around them."""
    from playwright.sync_api import sync_playwright

    from tools.serve import base_url, gzipped, serve

    folder = site_path / "_static/search"
    index = sum(len(gzipped(p.read_bytes())) for p in folder.glob("*.js"))
    loaded = []
    prefix = "/" + base_url(site_path).split("/", 3)[3]
    with serve(site_path, prefix) as address, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=layout.CHROMIUM, args=layout.CHROMIUM_ARGS)
        for query in QUERIES:
            page = browser.new_page()
            files: set[str] = set()
            page.on(
                "response",
                lambda r, files=files: (
                    "/_static/search/" in r.url and files.add(r.url.rsplit("/", 1)[1])
                ),
            )
            page.goto(address + "search.html?q=" + query)
            page.wait_for_function(
                "() => !['', '搜尋中…'].includes("
                "document.getElementById('book-search-status').textContent)"
            )
            page.wait_for_load_state("networkidle")  # the snippets' text files too
            loaded.append(sum(len(gzipped((folder / f).read_bytes())) for f in files))
            page.close()
        browser.close()
    return index, max(loaded)


def scale_figures(ws: Path, label: str) -> dict[str, float]:
    """The scale measures of one book (``label`` names it in the progress lines)."""
    figures: dict[str, float] = {}
    print(f"bench: scale: {label}: cold builds", flush=True)
    peak = timed_build(ws, memory=True).peak
    figures["memory"] = float("nan") if peak is None else peak / 2**30
    shutil.rmtree(ws / "_build")
    figures["cold"] = timed_build(ws).seconds
    figures["floor"] = floor_seconds(ws)
    figures["no change"] = median_of_three(ws)[0]

    def prose_edit(number: int) -> None:
        replace(ws / PAGE, "這一節先練習低階的部分", f"這一節先練習低階的部分（文字修改 {number}）")

    figures["prose edit"] = median_of_three(ws, prose_edit)[0]
    replace(ws / PAGE, "# 全為 1 的張量", "# 全為 1 的張量（基準測試的程式修改）")
    figures["code edit"] = timed_build(ws).seconds
    replace(ws / "book/3-3-history.md", "# 3-3 ", "# 3-3 （改過的標題）")
    figures["title edit"] = timed_build(ws).seconds
    replace(ws / "src/ch3lib/training.py", 'print(f"epoch ', 'print(f"Epoch ')
    figures["library edit"] = timed_build(ws).seconds
    index, query = search_bytes(site(ws))
    figures["search index"], figures["query"] = index / 1024, query / 1024
    start = time.perf_counter()
    run_tool(ws, "tools.pdf")
    figures["make pdf"] = time.perf_counter() - start
    figures["pages"] = len([p for p in (ws / "book").glob("*-*.md")])  # the lessons
    figures["executed"] = len(list((site(ws) / "_sources").glob("*.homework.ipynb")))
    return figures


def measure_scale(root: Path) -> None:
    small_ws = make_workspace(root / "scale-6")
    big_ws = make_workspace(root / "scale-60")
    add_chapters(big_ws)
    small = scale_figures(small_ws, "the book")
    big = scale_figures(big_ws, "the book with chapters 4-12")
    pages = big["executed"] / small["executed"]
    print(
        f"\nscale: {small['pages']:.0f} pages ({small['executed']:.0f} executed) vs "
        f"{big['pages']:.0f} pages ({big['executed']:.0f} executed): ×{pages:.0f} executed pages"
    )
    units = {"memory": "GiB", "search index": "KiB", "query": "KiB"}
    print(f"  {'measure':<16} {'small':>10} {'large':>10} {'large ÷ small':>14}")
    for name in ("cold", "floor", "memory", "no change", "prose edit", "code edit",
                 "title edit", "library edit", "search index", "query", "make pdf"):  # fmt: skip
        unit = units.get(name, "s")
        print(
            f"  {name:<16} {small[name]:>8.2f} {unit:<3}{big[name]:>8.2f} {unit:<3}"
            f"{big[name] / small[name]:>10.2f}"
        )
    report(
        "scale: cold ÷ floor (60 p.)",
        f"{big['cold']:.1f} s ÷ {big['floor']:.1f} s = {big['cold'] / big['floor']:.2f}",
        "≤ 1.5",
        big["cold"] / big["floor"] <= 1.5,
    )
    report(
        "scale: prose edit",
        f"{big['prose edit']:.2f} s vs {small['prose edit']:.2f} s "
        f"= ×{big['prose edit'] / small['prose edit']:.2f}",
        "≤ ×1.5",
        big["prose edit"] <= 1.5 * small["prose edit"],
    )
    memory = big["memory"]
    report(
        "scale: peak memory (60 p.)",
        "n/a (PSS is read on Linux only)" if memory != memory else f"{memory:.2f} GiB",
        "≤ 4 GiB",
        None if memory != memory else memory <= 4,
    )
    steps = ("cold", "title edit", "library edit", "search index", "make pdf")
    worst = max(steps, key=lambda name: big[name] / small[name])
    report(
        "scale: no quadratic step",
        f"worst: {worst} ×{big[worst] / small[worst]:.1f} for ×{pages:.0f} pages",
        f"each ≤ ×{2 * pages:.0f}",
        all(big[name] / small[name] <= 2 * pages for name in steps),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="skip MyST-NB's serial build, the edit kinds, the preview and the scale",
    )
    parser.add_argument("--scale", action="store_true", help="only the scale measures")
    args = parser.parse_args()
    missing = layout.missing_chromium()  # the search's bytes and the preview are read in it
    if missing:
        print(f"make bench: {missing}", file=sys.stderr)
        return 2
    if args.scale:
        with tempfile.TemporaryDirectory(prefix="ch3-bench-") as tmp:
            measure_scale(Path(tmp))
        return 0
    with tempfile.TemporaryDirectory(prefix="ch3-bench-") as tmp:
        root = Path(tmp)
        ws = make_workspace(root / "main")
        print(f"bench: repository copied to {root}", flush=True)
        measure_memory(ws)
        cold, floor = measure_cold_vs_floor(ws)
        first = root / "first-cold-site"
        shutil.copytree(site(ws), first)
        notebooks = len(list((first / "_sources").rglob("*.ipynb")))
        measure_no_change(ws)
        measure_prose_edit(ws)
        measure_code_edit(ws)
        measure_library_edit(ws, notebooks)
        shutil.rmtree(ws)
        ws = make_workspace(root / "main")
        cold2 = measure_cold_builds_identical(ws, first)
        if not args.quick:
            measure_mystnb(ws, first, floor)
            measure_incremental_equals_cold(root)
            measure_preview(root)
        profile(ws)
        if not args.quick:
            measure_scale(root)
    met = sum(r[3] is True for r in RESULTS)
    measured = sum(r[3] is not None for r in RESULTS)
    print(
        f"bench: {met} of {measured} measures met their targets, "
        f"{len(RESULTS) - measured} n/a "
        f"(cold builds: {cold:.1f} s and {cold2:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`make bench`: how fast and how truthful rebuilds are, measured in one run.

Works on a temporary copy of the repository (the working tree is never touched), with the
repository's .venv. Prints one line per measure, with its figure and its target, and a
summary line. A benchmark, not a test: it never fails on a slow figure, only on an error.

Measures (issue "Fast, truthful rebuilds"):
  cold ÷ floor         cold `make html` ÷ every code cell run once in one process
  no change            rebuild with nothing changed
  prose edit           rebuild after a prose-only edit of one page (no kernel may start)
  code edit            rebuild after a code edit of one page (only that page executes)
  library edit         rebuild after a change in src/ch3lib (every notebook executes,
                       and the new library's output is on the page)
  peak memory          of the whole process tree during a cold build
  identical outputs    text outputs of every page, two cold builds
  same as MyST-NB      text outputs equal to MyST-NB's own serial execution (BOOK_JOBS=1),
                       whose time is also shown as the "before" figure
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
RESULTS: list[tuple[str, str, str, bool]] = []


def report(measure: str, figure: str, target: str, met: bool) -> None:
    RESULTS.append((measure, figure, target, met))
    print(
        f"{measure:<22} {figure:<34} target {target:<22} {'met' if met else 'MISSED'}", flush=True
    )


def copy_repository(dest: Path) -> None:
    """Copy tracked and untracked-but-not-ignored files, keeping modification times."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
        text=True,
    ).stdout.split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    (dest / ".venv").symlink_to(ROOT / ".venv")


class Monitor:
    """Sample a command's process tree: the kernels it starts and, if asked, peak memory.

    Every 0.25 s (a kernel lives for seconds). Memory is PSS (shared pages, such as
    TensorFlow's libraries in every kernel, count once), read from /proc; that costs CPU,
    so timed runs do not ask for it.
    """

    def __init__(self, process: psutil.Popen, memory: bool):
        self.process, self.memory, self.peak, self.kernels = process, memory, 0, set()
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
                    if proc.pid not in self.kernels and "ipykernel_launcher" in " ".join(
                        proc.cmdline()
                    ):
                        self.kernels.add(proc.pid)
                    if self.memory:
                        total += proc.memory_full_info().pss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            time.sleep(0.25)


def make_html(repo: Path, env: dict[str, str], memory: bool = False) -> tuple[float, Monitor]:
    start = time.perf_counter()
    process = psutil.Popen(
        ["make", "html"], cwd=repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    monitor = Monitor(process, memory)
    output, _ = process.communicate()
    seconds = time.perf_counter() - start
    monitor.thread.join()
    if process.returncode != 0:
        sys.stdout.write(output.decode(errors="replace")[-4000:])
        raise SystemExit(f"make html failed in {repo}")
    return seconds, monitor


def median_of_three(repo: Path, env: dict[str, str], change=None) -> tuple[float, int]:
    """Median time of three `make html` runs (each after ``change(n)`` if given), and the
    number of kernels they started in all."""
    runs = []
    for number in range(3):
        if change is not None:
            change(number)
        runs.append(make_html(repo, env))
    return sorted(r[0] for r in runs)[1], sum(len(r[1].kernels) for r in runs)


def executions_since(repo: Path, since: datetime) -> int:
    """Pages executed (jupyter-cache records written) since ``since`` (UTC)."""
    count = 0
    for db in (repo / "_build" / ".jupyter_cache").glob("*/global.db"):
        with sqlite3.connect(db) as connection:
            rows = connection.execute("SELECT created FROM nbcache").fetchall()
        stamps = [datetime.fromisoformat(created).replace(tzinfo=None) for (created,) in rows]
        count += sum(stamp >= since for stamp in stamps)
    return count


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def text_outputs(repo: Path) -> dict[str, list[str]]:
    """The text of every output of every published notebook (images left out)."""
    pages = {}
    published = repo / "_build" / "html" / "_sources"
    for notebook in sorted(published.rglob("*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        texts = []
        for cell in cells:
            for output in cell.get("outputs", []):
                if "text" in output:
                    texts.append("".join(output["text"]))
                for mime in ("text/plain", "text/html", "text/markdown"):
                    if mime in output.get("data", {}):
                        texts.append("".join(output["data"][mime]))
                if output.get("output_type") == "error":
                    texts.append("\n".join(output["traceback"]))
        pages[notebook.relative_to(published).as_posix()] = texts
    return pages


def compare_outputs(measure: str, first: dict, other: dict) -> None:
    """Report whether two builds published the same text outputs, naming the pages that differ."""
    differ = sorted(
        name for name in first.keys() | other.keys() if first.get(name) != other.get(name)
    )
    report(
        measure, f"{len(first) - len(differ)}/{len(first)} pages identical", "all pages", not differ
    )
    for name in differ:
        print(f"  differs: {name}")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    if old not in text:
        raise SystemExit(f"bench: cannot find {old!r} in {path}")
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--no-baseline",
        action="store_true",
        help="skip the serial MyST-NB build (the 'before' figure)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ch3-bench-") as tmp:
        repo = Path(tmp)
        copy_repository(repo)
        env = {**os.environ, "PYTHONPATH": str(repo / "src")}  # this copy's ch3lib
        print(f"bench: repository copied to {repo}", flush=True)

        # A first cold build warms the OS caches and measures memory; the next one is timed.
        _, memory = make_html(repo, env, memory=True)
        shutil.rmtree(repo / "_build")

        cold, _ = make_html(repo, env)
        first = text_outputs(repo)
        floor = float(
            subprocess.run(
                [str(repo / ".venv" / "bin" / "python"), "tools/floor.py"],
                cwd=repo,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        report(
            "cold ÷ floor",
            f"{cold:.1f} s ÷ {floor:.1f} s = {cold / floor:.2f}",
            "≤ 2.0",
            cold / floor <= 2.0,
        )
        report(
            "peak memory (PSS)", f"{memory.peak / 2**30:.2f} GiB", "≤ 1.5 GB", memory.peak <= 1.5e9
        )

        seconds, kernels = median_of_three(repo, env)
        report(
            "no change",
            f"{seconds:.2f} s (median of 3), {kernels} kernels",
            "≤ 2 s",
            seconds <= 2.0 and not kernels,
        )

        page = repo / "book" / "3-5-first-steps.md"

        def prose_edit(number: int) -> None:
            edit(page, "這一節先練習低階的部分", f"這一節先練習低階的部分（文字修改 {number}）")

        seconds, kernels = median_of_three(repo, env, prose_edit)
        report(
            "prose edit",
            f"{seconds:.2f} s (median of 3), {kernels} kernels",
            "≤ 3 s, no kernel",
            seconds <= 3.0 and not kernels,
        )
        make_html(repo, env)

        since = utc_now()
        edit(page, "# 全為 1 的張量", "# 全為 1 的張量（基準測試的程式修改）")
        seconds, _ = make_html(repo, env)
        text = (repo / "_build" / "html" / "3-5-first-steps.html").read_text(encoding="utf-8")
        executed = executions_since(repo, since)
        ok = executed == 1 and "基準測試的程式修改" in text
        report("code edit", f"{seconds:.1f} s, {executed} page(s) executed", "that page only", ok)

        since = utc_now()
        edit(repo / "src" / "ch3lib" / "training.py", 'print(f"epoch ', 'print(f"Epoch ')
        seconds, _ = make_html(repo, env)
        executed = executions_since(repo, since)
        notebooks = len(first)
        html = (repo / "_build" / "html" / "3-6-keras-api.html").read_text(encoding="utf-8")
        fresh = "Epoch 20/20" in html and "epoch 20/20" not in html
        report(
            "library edit",
            f"{seconds:.1f} s, {executed}/{notebooks} pages executed, "
            f"{'new' if fresh else 'STALE'} output",
            "all pages, never stale",
            executed == notebooks and fresh,
        )
        edit(repo / "src" / "ch3lib" / "training.py", 'print(f"Epoch ', 'print(f"epoch ')
        edit(page, "（基準測試的程式修改）", "")

        shutil.rmtree(repo / "_build")
        cold2, _ = make_html(repo, env)
        compare_outputs("identical outputs", first, text_outputs(repo))

        if not args.no_baseline:
            shutil.rmtree(repo / "_build")
            serial, _mon = make_html(repo, {**env, "BOOK_JOBS": "1"})
            report(
                "before: MyST-NB serial",
                f"{serial:.1f} s ÷ {floor:.1f} s = {serial / floor:.2f}",
                "(reference)",
                True,
            )
            compare_outputs("same as MyST-NB", first, text_outputs(repo))

    met = sum(r[3] for r in RESULTS)
    print(
        f"bench: {met} of {len(RESULTS)} measures met their targets "
        f"(cold builds: {cold:.1f} s and {cold2:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

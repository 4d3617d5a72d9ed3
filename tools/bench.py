"""``make bench``: how fast builds are, on the real book, as ratios measured in one run.

On temporary copies of the repository (sharing its ``.venv``), one line per measure with its
figure and target; it fails on an error, never on a slow figure. Edit timings are medians of
three. Measures: cold ``make html`` ÷ the execution floor (``tools/floor.py``); the same cold
build by plain ``sphinx-build``, MyST-NB executing page after page (what running the pages on
every core buys); no change; a prose edit of 3-5 (no kernel); a code edit of 3-5 (that page
alone, within its own execution time + 6 s). ``--scale`` adds the book with its six lessons
repeated as chapters 4 to 12 (60 pages): prose (≤ 3 × the six-page book's), title (every
page written) and library edits (every page executed).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import psutil

from tools import build, execute
from tools.rebuild_check import build_env, edit_prose, make_workspace, replace, tree_differences

PAGE = "book/3-5-first-steps.md"


def report(measure: str, figure: str, target: str, met: bool | None = None) -> None:
    verdict = "" if met is None else "met" if met else "MISSED"
    print(f"{measure:<28} {figure:<46} {target:<22} {verdict}", flush=True)


def kernels_started(process: psutil.Popen) -> set[int]:
    """The kernels a running build starts, seen every 0.1 s in its process tree."""
    seen: set[int] = set()
    while process.poll() is None:
        for child in process.children(recursive=True):
            with contextlib.suppress(psutil.Error):  # it ended meanwhile
                if "ipykernel_launcher" in " ".join(child.cmdline()):
                    seen.add(child.pid)
        time.sleep(0.1)
    return seen


def timed(ws: Path, command: tuple[str, ...] = ("make", "html"), **env: str) -> tuple[float, int]:
    """A build's seconds and the kernels it started (raises with its log if it fails);
    ``env``: variables the build gets besides the workspace's (``build_env``)."""
    start = time.perf_counter()
    process = psutil.Popen(
        command, cwd=ws, env=build_env(ws, **env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    with concurrent.futures.ThreadPoolExecutor(1) as watcher:
        kernels = watcher.submit(kernels_started, process)
        output, _ = process.communicate()
        seconds = time.perf_counter() - start
    if process.returncode != 0:
        raise SystemExit(f"bench: {' '.join(command)} failed in {ws}:\n{output.decode()[-3000:]}")
    return seconds, len(kernels.result())


def median_of_three(ws: Path, edit) -> tuple[float, int]:
    """The median seconds of three builds, each after ``edit(n)``, and the kernels started."""
    runs = []
    for number in range(3):
        edit(number)
        runs.append(timed(ws))
    return statistics.median(s for s, _ in runs), sum(k for _, k in runs)


def floor_seconds(ws: Path) -> float:
    command = [str(ws / ".venv/bin/python"), "-m", "tools.floor"]
    done = subprocess.run(command, cwd=ws, env=build_env(ws), capture_output=True, check=True)
    return float(done.stdout.split()[-1])


def serial_mystnb(ws: Path) -> float:
    """A cold ``sphinx-build`` into ``_build/serial``: MyST-NB executes each page it reads."""
    shutil.rmtree(ws / "_build", ignore_errors=True)
    command = (
        *(str(ws / ".venv/bin/python"), "-m", "sphinx", *build.SPHINX_OPTIONS),
        *("-c", ".", "-d", "_build/doctrees", "book", "_build/serial"),
    )
    seconds = timed(ws, command, **execute.KERNEL_ENV)[0]
    for name in build.NOT_PUBLISHED:
        (ws / "_build/serial" / name).unlink(missing_ok=True)
    return seconds


def executed_since(ws: Path, since: datetime) -> dict[str, float]:
    """The pages executed since ``since`` (naive UTC) and their seconds, from the cache."""
    from jupyter_cache import get_cache

    executed = {}
    for folder in (ws / "_build/.jupyter_cache").glob("*/"):
        for record in get_cache(str(folder)).list_cache_records():
            if record.created.replace(tzinfo=None) >= since:
                executed[Path(record.uri).stem] = float(record.data["execution_seconds"])
    return executed


def measure_book(root: Path) -> None:
    ws = make_workspace(root / "book")
    timed(ws)  # warms the OS's caches (TensorFlow's files) for the runs that count
    shutil.rmtree(ws / "_build")
    cold, _ = timed(ws)
    floor = floor_seconds(ws)
    ratio = cold / floor
    report("cold ÷ floor", f"{cold:.1f} s ÷ {floor:.1f} s = {ratio:.2f}", "≤ 1.4", ratio <= 1.4)
    seconds, kernels = median_of_three(ws, lambda n: None)
    figure = f"{seconds:.2f} s (median of 3), {kernels} kernels"
    report("no change", figure, "≤ 1 s", seconds <= 1)
    seconds, kernels = median_of_three(ws, lambda n: edit_prose(ws, str(n)))
    figure = f"{seconds:.2f} s (median of 3), {kernels} kernels"
    report("prose edit", figure, "≤ 3 s, no kernel", seconds <= 3 and not kernels)
    since = datetime.now(UTC).replace(tzinfo=None)
    replace(ws / PAGE, "# 全為 1 的張量", "# 全為 1 的張量（基準測試）")
    seconds, _ = timed(ws)
    executed = executed_since(ws, since)
    own = sum(executed.values())
    figure = f"{seconds:.1f} s, executed {', '.join(executed)} ({own:.1f} s)"
    met = list(executed) == [Path(PAGE).stem] and seconds <= own + 6
    report("code edit", figure, "that page, ≤ its time + 6 s", met)
    first = ws.parent / "first-site"
    shutil.copytree(ws / "_build/html", first)
    serial = serial_mystnb(ws)
    differ = tree_differences(first, ws / "_build/serial")
    report("MyST-NB serial: same site", f"{len(differ)} files differ", "byte-identical", not differ)
    figure = f"{serial:.1f} s ÷ {floor:.1f} s = {serial / floor:.2f}"
    report("MyST-NB serial cold", figure, "(before: its own executor)")
    report("parallel execution buys", f"{serial - cold:.1f} s ({serial / cold:.2f} ×)", "")


def add_chapters(ws: Path, chapters: range = range(4, 13)) -> None:
    """Copy chapter 3's lessons as chapters ``chapters``: labels, headings, exercises and
    figures renumbered; a toctree line and a home-page contents line for each page."""
    pages, contents = [], []
    for chapter in chapters:
        for lesson in sorted((ws / "book").glob("3-*.md")):
            text = lesson.read_text(encoding="utf-8")
            text = re.sub(r"\b(sec|ex|sol)-3-", rf"\g<1>-{chapter}-", text)
            text = re.sub(r"^(#+ )3-(\d)", rf"\g<1>{chapter}-\2", text, flags=re.MULTILINE)
            text = re.sub(r"(name: |\{numref\}`)fig-", rf"\g<1>fig-{chapter}-", text)
            name = f"{chapter}{lesson.stem[1:]}"
            (ws / "book" / f"{name}.md").write_text(text, encoding="utf-8")
            pages.append(name)
            label = re.search(r"^\((sec-\d+-\d+)\)=$", text, re.MULTILINE).group(1)
            contents.append(f"[](#{label})：第 {chapter} 章（第三章的複本，基準測試用）。\n")
    index = ws / "book/index.md"
    replace(index, "3-6-keras-api\n```", "3-6-keras-api\n" + "\n".join(pages) + "\n```")
    replace(index, "\n(index-reading)=", "\n" + "\n".join(contents) + "\n(index-reading)=")


def scale_figures(ws: Path) -> dict[str, float]:
    timed(ws)
    figures = {"prose edit": median_of_three(ws, lambda n: edit_prose(ws, str(n)))[0]}
    replace(ws / "book/3-3-history.md", "# 3-3 ", "# 3-3 （改過的標題）")
    figures["title edit"] = timed(ws)[0]
    replace(ws / "src/ch3lib/training.py", 'print(f"epoch ', 'print(f"Epoch ')
    figures["library edit"] = timed(ws)[0]
    return figures


def measure_scale(root: Path) -> None:
    small_ws = make_workspace(root / "scale-6")
    big_ws = make_workspace(root / "scale-60")
    add_chapters(big_ws)
    small, big = scale_figures(small_ws), scale_figures(big_ws)
    for name in small:
        ratio = big[name] / small[name]
        target, limit = ("≤ 3 ×", 3) if name == "prose edit" else ("≤ 20 × (linear)", 20)
        figure = f"{small[name]:.1f} s (6 p.), {big[name]:.1f} s (60 p.): {ratio:.2f} ×"
        report(f"scale: {name}", figure, target, ratio <= limit)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", action="store_true", help="the 60-page book too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ch3-bench-") as tmp:
        measure_book(Path(tmp))
        if args.scale:
            measure_scale(Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())

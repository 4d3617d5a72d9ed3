"""The book's parallel executor honours MyST-NB's execution settings (a small real build).

A Sphinx project with five notebooks is built with ch3book's executor on two workers:
per-notebook ``execution`` metadata (``allow_errors``), ``nb_execution_excludepatterns``,
``nb_execution_in_temp`` and a page's ``mystnb`` metadata (``execution_mode: "off"``)
must give what MyST-NB's own execution gives.
"""

import io
import os
import re
import signal
from pathlib import Path

import pytest
from sphinx.application import Sphinx

from tools import layout

FRONT = (
    "---\njupytext:\n  text_representation:\n    extension: .md\n    format_name: myst\n"
    "kernelspec:\n  name: python3\n  display_name: Python 3\n{extra}---\n\n"
)
PAGES = {
    "errors": (
        "execution:\n  allow_errors: true\n",
        "# Errors\n\n```{code-cell} ipython3\n1 / 0\n```\n\n"
        "```{code-cell} ipython3\nprint('after')\n```\n",
    ),
    "skipped": ("", "# Skipped\n\n```{code-cell} ipython3\nprint('never printed')\n```\n"),
    "off": (
        'mystnb:\n  execution_mode: "off"\n',
        "# Off\n\n```{code-cell} ipython3\nprint('not run either')\n```\n",
    ),
    "where": ("", "# Where\n\n```{code-cell} ipython3\nimport os\nprint(os.getcwd())\n```\n"),
    "plain": ("", "# Plain\n\n```{code-cell} ipython3\nprint(6 * 7)\n```\n"),
}
CONF = f"""
import sys
sys.path.insert(0, {str(layout.EXTENSIONS)!r})
extensions = ["ch3book", "myst_nb"]
nb_execution_mode = "cache"
nb_execution_excludepatterns = ["skipped.md"]
nb_execution_in_temp = True
nb_execution_raise_on_error = True
book_execution_workers = 2
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_project(tmp_path_factory.mktemp("project"))


def build_project(root: Path) -> tuple[Path, Path, str]:
    """Build PAGES in ``root``; the sources, the site and the log."""
    src = root / "src"
    src.mkdir()
    (src / "conf.py").write_text(CONF, encoding="utf-8")
    toctree = "\n".join(PAGES)
    (src / "index.md").write_text(f"# Index\n\n```{{toctree}}\n{toctree}\n```\n", encoding="utf-8")
    for name, (extra, body) in PAGES.items():
        (src / f"{name}.md").write_text(FRONT.format(extra=extra) + body, encoding="utf-8")
    status = io.StringIO()
    app = Sphinx(src, src, root / "out", root / "doctrees", "html", status=status, warning=status)
    app.build()
    return src, root / "out", status.getvalue()


def test_new_kernel_processes_run_the_pages_as_the_zygote_does(built, tmp_path, monkeypatch):
    """BOOK_KERNELS=spawn (macOS, or no fork): jupyter_client starts a kernel per page,
    still in parallel, and the pages are the same."""
    monkeypatch.setenv("BOOK_KERNELS", "spawn")
    _, out, log = build_project(tmp_path)
    assert "executing 3 notebooks on 2 workers" in log
    assert "Kernel is running over TCP" not in log  # IPC: nothing in the build's log
    for name in set(PAGES) - {"where"}:  # "where" prints its temporary folder
        assert html(out, name) == html(built[1], name), name


def html(out: Path, name: str) -> str:
    return (out / f"{name}.html").read_text(encoding="utf-8")


def test_the_executor_runs_the_pages_mystnb_would_execute(built):
    _, _, log = built
    assert "executing 3 notebooks on 2 workers" in log
    for name in ("errors", "where", "plain"):
        assert f"{name}: executed in" in log


def test_per_notebook_allow_errors_keeps_the_error_and_runs_on(built):
    _, out, _ = built
    page = html(out, "errors")
    assert "ZeroDivisionError" in page and "after" in page


def test_excluded_and_off_pages_are_not_executed(built):
    _, out, _ = built
    assert "never printed</pre>" not in html(out, "skipped").replace("print(", "")
    assert "cell_output" not in html(out, "skipped")
    assert "cell_output" not in html(out, "off")


def test_in_temp_runs_in_a_temporary_folder(built):
    src, out, _ = built
    page = html(out, "where")
    assert "cell_output" in page and str(src) not in page


def test_outputs_are_published(built):
    _, out, _ = built
    assert "42" in html(out, "plain")


def build_failing(
    root: Path, pages: dict[str, str], timeout: int, workers: int = 2
) -> tuple[Path, str]:
    """Build ``pages`` (name → body) with the executor and ``timeout``; the site and log.

    With one worker, the pages execute one after the other, most code cells first.
    """
    src = root / "src"
    src.mkdir()
    conf = CONF.replace('nb_execution_excludepatterns = ["skipped.md"]', "")
    conf = conf.replace("book_execution_workers = 2", f"book_execution_workers = {workers}")
    (src / "conf.py").write_text(conf + f"nb_execution_timeout = {timeout}\n", encoding="utf-8")
    toctree = "\n".join(pages)
    (src / "index.md").write_text(f"# Index\n\n```{{toctree}}\n{toctree}\n```\n", encoding="utf-8")
    for name, body in pages.items():
        (src / f"{name}.md").write_text(FRONT.format(extra="") + body, encoding="utf-8")
    status = io.StringIO()
    out = root / "out"
    Sphinx(src, src, out, root / "doctrees", "html", status=status, warning=status).build()
    return out, status.getvalue()


def test_a_kernel_that_dies_is_reported_at_once_naming_the_page_and_the_cell(tmp_path):
    """A cell that kills its kernel (as a segfault in native code would): the worker sees
    it within a second, not at the cell timeout, and the page is not executed again."""
    dead = "# Dead\n\n```{code-cell} ipython3\nimport os, signal\nos.kill(os.getpid(), 9)\n```\n"
    out, log = build_failing(tmp_path, {"dead": dead, "plain": PAGES["plain"][1]}, timeout=600)
    assert (
        "dead.md: WARNING: the kernel died while running the cell that starts 'import os, signal'"
        in log
    )
    assert "CellTimeoutError" not in log and "ran past the timeout" not in log
    assert "dead.md: Executing notebook" not in log  # MyST-NB did not run it once more
    assert "plain: executed in" in log and "42" in html(out, "plain")


def test_a_cell_past_the_timeout_is_reported_once_with_the_timeout(tmp_path):
    slow = "# Slow\n\n```{code-cell} ipython3\nimport time\ntime.sleep(60)\n```\n"
    _, log = build_failing(tmp_path, {"slow": slow}, timeout=3)
    assert "slow.md: WARNING: the cell that starts 'import time' ran past the timeout of 3 s" in log
    assert "slow.md: Executing notebook" not in log  # not a second time, by MyST-NB


def cell(code: str) -> str:
    return f"```{{code-cell}} ipython3\n{code}\n```\n\n"


def test_a_zygote_killed_mid_build_is_named_for_the_page_running_and_the_next(
    tmp_path, zygote_kernels
):
    """The zygote dies (a cell kills it, as the OOM killer might): the page whose kernel
    went with it and the page that then finds no zygote each say so; nothing hangs."""
    killer = (
        "# Killer\n\n"
        + cell("import os, signal, time")
        + cell("os.kill(os.getppid(), signal.SIGKILL)\ntime.sleep(30)")
    )
    _, log = build_failing(tmp_path, {"killer": killer, "plain": PAGES["plain"][1]}, 600, 1)
    assert (
        "killer.md: WARNING: the kernel zygote (book/_ext/ch3book/zygote.py) is not running: "
        "it was killed or crashed, and with it the page's kernel; the kernel died while "
        "running the cell that starts 'os.kill(os.getppid(), signal.SIGKILL)'" in log
    ), log
    assert (
        "plain.md: WARNING: no kernel could be started for this page: the kernel zygote "
        "(book/_ext/ch3book/zygote.py) is not running: it was killed or crashed" in log
    ), log
    assert "Executing notebook" not in log  # neither page was quietly run another way


def test_a_kernel_that_fails_to_start_is_refused_with_the_reason_and_the_zygote_serves_on(
    tmp_path, zygote_kernels
):
    """The zygote forks a kernel whose set-up fails (here: its folder does not exist): the
    request fails with the reason, and the next request gets a working kernel."""
    zygote = layout.book_extension("zygote")
    with zygote.start() as path:
        with pytest.raises(zygote.KernelUnavailableError) as refused:
            zygote.request_kernel(path, str(tmp_path / "missing"))
        assert str(refused.value).startswith(
            "the kernel forked for it died while starting: FileNotFoundError("
        )
        pid, connection_file = zygote.request_kernel(path, str(tmp_path))
        assert Path(connection_file).is_file()
        os.kill(pid, signal.SIGTERM)


def test_a_cell_that_prints_50_mb_fails_the_build_naming_the_page_and_the_size(tmp_path):
    loud = "# Loud\n\n" + cell("print('x' * 50_000_000)")
    out, log = build_failing(tmp_path, {"loud": loud}, 600)
    assert (
        "loud.md: WARNING: a cell's output is 50.0 MB (50000001 bytes): a page shows at most "
        "100000 bytes of one output (book_max_output_bytes in conf.py). Print less: a summary, "
        "or every hundredth step (the cell that starts \"print('x' * 50_000_000)\")" in log
    ), log
    assert "Executing notebook" not in log  # not once more, by MyST-NB
    assert len(html(out, "loud").encode()) < 200_000


def test_an_output_too_long_from_any_executor_is_cut_and_named_with_its_line(tmp_path):
    """The same limit where MyST-NB executes (or the cache gives) the page."""
    loud = "# Loud\n\n" + cell("print('x' * 200_000)")
    out, log = build_failing(tmp_path, {"loud": loud}, 600, workers=0)
    assert re.search(r"loud\.md:\d+: WARNING: a cell's output is 0\.2 MB \(200001 bytes\)", log)
    assert "x" * 100_000 in html(out, "loud") and "x" * 100_001 not in html(out, "loud")

"""tools/execute.py fills the jupyter-cache MyST-NB then builds from, executing nothing (real
kernels); a failure is named with its page and cell, and stored nowhere."""

import io
import time

import pytest
from jupyter_cache import get_cache
from sphinx.application import Sphinx

from tools import execute

FRONT = (
    "---\njupytext:\n  text_representation:\n    extension: .md\n    format_name: myst\n"
    "kernelspec:\n  name: python3\n  display_name: Python 3\n{extra}---\n\n"
)
CELL = "```{{code-cell}} ipython3\n{}\n```\n\n"
PAGES = {
    "short": ("", "# Short\n\n" + CELL.format("print(6 * 7)")),
    "long": ("", "# Long\n\n" + "".join(CELL.format(f"x = {n}") for n in range(3))),
    "errors": (
        "execution:\n  allow_errors: true\n",
        "# Errors\n\n" + CELL.format("1 / 0") + CELL.format("print('after')"),
    ),
}
#: A cell past its timeout and an oversized output: test_rebuild.py, through make html.
FAULTS = {
    "raises": ("", CELL.format("raise RuntimeError('on purpose')")),
    "dies": ("", CELL.format("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")),
}


def write(folder, pages):
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, (extra, body) in pages.items():
        paths.append(folder / f"{name}.md")
        paths[-1].write_text(FRONT.format(extra=extra) + body, encoding="utf-8")
    return paths


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("project")
    paths = write(root / "src", PAGES)
    (root / "src" / "index.md").write_text(
        "# Index\n\n```{toctree}\n" + "\n".join(PAGES) + "\n```\n", encoding="utf-8"
    )
    said = []
    failures = execute.execute(paths, root / "cache", {}, 1, said.append)
    return root, paths, said, failures


def test_the_longest_page_starts_first_and_every_page_is_stored(project):
    *_, said, failures = project
    assert failures == []
    assert said[0] == "make html: executing 3 pages on 1 kernel"
    assert [line.split()[1].rsplit("/")[-1] for line in said[1:]] == ["long", "errors", "short"]


def test_mystnb_finds_every_page_in_the_cache_and_executes_nothing(project):
    root, *_ = project
    (root / "src" / "conf.py").write_text(
        f'extensions = ["myst_nb"]\nnb_execution_mode = "cache"\n'
        f"nb_execution_cache_path = {str(root / 'cache')!r}\n",
        encoding="utf-8",
    )
    log = io.StringIO()
    Sphinx(root / "src", root / "src", root / "out", root / "dt", "html", status=log).build()
    assert "Executing notebook" not in log.getvalue()
    assert log.getvalue().count("Using cached notebook") == 3
    errors = (root / "out" / "errors.html").read_text(encoding="utf-8")
    assert "ZeroDivisionError" in errors and "after" in errors  # allow_errors of the page


def test_a_page_in_the_cache_is_not_executed_again(project):
    root, paths, *_ = project
    said = []
    assert execute.execute(paths, root / "cache", {}, 2, said.append) == []
    assert said == []


def test_each_failure_names_its_page_and_cell_and_nothing_is_stored(tmp_path):
    paths = write(tmp_path / "src", FAULTS)
    start = time.monotonic()
    failures = execute.execute(paths, tmp_path / "cache", {}, 2, lambda _: None)
    seconds = time.monotonic() - start
    dies, raises = sorted(failures)
    assert dies.split(": ")[0].endswith("/dies.md") and raises.split(": ")[0].endswith("/raises.md")
    assert "the cell that starts \"raise RuntimeError('on purpose')\"" in raises
    assert "raised RuntimeError: on purpose" in raises and "\x1b[" not in raises  # no colours
    assert "the kernel died while running the cell that starts 'import os, signal'" in dies
    assert seconds < 20  # a dead kernel is noticed within seconds, not at the timeout
    assert len(execute.stale_pages(paths, get_cache(str(tmp_path / "cache")))) == 2

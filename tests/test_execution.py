"""The book's parallel executor honours MyST-NB's execution settings (a small real build).

A Sphinx project with five notebooks is built with ch3book's executor on two workers:
per-notebook ``execution`` metadata (``allow_errors``), ``nb_execution_excludepatterns``,
``nb_execution_in_temp`` and a page's ``mystnb`` metadata (``execution_mode: "off"``)
must give what MyST-NB's own execution gives.
"""

import io
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
    root = tmp_path_factory.mktemp("project")
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

"""A reader's own Python runs every page's notebook (``make test-reader``; minutes).

As a student would: the book is built for a local address and served there, like GitHub
Pages (under a path prefix); a fresh virtual environment outside the repository has only
a Jupyter kernel (no ch3lib, no TensorFlow, the repository on no path); each page's
downloadable notebook runs top to bottom in an empty folder. The first cell must install
ch3lib from the served site (its dependencies from the package registry, at the build's
pinned versions through ``PIP_CONSTRAINT``, so that the numbers can be compared), and
every cell's text output must be the one the site shows. Before that, with the network
unreachable, the first cell must fail with its Chinese message and install nothing.
"""

import os
import re
import subprocess
import sys
import time

import nbformat
import pytest

from tools import layout
from tools.rebuild_check import free_port, make_html, make_workspace, site
from tools.run_notebooks import run
from tools.serve import serve

pytestmark = pytest.mark.reader

PREFIX = "/ch3-book/"
KERNEL = "reader-python"


@pytest.fixture(scope="module")
def served_book(tmp_path_factory):
    """The book built for ``http://127.0.0.1:<port>/ch3-book/`` and served there."""
    workspace = make_workspace(tmp_path_factory.mktemp("reader") / "book")
    port = free_port()
    base = f"http://127.0.0.1:{port}{PREFIX}"
    make_html(workspace, BOOK_BASE_URL=base)
    with serve(site(workspace), PREFIX, port) as address:
        assert address == base
        yield base, site(workspace)


@pytest.fixture(scope="module")
def reader_python(tmp_path_factory):
    """A fresh virtual environment with only ipykernel, registered as a Jupyter kernel."""
    root = tmp_path_factory.mktemp("reader-python")
    venv = root / "venv"
    subprocess.run([sys._base_executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    pip = [str(python), "-m", "pip", "--disable-pip-version-check"]
    subprocess.run([*pip, "install", "--quiet", "ipykernel"], check=True)
    jupyter = root / "jupyter"
    subprocess.run(
        [str(python), "-m", "ipykernel", "install", "--prefix", str(jupyter), "--name", KERNEL],
        check=True,
        capture_output=True,
    )
    environ = {
        "JUPYTER_PATH": str(jupyter / "share" / "jupyter"),
        "PIP_CONSTRAINT": str(layout.ROOT / "constraints.txt"),  # the build's versions
    }
    with pytest.MonkeyPatch.context() as patch:
        for name, value in environ.items():
            patch.setenv(name, value)
        for name in ("PYTHONPATH", "VIRTUAL_ENV"):
            patch.delenv(name, raising=False)
        yield python, pip


def _installed(pip) -> str:
    return subprocess.run([*pip, "freeze"], capture_output=True, text=True, check=True).stdout


def _texts(cell) -> list[str]:
    """A code cell's text outputs: printed text (a stream's pieces joined, as the site's
    notebooks are merged), results, errors (not images or HTML)."""
    texts, previous = [], None
    for output in cell.get("outputs", []):
        if output.output_type == "stream" and previous == output.name:
            texts[-1] += output.text  # how the kernel's messages were split in time
        elif output.output_type == "stream":
            texts.append(output.text)
        elif output.output_type == "error":
            texts.append(f"{output.ename}: {output.evalue}")
        elif "text/plain" in output.get("data", {}):
            texts.append(output.data["text/plain"])
        previous = output.get("name")
    return texts


def test_without_network_the_install_cell_says_what_to_run_and_installs_nothing(
    served_book, reader_python, tmp_path
):
    base, built = served_book
    python, pip = reader_python
    notebook = nbformat.read(built / "_sources" / "3-5-first-steps.ipynb", as_version=4)
    install = notebook.cells[0].source.replace(base, "http://127.0.0.1:9/ch3-book/")
    before = _installed(pip)
    offline = {**os.environ, "PIP_INDEX_URL": "http://127.0.0.1:9/simple/", "PIP_RETRIES": "0"}
    result = subprocess.run(
        [str(python), "-c", install], cwd=tmp_path, env=offline, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "RuntimeError: 無法安裝 ch3lib" in result.stderr
    assert "pip install --quiet --extra-index-url http://127.0.0.1:9/ch3-book/simple/" in (
        result.stderr
    )
    assert _installed(pip) == before


def test_every_notebook_runs_in_a_fresh_python_with_the_site_outputs(
    served_book, reader_python, tmp_path
):
    base, built = served_book
    _, pip = reader_python
    assert "ch3lib" not in _installed(pip) and "tensorflow" not in _installed(pip)
    names = sorted(path.stem for path in (built / "_sources").glob("*.ipynb"))
    assert names == ["3-1-tensorflow", "3-4-workstation", "3-5-first-steps", "3-6-keras-api"]
    differences, seconds = [], {}
    for name in names:
        published = nbformat.read(built / "_sources" / f"{name}.ipynb", as_version=4)
        folder = tmp_path / name
        folder.mkdir()
        start = time.perf_counter()
        executed = run(built / "_sources" / f"{name}.ipynb", folder, kernel_name=KERNEL)
        seconds[name] = round(time.perf_counter() - start, 1)
        for index, (before, after) in enumerate(zip(published.cells, executed.cells, strict=True)):
            if index > 0 and before.cell_type == "code" and _texts(before) != _texts(after):
                differences.append((name, index, _texts(before), _texts(after)))
    print(f"reader notebooks, seconds each (the first installs ch3lib): {seconds}")
    assert differences == []
    show = subprocess.run([*pip, "show", "-f", "ch3lib"], capture_output=True, text=True).stdout
    version = re.search(r"^Version: (.+)$", show, re.MULTILINE).group(1)
    assert f'"{base}simple/", "ch3lib=={version}"' in published.cells[0].source
    assert str(layout.ROOT) not in show  # installed from the site, not from the repository


def test_ch3lib_also_installs_from_the_git_repository(tmp_path):
    """``pip install "ch3lib @ git+https://github.com/<owner>/<repo>"``, here from this clone."""
    from ch3book.package_index import library_version

    subprocess.run(
        [
            *(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps"),
            *("-w", str(tmp_path), f"ch3lib @ git+file://{layout.ROOT}"),
        ],
        check=True,
    )
    wheels = [path.name for path in tmp_path.glob("*.whl")]
    assert wheels == [f"ch3lib-{library_version(layout.ROOT)}-py3-none-any.whl"]

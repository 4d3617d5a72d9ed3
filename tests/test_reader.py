"""A reader's own Python runs every page's notebook (``make test-reader``; minutes).

The book is built for a local address and served under a path prefix, as on GitHub Pages. A
fresh virtual environment with only a Jupyter kernel runs each downloadable notebook in an empty
folder: the first cell installs ch3lib from the site (its dependencies at the build's pins,
``PIP_CONSTRAINT``) and every text output is the site's. Offline, the first cell fails in Chinese
and installs nothing; against a hostile index taken for PyPI it still installs the site's wheel,
pinned by its sha256 (the book's old ``--extra-index-url`` command takes an impostor); a tampered
wheel on the site is refused.
"""

import base64
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest
from published import PYPROJECT, cell_role, notebook_pages, reference_answers

from ch3book.package_index import library_version, write_index
from ch3book.stable_outputs import stable_text
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
    python = _venv(root / "venv")
    pip = _pip(python)
    subprocess.run([*pip, "install", "--quiet", "ipykernel"], check=True)
    jupyter = root / "jupyter"
    subprocess.run(
        [str(python), "-m", "ipykernel", "install", "--prefix", str(jupyter), "--name", KERNEL],
        check=True,
        capture_output=True,
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JUPYTER_PATH", str(jupyter / "share" / "jupyter"))
        patch.setenv("PIP_CONSTRAINT", str(layout.ROOT / "constraints.txt"))  # the build's pins
        # A reader's Jupyter draws plt.show() inline: not the tests' MPLBACKEND=Agg (conftest).
        for name in ("PYTHONPATH", "VIRTUAL_ENV", "MPLBACKEND"):
            patch.delenv(name, raising=False)
        yield python, pip


def _venv(folder: Path) -> Path:
    subprocess.run([sys._base_executable, "-m", "venv", str(folder)], check=True)
    return folder / "bin" / "python"


def _pip(python: Path) -> list[str]:
    return [str(python), "-m", "pip", "--disable-pip-version-check"]


def _python(python: Path, code: str, cwd: Path, env=None) -> subprocess.CompletedProcess:
    """Run ``code`` in ``python``, as a reader's notebook cell would, with its output."""
    return subprocess.run(
        [str(python), "-c", code], cwd=cwd, env=env, capture_output=True, text=True
    )


def _installed(pip, env=None) -> str:
    return subprocess.run(
        [*pip, "freeze"], capture_output=True, text=True, check=True, env=env
    ).stdout


def _texts(cell) -> list[str]:
    """A code cell's text outputs, merged and elided as the site's are (no images or HTML)."""
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
    return [stable_text(text) for text in texts]


def test_without_network_the_install_cell_says_what_to_run_and_installs_nothing(
    served_book, reader_python, tmp_path
):
    base, built = served_book
    python, pip = reader_python
    notebook = nbformat.read(built / "_sources" / "3-5-first-steps.ipynb", as_version=4)
    install = notebook.cells[0].source.replace(base, "http://127.0.0.1:9/ch3-book/")
    before = _installed(pip)
    offline = {**os.environ, "PIP_INDEX_URL": "http://127.0.0.1:9/simple/", "PIP_RETRIES": "0"}
    result = _python(python, install, tmp_path, offline)
    said = result.stderr
    assert result.returncode != 0 and "環境沒有任何改變" in said
    assert "RuntimeError: 無法安裝 ch3lib：連不上本書網站或套件庫" in said
    assert "pip install 'ch3lib @ http://127.0.0.1:9/ch3-book/simple/ch3lib/ch3lib-" in said
    assert _installed(pip) == before


PAGES = notebook_pages()
#: The roles of an exercise's cells in a reader's notebook (book/_ext/ch3book/homework.py).
EXERCISE_ROLES = {"given", "answer", "check"}


def _reports(notebook) -> dict[str, str]:
    """Each exercise's label → what its check cell printed."""
    return {
        cell.metadata.ch3book.exercise: "".join(_texts(cell))
        for cell in notebook.cells
        if cell_role(cell) == "check"
    }


def test_every_notebook_runs_in_a_fresh_python_with_the_site_outputs(
    served_book, reader_python, tmp_path
):
    """As published: every cell gives the site's output; every check says 還沒作答."""
    base, built = served_book
    _, pip = reader_python
    assert "ch3lib" not in _installed(pip) and "tensorflow" not in _installed(pip)
    names = [f"{page}{kind}.ipynb" for page in PAGES for kind in ("", ".homework")]
    differences, unanswered, seconds = [], {}, {}
    for name in names:
        published = nbformat.read(built / "_sources" / name, as_version=4)
        folder = tmp_path / name
        folder.mkdir()
        start = time.perf_counter()
        executed = run(built / "_sources" / name, folder, kernel_name=KERNEL)
        seconds[name] = round(time.perf_counter() - start, 1)
        for index, (before, after) in enumerate(zip(published.cells, executed.cells, strict=True)):
            if index == 0 or before.cell_type != "code" or cell_role(before) in EXERCISE_ROLES:
                continue  # the install cell; the exercises' cells have no published output
            if _texts(before) != _texts(after):
                differences.append((name, index, _texts(before), _texts(after)))
        reports = _reports(executed)
        assert reports, name
        unanswered[name] = all(re.match(r"練習 \d+：還沒作答", r) for r in reports.values())
    print(f"reader notebooks, seconds each (the first installs ch3lib): {seconds}")
    assert differences == []
    assert all(unanswered.values()), unanswered
    show = subprocess.run([*pip, "show", "-f", "ch3lib"], capture_output=True, text=True).stdout
    version = re.search(r"^Version: (.+)$", show, re.MULTILINE).group(1)
    wheel = f"{base}simple/ch3lib/ch3lib-{version}-py3-none-any.whl#sha256="
    assert f'CH3LIB = "ch3lib @ {wheel}' in published.cells[0].source
    assert str(layout.ROOT) not in show  # installed from the site, not from the repository


def test_with_the_reference_answers_every_check_says_all_right(
    served_book, reader_python, tmp_path
):
    """Each page's notebook and its homework, the answers pasted in: 全部正確 everywhere."""
    _, built = served_book
    passed, seconds = {}, {}
    for page in PAGES:
        executed_page = built.parent / "jupyter_execute" / f"{page}.ipynb"
        references = reference_answers(nbformat.read(executed_page, as_version=4))
        for name in (f"{page}.ipynb", f"{page}.homework.ipynb"):
            notebook = nbformat.read(built / "_sources" / name, as_version=4)
            answers = [cell for cell in notebook.cells if cell_role(cell) == "answer"]
            assert sorted(cell.metadata.ch3book.exercise for cell in answers) == sorted(references)
            for cell in answers:
                cell.source = references[cell.metadata.ch3book.exercise]
            path = tmp_path / name
            nbformat.write(notebook, path)
            folder = tmp_path / f"{name}-run"
            folder.mkdir()
            start = time.perf_counter()
            reports = _reports(run(path, folder, kernel_name=KERNEL))
            seconds[name] = round(time.perf_counter() - start, 1)
            passed |= {f"{name} {label}": report for label, report in reports.items()}
    print(f"with the reference answers, seconds each: {seconds}")
    wrong = {
        key: report for key, report in passed.items() if not re.match(r"練習 \d+：全部正確", report)
    }
    assert passed and wrong == {}


def test_ch3lib_also_installs_from_the_git_repository(tmp_path):
    """``pip install "ch3lib @ git+https://github.com/<owner>/<repo>"``, here from this clone."""
    wheel = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path)]
    subprocess.run([*wheel, f"ch3lib @ git+file://{layout.ROOT}"], check=True)
    wheels = [path.name for path in tmp_path.glob("*.whl")]
    assert wheels == [f"ch3lib-{library_version(layout.ROOT)}-py3-none-any.whl"]


# -- a hostile package index, and a tampered site ----------------------------------------


def _isolated(**settings: str) -> dict[str, str]:
    """A reader's pip environment, reading none of this machine's pip configuration."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    return {**env, "PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1", **settings}


def _wheel(path: Path, files: dict[str, bytes]) -> Path:
    """A wheel holding ``files``, with the RECORD pip checks."""
    info = next(name.split("/")[0] for name in files if name.endswith(".dist-info/WHEEL"))
    rows = []
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            rows.append(f"{name},sha256={digest.decode()},{len(data)}")
        archive.writestr(f"{info}/RECORD", "\n".join([*rows, f"{info}/RECORD,,"]) + "\n")
    return path


def _impostor(folder: Path, version: str, tag: str, build: str = "") -> Path:
    """A ``ch3lib`` wheel an attacker could upload to PyPI: it says what it is when imported."""
    name = f"ch3lib-{version}" + (f"-{build}" if build else "") + f"-{tag}.whl"
    info = f"ch3lib-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: ch3lib\nVersion: {version}\n"
    wheel_file = f"Wheel-Version: 1.0\nGenerator: attacker\nRoot-Is-Purelib: true\nTag: {tag}\n"
    return _wheel(
        folder / name,
        {
            "ch3lib/__init__.py": f'__version__ = "{version}"\nIMPOSTOR = "{name}"\n'.encode(),
            f"{info}/METADATA": metadata.encode(),
            f"{info}/WHEEL": (wheel_file + (f"Build: {build}\n" if build else "")).encode(),
        },
    )


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory):
    """An index offering only impostors: build-tagged, CPython-tagged, a newer one."""
    version = library_version(layout.ROOT)
    major, minor, patch = version.split(".")
    newer = f"{major}.{minor}.{int(patch) + 1}"
    folder = tmp_path_factory.mktemp("impostors")
    files = [
        _impostor(folder, version, "py3-none-any", build="1"),
        _impostor(folder, version, f"cp{sys.version_info.major}{sys.version_info.minor}-none-any"),
        _impostor(folder, newer, "py3-none-any"),
    ]
    site_folder = tmp_path_factory.mktemp("hostile-site")
    write_index(files, site_folder)
    with serve(site_folder, "/", free_port()) as address:
        yield f"{address}simple/"


@pytest.fixture(scope="module")
def attacked_python(tmp_path_factory):
    """A fresh venv with ch3lib's requirements, so a hostile index is asked for ch3lib only."""
    python = _venv(tmp_path_factory.mktemp("attacked-python") / "venv")
    requirements = PYPROJECT["project"]["dependencies"]
    subprocess.run(
        [*_pip(python), "install", "--quiet", "-c", layout.ROOT / "constraints.txt", *requirements],
        check=True,
        env={k: v for k, v in os.environ.items() if k != "PIP_CONSTRAINT"},
    )
    return python


def _installed_ch3lib(python: Path, cwd: Path) -> str:
    """The impostor's wheel if ``python`` imports one, else "the site" (the index has no other)."""
    which = "import ch3lib; print(getattr(ch3lib, 'IMPOSTOR', 'the site'))"
    return _python(python, which, cwd).stdout.strip()


def _uninstall_ch3lib(python: Path) -> None:
    uninstall = [*_pip(python), "uninstall", "--quiet", "--yes", "ch3lib"]
    subprocess.run(uninstall, check=True, env=_isolated())


def test_an_impostor_on_the_package_index_cannot_replace_the_site_wheel(
    served_book, attacked_python, hostile_index, tmp_path
):
    base, built = served_book
    python = attacked_python
    install = nbformat.read(built / "_sources" / "3-5-first-steps.ipynb", as_version=4)
    (wheel,) = (built / "simple" / "ch3lib").glob("*.whl")
    version = wheel.name.split("-")[1]
    attacked = _isolated(PIP_INDEX_URL=hostile_index)  # the index pip takes for PyPI

    # The regression case: the command the book printed before installs an impostor.
    extra_index = [str(python), "-m", "pip", "install", "--quiet"]
    extra_index += ["--extra-index-url", f"{base}simple/", f"ch3lib=={version}"]
    subprocess.run(extra_index, check=True, cwd=tmp_path, env=attacked, capture_output=True)
    taken = _installed_ch3lib(python, tmp_path)
    print(f"--extra-index-url {base}simple/ ch3lib=={version} installed: {taken}")
    assert taken.endswith(".whl")
    _uninstall_ch3lib(python)

    # The notebook's first cell: the site's wheel, whose sha256 pip checks.
    result = _python(python, install.cells[0].source, tmp_path, attacked)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"已安裝 ch3lib {version}"
    print(f"the first cell installed: {wheel.name} from {base}simple/ch3lib/")
    assert _installed_ch3lib(python, tmp_path) == "the site"
    _uninstall_ch3lib(python)


def test_a_tampered_wheel_on_the_site_is_refused_and_installs_nothing(
    served_book, attacked_python, tmp_path
):
    base, built = served_book
    python = attacked_python
    install = nbformat.read(built / "_sources" / "3-6-keras-api.ipynb", as_version=4)
    (wheel,) = (built / "simple" / "ch3lib").glob("*.whl")
    tampered_site = tmp_path / "site"
    shutil.copytree(built / "simple", tampered_site / "simple")
    target = tampered_site / "simple" / "ch3lib" / wheel.name
    with zipfile.ZipFile(wheel) as original:
        files = {n: original.read(n) for n in original.namelist() if not n.endswith("/RECORD")}
    files["ch3lib/__init__.py"] += b"\nprint('tampered')\n"
    _wheel(target, files)  # a valid wheel, with a RECORD of its own: only the hash differs
    before = _installed(_pip(python), env=_isolated())
    with serve(tampered_site, "/ch3-book/", free_port()) as tampered:
        source = install.cells[0].source.replace(base, tampered)
        result = _python(python, source, tmp_path, _isolated())
    assert result.returncode != 0
    assert "DO NOT MATCH THE HASHES" in result.stderr  # pip's own refusal, shown to the reader
    assert "RuntimeError: 無法安裝 ch3lib：本書網站上的 ch3lib 與這本筆記本記錄的 sha256 不符" in (
        result.stderr
    )
    assert _installed(_pip(python), env=_isolated()) == before

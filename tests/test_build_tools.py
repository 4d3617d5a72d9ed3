"""The build driver (tools/build.py) and the Makefile's choices: GPU, Python, kernels."""

import os
import subprocess
import sys

import pytest
from published import PYPROJECT

from tools import build, layout


def make_dry_run(*arguments: str, env: dict[str, str] | None = None) -> str:
    """What `make` would run, without running it (-B: as on a fresh clone)."""
    command = ["make", "-n", "-B", *arguments]
    done = subprocess.run(command, cwd=layout.ROOT, env=env, capture_output=True, text=True)
    done.check_returncode()
    return done.stdout


def test_make_installs_the_docs_and_test_groups_and_with_gpu_1_the_gpu_extra_and_its_check():
    commands = make_dry_run("html")
    assert '-e "." --group docs --group test' in commands and "gpu" not in commands
    commands = make_dry_run("html", "GPU=1")
    assert '-e ".[gpu]" --group docs --group test' in commands
    assert "-m tools.build --gpu" in commands


def test_the_book_s_tooling_is_not_in_ch3lib_s_published_metadata():
    """The wheel readers install by hash changes only when ch3lib does (package_index.py)."""
    assert set(PYPROJECT["project"]["optional-dependencies"]) == {"gpu"}
    assert {"docs", "test"} <= set(PYPROJECT["dependency-groups"])
    assert isinstance(PYPROJECT["project"]["readme"], dict)  # not README.md, the book's


@pytest.mark.parametrize(
    ("requested", "gpus", "warns"),
    [
        (True, [], True),
        (True, ["/physical_device:GPU:0"], False),
        (False, [], False),
        (False, ["/physical_device:GPU:0"], False),
    ],
)
def test_gpu_warning_only_when_a_gpu_was_asked_for_and_none_is_seen(requested, gpus, warns):
    warning = build.gpu_warning(requested, gpus)
    assert (warning is not None) == warns
    if warns:
        assert warning.startswith("warning: GPU=1") and "\n" not in warning


def test_inputs_digest_follows_the_settings(monkeypatch):
    monkeypatch.delenv("BOOK_BASE_URL", raising=False)
    before = build.inputs_digest()
    monkeypatch.setenv("BOOK_BASE_URL", "https://example.org/book/")
    assert build.inputs_digest() != before
    monkeypatch.delenv("BOOK_BASE_URL")
    assert build.inputs_digest() == before
    assert build.inputs_digest(["-v"]) != before
    monkeypatch.setattr(build, "interpreter", lambda: "python=3.99 darwin arm64")
    assert build.inputs_digest() != before  # make html does not say "nothing changed"


def test_source_date_epoch_prefers_the_environment(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert build.source_date_epoch() == 1700000000


def test_inputs_cover_sources_library_and_configuration_but_not_caches():
    names = {p.relative_to(layout.ROOT).as_posix() for p in build.input_files()}
    assert {"conf.py", "constraints.txt", "book/3-5-first-steps.md"} <= names
    assert "src/ch3lib/layers.py" in names
    assert not any("__pycache__" in name or name.startswith("_build") for name in names)


def test_the_execution_cache_follows_the_device_settings_the_python_and_the_platform(monkeypatch):
    monkeypatch.delenv("CH3LIB_FORCE_CPU", raising=False)
    cpu_or_gpu = build.execution_cache()
    monkeypatch.setenv("CH3LIB_FORCE_CPU", "1")
    assert build.execution_cache() != cpu_or_gpu
    assert build.execution_cache().parent == layout.EXECUTION_CACHE
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert build.interpreter().startswith(f"python={version} {sys.platform} ")
    here = build.execution_cache()
    monkeypatch.setattr(build, "interpreter", lambda: "python=3.99 darwin arm64")
    assert build.execution_cache() != here


def test_stale_execution_caches_are_removed_by_the_build_not_by_conf_py(tmp_path, monkeypatch):
    monkeypatch.setattr(layout, "EXECUTION_CACHE", tmp_path)
    current = build.execution_cache()
    for folder in (current, tmp_path / "0123456789abcdef"):
        folder.mkdir()
    build.remove_stale_execution_caches()
    assert [p.name for p in tmp_path.iterdir()] == [current.name]
    conf = (layout.ROOT / "conf.py").read_text(encoding="utf-8")
    assert "rmtree" not in conf and "unlink" not in conf  # importing conf.py deletes nothing


def executable(folder, name: str, script: str):
    path = folder / name
    path.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def test_make_takes_the_newest_supported_python_that_runs(tmp_path):
    """A pyenv shim of a version not selected is on PATH but fails: it is passed over."""
    executable(tmp_path, "python3.13", 'echo "pyenv: python3.13: command not found" >&2; exit 127')
    executable(tmp_path, "python3.12", f'exec {sys.executable} "$@"')
    executable(tmp_path, "python3.11", f'exec {sys.executable} "$@"')
    environment = {k: v for k, v in os.environ.items() if k not in {"PYTHON", "MAKEFLAGS"}}
    environment["PATH"] = f"{tmp_path}:/usr/bin:/bin"
    commands = make_dry_run("venv", env=environment)
    assert "test -x .venv/bin/python || python3.12 -m venv .venv" in commands


@pytest.mark.parametrize(
    ("python", "says"),
    [
        ("python3.10", "is Python 3.10"),  # reports 3.10, as /usr/bin/python3 on Ubuntu 22.04
        ("no-such-python", "is not a Python that runs here"),
    ],
)
def test_make_refuses_any_other_python_in_one_line_naming_the_versions(tmp_path, python, says):
    executable(tmp_path, "python3.10", "echo 3.10")
    done = subprocess.run(
        ["make", "--no-print-directory", "venv", f"PYTHON={tmp_path / python}"],
        cwd=layout.ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0 and done.stdout == ""
    first, *_ = done.stderr.splitlines()
    assert first == (
        f"make: {tmp_path / python} {says}; the book builds with Python 3.11, 3.12 or 3.13: "
        "install one, or name it with PYTHON=/path/to/python3.13"
    )

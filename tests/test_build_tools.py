"""The build driver (tools/build.py) and the Makefile's choices: GPU, Python, kernels."""

import os
import re
import subprocess
import sys

import pytest

from tools import build, layout


def make_dry_run(*arguments: str, env: dict[str, str] | None = None) -> str:
    """What `make` would run, without running it (-B: as on a fresh clone)."""
    return subprocess.run(
        ["make", "-n", "-B", *arguments],
        cwd=layout.ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_make_installs_ch3lib_and_the_docs_and_test_groups_by_default():
    commands = make_dry_run("html")
    assert '-e "." --group docs --group test' in commands
    assert "gpu" not in commands


def test_make_gpu_1_installs_the_gpu_extra_too_and_asks_the_build_to_check():
    commands = make_dry_run("html", "GPU=1")
    assert '-e ".[gpu]" --group docs --group test' in commands
    assert "-m tools.build --gpu" in commands


def test_the_book_s_tooling_is_not_in_ch3lib_s_published_metadata():
    """The wheel readers install by hash changes only when ch3lib does (package_index.py)."""
    import tomllib

    project = tomllib.loads((layout.ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert set(project["project"]["optional-dependencies"]) == {"gpu"}
    assert {"docs", "test"} <= set(project["dependency-groups"])
    assert isinstance(project["project"]["readme"], dict)  # not README.md, the book's


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


def test_inputs_cover_sources_library_and_configuration_but_not_caches():
    names = {p.relative_to(layout.ROOT).as_posix() for p in build.input_files()}
    assert {"conf.py", "constraints.txt", "book/3-5-first-steps.md"} <= names
    assert "src/ch3lib/layers.py" in names
    assert not any("__pycache__" in name or name.startswith("_build") for name in names)


def test_source_date_epoch_prefers_the_environment(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert build.source_date_epoch() == 1700000000


def test_the_execution_cache_follows_the_device_settings(monkeypatch):
    monkeypatch.delenv("CH3LIB_FORCE_CPU", raising=False)
    cpu_or_gpu = build.execution_cache()
    monkeypatch.setenv("CH3LIB_FORCE_CPU", "1")
    assert build.execution_cache() != cpu_or_gpu
    assert build.execution_cache().parent == layout.EXECUTION_CACHE


@pytest.mark.parametrize(
    ("attribute", "value"),
    [  # another Python, another platform than this one
        ("version_info", (3, sys.version_info[1] + 1, 0, "final", 0)),
        ("platform", "win32" if sys.platform == "darwin" else "darwin"),
    ],
)
def test_the_execution_cache_and_the_inputs_follow_the_python_and_the_platform(
    monkeypatch, attribute, value
):
    here, inputs = build.execution_cache(), build.inputs_digest()
    monkeypatch.setattr(build.sys, attribute, value)
    assert build.execution_cache() != here
    assert build.inputs_digest() != inputs  # make html does not say "nothing changed"


def test_lighthouse_one_qr_view_skips_every_section_view_but_the_first():
    from tools.lighthouse import repeated_qr_views

    pages = ["index.html", "qr/index.html", "qr/sec-3-1.html", "qr/sec-3-1-loop.html", "qr/x.html"]
    assert repeated_qr_views(pages) == ["qr/sec-3-1-loop.html"]
    assert repeated_qr_views(["index.html", "qr/sec-3-1.html"]) == []


def test_set_value_edits_an_assignment_whatever_its_layout(tmp_path):
    from tools.rebuild_check import set_value

    conf = tmp_path / "conf.py"
    conf.write_text(
        'html_title = "深度學習第三章"  # 標題\nredirects: dict[str, str] = {\n'
        '    "old": "new.html",  # a comment\n}\nx = 1\n',
        encoding="utf-8",
    )
    set_value(conf, "html_title", lambda title: f"{title}（修改）")
    set_value(conf, "redirects", lambda old: {**old, "extra": "extra-renamed.html"})
    namespace: dict = {}
    exec(conf.read_text(encoding="utf-8"), namespace)
    assert namespace["html_title"] == "深度學習第三章（修改）"
    assert namespace["redirects"] == {"old": "new.html", "extra": "extra-renamed.html"}
    assert namespace["x"] == 1 and "# 標題" in conf.read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="expected a top-level assignment to missing"):
        set_value(conf, "missing", lambda old: old)


def test_stale_execution_caches_are_removed_by_the_build_not_by_conf_py(tmp_path, monkeypatch):
    monkeypatch.setattr(layout, "EXECUTION_CACHE", tmp_path)
    current = build.execution_cache()
    for folder in (current, tmp_path / "0123456789abcdef"):
        folder.mkdir()
    build.remove_stale_execution_caches()
    assert [p.name for p in tmp_path.iterdir()] == [current.name]
    conf = (layout.ROOT / "conf.py").read_text(encoding="utf-8")
    assert "rmtree" not in conf and "unlink" not in conf  # importing conf.py deletes nothing


def test_the_final_garbage_collection_is_skipped_only_where_conf_says_so():
    import gc
    from types import SimpleNamespace

    from ch3book.fast_exit import skip_final_garbage_collection

    before = gc.get_freeze_count()
    skip_final_garbage_collection(
        SimpleNamespace(config=SimpleNamespace(book_fast_exit=False)), None
    )
    assert gc.get_freeze_count() == before  # an in-process build (a test) keeps collecting


@pytest.mark.parametrize(
    ("platform", "fork", "setting", "expected"),
    [
        ("linux", True, "", "zygote"),
        ("darwin", True, "", "spawn"),  # fork after TensorFlow is not safe on macOS
        ("linux", False, "", "spawn"),
        ("linux", True, "spawn", "spawn"),
        ("darwin", True, "spawn", "spawn"),
    ],
)
def test_kernels_fork_from_a_zygote_only_where_fork_is_safe(
    monkeypatch, platform, fork, setting, expected
):
    zygote = layout.book_extension("zygote")
    monkeypatch.setattr(zygote.sys, "platform", platform)
    if not fork:
        monkeypatch.delattr(zygote.os, "fork")
    monkeypatch.setenv("BOOK_KERNELS", setting)
    assert zygote.mode() == expected


@pytest.mark.parametrize(
    ("platform", "setting", "message"),
    [
        (
            "linux",
            "forkserver",
            "BOOK_KERNELS: expected one of zygote, spawn; received 'forkserver'",
        ),
        ("darwin", "zygote", "BOOK_KERNELS=zygote: expected Linux with os.fork; received darwin"),
    ],
)
def test_a_kernel_mode_that_cannot_work_here_is_refused_with_what_would(
    monkeypatch, platform, setting, message
):
    zygote = layout.book_extension("zygote")
    monkeypatch.setattr(zygote.sys, "platform", platform)
    monkeypatch.setenv("BOOK_KERNELS", setting)
    with pytest.raises(ValueError, match=re.escape(message)):
        zygote.mode()


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


def test_merging_a_cache_made_under_another_key_is_refused_naming_both(tmp_path, capsys):
    from jupyter_cache import get_cache

    from tools import execution_cache

    other = tmp_path / "0123456789abcdef"
    get_cache(str(other)).list_cache_records()  # an empty jupyter-cache: global.db
    assert execution_cache.merge([other]) == 2
    said = capsys.readouterr().err
    assert f"{other} was made under another key (0123456789abcdef, this checkout's is " in said
    assert execution_cache.merge([tmp_path]) == 2
    assert "expected a jupyter-cache folder (with global.db); received" in capsys.readouterr().err


def last_site(root):
    """A published site, Sphinx's bookkeeping beside it, and where the staging goes."""
    from tools import staging

    site, kept = root / "html", root / "kept"
    for name in ("index.html", "qr/sec-3-5.html", "_static/theme.css", layout.PDF_NAME):
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(name, encoding="utf-8")
    os.utime(site / "index.html", (1_000_000_000, 1_000_000_000))
    kept.mkdir()
    for name in staging.BOOKKEEPING:
        (kept / name).write_text(f"kept {name}", encoding="utf-8")
    return site, root / "next", kept


def test_the_last_site_is_copied_in_another_process_but_static_files_and_the_pdf(tmp_path):
    from tools import staging

    site, next_site, kept = last_site(tmp_path)
    staging.start_copy(site, next_site, kept)
    staging.staging_ready()
    copied = sorted(p.relative_to(next_site).as_posix() for p in next_site.rglob("*"))
    assert copied == sorted([*staging.BOOKKEEPING, "index.html", "qr", "qr/sec-3-5.html"])
    # reuse.prune tells the pages Sphinx did not write by their times: they are kept
    assert (next_site / "index.html").stat().st_mtime == 1_000_000_000
    assert (next_site / ".buildinfo").read_text(encoding="utf-8") == "kept .buildinfo"
    staging.staging_ready()  # nothing under way: returns at once


def test_a_failed_copy_of_the_last_site_is_named_not_ignored(tmp_path):
    from tools import staging

    site, _, kept = last_site(tmp_path)
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    staging.start_copy(site, tmp_path / "a-file" / "next", kept)  # no folder can be made there
    with pytest.raises(RuntimeError) as raised:
        staging.staging_ready()
    message = str(raised.value)
    assert message.startswith(f"could not copy the last site ({site}) into {tmp_path}/a-file/next")
    assert "exit status 1: NotADirectoryError" in message, message
    staging.start_copy(site, tmp_path / "a-file" / "next", kept)
    staging.staging_ready(quiet=True)  # Sphinx already failed: only wait


def test_the_bench_says_at_once_that_it_needs_chromium():
    """Not after minutes of building, in a Playwright traceback."""
    done = subprocess.run(
        [sys.executable, "-m", "tools.bench", "--scale"],
        cwd=layout.ROOT,
        env={**os.environ, "CHROMIUM": "/nonexistent/chromium"},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert done.stderr == (
        "make bench: Expected Chromium at /nonexistent/chromium. Received no such file: "
        "apt-get install -y chromium, or set CHROMIUM to another Chromium.\n"
    )

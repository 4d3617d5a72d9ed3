import re
import tomllib
from pathlib import Path

import pytest

import ch3lib

# Standard library and ch3lib only: `make test-oldest` runs this file without Sphinx.
ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_all_is_sorted_and_complete():
    # isort/ruff order: CONSTANTS, then Classes, then functions
    def kind(name):
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert ch3lib.__all__ == sorted(ch3lib.__all__, key=kind)
    modules = {
        "answers", "device", "gradients", "layers", "linear_classifier", "plotting",
        "point_clouds", "training",
    }  # fmt: skip
    assert {n for n in dir(ch3lib) if not n.startswith("_")} - modules == set(ch3lib.__all__)


def test_every_public_docstring_names_its_section():
    # The extension's pattern. Skipped without Sphinx (test-oldest): docstrings are no version's.
    SECTION_NUMBER = pytest.importorskip("ch3book.sections").SECTION_NUMBER  # noqa: N806
    for name in ch3lib.__all__:
        obj = getattr(ch3lib, name)
        if name == "FORCE_CPU_ENV":
            continue
        doc = obj.__doc__ or ""
        module_doc = __import__(obj.__module__, fromlist=["x"]).__doc__
        # Any chapter's section number (4-1, 3-10): the one pattern the docstring links use.
        assert re.search(SECTION_NUMBER, doc) or name in {"Motion", "Split"}, name
        assert re.search(SECTION_NUMBER, module_doc), obj.__module__


def test_version_is_written_in_one_place():
    project = PYPROJECT["project"]
    assert "version" not in project and "version" in project["dynamic"]
    dynamic = PYPROJECT["tool"]["setuptools"]["dynamic"]["version"]
    assert dynamic == {"attr": "ch3lib.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", ch3lib.__version__)


def test_lowest_supported_versions_are_the_ones_make_test_oldest_installs():
    lower_bounds = {}
    for requirement in PYPROJECT["project"]["dependencies"]:
        name, bound = re.fullmatch(r"([\w-]+)>=(\d+\.\d+\.\d+)", requirement).groups()
        lower_bounds[name] = bound
    lines = (ROOT / "constraints-oldest.txt").read_text(encoding="utf-8").splitlines()
    pins = dict(line.split("==") for line in lines if line and not line.startswith("#"))
    assert pins == lower_bounds

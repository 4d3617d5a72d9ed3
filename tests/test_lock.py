"""The pins install from wheels on every machine the README supports (tools/lock.py).

pip resolves for each machine from PyPI alone (``--python-version``, ``--platform``,
``--only-binary :all:``): no interpreter of that version, no Mac, and nothing compiles.
"""

import pytest

from tools import layout, lock


def test_every_pin_has_a_wheel_on_every_supported_python_and_platform():
    assert [str(m) for m in lock.SUPPORTED] == [
        "Python 3.11 on Linux x86_64",
        "Python 3.11 on macOS arm64",
        "Python 3.12 on Linux x86_64",
        "Python 3.12 on macOS arm64",
        "Python 3.13 on Linux x86_64",
        "Python 3.13 on macOS arm64",
    ]
    assert lock.check() == []


def test_the_supported_pythons_are_pyproject_s():
    import tomllib

    project = tomllib.loads((layout.ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["requires-python"] == ">=3.11,<3.14"
    assert lock.PYTHONS == ("3.11", "3.12", "3.13")


def test_a_pin_that_needs_a_newer_python_than_3_11_0_is_refused(tmp_path):
    # soupsieve 4.1.3 requires Python 3.11.5: Debian 12's python3 (3.11.2) could not install it.
    pins = (layout.ROOT / "constraints.txt").read_text(encoding="utf-8")
    broken = tmp_path / "constraints.txt"
    broken.write_text(pins.replace("soupsieve==2.10", "soupsieve==4.1.3"), encoding="utf-8")
    found = lock.problems(lock.SUPPORTED[1], broken)  # Python 3.11 on macOS arm64
    assert len(found) == 1
    assert found[0].startswith("Python 3.11 on macOS arm64: pip found no wheels to install:")
    assert "The user requested (constraint) soupsieve==4.1.3" in found[0]


def test_a_package_a_machine_installs_but_nobody_pinned_is_named(tmp_path):
    # astunparse (under TensorFlow) needs wheel; take its pin out.
    pins = (layout.ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    version = lock.read_pins(layout.ROOT / "constraints.txt")["wheel"]
    broken = tmp_path / "constraints.txt"
    broken.write_text("\n".join(p for p in pins if not p.startswith("wheel==")), encoding="utf-8")
    found = lock.problems(lock.SUPPORTED[-1], broken)  # Python 3.13 on macOS arm64
    assert found == [
        f"Python 3.13 on macOS arm64: wheel {version} is installed but not pinned in "
        "constraints.txt (run make lock)"
    ]


def test_a_line_that_is_not_a_pin_is_named_with_its_number(tmp_path):
    bad = tmp_path / "constraints.txt"
    bad.write_text("# pins\nnumpy==2.4.6\nkeras>=3\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"constraints.txt:3: expected a pin like .*'keras>=3'"):
        lock.read_pins(bad)

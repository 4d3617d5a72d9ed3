"""The pins are one per package on each supported machine (tools/lock.py), offline; whether each
has a wheel there needs PyPI: ``python -m tools.lock --check``."""

from packaging.markers import Marker
from packaging.requirements import Requirement
from published import PYPROJECT

from tools import lock

#: Each machine as PEP 508 markers see it (the oldest release of each Python, and the GPU
#: extra where it installs).
ENVIRONMENTS = {
    f"Python {python} on {system}": {
        "python_version": python,
        "python_full_version": f"{python}.0",
        "sys_platform": system,
        "platform_machine": machine,
        "implementation_name": "cpython",
        "platform_system": {"linux": "Linux", "darwin": "Darwin"}[system],
        "os_name": "posix",
        "platform_python_implementation": "CPython",
        "extra": "",
    }
    for python in ("3.11", "3.12", "3.13")
    for system, machine in (("linux", "x86_64"), ("darwin", "arm64"))
}


def pins() -> list[Requirement]:
    text = lock.CONSTRAINTS.read_text(encoding="utf-8")
    return [Requirement(line) for line in text.splitlines() if line and not line.startswith("#")]


def test_the_supported_machines_are_pyproject_s():
    assert PYPROJECT["project"]["requires-python"] == ">=3.11,<3.14"
    assert sorted({python for python, _ in lock.MACHINES}) == ["3.11", "3.12", "3.13"]
    environments = PYPROJECT["tool"]["uv"]["required-environments"]
    assert environments == PYPROJECT["tool"]["uv"]["environments"]
    for name, environment in ENVIRONMENTS.items():
        assert any(Marker(e).evaluate(environment) for e in environments), name


def test_each_machine_has_exactly_one_pin_of_each_package_it_installs():
    every = pins()
    assert all(len(p.specifier) == 1 and next(iter(p.specifier)).operator == "==" for p in every)
    for name, environment in ENVIRONMENTS.items():
        there = [p.name for p in every if p.marker is None or p.marker.evaluate(environment)]
        assert len(there) == len(set(there)), name
        assert {"sphinx", "tensorflow", "keras", "myst-nb", "jupyter-cache"} <= set(there), name
    linux = ENVIRONMENTS["Python 3.11 on linux"]
    macos = ENVIRONMENTS["Python 3.11 on darwin"]
    nvidia = [p for p in every if p.name.startswith("nvidia-")]
    assert nvidia and all(p.marker.evaluate(linux) and not p.marker.evaluate(macos) for p in nvidia)

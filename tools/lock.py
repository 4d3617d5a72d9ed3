"""``make lock``: pins that install from wheels on every interpreter and platform we support.

``constraints.txt`` is one file for every supported machine (``SUPPORTED``): Python 3.11,
3.12 and 3.13 on Linux x86_64 (Windows through WSL included) and on macOS arm64. pip
resolves for each of them from its index alone (``pip install --dry-run --python-version
… --platform … --only-binary :all: --report``), so no interpreter of that version and no
such machine is needed:

1. The newest releases ``pyproject.toml`` allows, resolved for the oldest of them (Python
   3.11.0 on Linux: ``--python-version 3.11`` means 3.11.0, so a release that requires
   3.11.5 is never pinned for a Debian 12 user, whose Python is 3.11.2), with the GPU
   extra, whose NVIDIA wheels tensorflow[and-cuda] bounds but does not pin.
2. Each other machine resolved with those pins as constraints: a pin without a wheel
   there fails here, with pip's reason, and a package only that machine needs (a
   platform marker) is pinned as that machine resolves it; repeat until nothing is added.

``tests/test_lock.py`` runs step 2's check against the committed file, with ``check()``:
every pin must have a wheel for every supported machine, and nothing a supported machine
installs may be left unpinned.

Usage: ``python -m tools.lock`` (``make lock``), or ``python -m tools.lock --check``.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tools import layout

CONSTRAINTS = layout.ROOT / "constraints.txt"
OLDEST_CONSTRAINTS = layout.ROOT / "constraints-oldest.txt"

#: The interpreters the book builds with (pyproject.toml's requires-python; the Makefile
#: picks the newest of them on PATH).
PYTHONS = ("3.11", "3.12", "3.13")

#: glibc 2.17 to 2.28 (the newest a pinned wheel may need: Debian 10, Ubuntu 20.04, RHEL 8).
#: pip does not widen a manylinux tag given with --platform, so each one is named.
LINUX_X86_64 = (
    *(f"manylinux_2_{minor}_x86_64" for minor in range(17, 29)),
    "manylinux2014_x86_64",
)
#: macOS 12 or newer on Apple silicon (TensorFlow's wheels need 12); pip widens a macOS
#: tag to the older releases itself. TensorFlow has no wheels for Intel Macs since 2.17.
MACOS_ARM64 = ("macosx_12_0_arm64",)


@dataclass(frozen=True)
class Machine:
    """One supported combination of interpreter and platform, as pip's options name it."""

    python: str
    system: str  # what README.md's support matrix calls it
    platforms: tuple[str, ...]
    extras: str = ""  # ch3lib's extras installed there: the GPU wheels exist on Linux only

    def __str__(self) -> str:
        return f"Python {self.python} on {self.system}"


SUPPORTED = tuple(
    machine
    for python in PYTHONS
    for machine in (
        Machine(python, "Linux x86_64", LINUX_X86_64, "[gpu]"),
        Machine(python, "macOS arm64", MACOS_ARM64),
    )
)
#: ``make test-oldest``'s lowest versions (TensorFlow 2.16.1) have wheels for 3.11 and 3.12.
OLDEST = tuple(m for m in SUPPORTED if m.python in ("3.11", "3.12"))

#: The groups the Makefile installs beside ch3lib (``pip install -e . --group docs …``).
GROUPS = ("--group", "docs", "--group", "test")
#: Never pinned: ch3lib itself, and pip (the Makefile pins its version).
UNPINNED = {"ch3lib", "pip"}


#: pip's lines that tell what it fetches, not why it failed.
PROGRESS = re.compile(
    r"\s*($|Looking in |Collecting |Downloading |Processing |Using cached |Obtaining |━|"
    r"INFO: pip is looking|WARNING: Location .* is ignored)"
)


class ResolutionError(RuntimeError):
    """pip found no set of wheels for a machine; the message is pip's reason."""


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_pins(path: Path) -> dict[str, str]:
    """``{canonical name: version}`` of a constraints file's ``name==version`` lines."""
    pins = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, equals, version = line.partition("==")
        if not equals or not version.strip():
            raise ValueError(
                f"{path.name}:{number}: expected a pin like `numpy==2.4.6`, received {line!r}"
            )
        pins[canonical(name)] = version.strip()
    return pins


def dependencies(extras: str = "") -> tuple[str, ...]:
    """ch3lib's requirements (with ``extras``) as pyproject.toml lists them.

    Named directly rather than as ``-e .``, so that pip need not build ch3lib's metadata
    (a build environment per machine): the same requirements, a third of the time.
    """
    import tomllib

    project = tomllib.loads((layout.ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wanted = list(project["project"]["dependencies"])
    for extra in re.findall(r"\w+", extras):
        wanted += project["project"]["optional-dependencies"][extra]
    return tuple(wanted)


def resolve(
    machine: Machine,
    constraints: Path | None,
    requirements: tuple[str, ...] | None = None,
) -> dict[str, str]:
    """What ``pip install`` would install on ``machine``: ``{canonical name: version}``.

    Only wheels, only pip's index: nothing is downloaded but metadata.
    """
    if requirements is None:
        requirements = (*dependencies(machine.extras), *GROUPS)
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        command = [
            sys.executable,
            *("-m", "pip", "install", "--dry-run", "--ignore-installed"),
            *("--disable-pip-version-check", "--only-binary", ":all:"),
            *("--python-version", machine.python),
            *(option for tag in machine.platforms for option in ("--platform", tag)),
            *("--report", str(report)),
            *(("-c", str(constraints)) if constraints else ()),
            *requirements,
        ]
        done = subprocess.run(
            command, cwd=layout.ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        if done.returncode != 0:
            reason = [line for line in done.stdout.splitlines() if not PROGRESS.match(line)]
            raise ResolutionError(
                f"{machine}: pip found no wheels to install:\n" + "\n".join(reason)
            )
        installed = json.loads(report.read_text(encoding="utf-8"))["install"]
    return {canonical(i["metadata"]["name"]): i["metadata"]["version"] for i in installed}


def problems(machine: Machine, constraints: Path, oldest: bool = False) -> list[str]:
    """Why ``constraints`` does not install exactly on ``machine`` (empty when it does).

    ``oldest`` checks ``constraints-oldest.txt`` the way ``make test-oldest`` installs it:
    only ch3lib's own dependencies are pinned there.
    """
    pins = read_pins(constraints)
    requirements = dependencies() if oldest else None
    try:
        installed = resolve(machine, constraints, requirements)
    except ResolutionError as error:
        return [str(error)]
    if oldest:
        wanted = {name: installed.get(name) for name in pins}
        return [
            f"{machine}: {constraints.name} pins {name}=={pins[name]}, pip would install {got}"
            for name, got in wanted.items()
            if got != pins[name]
        ]
    return [
        f"{machine}: {name} {version} is installed but not pinned in {constraints.name} "
        "(run make lock)"
        for name, version in sorted(installed.items())
        if name not in UNPINNED and name not in pins
    ]


def check(machines: tuple[Machine, ...] = SUPPORTED) -> list[str]:
    """Every problem of both constraints files on the machines they are for."""
    jobs = [(m, CONSTRAINTS, False) for m in machines]
    jobs += [(m, OLDEST_CONSTRAINTS, True) for m in OLDEST if m in machines]
    with ThreadPoolExecutor(max_workers=4) as pool:  # pip mostly waits on the index
        found = pool.map(lambda job: problems(*job), jobs)
    return [problem for each in found for problem in each]


def write(pins: dict[str, str]) -> None:
    lines = [
        "# Exact pins for `make html` / `make test` on every supported machine: Python 3.11-3.13",
        "# on Linux x86_64 (WSL too; the GPU extra's NVIDIA wheels included) and macOS arm64.",
        "# Written by `make lock` (tools/lock.py); tests/test_lock.py checks that each pin has",
        "# a wheel on each of them.",
        *(f"{name}=={version}" for name, version in sorted(pins.items())),
    ]
    CONSTRAINTS.write_text("\n".join(lines) + "\n", encoding="utf-8")


def lock() -> dict[str, str]:
    """Steps 1 and 2 of the module docstring; returns the pins it wrote."""
    floor, *others = SUPPORTED
    print(f"make lock: resolving the newest releases for {floor}", flush=True)
    pins = {n: v for n, v in resolve(floor, None).items() if n not in UNPINNED}
    while True:
        write(pins)
        added = {}
        for machine in others:
            print(f"make lock: checking them on {machine}", flush=True)
            for name, version in resolve(machine, CONSTRAINTS).items():
                if name not in UNPINNED and name not in pins:
                    print(f"make lock:   {name}=={version} (needed there only)")
                    added[name] = version
        if not added:
            return pins
        pins.update(added)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m tools.lock", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--check", action="store_true", help="check the committed pins only")
    args = parser.parse_args(argv)
    try:
        if args.check:
            found = check()
            if found:
                sys.exit("\n".join(found))
            print(f"lock: constraints.txt installs from wheels on {len(SUPPORTED)} machines")
            return
        pins = lock()
    except ResolutionError as error:
        sys.exit(f"make lock: {error}")
    print(f"make lock: {len(pins)} pins in constraints.txt, for {len(SUPPORTED)} machines")


if __name__ == "__main__":
    main()

"""``make lock``: one file of pins for every supported machine, resolved by uv, then checked.

uv resolves the newest releases ``pyproject.toml`` allows for every machine at once
(``uv pip compile --universal`` within ``[tool.uv]``'s environments, with wheels required on
each): one pin per package, a marker where a machine needs another release. Its markers
cannot say which glibc or macOS a wheel needs, so each machine (``MACHINES``: glibc 2.28,
macOS 12) is then resolved again from wheels only with those pins: a pin without a wheel
there, or a package no pin names, fails. ``--check`` (CI) does the second step alone.

Usage: ``python -m tools.lock [--check]``.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys

from packaging.utils import canonicalize_name

from tools import layout

CONSTRAINTS = layout.ROOT / "constraints.txt"
#: uv's name of each supported platform, and ch3lib's extras installed there.
PLATFORMS = {"x86_64-manylinux_2_28": "gpu", "aarch64-apple-darwin": ""}
MACHINES = [(python, platform) for python in ("3.11", "3.12", "3.13") for platform in PLATFORMS]
HEADER = """\
# Exact pins for `make html` / `make test` on every supported machine: Python 3.11-3.13 on
# Linux x86_64 (WSL too; the GPU extra's NVIDIA wheels included) and macOS arm64.
# Written by `make lock` (tools/lock.py: uv's universal resolution, then each machine checked).
"""
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)", re.MULTILINE)


def uv(*arguments: str, env: dict[str, str] | None = None) -> str:
    """``uv pip compile pyproject.toml`` with the groups the Makefile installs; its pins."""
    command = [sys.executable, "-m", "uv", "pip", "compile", "pyproject.toml", "--quiet"]
    command += ["--group", "docs", "--group", "test", "--only-binary", ":all:"]
    command += ["--no-header", "--no-annotate", "--no-emit-package", "ch3lib", *arguments]
    env = {**os.environ, **(env or {})}
    done = subprocess.run(command, cwd=layout.ROOT, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise SystemExit(
            f"lock: {' '.join(arguments)}: uv found no wheels to install:\n{done.stderr}"
        )
    return done.stdout


def problems(python: str, platform: str) -> list[str]:
    """What the committed pins leave unpinned on one machine (uv fails if one has no wheel)."""
    extras = ("--extra", PLATFORMS[platform]) if PLATFORMS[platform] else ()
    options = ("-c", str(CONSTRAINTS), "--python-version", python, "--python-platform", platform)
    resolved = uv(*options, *extras, env={"MACOSX_DEPLOYMENT_TARGET": "12.0"})
    text = CONSTRAINTS.read_text(encoding="utf-8")
    pinned = {(canonicalize_name(name), version) for name, version in PIN.findall(text)}
    return [
        f"Python {python} on {platform}: {name}=={version} is installed but not pinned"
        for name, version in PIN.findall(resolved)
        if (canonicalize_name(name), version) not in pinned
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.lock", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--check", action="store_true", help="check the committed pins only")
    if not parser.parse_args(argv).check:
        pins = uv("--universal", "--python-version", "3.11", "--extra", "gpu")
        CONSTRAINTS.write_text(HEADER + pins, encoding="utf-8")
    found = [problem for machine in MACHINES for problem in problems(*machine)]
    fine = f"lock: constraints.txt installs from wheels on {len(MACHINES)} machines"
    print("\n".join(found) or fine)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())

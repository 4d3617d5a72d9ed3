"""Run notebooks top to bottom with a real kernel, as a reader's Jupyter would.

``make test-oldest`` runs the readers' notebooks of the built site (``_build/html/
_sources/*.ipynb``) in the environment with ch3lib's lowest supported dependencies; the
reader test (``tests/test_reader.py``) runs them in a fresh environment that installs
ch3lib from the served site. Each notebook runs in an empty folder of its own, in a new
kernel; a cell tagged ``raises-exception`` may fail (the lesson shows the error), any
other error stops the run with the cell and the traceback.

Usage: ``python -m tools.run_notebooks NOTEBOOK …`` (the kernel is this Python's).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import nbclient
import nbformat


def run(path: Path, workdir: Path, kernel_name: str = "python3") -> Any:
    notebook = nbformat.read(path, as_version=4)
    return nbclient.execute(notebook, cwd=str(workdir), kernel_name=kernel_name, timeout=900)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    for path in args.notebooks:
        start = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="notebook-") as workdir:
            notebook = run(path, Path(workdir))
        cells = sum(cell.cell_type == "code" for cell in notebook.cells)
        print(f"{path.name}: {cells} code cells ran in {time.perf_counter() - start:.1f} s")
    print(f"{len(args.notebooks)} notebooks ran without error ({sys.executable})")


if __name__ == "__main__":
    main()

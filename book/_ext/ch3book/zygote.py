"""A kernel zygote: import TensorFlow once, then fork a fresh Jupyter kernel for each page.

A new kernel spends about 3.5 s importing TensorFlow before the page's first cell can
run; with two pages executing at once, and autodoc importing it in Sphinx's process, a
cold build paid for it three times on two cores. The zygote is a small process that
imports what every page imports first (``ch3lib``, and so TensorFlow, Keras, NumPy and
Matplotlib) and ipykernel, and nothing else, then waits. For each page, the executor
writes a connection file and asks the zygote for a kernel: the zygote forks, and the
child becomes an ordinary ipykernel on that connection file. Every page thus runs in a
fresh process that has never run another page's code, and starts in ~0.3 s.

Forking after ``import tensorflow`` is safe because TensorFlow starts its runtime (thread
pools, devices) at the first operation, which happens in the child (``ch3lib.setup()`` in
the page's first cell). ``tests/test_rebuild.py`` checks that pages executed this way
publish exactly what MyST-NB's own kernels publish.

No stock tool does this: jupyter_client starts every kernel as a new process, and
IPython's kernel pools (e.g. Jupyter Enterprise Gateway) keep whole kernels, which a page
would then share.

Run as a script by :func:`start` (``python zygote.py SOCKET``); :func:`request_kernel` is
the client side. The protocol is one JSON line each way on a Unix socket.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

#: The environment of every kernel of the book, whoever starts it (this zygote, or MyST-NB
#: from the Sphinx process, whose environment kernels inherit). Matplotlib's backend is the
#: one ipykernel chooses when none is set: figures display inline even if the caller
#: exported another backend, and even though the zygote imports Matplotlib before the
#: kernel exists. The debugger's "frozen modules" warning would be stderr on the pages.
KERNEL_ENV = {
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
}
ENV = "BOOK_KERNEL_ZYGOTE"  # the socket of a running zygote, for builds that can use it


def _serve(path: str) -> None:
    """The zygote: listen, import, then fork a kernel per request until the parent dies."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(8)  # requests wait in the queue while the imports run
    os.environ.update(KERNEL_ENV)
    from ipykernel.kernelapp import IPKernelApp

    import ch3lib  # noqa: F401  (TensorFlow & co.: what every page imports first)

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernels are reaped automatically
    parent = os.getppid()
    server.settimeout(1.0)
    while os.getppid() == parent:
        try:
            connection, _ = server.accept()
        except TimeoutError:
            continue
        with connection:
            request = json.loads(connection.makefile("r", encoding="utf-8").readline())
            pid = os.fork()
            if pid == 0:  # the kernel
                server.close()
                connection.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                quiet = os.open(os.devnull, os.O_WRONLY)  # no kernel banner on the console:
                os.dup2(quiet, 1)  # the cells' output reaches the notebook through
                os.dup2(quiet, 2)  # ipykernel's own capture, as in any kernel
                os.chdir(request["cwd"])
                app = IPKernelApp.instance()
                app.initialize(
                    [
                        "-f",
                        request["connection_file"],
                        "--HistoryManager.hist_file=:memory:",
                        f"--parent={os.getppid()}",  # exit if the zygote goes away
                    ]
                )
                app.start()
                os._exit(0)
            connection.sendall(json.dumps({"pid": pid}).encode() + b"\n")


@contextlib.contextmanager
def start(env: dict[str, str] | None = None) -> Iterator[str]:
    """Run a zygote for the duration of the block; yield its socket path."""
    folder = tempfile.mkdtemp(prefix="ch3book-zygote-")
    path = str(Path(folder) / "zygote.sock")
    process = subprocess.Popen(
        [sys.executable, __file__, path],
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not os.path.exists(path):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the kernel zygote did not start (exit {process.poll()})")
            time.sleep(0.01)
        yield path
    finally:
        process.terminate()
        process.wait(timeout=30)
        with contextlib.suppress(OSError):
            os.unlink(path)
            os.rmdir(folder)


def request_kernel(path: str, connection_file: str, cwd: str, timeout: float = 120) -> int:
    """Ask the zygote at ``path`` for a kernel on ``connection_file``; return its pid."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.settimeout(timeout)
        client.connect(path)
        request = {"connection_file": connection_file, "cwd": cwd}
        client.sendall(json.dumps(request).encode() + b"\n")
        return int(json.loads(client.makefile("r", encoding="utf-8").readline())["pid"])


if __name__ == "__main__":
    _serve(sys.argv[1])

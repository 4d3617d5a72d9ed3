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

The zygote used to keep a kernel forked and set up in advance; measured against forking
on request, it bought nothing (preview code edit 6.10 s without it, 6.13 s with it), so
it forks on request. Run as a script by :func:`start` (``python zygote.py SOCKET``);
:func:`request_kernel` is the client side. The protocol is one JSON line each way on a
Unix socket. Where forking is not safe (``forks_safely``), or with ``BOOK_KERNELS=spawn``,
there is no zygote: each page gets a new kernel process from jupyter_client.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import shutil
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
#: How the pages' kernels start: forked from a zygote, or each a new process (jupyter_client).
KERNELS = "BOOK_KERNELS"
MODES = ("zygote", "spawn")
#: Modules the pages load lazily (measured): MyST-NB's glue, IPython's traceback
#: formatting, PNG writing, Keras' summary. Matplotlib's inline backend is *not* here: it
#: hooks itself into the kernel's shell when imported, so the kernel must import it.
PRELOADED = ("myst_nb", "IPython.core.ultratb", "stack_data", "PIL.PngImagePlugin", "rich.console")


#: Why no kernel came from a zygote that does not answer.
STOPPED = "the kernel zygote (book/_ext/ch3book/zygote.py) is not running: it was killed or crashed"


def forks_safely() -> bool:
    """True where forking a process that imported TensorFlow is known to be safe: Linux.

    CPython has treated ``fork`` as unsafe on macOS since 3.8 (system libraries start
    threads), and Windows has no ``fork``.
    """
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def mode() -> str:
    """``zygote`` or ``spawn``: ``BOOK_KERNELS`` if set, else ``zygote`` where it is safe.

    Raises ValueError for any other value, or for ``zygote`` where forking is not safe.
    """
    chosen = os.environ.get(KERNELS, "").strip()
    if not chosen:
        return "zygote" if forks_safely() else "spawn"
    if chosen not in MODES:
        raise ValueError(f"{KERNELS}: expected one of {', '.join(MODES)}; received {chosen!r}")
    if chosen == "zygote" and not forks_safely():
        raise ValueError(
            f"{KERNELS}=zygote: expected Linux with os.fork; received {sys.platform}. "
            f"Unset {KERNELS} (or set it to spawn): each page gets a new kernel process"
        )
    return chosen


class KernelUnavailableError(RuntimeError):
    """The zygote could not hand out a kernel; the message says why."""


def _fork_kernel(connection_file: str, cwd: str, kernel_app: type) -> dict:
    """Fork a kernel working in ``cwd``; once it is set up, its pid and connection file.

    ``{"error": …}`` instead if it died or failed while it set itself up.
    """
    ready, ready_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the kernel
        os.close(ready)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        quiet = os.open(os.devnull, os.O_WRONLY)  # no kernel banner on the console: the
        os.dup2(quiet, 1)  # cells' output reaches the notebook through ipykernel's
        os.dup2(quiet, 2)  # own capture, as in any kernel; a failure is told below
        try:
            os.chdir(cwd)
            app = kernel_app.instance()
            app.initialize(
                [
                    "-f",
                    connection_file,  # ipykernel picks free ports and writes it
                    "--HistoryManager.hist_file=:memory:",
                    # exit within a second if the zygote goes away (ParentPollerUnix)
                    f"--IPKernelApp.parent_handle={os.getppid()}",
                ]
            )
        except BaseException as error:  # told to the page that asked for this kernel
            os.write(ready_write, f"E{error!r}"[:4000].encode())
            os._exit(1)
        os.write(ready_write, b"1")
        os.close(ready_write)
        app.start()
        os._exit(0)
    os.close(ready_write)
    status = os.read(ready, 4096)
    os.close(ready)
    if status != b"1":
        error = status[1:].decode(errors="replace") or "killed by a signal"
        return {"error": f"the kernel forked for it died while starting: {error}"}
    return {"pid": pid, "connection_file": connection_file}


def _serve(path: str) -> None:
    """The zygote: listen, import, then fork a fresh kernel for each request."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(8)  # requests wait in the queue while the imports run
    os.environ.update(KERNEL_ENV)
    from ipykernel.kernelapp import IPKernelApp

    import ch3lib  # noqa: F401  (TensorFlow & co.: what every page imports first)

    for module in PRELOADED:  # loaded later by the pages anyway; none has kernel state
        importlib.import_module(module)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernels are reaped automatically
    folder, parent, number = os.path.dirname(path), os.getppid(), 0
    server.settimeout(1.0)
    while os.getppid() == parent:
        try:
            connection, _ = server.accept()
        except TimeoutError:
            continue
        with connection:
            line = connection.makefile("r", encoding="utf-8").readline()
            if not line:  # is_running() connected and left
                continue
            number += 1
            connection_file = str(Path(folder, f"kernel-{number}.json"))
            reply = _fork_kernel(connection_file, json.loads(line)["cwd"], IPKernelApp)
            connection.sendall(json.dumps(reply).encode() + b"\n")


@contextlib.contextmanager
def start() -> Iterator[str]:
    """Run a zygote for the duration of the block; yield its socket path."""
    folder = tempfile.mkdtemp(prefix="ch3book-zygote-")
    path = str(Path(folder) / "zygote.sock")
    process = subprocess.Popen(
        [sys.executable, __file__, path],
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
        shutil.rmtree(folder, ignore_errors=True)


def request_kernel(path: str, cwd: str, timeout: float = 120) -> tuple[int, str]:
    """Ask the zygote at ``path`` for a kernel working in ``cwd``.

    Returns its process id and its connection file (in the zygote's folder; the caller
    removes it when it ends the kernel).
    """
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(timeout)
            client.connect(path)
            client.sendall(json.dumps({"cwd": cwd}).encode() + b"\n")
            line = client.makefile("r", encoding="utf-8").readline()
    except OSError as error:
        raise KernelUnavailableError(f"{STOPPED} ({error})") from error
    if not line:
        raise KernelUnavailableError(STOPPED)
    reply = json.loads(line)
    if "error" in reply:
        raise KernelUnavailableError(reply["error"])
    return int(reply["pid"]), reply["connection_file"]


def is_running(path: str) -> bool:
    """True if the zygote at ``path`` accepts requests."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(5)
            client.connect(path)
    except OSError:
        return False
    return True


if __name__ == "__main__":
    _serve(sys.argv[1])

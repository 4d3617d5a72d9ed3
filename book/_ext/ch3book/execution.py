"""Execute, on every core, the notebooks that MyST-NB's execution cache lacks.

MyST-NB (``nb_execution_mode = "cache"``) executes a notebook when Sphinx reads it, one
page after the other, each in a new kernel that imports TensorFlow again (~3.5 s). No stock
extension executes in parallel (MyST-NB's ``execution_mode`` has no parallel option, and
jupyter-cache's parallel executor starts one process per notebook and cannot run inside a
Sphinx build). So before Sphinx reads anything, this module finds the pages whose code has
no entry in that same jupyter-cache and executes them with nbclient, one worker thread per
core. Each page runs in a fresh kernel forked from a *kernel zygote* (``zygote.py``), a
process that has imported TensorFlow once: a page never sees another page's state, and no
kernel imports TensorFlow again. Sphinx reads the other pages meanwhile; a page that a
worker executes is read once its result is in the cache. MyST-NB then finds every page
there.

Everything else stays MyST-NB's: which pages execute and how (``nb_execution_mode``,
``nb_execution_excludepatterns``, ``nb_execution_in_temp``, ``nb_execution_allow_errors``,
``nb_execution_timeout``, a page's ``mystnb`` metadata and its ``execution`` metadata
``timeout``/``allow_errors``), hashing, ``-W``, tracebacks and the published outputs. A
page where a cell raises is left out of the cache: MyST-NB executes it again in a kernel
of its own and reports the error as usual. A kernel that dies (a signal, a crash in native
code: noticed within a second) or a cell past its timeout is reported here instead, as a
warning that names the page and the cell, and the page is not executed a second time.
A worker or a zygote that stops leaves its pages to MyST-NB, with a warning. ``make
test-rebuild`` checks that the published site is byte-identical to MyST-NB's own
execution (``BOOK_EXECUTION=myst-nb``).

Pages whose reading imports heavy modules into the Sphinx process (the API page: autodoc
imports ch3lib, and so TensorFlow, ~3.5 s) would otherwise be read, and the import paid,
after the executed pages. ``book_heavy_pages`` names them: they are read last, and their
modules are imported in a background thread at once, while the zygote imports TensorFlow
on the other core and before the pages need the cores.

A build that expects to execute pages (``tools/build.py``, ``tools/preview.py``) starts
the zygote before Sphinx and names it in ``BOOK_KERNEL_ZYGOTE``, so that TensorFlow is
imported while Sphinx starts; otherwise this module starts one for the pages it executes.

Not ``parallel_read_safe``: the workers live in the main process, and a page read in a
forked reader process could not wait for them.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib
import os
import queue
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sphinx.util import logging

from ch3book import _compat, progress, stable_outputs, zygote

logger = logging.getLogger(__name__)

#: A worker's report for a page where a cell raised: MyST-NB executes it again and reports
#: the error its own way. Any other failure is reported with a message (``wait_for``).
CELL_RAISED = "a cell raised"


@dataclass
class Job:
    """One page to execute, with the settings MyST-NB would execute it with."""

    docname: str
    path: Path
    read_fmt: dict
    notebook: Any
    in_temp: bool
    timeout: int
    allow_errors: bool
    code_cells: int
    max_output_bytes: int
    running: Any = None  # the cell being executed (nbclient's on_cell_start)


def plan(env, docnames) -> list[Job]:
    """The pages MyST-NB would execute now, longest first (more code cells, more time)."""
    base = _compat.nb_config(env)
    if base.execution_mode != "cache":
        return []
    cache = _compat.open_cache(env)
    jobs = []
    for docname in docnames:
        path = Path(env.doc2path(docname))
        read = _compat.read_notebook(env, path)
        if read is None:
            continue
        notebook, read_fmt = read
        code_cells = sum(cell.cell_type == "code" for cell in notebook.cells)
        if not code_cells:
            continue
        config = _compat.page_config(env, notebook)
        if config.execution_mode != "cache" or _compat.excluded_from_execution(config, path):
            continue  # MyST-NB executes it its own way, or not at all
        if _compat.is_cached(cache, notebook):
            continue
        overrides = notebook.metadata.get("execution", {})  # as jupyter-cache reads them
        jobs.append(
            Job(
                docname=docname,
                path=path,
                read_fmt=read_fmt,
                notebook=notebook,
                in_temp=config.execution_in_temp,
                timeout=overrides.get("timeout", config.execution_timeout),
                allow_errors=overrides.get("allow_errors", config.execution_allow_errors),
                code_cells=code_cells,
                max_output_bytes=env.config.book_max_output_bytes,
            )
        )
    jobs.sort(key=lambda job: -job.code_cells)
    return jobs


def which_cell(cell, otherwise: str = "a cell") -> str:
    """How the author's messages name a cell: by the start of its first line."""
    lines = cell.source.strip().splitlines() if cell is not None else []
    return f"the cell that starts {lines[0][:60]!r}" if lines else otherwise


def execution_failure(error: BaseException, cell, timeout: int) -> str | None:
    """What stopped a page's execution, for the author; None for an error a cell raised.

    A cell's own exception is MyST-NB's to report (with ``allow_errors`` and the cell's
    traceback); a kernel that died or a cell past the timeout is described here, with
    ``cell``, the cell that was running (None if none had started), and the cell
    timeout in seconds.
    """
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    if isinstance(error, CellExecutionError):
        return None
    where = which_cell(cell)
    if isinstance(error, DeadKernelError):
        return (
            f"the kernel died while running {where}: killed by a signal, out of memory, "
            "or a crash in native code"
        )
    if isinstance(error, CellTimeoutError):
        return (
            f"{where} ran past the timeout of {timeout} s (nb_execution_timeout in conf.py, "
            "or the page's execution: timeout)"
        )
    if cell is None:
        reason = str(error) if type(error) is RuntimeError else repr(error)
        return f"no kernel could be started for this page: {reason}"
    return f"the kernel stopped running {where}: {error!r}"


class OutputTooLongError(RuntimeError):
    """A cell printed more than a page shows (``book_max_output_bytes``)."""


def check_output_sizes(job: Job) -> None:
    """Stop at the first cell whose text output is too long for a page.

    Checked here, before the outputs reach the cache: MyST-NB merges a cell's stream
    outputs by concatenation, which takes minutes for megabytes printed in pieces.
    """
    for cell in job.notebook.cells:
        size = stable_outputs.text_size(cell.get("outputs", []))
        if size > job.max_output_bytes:
            where = which_cell(cell, otherwise="an empty cell")
            raise OutputTooLongError(
                f"{stable_outputs.too_long(size, job.max_output_bytes)} ({where})"
            )


async def _run_page(job: Job, zygote_path: str | None) -> None:
    """Execute a page's notebook in a fresh kernel.

    Forked from the zygote, or, without one (``BOOK_KERNELS=spawn``), a new process that
    jupyter_client starts.
    """
    with contextlib.ExitStack() as stack:
        cwd = stack.enter_context(tempfile.TemporaryDirectory()) if job.in_temp else None
        cwd = cwd or str(job.path.parent)
        if zygote_path is None:
            sockets = stack.enter_context(tempfile.TemporaryDirectory(prefix="ch3book-kernel-"))
            km = await _compat.start_kernel(cwd, sockets)
        else:
            pid, connection = await asyncio.to_thread(zygote.request_kernel, zygote_path, cwd)
            stack.callback(Path(connection).unlink, missing_ok=True)
            km = _compat.attached_kernel_manager(connection, pid)
        client = _compat.notebook_client(
            job.notebook, km=km, cwd=cwd, timeout=job.timeout, allow_errors=job.allow_errors
        )
        client.on_cell_start = lambda cell, cell_index: setattr(job, "running", cell)
        try:
            await _compat.connect_client(client, km, timeout=60)
            await client.async_execute()
            check_output_sizes(job)
        finally:
            _compat.close_client(client)
            await km.shutdown_kernel(now=True)


async def _worker_loop(jobs: queue.Queue, results: queue.Queue, zygote_path: str | None) -> None:
    while (job := jobs.get()) is not None:
        start = time.perf_counter()
        error = None
        try:
            await _run_page(job, zygote_path)
        except zygote.KernelUnavailableError as exc:
            error = f"no kernel could be started for this page: {exc}"
        except OutputTooLongError as exc:
            error = str(exc)
        except Exception as exc:
            error = execution_failure(exc, job.running, job.timeout) or CELL_RAISED
            if error != CELL_RAISED and zygote_path and not zygote.is_running(zygote_path):
                error = f"{zygote.STOPPED}, and with it the page's kernel; {error}"
        results.put((job.docname, job.notebook, time.perf_counter() - start, error))


def _worker(jobs: queue.Queue, results: queue.Queue, zygote_path: str | None) -> None:
    """A thread with its own event loop; the kernels it drives are the processes working."""
    try:
        asyncio.run(_worker_loop(jobs, results, zygote_path))
    except BaseException as exc:  # never leave Sphinx waiting for a result
        results.put((None, None, 0.0, repr(exc)))


#: The attribute of the Sphinx application that holds its build's run (not on the
#: environment, which Sphinx pickles; gone with the application, even if the build raised).
RUN = "ch3book_execution"


class _Run:
    """The worker threads of one build and the pages they still owe."""

    def __init__(
        self, env, jobs: list[Job], workers: int, imports: list[str], say: Callable[[str], None]
    ) -> None:
        self.env = env
        self._say = say  # a line for make html's output (progress.py)
        self.finished = 0
        self.zygote = contextlib.ExitStack()
        zygote_path = None  # BOOK_KERNELS=spawn, or no safe fork here: a process per page
        if zygote.mode() == "zygote":
            zygote_path = os.environ.get(zygote.ENV) or self.zygote.enter_context(zygote.start())
        self.cache = _compat.open_cache(env)
        self.jobs = {job.docname: job for job in jobs}
        self.pending = set(self.jobs)
        self.failed: set[str] = set()  # reported here, and not executed again
        self.start = time.perf_counter()
        self.results: queue.Queue = queue.Queue()
        queued: queue.Queue = queue.Queue()
        for job in jobs:
            queued.put(job)
        self.threads = []
        for number in range(workers):
            queued.put(None)
            thread = threading.Thread(
                target=_worker,
                args=(queued, self.results, zygote_path),
                name=f"notebooks-{number}",
                daemon=True,
            )
            thread.start()
            self.threads.append(thread)
        if imports:
            threading.Thread(
                target=_import_early, args=(imports,), name="imports", daemon=True
            ).start()
        logger.info(f"executing {len(jobs)} notebooks on {workers} workers")
        pages = f"{len(jobs)} page{'s' if len(jobs) != 1 else ''}"
        self._say(f"make html: executing {pages} on {workers} kernel{'s' if workers != 1 else ''}")

    def _finished(self, docname: str, outcome: str) -> None:
        self.finished += 1
        self._say(f"  {self.finished}/{len(self.jobs)} {docname} {outcome}")

    def wait_for(self, docname: str) -> None:
        """Store results as they arrive until ``docname``'s is in the cache."""
        while docname in self.pending:
            try:
                done, notebook, seconds, error = self.results.get(timeout=1)
            except queue.Empty:
                if any(thread.is_alive() for thread in self.threads):
                    continue
                logger.warning(
                    "the notebook workers stopped early; MyST-NB executes the remaining "
                    f"pages one by one: {', '.join(sorted(self.pending))}",
                    type="ch3book",
                    subtype="execution",
                )
                self.pending.clear()
                break
            self.pending.discard(done)
            if done is None:  # a worker died: its pages stay pending for MyST-NB
                logger.warning(
                    f"a notebook worker stopped ({error}); MyST-NB executes its pages",
                    type="ch3book",
                    subtype="execution",
                )
                continue
            if error == CELL_RAISED:
                logger.info(f"{done}: a cell raised in a worker; MyST-NB will report it")
                self._finished(done, "failed: a cell raised (MyST-NB runs it again to report it)")
                continue
            if error is not None:
                job = self.jobs[done]
                logger.warning(error, location=done, type="ch3book", subtype="execution")
                _compat.skip_execution(self.env, job.path)  # not once more, for minutes
                self.failed.add(done)
                self._finished(done, "failed (the warning below says why)")
                continue
            job = self.jobs[done]
            _compat.store_execution(self.cache, job.path, job.read_fmt, notebook, seconds)
            logger.info(f"{done}: executed in {seconds:.1f} s")
            self._finished(done, f"{seconds:.1f} s")
        if not self.pending and self.threads:
            self.close()

    def close(self) -> None:
        """Join the workers (they exit once the job queue is empty)."""
        for thread in self.threads:
            thread.join()
        self.threads = []
        self.zygote.close()
        logger.info(f"parallel execution took {time.perf_counter() - self.start:.1f} s")


def execute_now(env, docnames: list[str], say: Callable[[str], None]) -> tuple[int, list[str]]:
    """Execute the pages among ``docnames`` that MyST-NB would execute, and wait for them.

    Returns how many were to execute and those whose execution failed (not stored). For a
    share of a book's execution, outside a build (``tools/execution_cache.py``).
    """
    jobs = plan(env, docnames)
    if not jobs:
        return 0, []
    run = _Run(env, jobs, min(len(jobs), max(1, env.config.book_execution_workers)), [], say)
    for job in jobs:
        run.wait_for(job.docname)
    run.close()
    stored = functools.partial(_compat.is_cached, run.cache)
    return len(jobs), [docname for docname, job in run.jobs.items() if not stored(job.notebook)]


def _import_early(modules: list[str]) -> None:
    """Import ``modules`` now, in a thread (errors surface when a page imports them)."""
    for module in modules:
        try:
            importlib.import_module(module)
        except Exception as error:  # the page that needs the module reports it
            logger.info(f"importing {module} early failed: {error!r}")


def execute_stale_notebooks(app, env, docnames) -> None:
    """``env-before-read-docs``: start executing the stale pages; read the others first."""
    setattr(app, RUN, None)
    workers = app.config.book_execution_workers
    if workers < 1 or not docnames:
        return  # BOOK_JOBS=0 or 1 (see conf.py): MyST-NB executes each page as it reads it
    try:
        zygote.mode()
    except ValueError as error:  # tools/build.py says so before Sphinx starts
        logger.warning(f"{error}; MyST-NB executes the pages", type="ch3book", subtype="execution")
        return
    jobs = plan(env, docnames)
    if not jobs:
        return
    heavy = {d: m for d, m in app.config.book_heavy_pages.items() if d in docnames}
    imports = sorted({module for modules in heavy.values() for module in modules})
    say = functools.partial(progress.say, app)
    try:
        run = _Run(env, jobs, min(len(jobs), workers), imports, say)
    except RuntimeError as error:  # the zygote did not start
        logger.warning(f"{error}; MyST-NB executes the pages one by one", type="ch3book")
        return
    # Sphinx lets this event reorder the pages: the others are read while the workers run,
    # then the executed pages as they are done, then the heavy pages.
    executed = [job.docname for job in jobs]
    others = [d for d in docnames if d not in run.pending and d not in heavy]
    docnames[:] = others + executed + [d for d in docnames if d in heavy]
    setattr(app, RUN, run)


def wait_for_page(app, docname, source) -> None:
    """``source-read``: a page that a worker executes is read once its result is cached."""
    run = getattr(app, RUN, None)
    if run is not None and docname in run.jobs:
        run.wait_for(docname)


def execution_failed(app, docname: str) -> bool:
    """True if the page's execution failed in this build (and was reported already)."""
    run = getattr(app, RUN, None)
    return _compat.execution_succeeded(app.env, docname) is False or (
        run is not None and docname in run.failed
    )


def setup_execution(app) -> None:
    """Register the ``book_execution_workers`` setting and the hooks."""
    os.environ.update(zygote.KERNEL_ENV)  # MyST-NB's kernels inherit this environment
    app.add_config_value("book_execution_workers", os.cpu_count() or 1, "", types=(int,))
    app.add_config_value("book_heavy_pages", {}, "", types=(dict,))
    app.connect("env-before-read-docs", execute_stale_notebooks)
    app.connect("source-read", wait_for_page)

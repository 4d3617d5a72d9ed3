"""Execute, on every core, the notebooks that MyST-NB's execution cache lacks.

MyST-NB (``nb_execution_mode = "cache"``) executes a notebook when Sphinx reads it, one
page after the other, each in a new kernel that imports TensorFlow again (~4 s). No stock
extension executes in parallel (MyST-NB's ``execution_mode`` has no parallel option, and
jupyter-cache's parallel executor starts one process per notebook and cannot run inside a
Sphinx build). So before Sphinx reads anything, this module finds the pages whose code has
no entry in that same jupyter-cache and executes them with nbclient, one worker thread
(and so one kernel process) per core. A worker runs its pages one after the other in one
kernel, with a reset in between (``RESET``: namespace, Keras' session, figures, working
folder, execution counter), so TensorFlow is imported once per worker instead of once per
page. Sphinx reads the other pages meanwhile; a page that a worker executes is read once
its result is in the cache. MyST-NB then finds every page there.

Everything else stays MyST-NB's: which pages execute and how (``nb_execution_mode``,
``nb_execution_excludepatterns``, ``nb_execution_in_temp``, ``nb_execution_allow_errors``,
``nb_execution_timeout``, a page's ``mystnb`` metadata and its ``execution`` metadata
``timeout``/``allow_errors``), hashing, ``-W``, tracebacks and the published outputs. A
page that fails here is left out of the cache: MyST-NB executes it again in a fresh kernel
and reports the error as usual. ``make test-rebuild`` checks that the published site is
byte-identical to MyST-NB's own execution (``BOOK_JOBS=1`` turns this module off).

Pages whose reading imports heavy modules into the Sphinx process (the API page: autodoc
imports ch3lib, and so TensorFlow, ~4 s of CPU) would compete for the two cores with the
kernels. ``book_heavy_pages`` names them: they are read last, and their modules are
imported in a background thread as soon as a worker has no page left, on the core it
frees.

For ``make preview``, a spare kernel that has imported TensorFlow and nothing else can be
handed over (``spare_kernels.py``): the first page to execute runs in it, and the kernel
is discarded after that one page.

Not ``parallel_read_safe``: the workers live in the main process, and a page read in a
forked reader process could not wait for them.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import queue
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sphinx.util import logging

from ch3book import _compat, spare_kernels

logger = logging.getLogger(__name__)

#: Set for every kernel (kernels inherit the environment of the process that starts
#: them): the debugger's "frozen modules" warning would be stderr output on the pages.
KERNEL_ENV = {"PYDEVD_DISABLE_FILE_VALIDATION": "1"}

#: Run between two pages in the same kernel: what a new kernel would not have. Modules
#: stay imported (as they are cached on disk for a new kernel); the page's names, Keras'
#: layer-name counters, open figures, the working folder and the counter are reset.
RESET = """
import os as _os, sys as _sys
if "matplotlib.pyplot" in _sys.modules:
    _sys.modules["matplotlib.pyplot"].close("all")
if "keras" in _sys.modules:
    _sys.modules["keras"].backend.clear_session()
_os.chdir({cwd!r})
get_ipython().run_line_magic("reset", "-f")
__import__("gc").collect()
get_ipython().execution_count = 1
"""


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
            )
        )
    jobs.sort(key=lambda job: -job.code_cells)
    return jobs


async def _run_in_kernel(client, reset_cwd: str | None, timeout: int) -> None:
    """Reset the kernel (unless it is new) and execute the client's notebook in it."""
    km = _compat.kernel_manager(client)
    if reset_cwd is not None:
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=timeout)
            reply = await kc.execute_interactive(
                RESET.format(cwd=reset_cwd), silent=True, store_history=False, timeout=timeout
            )
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"resetting the kernel failed: {reply['content']}")
        finally:
            kc.stop_channels()
    await client.async_execute()


async def _worker_loop(jobs: queue.Queue, results: queue.Queue, idle: threading.Event) -> None:
    km, used = None, False  # the worker's kernel, and whether a page ran in it
    try:
        while (job := jobs.get()) is not None:
            spare = spare_kernels.claim() if km is None else None
            with tempfile.TemporaryDirectory() if job.in_temp else _Folder(job.path) as cwd:
                client = _compat.notebook_client(
                    job.notebook,
                    km=spare or km,
                    cwd=cwd,
                    timeout=job.timeout,
                    allow_errors=job.allow_errors,
                )
                start = time.perf_counter()
                error = None
                try:
                    await _run_in_kernel(client, cwd if (used or spare) else None, job.timeout)
                except Exception as exc:  # reported by MyST-NB when it executes the page again
                    error = repr(exc)
                finally:
                    _compat.close_client(client)
                seconds = time.perf_counter() - start
            if spare is not None:  # a spare kernel serves one page, then it is discarded
                await spare_kernels.discard(spare)
            else:
                km, used = _compat.kernel_manager(client), True
                if error is not None:  # the next page gets a fresh kernel
                    await km.shutdown_kernel(now=True)
                    km, used = None, False
            results.put((job.docname, job.notebook, seconds, error))
    finally:
        idle.set()  # a core is free
        if km is not None and km.has_kernel:
            await km.shutdown_kernel(now=True)


class _Folder:
    """``with _Folder(path) as cwd``: the page's own folder, as MyST-NB's local CWD."""

    def __init__(self, path: Path) -> None:
        self.cwd = str(path.parent)

    def __enter__(self) -> str:
        return self.cwd

    def __exit__(self, *exc) -> None:
        return None


def _worker(jobs: queue.Queue, results: queue.Queue, idle: threading.Event) -> None:
    """A thread with its own event loop; the kernel it drives is the process doing the work."""
    try:
        asyncio.run(_worker_loop(jobs, results, idle))
    except BaseException as exc:  # never leave Sphinx waiting for a result
        results.put((None, None, 0.0, repr(exc)))


#: The run of each Sphinx application (kept off the environment, which Sphinx pickles).
_RUNS: dict[int, _Run] = {}


class _Run:
    """The worker threads of one build and the pages they still owe."""

    def __init__(self, env, jobs: list[Job], workers: int, imports: list[str]) -> None:
        self.env = env
        self.cache = _compat.open_cache(env)
        self.jobs = {job.docname: job for job in jobs}
        self.pending = set(self.jobs)
        self.start = time.perf_counter()
        self.results: queue.Queue = queue.Queue()
        queued: queue.Queue = queue.Queue()
        for job in jobs:
            queued.put(job)
        self.threads = []
        idle = threading.Event()
        for number in range(workers):
            queued.put(None)
            thread = threading.Thread(
                target=_worker,
                args=(queued, self.results, idle),
                name=f"notebooks-{number}",
                daemon=True,
            )
            thread.start()
            self.threads.append(thread)
        if imports:
            threading.Thread(
                target=_import_when_idle, args=(idle, imports), name="imports", daemon=True
            ).start()
        logger.info(f"executing {len(jobs)} notebooks on {workers} workers")

    def wait_for(self, docname: str) -> None:
        """Store results as they arrive until ``docname``'s is in the cache."""
        while docname in self.pending:
            try:
                done, notebook, seconds, error = self.results.get(timeout=1)
            except queue.Empty:
                if any(thread.is_alive() for thread in self.threads):
                    continue
                logger.info("the workers stopped early; MyST-NB executes the remaining pages")
                self.pending.clear()
                break
            self.pending.discard(done)
            if done is None:  # a worker died: its pages stay pending for MyST-NB
                logger.info(f"a notebook worker stopped: {error}")
                continue
            if error is not None:
                logger.info(f"{done}: failed in a worker ({error}); MyST-NB will report it")
                continue
            job = self.jobs[done]
            _compat.store_execution(self.cache, job.path, job.read_fmt, notebook, seconds)
            logger.info(f"{done}: executed in {seconds:.1f} s")
        if not self.pending and self.threads:
            self.close()

    def close(self) -> None:
        """Join the workers (they exit once the job queue is empty)."""
        for thread in self.threads:
            thread.join()
        self.threads = []
        logger.info(f"parallel execution took {time.perf_counter() - self.start:.1f} s")


def _import_when_idle(idle: threading.Event, modules: list[str]) -> None:
    """Import ``modules`` once a worker is idle (errors surface when a page imports them)."""
    idle.wait()
    for module in modules:
        try:
            importlib.import_module(module)
        except Exception as error:  # the page that needs the module reports it
            logger.info(f"importing {module} early failed: {error!r}")


def execute_stale_notebooks(app, env, docnames) -> None:
    """``env-before-read-docs``: start executing the stale pages; read the others first."""
    _RUNS.pop(id(app), None)
    workers = app.config.book_execution_workers
    if workers < 1 or not docnames:
        return  # BOOK_JOBS=0 or 1 (see conf.py): MyST-NB executes each page as it reads it
    jobs = plan(env, docnames)
    if not jobs:
        return
    heavy = {d: m for d, m in app.config.book_heavy_pages.items() if d in docnames}
    imports = sorted({module for modules in heavy.values() for module in modules})
    run = _Run(env, jobs, min(len(jobs), workers), imports)
    # Sphinx lets this event reorder the pages: the others are read while the workers run,
    # then the executed pages as they are done, then the heavy pages.
    executed = [job.docname for job in jobs]
    others = [d for d in docnames if d not in run.pending and d not in heavy]
    docnames[:] = others + executed + [d for d in docnames if d in heavy]
    _RUNS[id(app)] = run


def wait_for_page(app, docname, source) -> None:
    """``source-read``: a page that a worker executes is read once its result is cached."""
    run = _RUNS.get(id(app))
    if run is not None and docname in run.jobs:
        run.wait_for(docname)


def setup_execution(app) -> None:
    """Register the ``book_execution_workers`` setting and the hooks."""
    for name, value in KERNEL_ENV.items():  # for MyST-NB's kernels as well as ours
        os.environ.setdefault(name, value)
    app.add_config_value("book_execution_workers", os.cpu_count() or 1, "", types=(int,))
    app.add_config_value("book_heavy_pages", {}, "", types=(dict,))
    app.connect("env-before-read-docs", execute_stale_notebooks)
    app.connect("source-read", wait_for_page)

"""Execute, on every core, the notebooks that MyST-NB's execution cache lacks.

MyST-NB (``nb_execution_mode = "cache"``) executes a notebook when Sphinx reads it, one
page after the other, each in a new kernel that imports TensorFlow again (~4 s). Before
Sphinx reads anything, this extension finds the pages whose code has no entry in that same
jupyter-cache and executes them with nbclient, one worker thread (and so one kernel
process) per core. Each worker starts one kernel and runs its pages in it one after the
other, resetting the kernel in between (``RESET``: namespace, Keras' session, execution
counter), so TensorFlow is imported once per worker instead of once per page. Sphinx reads
the other pages meanwhile; a page that a worker executes is read once it is done. The
results are stored in the cache exactly as MyST-NB stores them, and MyST-NB then finds
every page there.

Everything else stays MyST-NB's: hashing, ``-W``, tracebacks and the published outputs.
A page that fails here is left out of the cache; MyST-NB executes it again in a fresh
kernel and reports the error as usual. ``make bench`` checks that the outputs are the same
as MyST-NB's own execution. ``BOOK_JOBS=1`` turns this off.
"""

from __future__ import annotations

import asyncio
import os
import queue
import threading
import time
from pathlib import Path

from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn
from myst_nb.core.read import create_nb_reader
from nbclient import NotebookClient
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Run between two pages in the same kernel: what a new kernel would not have.
RESET = """
import gc as _gc, keras as _keras, matplotlib.pyplot as _plt
_plt.close("all")
_keras.backend.clear_session()
_gc.collect()
get_ipython().run_line_magic("reset", "-f")
get_ipython().execution_count = 1
"""


async def _reset(km, timeout: int) -> None:
    kc = km.client()
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=timeout)
        reply = await kc.execute_interactive(
            RESET, silent=True, store_history=False, timeout=timeout
        )
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"resetting the kernel failed: {reply['content']}")
    finally:
        kc.stop_channels()


async def _worker_loop(jobs: queue.Queue, results: queue.Queue) -> None:
    km = None
    try:
        while (job := jobs.get()) is not None:
            docname, notebook, cwd, timeout = job
            client = NotebookClient(
                notebook,
                km=km,
                timeout=timeout,
                allow_errors=False,
                record_timing=False,  # timing metadata would change the cache key
                resources={"metadata": {"path": cwd}},
            )
            start = time.perf_counter()
            error = None
            try:
                if km is None:
                    km = client.km = client.create_kernel_manager()
                    client.owns_km = False
                else:
                    await _reset(km, timeout)
                await client.async_execute()
            except Exception as exc:  # reported by MyST-NB when it executes the page again
                error = repr(exc)
            finally:
                if client.kc is not None:
                    client.kc.stop_channels()
            if error is not None and km is not None:  # the next page gets a fresh kernel
                await km.shutdown_kernel(now=True)
                km = None
            results.put((docname, notebook, time.perf_counter() - start, error))
    finally:
        if km is not None and km.has_kernel:
            await km.shutdown_kernel(now=True)


def _worker(jobs: queue.Queue, results: queue.Queue) -> None:
    """A thread with its own event loop; the kernel it drives is the process doing the work."""
    try:
        asyncio.run(_worker_loop(jobs, results))
    except BaseException as exc:  # never leave Sphinx waiting for a result
        results.put((None, None, 0.0, repr(exc)))


def _stale_notebooks(env, docnames, cache):
    """``(docname, path, read_fmt, notebook)`` of each page whose code is not cached."""
    stale = []
    for docname in docnames:
        path = Path(env.doc2path(docname))
        content = path.read_text(encoding="utf-8")
        reader = create_nb_reader(str(path), env.myst_config, env.mystnb_config, content)
        if reader is None:
            continue
        notebook = reader.read(content)
        if not any(cell.cell_type == "code" for cell in notebook.cells):
            continue
        try:
            cache.match_cache_notebook(notebook)
        except KeyError:
            stale.append((docname, path, reader.read_fmt, notebook))
    return stale


#: The run of each Sphinx application (kept off the environment, which Sphinx pickles).
_RUNS: dict[int, _Run] = {}


class _Run:
    """The worker threads of one build and the pages they still owe."""

    def __init__(self, app, stale, workers: int) -> None:
        config = app.env.mystnb_config
        self.cache = get_cache(config.execution_cache_path)
        self.pages = {docname: (path, read_fmt) for docname, path, read_fmt, _ in stale}
        self.pending = set(self.pages)
        self.start = time.perf_counter()
        self.results: queue.Queue = queue.Queue()
        jobs: queue.Queue = queue.Queue()
        for docname, path, _, notebook in stale:
            jobs.put((docname, notebook, str(path.parent), config.execution_timeout))
        self.threads = []
        for number in range(workers):
            jobs.put(None)
            thread = threading.Thread(
                target=_worker, args=(jobs, self.results), name=f"notebooks-{number}", daemon=True
            )
            thread.start()
            self.threads.append(thread)
        logger.info(f"executing {len(stale)} notebooks on {workers} workers")

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
            path, read_fmt = self.pages[done]
            record = self.cache.add_nb_to_project(str(path), read_data=read_fmt)
            self.cache.cache_notebook_bundle(
                CacheBundleIn(notebook, record.uri, data={"execution_seconds": seconds}),
                check_validity=False,
                overwrite=True,
            )
            logger.info(f"{done}: executed in {seconds:.1f} s")
        if not self.pending and self.threads:
            self.close()

    def close(self) -> None:
        """Join the workers (they exit once the job queue is empty)."""
        for thread in self.threads:
            thread.join()
        self.threads = []
        logger.info(f"parallel execution took {time.perf_counter() - self.start:.1f} s")


def execute_stale_notebooks(app, env, docnames) -> None:
    """``env-before-read-docs``: start executing the stale pages; read the others first."""
    _RUNS.pop(id(app), None)
    config = env.mystnb_config
    if config.execution_mode != "cache" or not docnames:
        return
    stale = _stale_notebooks(env, docnames, get_cache(config.execution_cache_path))
    workers = min(len(stale), app.config.book_execution_workers)
    if workers < 2:  # nothing to gain: MyST-NB executes the page while reading it
        return
    # Longest first (more code cells, more time), so that the last page to finish is short.
    stale.sort(key=lambda item: -sum(c.cell_type == "code" for c in item[3].cells))
    run = _Run(app, stale, workers)
    # Sphinx lets this event reorder the pages: the others are read while the workers run.
    docnames[:] = [d for d in docnames if d not in run.pending] + [d for d, *_ in stale]
    _RUNS[id(app)] = run


def wait_for_page(app, docname, source) -> None:
    """``source-read``: a page that a worker executes is read once its result is cached."""
    run = _RUNS.get(id(app))
    if run is not None and docname in run.pages:
        run.wait_for(docname)


def setup(app):
    """Register the ``book_execution_workers`` setting and the hook."""
    app.add_config_value("book_execution_workers", os.cpu_count() or 1, "", types=(int,))
    app.connect("env-before-read-docs", execute_stale_notebooks)
    app.connect("source-read", wait_for_page)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

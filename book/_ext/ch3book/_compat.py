"""Every use of other projects' internals, behind one version guard.

The book's extension and tools need things that Sphinx, MyST-NB, jupyter-cache, nbclient
and jupyter_client do not offer as public API; this module is the only place that uses
them (``tests/test_ch3book.py`` fails when another module names a private attribute or
imports an internal module of these packages). pydata-sphinx-theme's files and markup
have their own adapter, ``_theme.py``.

- MyST-NB's notebook reader (``myst_nb.core.read.create_nb_reader``) and the resolved
  configuration it keeps on the Sphinx environment (``env.mystnb_config``), so that a page
  is read, configured and hashed exactly as MyST-NB will read it;
- jupyter-cache's bundle writes (``add_nb_to_project``, ``cache_notebook_bundle``) and
  merges (``merge_match_into_notebook``), to store an execution where MyST-NB finds it;
- nbclient's ``NotebookClient.km``/``kc``/``owns_km``, to hand a client an already
  running kernel, and jupyter_client's private ``_async_is_alive``;
- MyST-NB's stream-merging rule (``myst_nb.core.utils.coalesce_streams``), so that every
  executor's outputs are published the way MyST-NB renders them;
- MyST-NB's formatting of glued values (``myst_nb.core.variables.format_plain_text``) and
  the way ``glue()`` records them in a notebook, so that a reader's notebook writes a
  ``{glue:text}`` value exactly as the page shows it;
- Sphinx's glossary terms (``sphinx.domains.std.make_glossary_term``), its
  ``literalinclude`` reader, the file names it gives images (``env.images``), its image
  size reader and equation numbers (``sphinx.util.images``, ``sphinx.util.math``), its
  script entries (``_JavaScript``) and its event dispatch (``EventManager.emit``, for the
  profiler), and its numbering of figures (``TocTreeCollector.assign_figure_numbers``);
- sphinx-exercise's registry of exercises (``env.sphinx_exercise_registry``).

``check_versions()`` runs when the extension is set up: with a version outside ``TESTED``
the build stops, names the package and says how to try the new version, so that an
upgrade is a decision (``make test-latest``, ``make test-rebuild``, then widen ``TESTED``
and the bound in ``pyproject.toml``) rather than a silent change in what the book
publishes.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import os
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

#: The release series this module and ``_theme.py`` were written and tested against.
#: ``pyproject.toml`` bounds each of them to these series.
TESTED = {
    "sphinx": ("9.0.",),
    "myst-nb": ("1.4.",),
    "myst-parser": ("5.2.",),
    "jupyter-cache": ("1.0.",),
    "nbclient": ("0.10.", "0.11."),
    "nbformat": ("5.10.", "5.11."),
    "jupyter-client": ("8.",),
    "ipykernel": ("7.",),
    "pydata-sphinx-theme": ("0.20.",),
    "sphinx-book-theme": ("1.4.",),
    "sphinx-exercise": ("1.2.",),
}


def untested_versions(installed: dict[str, str] | None = None) -> dict[str, str]:
    """The installed packages whose version is not in ``TESTED`` (name → version)."""
    if installed is None:
        installed = {name: importlib.metadata.version(name) for name in TESTED}
    return {
        name: version
        for name, version in installed.items()
        if not any(version.startswith(series) for series in TESTED[name])
    }


def version_error(untested: dict[str, str]) -> str:
    """The message that stops a build on untested versions, with how to try them."""
    received = ", ".join(f"{n} {v}" for n, v in untested.items())
    tested = ", ".join(f"{n} {' or '.join(s + 'x' for s in TESTED[n])}" for n in untested)
    series = ", ".join(f'"{n}": (…, "{_series(v)}")' for n, v in untested.items())
    return (
        f"Received {received}; the book's extension uses internals of these packages "
        f"(book/_ext/ch3book/_compat.py, _theme.py) and was tested with {tested}. "
        "To build now, install the pinned versions: make html does, from constraints.txt. "
        "To try the new version: allow it in pyproject.toml ([dependency-groups] docs), "
        f"add {series} to TESTED in book/_ext/ch3book/_compat.py, run `make test-latest` "
        "and `make test-rebuild`, and when both pass run `make lock` and commit all three."
    )


def _series(version: str) -> str:
    """``"9.1.2"`` → ``"9.1."``; ``"8.10.0"`` → ``"8.10."``."""
    return ".".join(version.split(".")[:2]) + "."


def check_versions() -> None:
    """Stop the build with a clear message if an untested version is installed."""
    from sphinx.errors import ExtensionError

    untested = untested_versions()
    if untested:
        raise ExtensionError(version_error(untested))


# -- MyST-NB ---------------------------------------------------------------------------------


def nb_config(env) -> Any:
    """MyST-NB's resolved configuration (``NbParserConfig``) of this build."""
    return env.mystnb_config


def read_notebook(env, path: Path) -> tuple[Any, dict] | None:
    """``(notebook, read_fmt)`` of a page as MyST-NB reads it, or None for a text page."""
    from myst_nb.core.read import create_nb_reader

    content = path.read_text(encoding="utf-8")
    reader = create_nb_reader(str(path), env.myst_config, env.mystnb_config, content)
    if reader is None:
        return None
    return reader.read(content), reader.read_fmt


def read_notebook_file(path: Path) -> Any | None:
    """A page's notebook as MyST-NB reads it with default settings (None: not a notebook)."""
    from myst_nb.core.config import NbParserConfig
    from myst_nb.core.read import create_nb_reader
    from myst_parser.config.main import MdParserConfig

    text = path.read_text(encoding="utf-8")
    reader = create_nb_reader(str(path), MdParserConfig(), NbParserConfig(), text)
    return None if reader is None else reader.read(text)


def page_config(env, notebook) -> Any:
    """The configuration MyST-NB applies to one page.

    The build's, plus the overrides in the page's ``mystnb`` metadata, as
    ``myst_nb.sphinx_.Parser.parse`` applies them.
    """
    from myst_nb.core.nb_to_tokens import nb_node_to_dict

    config = env.mystnb_config
    overrides = notebook.metadata.get(config.metadata_key)
    if not overrides:
        return config
    overrides = nb_node_to_dict(overrides)
    overrides.pop("output_folder", None)
    return config.copy(**overrides)


def excluded_from_execution(config, path: Path) -> bool:
    """True if ``nb_execution_excludepatterns`` keeps this page from executing."""
    posix = PurePosixPath(path.as_posix())
    return any(posix.match(pattern) for pattern in config.execution_excludepatterns)


def executed_notebook_path(env, docname: str) -> Path:
    """Where MyST-NB writes the notebook of a page it has read (``jupyter_execute/``)."""
    return Path(env.mystnb_config.output_folder, f"{docname}.ipynb")


def coalesce_streams(outputs: list) -> list:
    """MyST-NB's rule for merging a cell's stream outputs (``nb_merge_streams``)."""
    from myst_nb.core.utils import coalesce_streams as merge

    return merge(outputs)


def format_glue(text: str, spec: str) -> str:
    """A glued ``text/plain`` value as ``{glue:text}`key:spec``` shows it on the page."""
    from myst_nb.core.variables import format_plain_text

    return format_plain_text(text, spec)


def glued_values(notebook) -> dict[str, str]:
    """The ``text/plain`` value of every ``glue()`` call in an executed notebook, by key."""
    values = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            record = output.get("metadata", {}).get("scrapbook")
            if record:
                values[record["name"]] = output["data"][record["mime_prefix"] + "text/plain"]
    return values


# -- Sphinx ----------------------------------------------------------------------------------


def glossary_term(env, text: str, source: str, line: int, node_id: str, document) -> Any:
    """A glossary term node, registered as Sphinx's ``glossary`` directive registers one."""
    from docutils import nodes
    from sphinx.domains.std import make_glossary_term

    return make_glossary_term(env, [nodes.Text(text)], None, source, line, node_id, document)


def image_size(path: Path) -> tuple[int, int] | None:
    """An image's size in pixels as Sphinx reads it (None if it cannot tell)."""
    from sphinx.util.images import get_image_size

    return get_image_size(path)


def equation_number(translator, node) -> str:
    """The number Sphinx shows for a numbered equation (``math_block``) in a translator."""
    from sphinx.util.math import get_node_equation_number

    return get_node_equation_number(translator, node)


def image_file_name(env, path: str) -> str:
    """The name Sphinx gives an image of the sources (``path``) in the site's ``_images``."""
    return env.images[path][1]


def literal_include(path: Path, options: dict[str, Any], config) -> str:
    """The text ``literalinclude`` shows of ``path`` with ``options`` (``lines``, …)."""
    from sphinx.directives.code import LiteralIncludeReader

    return LiteralIncludeReader(str(path), options, config).read()[0]


def with_attribute(script, **attribute: str) -> Any:
    """A script entry of a page's context (Sphinx's ``_JavaScript``) with ``attribute``."""
    attributes = dict(getattr(script, "attributes", {}))
    return type(script)(script.filename, priority=script.priority, **attributes, **attribute)


@contextlib.contextmanager
def timed_events(record: Callable[[str, float, float], None]) -> Iterator[None]:
    """Call ``record(event, start, end)`` (``perf_counter``) for every event Sphinx emits."""
    import time

    from sphinx.events import EventManager

    emit = EventManager.emit

    def timed_emit(self, name, *args, **kwargs):
        before = time.perf_counter()
        try:
            return emit(self, name, *args, **kwargs)
        finally:
            record(name, before, time.perf_counter())

    EventManager.emit = timed_emit
    try:
        yield
    finally:
        EventManager.emit = emit


#: The file, next to Sphinx's doctrees, that keeps each page's outline between builds.
OUTLINES_FILE = "ch3book-outlines.pickle"


def _figure_type(env, node) -> str | None:
    """The figure type Sphinx numbers ``node`` as, or None.

    The rule of Sphinx's ``TocTreeCollector.assign_figure_numbers``: a type, and a
    caption unless another domain numbers the node.
    """
    from sphinx.domains.std import StandardDomain

    for domain in env.domains.sorted():
        figtype = domain.get_enumerable_node_type(node)
        if isinstance(domain, StandardDomain) and not domain.get_numfig_title(node):
            continue
        if figtype:
            return figtype
    return None


def _outline_rule(env) -> str:
    """What an outline depends on besides the doctree: the numbered node types."""
    import docutils
    import sphinx

    def name(obj) -> str:
        return f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', repr(obj))}"

    types = sorted(
        (domain.name, name(cls), str(figtype), name(getter))
        for domain in env.domains.sorted()
        for cls, (figtype, getter) in getattr(domain, "enumerable_nodes", {}).items()
    )
    return repr((sphinx.__version__, docutils.__version__, types))


def outline(env, doctree):
    """The parts of ``doctree`` that Sphinx's figure numbering looks at, in order.

    Sections, toctrees and every node Sphinx numbers (whole, with its caption), and the
    elements on the way to them (without their other children); the rest (paragraphs,
    cell outputs, images outside figures) is left out. Numbering the outline gives the
    numbers numbering the doctree gives (``tests/test_ch3book.py`` compares the two).
    """
    from docutils import nodes
    from sphinx import addnodes

    def kept(node):
        if not isinstance(node, nodes.Element):
            return None
        if _figure_type(env, node):
            copy = node.deepcopy()
        else:
            children = [c for c in map(kept, node.children) if c is not None]
            if not children and not isinstance(node, (nodes.section, addnodes.toctree)):
                return None
            copy = node.copy()
            copy.extend(children)
            if _figure_type(env, copy):  # it would gain a number it does not have
                copy = node.deepcopy()
        return copy

    root = nodes.Element()
    root.extend(c for c in map(kept, doctree.children) if c is not None)
    for node in root.findall():
        node.document = None  # no reference back to the whole page
    return root


def number_figures_from_outlines() -> None:
    """Let Sphinx number figures (``numfig``) from each page's outline.

    ``TocTreeCollector.assign_figure_numbers`` runs on every build, also when one page
    changed, and unpickles every page's doctree to find its figures: in a book of 60
    pages, a third of a one-line edit's build. Here it reads each page's outline instead:
    made once per doctree (keyed by the doctree file's bytes and the numbered node types)
    and kept in ``OUTLINES_FILE`` between builds. Sphinx's own code does the numbering.
    """
    import hashlib
    import pickle

    from sphinx.environment.collectors.toctree import TocTreeCollector

    if hasattr(TocTreeCollector.assign_figure_numbers, "ch3book_original"):
        return  # installed already
    assign = TocTreeCollector.assign_figure_numbers

    def assign_from_outlines(self, env) -> list[str]:
        if not env.config.numfig:
            return assign(self, env)
        path = Path(env.doctreedir) / OUTLINES_FILE
        rule = _outline_rule(env)
        try:
            stored_rule, stored = pickle.loads(path.read_bytes())
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError,
                AttributeError, ImportError):  # fmt: skip
            stored_rule, stored = None, {}
        if stored_rule != rule:
            stored = {}
        kept: dict[str, tuple[str, bytes]] = {}
        full_doctree = env.get_doctree

        def outline_of(docname: str):
            key = hashlib.blake2b(
                (Path(env.doctreedir) / f"{docname}.doctree").read_bytes()
            ).hexdigest()
            if docname in stored and stored[docname][0] == key:
                kept[docname] = stored[docname]
            else:
                kept[docname] = (key, pickle.dumps(outline(env, full_doctree(docname))))
            return pickle.loads(kept[docname][1])

        env.get_doctree = outline_of  # only while Sphinx numbers the figures
        try:
            return assign(self, env)
        finally:
            del env.get_doctree
            if kept != stored:
                path.write_bytes(pickle.dumps((rule, kept), pickle.HIGHEST_PROTOCOL))

    assign_from_outlines.ch3book_original = assign  # Sphinx's own (the tests compare)
    TocTreeCollector.assign_figure_numbers = assign_from_outlines


# -- sphinx-exercise -----------------------------------------------------------------------


def detach_exercise_nodes(app, env) -> None:
    """``env-updated``: keep sphinx-exercise's registered nodes without their pages.

    sphinx-exercise keeps every exercise and solution node in
    ``env.sphinx_exercise_registry``, the solutions as the nodes of the page's doctree and
    the exercises as copies that still point to it (``node.document``), so that Sphinx
    pickles every page with exercises into the environment a second time: 5 of its
    6.4 MB in a book of 60 pages, unpickled again by every build, also after a one-line
    edit. What sphinx-exercise reads from them later (the title, the label, the page, the
    class) is in the node itself; a detached copy gives the same pages.
    """
    for entry in getattr(env, "sphinx_exercise_registry", {}).values():
        node = entry.get("node")
        if node is None:
            continue
        if node.parent is not None:  # a node of the page itself
            node = entry["node"] = node.deepcopy()
        for part in node.findall():
            part.document = None


# -- jupyter-cache ---------------------------------------------------------------------------


def open_cache(env) -> Any:
    """The jupyter-cache MyST-NB uses in this build."""
    from jupyter_cache import get_cache

    return get_cache(env.mystnb_config.execution_cache_path)


def stored_executions(cache_path: Path) -> list[tuple[Any, float]]:
    """When each execution in a cache folder was stored (naive UTC), and its seconds."""
    from jupyter_cache import get_cache

    return [
        (record.created.replace(tzinfo=None), float(record.data.get("execution_seconds", 0)))
        for record in get_cache(str(cache_path)).list_cache_records()
    ]


def is_cached(cache, notebook) -> bool:
    """True if the cache holds an execution of this notebook's code."""
    try:
        cache.match_cache_notebook(notebook)
    except KeyError:
        return False
    return True


def store_execution(cache, path: Path, read_fmt: dict, notebook, seconds: float) -> None:
    """Store an executed notebook exactly as MyST-NB's ``NotebookClientCache`` does."""
    from jupyter_cache.base import CacheBundleIn

    record = cache.add_nb_to_project(str(path), read_data=read_fmt)
    cache.cache_notebook_bundle(
        CacheBundleIn(notebook, record.uri, data={"execution_seconds": seconds}),
        check_validity=False,
        overwrite=True,
    )


def copy_executions(source: Path, dest: Path) -> int:
    """Copy every execution stored in the jupyter-cache ``source`` into ``dest``; how many.

    Records are keyed on the notebooks' code, so a page's execution made elsewhere (another
    runner of the same pins and platform) is found as if it had been made here.
    """
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    origin, target = get_cache(str(source)), get_cache(str(dest))
    records = origin.list_cache_records()
    for record in records:
        bundle = origin.get_cache_bundle(record.pk)
        target.cache_notebook_bundle(
            CacheBundleIn(
                bundle.nb, record.uri, artifacts=bundle.artifacts, data=dict(record.data)
            ),
            check_validity=False,
            overwrite=True,
        )
    return len(records)


def skip_execution(env, path: Path) -> None:
    """Have MyST-NB not execute ``path`` in this build (its failure is reported already).

    MyST-NB makes ``env.mystnb_config`` anew at ``builder-inited``, so this lasts one build.
    """
    import glob

    config = env.mystnb_config
    patterns = (*config.execution_excludepatterns, glob.escape(str(path)))
    env.mystnb_config = config.copy(execution_excludepatterns=patterns)


def with_cached_outputs(cache, notebook) -> Any:
    """The notebook with the outputs of its cached execution (unchanged if not cached).

    MyST-NB writes ``jupyter_execute/<page>.ipynb`` without outputs when the page came
    from the cache (it writes the notebook it read, not the merged one), so a publisher
    merges them back from the same cache.
    """
    try:
        _, merged = cache.merge_match_into_notebook(notebook)
    except KeyError:
        return notebook
    return merged


# -- nbclient --------------------------------------------------------------------------------


def notebook_client(notebook, *, km, cwd: str, timeout: int, allow_errors: bool) -> Any:
    """An nbclient ``NotebookClient`` that runs in the running kernel of ``km``.

    The client does not own the kernel manager, so the kernel outlives the notebook and
    the next notebook can run in it.
    """
    from nbclient import NotebookClient

    client = NotebookClient(
        notebook,
        timeout=timeout,
        allow_errors=allow_errors,
        record_timing=False,  # timing metadata would differ from MyST-NB's executions
        resources={"metadata": {"path": cwd}},
    )
    client.km = km
    client.owns_km = False
    return client


def close_client(client) -> None:
    """Stop the client's channels (the kernel keeps running)."""
    if client.kc is not None:
        client.kc.stop_channels()


# -- jupyter_client --------------------------------------------------------------------------


async def start_kernel(cwd: str, sockets: str) -> Any:
    """A new kernel process working in ``cwd``, started by jupyter_client as MyST-NB would.

    Over IPC, with its sockets in the folder ``sockets``: a kernel on TCP warns in the
    build's log that its traffic is not encrypted.
    """
    from jupyter_client.manager import AsyncKernelManager

    km = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=f"{sockets}/kernel")
    await km.start_kernel(cwd=cwd)
    return km


def attached_kernel_manager(connection_file: str, pid: int) -> Any:
    """A kernel manager for a running kernel that another process started and will reap.

    jupyter_client supports such kernels (``owns_kernel=False``: never restarted or shut
    down by this manager), but nbclient starts a new kernel unless ``km.has_kernel``,
    which jupyter_client answers only for a kernel it launched itself. This manager
    answers from the process id, and ends the kernel with a signal when asked to.
    """
    import signal

    from jupyter_client.manager import AsyncKernelManager

    def alive() -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True

    class AttachedKernelManager(AsyncKernelManager):
        @property
        def has_kernel(self) -> bool:
            return alive()

        async def is_alive(self) -> bool:
            return alive()

        # nbclient asks the client, which asks its manager's private _async_is_alive;
        # jupyter_client's answers True for any kernel it does not own, so a kernel that
        # died mid-page was noticed only at the cell timeout (nb_execution_timeout).
        _async_is_alive = is_alive

        async def shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
            if alive():
                os.kill(pid, signal.SIGTERM)

    km = AttachedKernelManager(connection_file=connection_file, owns_kernel=False)
    km.load_connection_file()
    return km


def execution_succeeded(env, docname: str) -> bool | None:
    """Whether MyST-NB executed the page (or took it from its cache) without error.

    None if the page was not executed at all.
    """
    from myst_nb.sphinx_ import NbMetadataCollector

    data = NbMetadataCollector.get_exec_data(env, docname)
    return None if data is None else bool(data.get("succeeded"))


async def connect_client(client, km, timeout: float) -> None:
    """Give an nbclient ``client`` a started client of ``km``'s kernel (``client.kc``).

    nbclient would start one with jupyter_client's ``wait_for_ready``, which ends by
    draining IOPub until it stays silent for 0.2 s; a kernel forked by the zygote is set
    up already, so that wait is most of its start. This waits for the kernel_info reply
    and one IOPub message (so IOPub is connected), and leaves the rest: nbclient reads
    IOPub messages by the id of the cell that caused them.
    """
    import queue
    import time

    kc = km.client()
    kc.start_channels()
    kc.allow_stdin = False  # as nbclient sets it
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kc.kernel_info()
        try:
            reply = await kc.shell_channel.get_msg(timeout=1)
            if reply["msg_type"] != "kernel_info_reply":
                continue
            await kc.iopub_channel.get_msg(timeout=0.5)
            client.kc = kc
            return
        except (TimeoutError, queue.Empty):
            if not await km.is_alive():
                kc.stop_channels()
                raise RuntimeError("the kernel forked for it died before it answered") from None
    kc.stop_channels()
    raise RuntimeError(f"the kernel did not answer within {timeout} s")

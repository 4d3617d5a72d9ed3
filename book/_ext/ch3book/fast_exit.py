"""Skip the interpreter's final garbage collection after a build.

At exit, Python's last collection walks every doctree and environment object (~0.5 s),
which is a sixth of a prose-only rebuild. Objects frozen with ``gc.freeze()`` are skipped.
This is a ``build-finished`` handler that runs last; nothing after it allocates much.
No stock extension does it: it is only safe because the process ends right after, so it
runs only where ``conf.py`` says so (``book_fast_exit``: ``make html`` and ``make
preview``, whose builds end their process), not in a test that builds in-process.
"""

from __future__ import annotations

import gc


def skip_final_garbage_collection(app, exception) -> None:
    """Freeze every object now alive, so that the final collection skips them."""
    if app.config.book_fast_exit:
        gc.freeze()


def setup_fast_exit(app) -> None:
    """Register the handler with a priority after every other ``build-finished`` handler."""
    app.add_config_value("book_fast_exit", False, "", types=(bool,))
    app.connect("build-finished", skip_final_garbage_collection, priority=1000)

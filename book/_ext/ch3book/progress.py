"""What ``make html`` prints while it works: a line per phase (``book_progress``).

Sphinx runs with ``-q`` (``make html SPHINXOPTS=-v`` shows its own output), so the build's
progress is printed here, on standard output and never into a page: the executor prints
a line per executed page (``execution.py``), this module the start of writing, and
``tools/build.py`` the first and the last line.
"""

from __future__ import annotations


def say(app, line: str) -> None:
    """Print ``line`` if this build reports its progress (``book_progress``)."""
    if app.config.book_progress:
        print(line, flush=True)


def announce_writing(app, builder) -> None:
    """``write-started``: the pages are read (and executed); writing begins."""
    say(app, "make html: writing the pages")


def setup_progress(app) -> None:
    """Register the setting and the announcement."""
    # A line per phase and per executed page on stdout (conf.py sets it for make html).
    app.add_config_value("book_progress", False, "", types=(bool,))
    app.connect("write-started", announce_writing)

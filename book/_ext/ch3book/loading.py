"""Nothing render-blocking that the first paint does not need: the head's scripts are deferred.

Sphinx, sphinx-copybutton and sphinx-book-theme put their scripts in the ``<head>`` without
``defer``, so a phone waits for seven downloads before drawing any text. None of them
draws anything: each acts on the finished document (``_ready`` / ``DOMContentLoaded``), and
deferred scripts still run in order, before ``DOMContentLoaded``. Only
``documentation_options.js`` stays as it is: inline scripts of the theme read the
``DOCUMENTATION_OPTIONS`` it defines as soon as the parser reaches them.

Sphinx has no setting for the loading of scripts it or another extension added
(``loading_method`` is for one's own ``add_js_file``).
"""

from __future__ import annotations

import os

from ch3book import _compat

#: Scripts inline code reads while the page is parsed.
KEEP_BLOCKING = {"_static/documentation_options.js"}


def deferred(script):
    """``script`` (Sphinx's script entry) with ``defer``, unless it must run at once."""
    filename = getattr(script, "filename", None)
    attributes = dict(getattr(script, "attributes", {}))
    if (
        not filename
        or os.fspath(filename) in KEEP_BLOCKING
        or {"defer", "async"} & set(attributes)
        or attributes.get("type") == "module"
    ):
        return script
    return _compat.with_attribute(script, defer="defer")


def defer_scripts(app, pagename, templatename, context, doctree) -> None:
    """``html-page-context``: every file script of the page deferred (but those kept)."""
    if "script_files" in context:
        context["script_files"] = [deferred(script) for script in context["script_files"]]


def setup_loading(app) -> None:
    """Defer the scripts after every other extension has added its own (priority 900)."""
    app.connect("html-page-context", defer_scripts, priority=900)

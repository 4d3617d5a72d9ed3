import os
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")  # before anything imports matplotlib

import ch3lib  # noqa: F401  (it sets TensorFlow's log level before TensorFlow loads)
from tools import layout


@pytest.fixture(scope="session")
def site() -> Path:
    """The built site; the site and browser tests run after `make html`."""
    if not (layout.SITE / "index.html").exists():
        pytest.fail(f"{layout.SITE} has no index.html: run `make html` before the site tests")
    return layout.SITE

import os
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"


@pytest.fixture(scope="session")
def site() -> Path:
    """The built site; the site and browser tests run after `make html`."""
    if not (SITE / "index.html").exists():
        pytest.fail(f"{SITE} has no index.html: run `make html` before the site tests")
    return SITE

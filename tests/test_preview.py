"""``make preview`` serves the book and shows an edit after saving it (``make test-rebuild``).

On a copy of the repository (with its execution cache): sphinx-autobuild starts, Chromium
opens a page, and a prose edit and a code edit of that page appear in it by themselves
(the code edit's page executed by the pre-build step); an edit of ch3lib in ``src/`` starts
a rebuild.
"""

import os
import signal
import subprocess
import time

import pytest

from tools.rebuild_check import build_env, free_port, make_workspace, replace

pytestmark = pytest.mark.rebuild

PAGE = "book/3-4-workstation.md"


def wait_for(condition, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.fixture
def preview(tmp_path):
    workspace = make_workspace(tmp_path / "preview", executed=True)
    port = free_port()
    log = (tmp_path / "preview.log").open("w", encoding="utf-8")
    server = subprocess.Popen(
        ["make", "preview", f"PREVIEW_PORT={port}"],
        cwd=workspace,
        env=build_env(workspace),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    yield workspace, f"http://127.0.0.1:{port}/", tmp_path / "preview.log"
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def shows(page, text: str) -> bool:
    try:
        return page.evaluate("t => document.body.innerText.includes(t)", text)
    except Exception:  # the page is reloading
        return False


def test_an_edit_appears_in_the_open_page_by_itself(preview, browser):
    workspace, url, log = preview
    page = browser.new_page()

    def loads() -> bool:
        try:
            return page.goto(url + "3-4-workstation.html").ok
        except Exception:
            return False

    wait_for(loads, 120, "the preview server")
    replace(
        workspace / PAGE, "這張表是建置過程本身產生的", "這張表是建置過程本身產生的（預覽的修改）"
    )
    wait_for(lambda: shows(page, "（預覽的修改）"), 60, "the prose edit")
    replace(
        workspace / PAGE,
        "```{code-cell} ipython3\nch3lib.build_info()\n",
        "```{code-cell} ipython3\nch3lib.build_info()  # 預覽的程式修改\n",
    )
    wait_for(lambda: shows(page, "# 預覽的程式修改"), 120, "the code edit")
    page.close()
    replace(workspace / "src/ch3lib/training.py", 'print(f"epoch ', 'print(f"Epoch ')
    changed = "Detected changes (src/ch3lib/training.py)"
    wait_for(lambda: changed in log.read_text(encoding="utf-8"), 30, "the library edit's rebuild")

"""``make preview`` serves the book and shows an edit after saving it (``make test-rebuild``).

On a copy of the repository: the preview server starts, Chromium opens a page, and a prose
edit and a code edit of that page appear in it by themselves (sphinx-autobuild reloads the
page after each build). How fast is measured by ``make bench``, not here.
"""

import os
import signal
import subprocess
import time

import pytest

from tools.rebuild_check import free_port, make_html, make_workspace, replace, start_preview

pytestmark = pytest.mark.rebuild

PAGE = "book/3-5-first-steps.md"


def wait_for(condition, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.fixture
def preview(tmp_path):
    workspace = make_workspace(tmp_path / "preview")
    make_html(workspace)
    port = free_port()
    server = start_preview(workspace, port, subprocess.PIPE)
    yield workspace, f"http://127.0.0.1:{port}/"
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def shows(page, text: str) -> bool:
    try:
        return page.evaluate("t => document.body.innerText.includes(t)", text)
    except Exception:  # the page is reloading
        return False


def test_an_edit_appears_in_the_open_page_by_itself(preview, browser):
    workspace, url = preview
    page = browser.new_page()

    def loads() -> bool:
        try:
            return page.goto(url + "3-5-first-steps.html").ok
        except Exception:
            return False

    wait_for(loads, 120, "the preview server")
    replace(workspace / PAGE, "這一節先練習低階的部分", "這一節先練習低階的部分（預覽的修改）")
    wait_for(lambda: shows(page, "（預覽的修改）"), 60, "the prose edit")
    replace(workspace / PAGE, "# 全為 1 的張量", "# 全為 1 的張量（預覽的程式修改）")
    wait_for(lambda: shows(page, "（預覽的程式修改）"), 120, "the code edit")
    page.close()

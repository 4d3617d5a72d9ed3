"""A spare kernel for ``make preview``: TensorFlow already imported, used for one page.

After a code edit, most of a page's execution time is the new kernel importing TensorFlow
(~3.5 s). The preview server (``tools/preview.py``) keeps one kernel that has imported
TensorFlow and nothing else, and names its connection file in ``BOOK_SPARE_KERNEL``
(with its process id in ``<file>.pid``) for the next build. The first page that build
executes runs in it (after the same reset a reused kernel gets); the kernel is then
discarded, so a page never sees another page's state, and the server starts a new spare.
No stock extension does this: MyST-NB and jupyter-cache always start a new kernel.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ch3book import _compat

#: The environment variable that names the spare kernel's connection file.
ENV = "BOOK_SPARE_KERNEL"


def offer(connection_file: Path, pid: int) -> None:
    """Offer a running kernel to the next build (called by the preview server)."""
    Path(f"{connection_file}.pid").write_text(str(pid), encoding="utf-8")
    os.environ[ENV] = str(connection_file)


def claim() -> Any | None:
    """Take the spare kernel, if one is offered and still free: a kernel manager, or None.

    Claiming renames the connection file, so that only one page ever runs in the kernel.
    """
    name = os.environ.pop(ENV, "")
    if not name:
        return None
    offered, claimed = Path(name), Path(f"{name}.claimed")
    try:
        offered.rename(claimed)
        pid = int(Path(f"{name}.pid").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return _compat.attached_kernel_manager(str(claimed), pid)


async def discard(km: Any) -> None:
    """End a spare kernel after its one page; the preview server reaps it."""
    await km.shutdown_kernel(now=True)

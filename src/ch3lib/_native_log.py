"""Keep TensorFlow's native INFO log lines off stderr.

TensorFlow 2.21 logs through absl, and writes the messages it emits before
``absl::InitializeLog()`` (oneDNN, CUDA-driver and CPU-feature notices) straight to file
descriptor 2, whatever ``TF_CPP_MIN_LOG_LEVEL`` says. In a notebook they become stderr
outputs. This module mutes them at the file-descriptor level while TensorFlow is imported
and its runtime starts, and passes every other line (warnings, errors) through.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

_BANNER = "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR"
_LOG_LINE = re.compile(r"^[IWEF]\d{4} ")
_INFO_LINE = re.compile(r"^I\d{4} ")


def drop_info_lines(text: str) -> str:
    """Remove absl INFO records (with their continuation lines) and absl's banner."""
    kept, in_info = [], False
    for line in text.splitlines(keepends=True):
        if _LOG_LINE.match(line):
            in_info = bool(_INFO_LINE.match(line))
        elif line.rstrip("\n") == _BANNER:
            continue
        if not in_info:
            kept.append(line)
    return "".join(kept)


@contextmanager
def quiet_native_info_logs() -> Iterator[None]:
    """Redirect file descriptor 2 while the block runs; re-emit all but INFO lines."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no usable fd 2 (embedded interpreters): nothing to do
        yield
        return
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            rest = drop_info_lines(capture.read().decode("utf-8", errors="replace"))
            if rest:
                sys.stderr.write(rest)

"""What a run prints that depends on the moment or the machine, elided from the outputs.

Two builds of the same sources publish the same bytes, and no page shows the build
machine's paths: ``stable_text`` turns Keras's epoch timings (``16/16 - 1s - 35ms/step``,
3-6-5) into ``16/16 - …`` and installation paths in tracebacks (``/home/…/site-packages/``)
into ``…/``. A transform applies it to the page's stream and traceback outputs, and
``notebooks`` to the readers' notebooks. No stock option does this: MyST-NB renders outputs
as they are, Keras's progress bar has no switch for its timings, and IPython's traceback
modes keep the paths or drop the frames. An output longer than ``book_max_output_bytes``
(unreadable on a phone) fails the build, naming the page, the line and the size.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.transforms import SphinxTransform
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: ``16/16 - 1s - 35ms/step`` (keras.src.utils.progbar: ``verbose=2``, at an epoch's end).
TIMINGS = re.compile(r"^(\s*\d+/\d+) - \d+s - \d+(?:s|ms|us)/(?:step|sample|epoch)(?= - |$)", re.M)
#: The installation folder of a package in a traceback frame: ``/…/site-packages/``.
INSTALL_PATH = re.compile(r"(?:[A-Za-z]:)?[/\\][^\s:'\"]*?[/\\](?:site|dist)-packages[/\\]")


def stable_text(text: str) -> str:
    """``text`` with Keras's epoch timings and installation paths replaced by ``…``."""
    return INSTALL_PATH.sub("…/", TIMINGS.sub(r"\1 - …", text))


def too_long(size: int, limit: int) -> str:
    """What the author reads about an output of ``size`` bytes, over the ``limit``."""
    return (
        f"a cell's output is {size / 1e6:.1f} MB ({size} bytes): a page shows at most {limit} "
        "bytes of one output (book_max_output_bytes in conf.py). Print less: a summary, or "
        "every hundredth step"
    )


def text_size(outputs: list) -> int:
    """The size (UTF-8) of the text a cell's outputs show: streams, plain text, tracebacks."""
    size = 0
    for output in outputs:
        texts = [output.get("text", ""), output.get("data", {}).get("text/plain", "")]
        texts += output.get("traceback", [])
        size += sum(len(text.encode()) for text in texts)
    return size


class StableOutputs(SphinxTransform):
    """Apply ``stable_text`` to every stream and traceback output; cut any too long."""

    default_priority = 500

    def apply(self, **kwargs) -> None:
        limit = self.config.book_max_output_bytes
        for block in self.document.findall(nodes.literal_block):
            if "output" not in block["classes"]:
                continue
            text = new = block.astext()
            size = len(text.encode())
            if size > limit:
                logger.warning(
                    too_long(size, limit), location=block, type="ch3book", subtype="output"
                )
                new = text.encode()[:limit].decode(errors="ignore") + "\n…"
            if {"stream", "traceback"} & set(block["classes"]):  # MyST-NB's: printed, raised
                new = stable_text(new)
            if new != text:
                block.children = [nodes.Text(new)]
                block.rawsource = new


def stable_outputs(outputs: list) -> list:
    """A notebook cell's outputs (nbformat) with ``stable_text`` applied, in place."""
    for output in outputs:
        if output.get("output_type") == "stream":
            output.text = stable_text(output.text)
        elif output.get("output_type") == "error":
            output.traceback = [stable_text(line) for line in output.traceback]
    return outputs


def setup_stable_outputs(app) -> None:
    app.add_config_value("book_max_output_bytes", 100_000, "env", types=(int,))
    app.add_transform(StableOutputs)

"""Images that do not move the page and do not compete with its text: sized, loaded lazily.

A plot from a notebook cell reaches the page as ``<img src=…>`` without a size, so the
text below it jumps when the picture arrives (layout shift), and every picture of the page
downloads before the reader scrolls to it, on a phone's slow network competing with the
stylesheet the first paint waits for. This post-transform gives every local image
``width`` and ``height`` attributes (the file's pixels, or the ``:width:`` a figure asks
for, with the height in proportion: the browser then keeps the aspect ratio while CSS
scales the image to the column) and ``loading="lazy"``. Docutils writes both as HTML
attributes when a node carries them without units.

No stock extension does this; docutils reads the size only for ``:scale:``.
"""

from __future__ import annotations

import re
from pathlib import Path

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

from ch3book import _compat

PIXELS = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(px)?\s*$")


class SizeAndDeferImages(SphinxPostTransform):
    """``width``/``height`` in pixels and ``loading="lazy"`` on every local image."""

    default_priority = 100
    formats = ("html",)

    def run(self, **kwargs) -> None:
        for node in self.document.findall(nodes.image):
            uri = node["uri"]
            if "://" in uri or uri.startswith("data:"):
                continue
            node.setdefault("loading", "lazy")
            if "height" in node or "scale" in node:
                continue
            size = _compat.image_size(Path(self.env.srcdir) / uri)
            if size is None:
                continue
            width, height = size
            if "width" in node:
                asked = PIXELS.match(node["width"])
                if asked is None:  # a percentage or em: leave it to CSS
                    continue
                width, height = float(asked.group(1)), float(asked.group(1)) * height / width
            node["width"], node["height"] = f"{round(width)}", f"{round(height)}"


def setup_images(app) -> None:
    app.add_post_transform(SizeAndDeferImages)

r"""Math rendered at build time, as MathML: no script, no web font, works offline and in print.

MathJax cost 325 KiB of script and fonts for the book's short formulas, most of a page's
first visit on a phone; every supported browser draws MathML (Chromium since 109, Firefox,
Safari) and screen readers read it. This math renderer converts the LaTeX with
``latex2mathml`` as the page is written; a formula it cannot convert stops the build, naming
the page. Not stock: ``sphinx.ext.imgmath`` needs LaTeX and makes pictures of text;
``sphinxcontrib-katex`` needs Node.js to render at build time; ``sphinx-mathjax-offline`` is
MathJax.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.locale import _

from ch3book import _compat


def to_mathml(latex: str, display: str, where: str) -> str:
    """``latex`` as a ``<math>`` element; a clear error names the formula and the page."""
    from latex2mathml.converter import convert

    try:
        return convert(latex.strip(), display=display)
    except Exception as error:  # the converter raises many kinds; all mean "cannot convert"
        raise RuntimeError(
            f"Expected LaTeX that latex2mathml can convert to MathML in {where}. "
            f"Received {latex!r}, which fails with {type(error).__name__}: {error}".rstrip(": ")
        ) from error


def visit_math(self, node: nodes.math) -> None:
    """Inline math: ``<span class="math"><math display="inline">…</math></span>``."""
    self.body.append(self.starttag(node, "span", "", CLASS="math notranslate"))
    self.body.append(to_mathml(node.astext(), "inline", self.builder.current_docname) + "</span>")
    raise nodes.SkipNode


def visit_displaymath(self, node: nodes.math_block) -> None:
    """Display math: one ``<math display="block">`` per paragraph, numbered like Sphinx's."""
    where = self.builder.current_docname
    self.body.append(self.starttag(node, "div", CLASS="math notranslate"))
    if node["number"]:
        number = _compat.equation_number(self, node)
        self.body.append(f'<span class="eqno">({number})')
        self.add_permalink_ref(node, _("Link to this equation"))
        self.body.append("</span>")
    for part in (p for p in node.astext().split("\n\n") if p.strip()):
        self.body.append(to_mathml(part, "block", where))
    self.body.append("</div>\n")
    raise nodes.SkipNode


def setup_mathml(app) -> None:
    app.add_html_math_renderer("mathml", (visit_math, None), (visit_displaymath, None))

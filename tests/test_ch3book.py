"""The book's Sphinx extension (book/_ext/ch3book): its pure parts.

The extension as a whole is tested by building: a small project here for the executor's
settings, the book itself in test_site.py, test_browser.py and test_rebuild.py.
"""

import nbformat
import pytest

from ch3book import _compat, notebooks, sections
from ch3book.docstring_links import link_sections_in_docstrings


def test_untested_versions_are_named_with_what_was_tested():
    installed = {
        "myst-nb": "2.0.1",
        "jupyter-cache": "1.0.1",
        "nbclient": "0.11.0",
        "nbformat": "5.11.1",
    }
    untested = _compat.untested_versions(installed)
    assert untested == {"myst-nb": "2.0.1"}
    message = _compat.version_error(untested)
    assert "myst-nb 1.4.x" in message and "Received: myst-nb 2.0.1" in message


def test_installed_versions_are_tested():
    assert _compat.untested_versions() == {}


def test_published_notebooks_get_stable_ids_and_merged_streams():
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# title"),
            nbformat.v4.new_code_cell(
                "print(1); print(2)",
                outputs=[
                    nbformat.v4.new_output("stream", name="stdout", text="1\n"),
                    nbformat.v4.new_output("stream", name="stdout", text="2\n"),
                ],
            ),
        ]
    )
    notebooks.stable(notebook)
    assert [cell.id for cell in notebook.cells] == ["cell-1", "cell-2"]
    assert [o.text for o in notebook.cells[1].outputs] == ["1\n2\n"]
    nbformat.validate(notebook)


@pytest.mark.parametrize(
    ("label", "is_section"),
    [("sec-3-5", True), ("sec-3-5-4", True), ("sec-3-4-device", True), ("errata-3-5", False)],
)
def test_section_label_pattern(label, is_section):
    assert bool(sections.SECTION_LABEL.match(label)) == is_section


def test_pages_sort_by_number_not_text():
    assert sorted(["sec-3-10", "sec-3-9"], key=sections.page_sort_key) == ["sec-3-9", "sec-3-10"]


def test_section_mentions_in_docstrings_become_links():
    lines = ["Defined in section 3-5-4.", "Taught in sections 3-6-3 to 3-6-7."]
    link_sections_in_docstrings(None, "function", "f", None, {}, lines)
    assert lines == [
        "Defined in section :ref:`3-5-4 <sec-3-5-4>`.",
        "Taught in sections :ref:`3-6-3 <sec-3-6-3>` to :ref:`3-6-7 <sec-3-6-7>`.",
    ]


def test_solutions_are_left_out_of_the_reader_notebook_with_a_link_to_them():
    start = "```{solution-start} ex-1\n:class: dropdown\n:label: sol-1\n```"
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell(f"```{{exercise}} E\n:label: ex-1\n\nQ?\n```\n\n{start}"),
            nbformat.v4.new_code_cell("answer = 42"),
            nbformat.v4.new_markdown_cell("```{solution-end}\n```\n\nAfter."),
        ]
    )
    notebooks.without_solutions(notebook, "https://example.org/3-5.html")
    sources = [cell.source for cell in notebook.cells]
    assert len(sources) == 2 and "answer" not in "".join(sources)
    assert "Q?" in sources[0] and "<https://example.org/3-5.html#sol-1>" in sources[0]
    assert sources[1] == "After."

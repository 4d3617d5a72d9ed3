"""The pure parts of what makes pages fast and printable (issue 10), on small and bad inputs."""

import pytest

from ch3book import icons, loading, mathml
from tools import pdf, serve


def test_the_icon_script_is_dropped_and_a_changed_theme_is_named():
    block = (
        '<link href="_static/styles/theme.css" rel="stylesheet" />\n'
        '  <script defer src="_static/scripts/fontawesome.js?digest=abc"></script>\n'
        '  <link rel="preload" as="script" href="_static/scripts/bootstrap.js" />'
    )
    kept = icons.drop_icon_script(block)
    assert "fontawesome" not in kept and "theme.css" in kept and "bootstrap.js" in kept
    with pytest.raises(RuntimeError, match=r"Expected one <script .*fontawesome.*Received 0"):
        icons.drop_icon_script('<link href="theme.css" rel="stylesheet" />')


def test_icon_code_points_come_from_the_classes_used_and_an_undrawn_icon_is_named(tmp_path):
    styles = tmp_path / "_static" / "styles"
    styles.mkdir(parents=True)
    (styles / "pydata-sphinx-theme.css").write_text(
        '.x{}.fa-bars,.fa-navicon{--fa:"\\f0c9"}.fa-moon{--fa:"\\f186"}'
        '.fa-unused{--fa:"\\f000"}.admonition:after{content:"\uf05a"}',
        encoding="utf-8",
    )
    page = '<i class="fa-solid fa-navicon"></i><i class="fas fa-gone"></i><i class="fa-lg">'
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    (tmp_path / "_static" / "theme.js").write_text('i.className = "fa-moon";', encoding="utf-8")
    classes = icons.icon_rules(tmp_path)
    assert icons.icon_code_points(tmp_path, classes) == [0xF05A, 0xF0C9, 0xF186]
    assert icons.undrawn_icons(tmp_path, classes) == ["fas fa-gone"]  # the theme's: test_rebuild


def test_math_becomes_mathml_and_bad_latex_names_the_page():
    html = mathml.to_mathml(r"4.9 \times 2^2", "inline", "3-5-first-steps")
    assert html.startswith("<math") and "<msup><mn>2</mn><mn>2</mn></msup>" in html
    with pytest.raises(RuntimeError, match=r"in 3-5-first-steps\. Received '\\\\frac\{1\}\{'"):
        mathml.to_mathml(r"\frac{1}{", "inline", "3-5-first-steps")


class Script:
    """The shape of Sphinx's script entries: a filename, a priority, attributes."""

    def __init__(self, filename, priority=500, **attributes):
        self.filename, self.priority, self.attributes = filename, priority, attributes


def test_head_scripts_are_deferred_but_those_inline_code_reads_at_once():
    scripts = [
        Script("_static/documentation_options.js", 1),
        Script("_static/doctools.js", 200),
        Script(None, body="DOCUMENTATION_OPTIONS.pagename = 'x';"),
        Script("_static/already.js", **{"async": "async"}),
        Script("_static/module.js", type="module"),
    ]
    out = [loading.deferred(script) for script in scripts]
    assert out[0] is scripts[0] and out[2] is scripts[2]
    assert out[3] is scripts[3] and out[4] is scripts[4]
    assert out[1].attributes == {"defer": "defer"} and out[1].priority == 200


def test_structure_ids_are_renumbered_in_order_at_the_same_width():
    raw = b"/ID (node00000770) /K [/ID (node00000012)] (node00000770)"
    assert pdf.renumber_structure_ids(raw) == (
        b"/ID (node00000002) /K [/ID (node00000001)] (node00000002)"
    )


def test_shared_ids_get_their_page_in_front():
    parts = [
        {"slug": "3-1-tensorflow", "ids": ["sec-3-1", "tensorflow"]},
        {"slug": "appendix-errata", "ids": ["errata", "tensorflow"]},
    ]
    assert pdf.shared_ids(parts) == {
        "3-1-tensorflow": {"tensorflow": "3-1-tensorflow--tensorflow"},
        "appendix-errata": {"tensorflow": "appendix-errata--tensorflow"},
    }


def test_the_server_rejects_a_prefix_or_folder_it_cannot_serve(tmp_path):
    prefix = pytest.raises(ValueError, match=r"Expected a path prefix such as '/ch3-book/'")
    with prefix, serve.serve(tmp_path, "ch3-book"):
        pass
    folder = pytest.raises(FileNotFoundError, match="Expected the built site's folder")
    with folder, serve.serve(tmp_path / "missing", "/ch3-book/"):
        pass


def test_gzip_is_reproducible_and_only_for_text(tmp_path):
    page, image = tmp_path / "a.html", tmp_path / "b.png"
    page.write_text("<p>" + "張量" * 500 + "</p>", encoding="utf-8")
    image.write_bytes(b"\x89PNG" + bytes(300))
    assert serve.gzipped(page.read_bytes()) == serve.gzipped(page.read_bytes())
    assert serve.transfer_size(page) < page.stat().st_size
    assert serve.transfer_size(image) == image.stat().st_size


def test_a_bookmark_chromium_named_twice_is_named_once(tmp_path):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    chapter = writer.add_outline_item(title="3-1 TensorFlow 是什麼？", page_number=0)
    writer.add_outline_item(title="練習練習", page_number=0, parent=chapter)
    kept = ["反反覆覆", "謝謝"]  # not one string twice; a word, not a doubled title
    for title in kept:
        writer.add_outline_item(title=title, page_number=0, parent=chapter)
    assert pdf.undouble_bookmarks(writer) == ["練習"]
    titles = [item.title for item in writer.outline[1]]
    assert titles == ["練習", *kept]

"""Checks of the built book in _build/html (run by `make test-site` after `make html`)."""

import ast
import hashlib
import itertools
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import nbformat
import pytest
import yaml
from babel.messages.mofile import read_mo
from bs4 import BeautifulSoup
from conftest import soup
from markdown_it import MarkdownIt
from nbclient import NotebookClient
from published import base_url, glued_pages, notebook_pages, section_pages, solution_code

from ch3book import _theme, cjk_spacing
from ch3book.package_index import library_version
from ch3book.sections import SECTION_LABEL
from ch3book.translations import THEME
from tools import layout
from tools.lighthouse import site_pages

pytestmark = pytest.mark.site

ROOT = layout.ROOT
SECTION_PAGES = section_pages()
EXPECTED_IDS = sorted(i for ids in SECTION_PAGES.values() for i in ids)
NOTEBOOK_PAGES = notebook_pages()

FORBIDDEN = {
    "TensorFlow/absl log line": re.compile(
        r"absl::|I0000 |W0000 |oneDNN custom operations|cuda drivers|cpu_feature_guard|"
        r"WARNING:tensorflow|This TensorFlow binary"
    ),
    "object address": re.compile(r"\bat 0x[0-9a-f]{6,}"),
    "build-machine path": re.compile(r"/work/|/root\b|/home/|/tmp/|\.venv/|site-packages"),
    "absolute file URL": re.compile(r"file://"),
    "progress-bar debris": re.compile(r"[\x08\r]|━ \d|\d+/\d+ \[=+|\dm?s/step"),
}


def pages(site: Path) -> list[Path]:
    """The book's pages: not its assets, nor redirects, nor the package index's (for pip)."""
    return [site / page for page in site_pages(site)]


def test_section_ids_exist_once_as_permalinks_and_no_id_repeats_or_is_like_id3(site):
    found: dict[str, list[str]] = {}
    for page in pages(site):
        doc = soup(page)
        ids = [e["id"] for e in doc.find_all(id=True)]
        assert sorted({i for i in ids if ids.count(i) > 1}) == [], page.name  # valid HTML
        assert [i for i in ids if re.fullmatch(r"id\d+", i)] == [], page.name
        for element in doc.find_all(id=SECTION_LABEL):
            found.setdefault(element["id"], []).append(page.relative_to(site).as_posix())
    assert sorted(found) == EXPECTED_IDS
    for page, ids in SECTION_PAGES.items():
        doc = soup(site / page)
        for anchor in ids:
            assert found[anchor] == [page], anchor
            section = doc.find(id=anchor)
            assert section.name == "section", anchor
            heading = section.find(re.compile("^h[1-6]$"))
            assert heading.find("a", class_="headerlink")["href"] == f"#{anchor}"


#: Machine details must be absent from every published file; the output checks apply to
#: what the book itself produced (pages, notebooks, sources), not to vendored scripts.
EVERY_FILE = {"build-machine path", "absolute file URL"}


@pytest.mark.parametrize("what", sorted(FORBIDDEN))
def test_no_logs_addresses_paths_or_progress_bars_in_published_files(site, what):
    if what in EVERY_FILE:
        binary = {".png", ".woff", ".woff2"}
        published = [p for p in site.rglob("*") if p.is_file() and p.suffix not in binary]
    else:
        published = [*pages(site), *site.rglob("*.ipynb"), *site.glob("_sources/**/*.*")]
    offenders = [
        p.relative_to(site).as_posix()
        for p in published
        if FORBIDDEN[what].search(p.read_text(encoding="utf-8", errors="replace"))
    ]
    assert offenders == []


#: The errors the lessons show on purpose (``raises-exception``), page by page, in order.
INTENDED_ERRORS = {
    "3-5-first-steps.html": [
        "does not support item assignment",
        "A non-persistent GradientTape can only be used to compute one set of gradients",
    ],
}


def test_no_stderr_outputs_and_only_the_intended_tracebacks(site):
    found = {}
    for page in pages(site):
        doc = soup(page)
        assert doc.select(".output.stderr") == [], page.name
        tracebacks = [block.get_text() for block in doc.select(".output.traceback")]
        if tracebacks:
            found[page.relative_to(site).as_posix()] = tracebacks
    assert sorted(found) == sorted(INTENDED_ERRORS)
    for page, messages in INTENDED_ERRORS.items():
        assert len(found[page]) == len(messages), page
        for traceback, message in zip(found[page], messages, strict=True):
            assert message in traceback, page


def test_every_image_has_alt_text_and_exists_and_in_an_article_is_sized_and_lazy(site):
    for page in pages(site):
        for img in soup(page).find_all("img"):
            where = f"{page.name}: {img.get('src')}"
            assert img.get("alt", "").strip(), where
            if not img["src"].startswith(("http", "data:")):
                assert (page.parent / img["src"]).exists(), where
            if img.find_parent("article"):
                assert img.get("width", "").isdigit() and img.get("height", "").isdigit(), where
                assert img.get("loading") == "lazy", where


def test_figures_are_captioned_named_and_cited(site):
    figures = {}
    for name in SECTION_PAGES:
        doc = soup(site / name)
        for fig in doc.find_all("figure"):
            assert fig.get("id", "").startswith("fig-"), name
            assert fig.find("figcaption").get_text(strip=True), fig["id"]
            cited = doc.find("a", href=f"#{fig['id']}", class_="reference")
            assert cited is not None, f"{fig['id']} is not cited in the prose"
            figures[fig["id"]] = name
    assert len(figures) >= 5


def _matches(pasted: str, outputs: str) -> bool:
    """A glued number is an output's, rounded as printed; a glued text (a device) is in one."""
    if not re.fullmatch(r"-?\d+(?:\.\d+)?", pasted):
        return pasted in outputs
    decimals = len(pasted.split(".")[1]) if "." in pasted else 0
    value = float(pasted)
    return any(
        round(candidate * scale, decimals) == value
        for candidate in map(float, re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", outputs))
        for scale in (1, 100)
    )


@pytest.mark.parametrize("page", [f"{name}.html" for name in glued_pages()])
def test_glued_numbers_match_the_outputs_beside_them(site, page):
    doc = soup(site / page)
    pasted = [s.get_text() for s in doc.select("span.pasted-text")]
    assert pasted, "the page quotes no glued number"
    outputs = " ".join(o.get_text(" ") for o in doc.select(".cell_output"))
    for value in pasted:
        assert _matches(value, outputs), f"{value} is not in any output of {page}"


def test_final_loss_in_prose_is_the_printed_step_39(site):
    doc = soup(site / "3-5-first-steps.html")
    printed = re.findall(r"Loss at step (\d+): (\d\.\d{4})", doc.get_text())
    assert [int(step) for step, _ in printed] == list(range(40))
    prose = doc.find(string=re.compile("第 39 步")).parent
    assert prose.select_one("span.pasted-text").get_text() == printed[-1][1]
    assert abs(float(printed[-1][1]) - 0.03) < 0.006


def test_build_device_in_prose_matches_the_table(site):
    doc = soup(site / "3-4-workstation.html")
    table = doc.select_one("table.ch3lib-build-info")
    device = next(tr.td.get_text() for tr in table.find_all("tr") if tr.th.get_text() == "device")
    prose = doc.find(string=re.compile("本書這次建置在")).parent
    assert prose.select_one("span.pasted-text").get_text() == device


def test_html_lang_and_heading_order(site):
    for page in pages(site):
        doc = soup(page)
        assert doc.html["lang"] == "zh-TW", page.name
        article = doc.find("article") or doc
        levels = [int(h.name[1]) for h in article.find_all(re.compile("^h[1-6]$"))]
        for before, after in itertools.pairwise(levels):
            assert after <= before + 1, f"{page.name}: h{before} followed by h{after}"


def test_the_theme_speaks_traditional_chinese(site):
    """No string of the theme's Simplified Chinese catalog (gettext's fallback for zh_TW)."""
    mo = _theme.simplified_chinese_catalog()
    with mo.open("rb") as handle:
        simplified = {m.string for m in read_mo(handle) if m.id and m.string and m.string != m.id}
    simplified -= {*THEME.values(), "版本警告"}  # the same in both scripts
    assert "回到顶部" in simplified  # the catalog is the one the theme ships
    shown: set[tuple[str, str]] = set()
    for page in pages(site):
        text = page.read_text(encoding="utf-8")
        shown |= {(page.name, s) for s in simplified if s in text}
    assert shown == set()
    doc = soup(site / "index.html")
    assert doc.select_one("#pst-skip-link a").get_text(strip=True) == "跳到主要內容"
    assert "回到頂端" in doc.select_one("#pst-back-to-top").get_text()


def test_every_page_has_a_description_title_and_icon_and_the_lessons_a_link_preview_card(site):
    """Without an icon, the browser asks for /favicon.ico (a 404)."""
    cards = [*SECTION_PAGES, "index.html", "appendix/errata.html"]
    for name in site_pages(site):
        head = soup(site / name).head
        meta = {m.get("property") or m.get("name"): m.get("content") for m in head("meta")}
        assert len(meta.get("description") or "") >= 10 and head.title.get_text(), name
        assert head.find("link", rel="icon", href=re.compile(r"favicon\.svg$")), name
        for key in ("og:title", "og:description", "og:image", "og:url", "twitter:card"):
            assert name not in cards or meta.get(key), f"{name}: {key}"
        assert name not in cards or meta["og:url"].endswith(name)
    assert (site / "_static" / "og-card.png").stat().st_size > 10_000


def test_sitemap_lists_every_page_at_the_base_url(site):
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    urls = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    base = base_url(site)
    for name in [*SECTION_PAGES, "index.html", "appendix/lecture-links.html"]:
        assert base + name in urls, name
    assert not any(u.endswith(("search.html", "404.html")) for u in urls)


def test_every_notebook_page_offers_its_executed_notebook(site):
    for name in NOTEBOOK_PAGES:
        doc = soup(site / f"{name}.html")  # its link: test_every_notebook_page_opens_in_colab…
        cells = _reader_notebook(site, name).cells  # an exercise's cells are marked "ch3book"
        code = [c for c in cells if c.cell_type == "code" and "ch3book" not in c.metadata]
        install, setup, *lesson = code  # the install cell is not executed at build time
        assert install.execution_count is None and not install.outputs, name
        counts = [c.execution_count for c in [setup, *lesson]]
        assert counts == sorted(counts) and len(set(counts)) == len(counts), name
        on_page = doc.select("div.cell_output")
        solutions = doc.select(".solution div.cell_output")  # left out of the download
        assert sum(bool(c.outputs) for c in lesson) == len(on_page) - len(solutions), name
        assert doc.find("a", href=re.compile(rf"_sources/{name}\.md$")) is not None


def test_downloaded_notebook_reruns_in_jupyter(site, tmp_path):
    """The published 3-5 notebook, run top to bottom by a real kernel, gives the same loss."""
    notebook = nbformat.read(site / "_sources" / "3-5-first-steps.ipynb", as_version=4)
    cell = next(c for c in notebook.cells if c.cell_type == "code" and "Loss at step" in c.source)
    before = "".join(o.get("text", "") for o in cell.outputs)
    NotebookClient(notebook, timeout=300, resources={"metadata": {"path": str(tmp_path)}}).execute()
    after = "".join(o.get("text", "") for o in cell.outputs)  # the same cell, executed in place
    assert "Loss at step 39:" in after and after == before


def test_no_markdown_left_unrendered_in_the_prose(site):
    """``**bold**`` next to Chinese punctuation or a role can stay literal in MyST."""
    leftovers = []
    for page in pages(site):
        article = soup(page).find("article")
        if article is None:
            continue
        for text in article.find_all(
            string=re.compile(r"\*\*(?!kwargs\b)|\{term\}|\{glue|\{numref\}")
        ):
            if not text.find_parent(["pre", "code", "script", "dt"]):  # dt: API signatures
                leftovers.append(f"{page.name}: {text.strip()[:60]}")
    assert leftovers == []


def test_downloaded_notebooks_keep_the_exercises_folded_and_empty_but_not_the_solutions(site):
    for name in NOTEBOOK_PAGES:
        cells = _reader_notebook(site, name).cells
        for cell in cells:
            role = cell.metadata.get("ch3book", {}).get("role")
            if role == "check":
                assert cell.metadata.jupyter == {"source_hidden": True}, name
                assert cell.source.startswith("# @title 檢查練習 "), name  # Colab's folded form
            if role in ("answer", "check", "given"):
                assert cell.outputs == [] and cell.execution_count is None, name
            if role == "answer":
                assert "..." in cell.source, (name, cell.source)  # answer cells start with dots
        text = "\n".join(cell.source for cell in cells)
        assert "> **練習 1（" in text and "（解答在網頁上，先自己試試看：" in text, name
        assert "solution-start" not in text, name
        page = soup(site / f"{name}.html").get_text()
        solutions = solution_code(name)
        assert solutions, f"{name}: no solution with code"
        for solution in solutions:
            assert solution not in text, f"{name}: {solution[:40]!r} is in the notebook"
            assert solution.split("\n")[-1] in page, name  # the line is on the page


def test_exercises_are_numbered_per_page_with_full_width_titles(site):
    """「練習 N（標題）」, N = the label's number; the solution's anchor has the same N."""
    for name in NOTEBOOK_PAGES:
        doc = soup(site / f"{name}.html")
        exercises = doc.select("div.exercise")
        assert exercises, name
        for position, exercise in enumerate(exercises, start=1):
            number = exercise["id"].rsplit("-", 1)[1]
            title = exercise.select_one(".admonition-title").get_text(strip=True)
            assert number == str(position), f"{name}: {exercise['id']}"
            assert re.fullmatch(rf"練習 {number}（.+）", title), f"{name}: {title}"
            solution = doc.find(id=exercise["id"].replace("ex-", "sol-", 1))
            heading = solution.select_one(".admonition-title").get_text(strip=True)
            assert heading == f"解答：{title}", f"{name}: {heading}"


# -- readers' notebooks, Colab, the package index ------------------------------------------

MYST_ONLY = re.compile(
    r"\{[\w:-]+\}`|^\([\w.:-]+\)=\s*$|^:{3,}|^`{3,}\{|\{glue|\{numref|\{term", re.MULTILINE
)


def _reader_notebook(site, name):
    notebook = nbformat.read(site / "_sources" / f"{name}.ipynb", as_version=4)
    nbformat.validate(notebook)
    return notebook


def _ids(site: Path, path: str) -> set[str] | None:
    """The ids of a published file (empty for a file that is not HTML), None if missing."""
    target = site / path
    if not target.is_file():
        return None
    return {e["id"] for e in soup(target).find_all(id=True)} if target.suffix == ".html" else set()


def test_reader_notebooks_are_plain_commonmark_with_working_links(site):
    """Rendered by a plain CommonMark renderer: no MyST left, every link reaches the site."""
    render, base = MarkdownIt("commonmark").render, base_url(site)
    broken, leftovers, ids = [], [], {}
    for name in NOTEBOOK_PAGES:
        notebook = _reader_notebook(site, name)
        assert set(notebook.metadata) == {"kernelspec", "language_info"}, name
        for cell in notebook.cells:
            assert set(cell.metadata.get("tags", [])) <= {"raises-exception"}, name
            if cell.cell_type != "markdown":
                continue
            html = BeautifulSoup(render(cell.source), "html.parser")
            links = [a["href"] for a in html.find_all("a")]
            links += [img["src"] for img in html.find_all("img")]
            for code in html.find_all(["code", "pre"]):
                code.decompose()  # code may show anything
            leftovers += [f"{name}: {m}" for m in MYST_ONLY.findall(html.get_text())]
            for href in links:
                assert href.startswith(base), f"{name}: {href} is not on the site"
                path, _, anchor = href[len(base) :].partition("#")
                if path not in ids:
                    ids[path] = _ids(site, path)
                if ids[path] is None or (anchor and anchor not in ids[path]):
                    broken.append(f"{name}: {href}")
    assert leftovers == [] and broken == []


def test_reader_notebooks_and_the_home_page_install_the_site_wheel_by_hash(site):
    (wheel,) = (site / "simple" / "ch3lib").glob("*.whl")
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    requirement = f"ch3lib @ {base_url(site)}simple/ch3lib/{wheel.name}#sha256={digest}"
    for name in (f"{name}{kind}" for name in NOTEBOOK_PAGES for kind in ("", ".homework")):
        first, second = _reader_notebook(site, name).cells[:2]
        assert f'CH3LIB = "{requirement}"' in first.source, name
        assert "index-url" not in first.source, name
        assert second.source.endswith("import ch3lib\nch3lib.setup()"), name
    commands = [pre.get_text() for pre in soup(site / "index.html").select("div.highlight pre")]
    assert f'pip install "{requirement}"\n' in commands
    assert not any("index-url" in command for command in commands)


def _conf_redirects() -> list[str]:
    """The old page names of ``redirects`` in conf.py (read, not imported)."""
    for node in ast.parse((ROOT / "conf.py").read_text(encoding="utf-8")).body:
        target = getattr(node, "target", None) or (getattr(node, "targets", None) or [None])[0]
        if getattr(target, "id", None) == "redirects":
            return list(ast.literal_eval(node.value))
    raise AssertionError("conf.py has no `redirects` setting")


#: The site's top level besides the pages and their folders: what Sphinx, the theme and the
#: book's features publish (the package index, the projector views, the PDF of `make pdf`).
SITE_ENTRIES = {
    "_images", "_sources", "_static", "qr", "simple", "404.html", "search.html", "objects.inv",
    "sitemap.xml", "ch3-book.pdf",
}  # fmt: skip
#: Names that are a build's bookkeeping or a cache, never content.
NOT_CONTENT = re.compile(r"^\.|^__pycache__$|\.pyc$|^jupyter_execute$|^doctrees$|\.pickle$")


def test_the_site_holds_only_what_the_book_publishes(site):
    """Nothing Sphinx keeps for itself (``.buildinfo``), no cache, no stray folder."""
    sources = [
        path.relative_to(ROOT / "book").with_suffix("")
        for path in (ROOT / "book").rglob("*.md")
        if path.name != "CONVENTIONS.md" and path.relative_to(ROOT / "book").parts[0][0] not in "_."
    ]
    pages = {f"{doc}.html" if len(doc.parts) == 1 else doc.parts[0] for doc in sources}
    allowed = SITE_ENTRIES | pages | {f"{old}.html" for old in _conf_redirects()}
    assert sorted(path.name for path in site.iterdir() if path.name not in allowed) == []
    bookkeeping = [
        p.relative_to(site).as_posix() for p in site.rglob("*") if NOT_CONTENT.search(p.name)
    ]
    assert bookkeeping == []


def test_the_published_wheel_and_sdist_hold_ch3lib_and_nothing_else(site):
    """Its sources, its metadata and its licence: no tests, caches, environments or paths."""
    version = library_version(ROOT)
    library = ROOT / "src" / "ch3lib"
    modules = sorted(
        f"ch3lib/{path.relative_to(library).as_posix()}"
        for path in [*library.rglob("*.py"), library / "py.typed"]
        if "__pycache__" not in path.parts
    )
    info = f"ch3lib-{version}.dist-info"
    folder = site / "simple" / "ch3lib"
    with zipfile.ZipFile(folder / f"ch3lib-{version}-py3-none-any.whl") as wheel:
        members = {name: wheel.read(name) for name in wheel.namelist()}
    expected = {*modules, *(f"{info}/{name}" for name in ("METADATA", "WHEEL", "RECORD"))}
    expected |= {f"{info}/top_level.txt", f"{info}/licenses/LICENSE"}
    assert sorted(members) == sorted(expected)
    prefix = f"ch3lib-{version}"
    egg_folder = "src/ch3lib.egg-info"
    egg_info = [f"{egg_folder}/{name}" for name in ("PKG-INFO", "SOURCES.txt", "top_level.txt")]
    egg_info += [f"{egg_folder}/{n}" for n in ("dependency_links.txt", "requires.txt")]
    with tarfile.open(folder / f"ch3lib-{version}.tar.gz") as sdist:
        files = {m.name: sdist.extractfile(m).read() for m in sdist.getmembers() if m.isfile()}
        folders = sorted(m.name for m in sdist.getmembers() if m.isdir())
    expected_files = ["LICENSE", "PKG-INFO", "pyproject.toml", "setup.cfg", *egg_info]
    expected_files += [f"src/{module}" for module in modules]
    assert sorted(files) == sorted(f"{prefix}/{name}" for name in expected_files)
    assert folders == [prefix, *(f"{prefix}/{d}" for d in ("src", "src/ch3lib", egg_folder))]
    leaks = re.compile(rb"/work/|/root\b|/home/|/tmp/|\.venv/|site-packages|" + str(ROOT).encode())
    assert [name for name, data in {**members, **files}.items() if leaks.search(data)] == []


def test_every_notebook_page_opens_in_colab_from_the_published_notebooks(site):
    workflow = yaml.safe_load((ROOT / ".github/workflows/pages.yml").read_text(encoding="utf-8"))
    jobs = workflow["jobs"]
    (upload,) = [s for s in jobs["build"]["steps"] if s.get("with", {}).get("name") == "notebooks"]
    assert upload["with"]["path"] == "_build/html/_sources/**/*.ipynb"  # folders after ** kept
    sources = site / "_sources"  # what the notebooks branch gets, at the same paths:
    published = sorted(p.relative_to(sources).as_posix() for p in sources.glob("**/*.ipynb"))
    assert published == sorted(
        f"{n}{kind}.ipynb" for n in NOTEBOOK_PAGES for kind in ("", ".homework")
    )
    steps = "\n".join(s.get("run", "") for s in jobs["notebooks"]["steps"])
    assert jobs["build"]["env"]["BOOK_REPOSITORY"] == "${{ github.repository }}"
    colab = re.compile(
        r"https://colab\.research\.google\.com/github/([\w.-]+/[\w.-]+)/blob/([\w.-]+)/(.+)"
    )
    for name in NOTEBOOK_PAGES:
        header = soup(site / f"{name}.html").select_one(".bd-header-article")
        link = header.find("a", href=colab)
        assert link is not None and "在 Colab 開啟" in link.get_text(), name
        _, branch, path = colab.fullmatch(link["href"]).groups()  # owner/name, branch, path
        assert f"push origin HEAD:{branch}" in steps  # the workflow publishes that branch
        assert path == f"{name}.ipynb", (name, path)  # one of those
        downloads = header.find_all("a", href=re.compile(rf"_sources/{name}\.ipynb$"))
        assert "下載 .ipynb" in [a.get_text(strip=True) for a in downloads], name


def test_the_site_is_a_package_index_pip_installs_from(site, server, tmp_path):
    version = library_version(ROOT)
    files = sorted(p.name for p in (site / "simple/ch3lib").iterdir())
    assert files == [f"ch3lib-{version}-py3-none-any.whl", f"ch3lib-{version}.tar.gz", "index.html"]
    download = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
    download += ["--no-build-isolation"]  # the sdist's metadata: the pinned setuptools
    download += ["--index-url", f"{server}simple/", "-d", str(tmp_path)]
    for kind in ("--only-binary", "--no-binary"):  # the wheel, then the sdist
        # pip checks each file against the #sha256= of the index page
        subprocess.run([*download, kind, ":all:", f"ch3lib=={version}"], check=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == files[:2]


def test_api_names_in_the_lessons_link_to_the_reference(site):
    unlinked = []
    for page in [p for p in pages(site) if p.name != "api.html"]:  # its base classes: Python's
        for code in soup(page).select("code.xref.py"):
            if code.find_parent("a") is None:
                unlinked.append(f"{page.name}: {code.get_text()}")
    assert unlinked == []


def test_lecture_links_give_every_section_at_the_base_url_a_qr_code_and_a_projector_view(site):
    entries = soup(site / "appendix/lecture-links.html").select("ul.lecture-links > li")
    urls = [entry.find("code").get_text() for entry in entries]
    assert sorted(url.split("#")[1] for url in urls) == EXPECTED_IDS
    assert all(url.startswith(base_url(site)) for url in urls)
    for entry, url in zip(entries, urls, strict=True):
        anchor = url.split("#")[1]
        svg = entry.find("svg", class_="qr-code")
        assert svg is not None and svg["role"] == "img" and svg.find("title").get_text(), anchor
        projector = entry.find("a", string="投影用")
        assert projector["href"] == f"../qr/{anchor}.html"
        page = soup(site / "qr" / f"{anchor}.html")
        title = entry.find("a").get_text()
        assert page.html["lang"] == "zh-TW" and page.h1.get_text() == title
        assert page.find("a")["href"] == url and page.find("svg", class_="qr-code") is not None
    assert sorted(p.stem for p in (site / "qr").iterdir()) == EXPECTED_IDS


CJK = f"[{cjk_spacing.CJK}]"


def test_no_space_between_chinese_text_and_a_link_whose_text_is_chinese(site):
    """「見 可重現的結果」 and 「圖 6 與 圖 7」 are gaps in a Chinese sentence (cjk_spacing.py)."""
    gaps = []
    for page in pages(site):
        article = soup(page).find("article")
        if article is None:
            continue
        for link in article.find_all("a", class_="reference"):
            text = link.get_text()
            before, after = link.previous_sibling, link.next_sibling
            if not text:
                continue
            if re.match(CJK, text[0]) and isinstance(before, str) and re.search(f"{CJK} $", before):
                gaps.append(f"{page.name}: …{before[-6:]}{text}")
            if re.search(f"{CJK}$", text) and isinstance(after, str) and re.match(f" {CJK}", after):
                gaps.append(f"{page.name}: {text}{after[:6]}…")
    assert gaps == []


def test_every_page_with_exercises_offers_its_homework_notebook(site):
    for name in NOTEBOOK_PAGES:
        doc = soup(site / f"{name}.html")
        exercises = len(doc.select("div.exercise"))  # some: test_exercises_are_numbered_…
        header = doc.select_one(".bd-header-article")
        link = header.find("a", href=re.compile(rf"_sources/{name}\.homework\.ipynb$"))
        assert link is not None and "作業 .ipynb" in link.get_text(), name
        homework = _reader_notebook(site, f"{name}.homework")  # its first two cells: above
        title = doc.h1.get_text(strip=True).rstrip("#")
        assert homework.cells[2].source.startswith(f"# {title}：作業")
        cells = [cell for cell in homework.cells[3:] if cell.cell_type == "code"]
        code = [cell.metadata.get("ch3book", {}).get("role") for cell in cells]
        assert set(code) == {"given", "answer", "check"}, name  # no lesson code
        assert code.count("answer") == code.count("check") == exercises, name


def test_the_lecture_links_page_lists_every_homework_notebook(site):
    doc = soup(site / "appendix/lecture-links.html")
    items = doc.select("ul.homework-notebooks > li")
    for item, name in zip(items, NOTEBOOK_PAGES, strict=True):
        hrefs = [a["href"] for a in item.find_all("a")]
        assert f"{base_url(site)}_sources/{name}.homework.ipynb" in hrefs, name
        colab = rf"https://colab\.research\.google\.com/github/\S+/{name}\.homework\.ipynb"
        assert any(re.fullmatch(colab, h) for h in hrefs), name
        assert re.search(r"：\d+ 題。", item.get_text()), item.get_text()

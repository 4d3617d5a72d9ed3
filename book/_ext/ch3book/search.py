"""Chinese search that works: Sphinx 9.0's zh search script, and jieba's dictionary.

- Sphinx 9.0's zh search emits ``window.Stemmer = ChineseStemmer``, which is undefined
  (sphinx-doc/sphinx#14229), so search fails with a script error. The stemmer it ships
  is the English one; ``SearchChineseFixed`` names it so. No release has the fix yet.
- jieba's full dictionary (349,046 simplified-Chinese words) takes ~0.7 s to load on
  every build. Its words with a frequency of at least ``JIEBA_MIN_FREQUENCY`` (about
  52,000) plus the book's terms (``html_search_options["dict"]``,
  ``book/_search/zh_tw_terms.txt``) segment the pages as well and load in ~0.1 s.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from sphinx.search.zh import SearchChinese

#: jieba's words kept for the search index: those at least this frequent in its corpus.
JIEBA_MIN_FREQUENCY = 50


class SearchChineseFixed(SearchChinese):
    """Sphinx 9.0's zh search, naming the (English) stemmer it actually ships."""

    language_name = "English"


def use_small_jieba_dictionary(app) -> None:
    """``builder-inited``: jieba's frequent words plus the book's terms."""
    import jieba

    source = Path(jieba.__file__).parent / "dict.txt"
    terms = Path(app.config.html_search_options.get("dict", ""))
    extra = terms.read_bytes() if terms.is_file() else b""
    key = hashlib.sha256(jieba.__version__.encode() + b"\0" + extra).hexdigest()[:16]
    target = Path(app.doctreedir).parent / ".jieba" / f"dict-{key}.txt"
    if not target.exists():  # made once per jieba version and term list
        lines = [
            line
            for line in source.read_text(encoding="utf-8").splitlines()
            if int(line.split()[1]) >= JIEBA_MIN_FREQUENCY
        ]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(lines) + "\n" + extra.decode("utf-8"), encoding="utf-8")
    jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict" chatter in the build log
    jieba.set_dictionary(str(target))


def setup_search(app) -> None:
    """Register the fixed language and the dictionary hook."""
    app.add_search_language(SearchChineseFixed)
    app.connect("builder-inited", use_small_jieba_dictionary)

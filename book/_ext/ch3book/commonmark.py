"""MyST Markdown → plain CommonMark + HTML, for the notebooks readers download.

Jupyter and Colab render none of MyST's labels, directives, roles and ``#label`` links.
``convert`` writes what the site resolved them to: absolute links, glued values as on the
page, admonitions and exercises as block quotes, figures as ``<figure>``, included code.
No stock tool does this: jupytext and MyST-NB write notebooks whose Markdown is still MyST.
What is not known here raises (``tests/test_site.py`` checks that no MyST remains).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ch3book import _compat, exercises

#: Python roles whose text Sphinx writes with ``()`` (``add_function_parentheses``).
CALLABLE_ROLES = {"py:func", "py:meth", "func", "meth"}
PYTHON_ROLES = CALLABLE_ROLES | {"py:class", "py:mod", "py:attr", "py:data", "py:exc", "class"}


@dataclass
class Targets:
    """What the names in a page's Markdown resolve to on the published site."""

    labels: Mapping[str, tuple[str, str]]  # → (URL, title): sections, figures, exercises
    admonitions: Mapping[str, str]  # {note} → its title on the page (備註)
    terms: Mapping[str, str]  # glossary term, lower case → URL
    api: Mapping[str, str]  # Python name → URL in the API reference
    numbers: Mapping[str, str]  # figure label → its caption number text (圖 3)
    glue: Mapping[str, str]  # glued key → its text/plain value
    image_url: Callable[[str], str]  # a figure's path as written in the page → its URL
    include: Callable[[str, dict[str, str]], str]  # {literalinclude}'s (path, options) → code


class UnsupportedMySTError(ValueError):
    """A MyST construct this module cannot turn into CommonMark."""


FENCE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w:-]+)\}[ \t]*(?P<argument>.*)$")
PLAIN_FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})")
LABEL = re.compile(r"^\([\w.:-]+\)=[ \t]*$")
OPTION = re.compile(r"^:(?P<key>[\w-]+):[ \t]*(?P<value>.*)$")
#: An inline role, a code span (left as it is), or a link to a label.
INLINE = re.compile(
    r"\{(?P<role>[\w:-]+)\}`(?P<content>[^`]*)`"
    r"|(?P<code>(?P<ticks>`+).+?(?P=ticks))"
    r"|\[(?P<text>[^\]]*)\]\(#(?P<target>[\w.:-]+)\)",
    re.DOTALL,
)
EXPLICIT_TITLE = re.compile(r"^(?P<title>.+?)\s*<(?P<target>[^<>]+)>$", re.DOTALL)


def convert(markdown: str, targets: Targets) -> str:
    """The CommonMark + HTML equivalent of a MyST Markdown text."""
    lines, out, index = markdown.split("\n"), [], 0
    while index < len(lines):
        line = lines[index]
        directive, plain = FENCE.match(line), PLAIN_FENCE.match(line)
        if LABEL.match(line):
            index += 1
            if index < len(lines) and not lines[index].strip() and (not out or not out[-1]):
                index += 1  # no double blank line where the label was
            continue
        if directive or plain:
            fence = (directive or plain).group("fence")
            end = _closing(lines, index + 1, fence)
            body = lines[index + 1 : end]
            if directive:
                name, argument = directive.group("name"), directive.group("argument").strip()
                out.append(_directive(name, argument, body, targets))
            else:
                out.extend(lines[index : end + 1])  # a code block: nothing to convert
            index = end + 1
            continue
        out.append(_inline(line, targets))
        index += 1
    return "\n".join(out).strip("\n")


def _closing(lines: list[str], start: int, fence: str) -> int:
    """Index of the line closing ``fence`` (same character, at least as long)."""
    closing = re.compile(rf"^{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
    for index in range(start, len(lines)):
        if closing.match(lines[index]):
            return index
    raise UnsupportedMySTError(
        f"the fence {fence!r} opened before {lines[start - 1]!r} is not closed"
    )


def _quote(title: str, content: str) -> str:
    """A block quote: the bold title, then the content."""
    lines = [f"**{title}**", "", *content.split("\n")] if content else [f"**{title}**"]
    return "\n".join(f"> {line}".rstrip() for line in lines)


def _directive(name: str, argument: str, body: list[str], targets: Targets) -> str:
    options, index = {}, 0  # the ``:key: value`` lines, then the content
    while index < len(body) and (option := OPTION.match(body[index])):
        options[option.group("key")] = option.group("value").strip()
        index += 1
    text = "\n".join(body[index:]).strip("\n")
    if name in ("code-block", "code", "sourcecode"):
        return f"```{argument}\n{text}\n```"
    if name == "literalinclude":
        code = targets.include(argument, options).rstrip("\n")
        return f"```{options.get('language', '')}\n{code}\n```"
    converted = convert(text, targets) if text else ""
    if name == "admonition":
        return _quote(_inline(argument, targets), converted)
    if name in targets.admonitions:
        return _quote(targets.admonitions[name], converted)
    if name == "exercise":  # titled as on the page: 練習 N（標題）
        title = exercises.title(options.get("label", ""), _inline(argument, targets))
        return _quote(title, converted)
    if name == "figure":
        url = targets.image_url(argument)
        alt = options.get("alt", "").replace('"', "&quot;")
        number = targets.numbers.get(options.get("name", ""), "")
        caption = f"{number}：{converted}" if number and converted else converted or number
        image = f'<img src="{url}" alt="{alt}" style="max-width: 100%">'
        return f"<figure>\n{image}\n<figcaption>{caption}</figcaption>\n</figure>"
    raise UnsupportedMySTError(
        f"the directive {{{name}}} has no CommonMark equivalent here; expected one of "
        "admonition, code-block, exercise, figure, literalinclude, "
        + ", ".join(sorted(targets.admonitions))
    )


def _inline(line: str, targets: Targets) -> str:
    def replace(match: re.Match[str]) -> str:
        if match["code"]:
            return match["code"]
        if match["target"] is not None:
            return _label_link(match["text"], match["target"], targets)
        return _role(match["role"], match["content"], targets)

    return INLINE.sub(replace, line)


def _lookup(table: Mapping[str, object], key: str, what: str, role: str) -> object:
    if key not in table:
        raise UnsupportedMySTError(f"{{{role}}}`{key}`: no {what} named {key!r} on the site")
    return table[key]


def _label_link(text: str | None, label: str, targets: Targets) -> str:
    url, title = _lookup(targets.labels, label, "label", "ref")
    return f"[{text or title}]({url})"


def _role(role: str, content: str, targets: Targets) -> str:
    explicit = EXPLICIT_TITLE.match(content)  # ``text <target>``
    text, target = (explicit["title"], explicit["target"]) if explicit else (None, content.strip())
    if role == "term":
        url = _lookup(targets.terms, target.lower(), "glossary term", role)
        return f"[{text or target}]({url})"
    if role in PYTHON_ROLES:
        name = target.lstrip("~.")
        url = _lookup(targets.api, name, "API object", role)
        shown = text or (name.rsplit(".", 1)[-1] if target.startswith("~") else name)
        if text is None and role in CALLABLE_ROLES:
            shown += "()"
        return f"[`{shown}`]({url})"
    if role == "ref":
        return _label_link(text, target, targets)
    if role == "numref":
        url, _ = _lookup(targets.labels, target, "label", role)
        number = str(_lookup(targets.numbers, target, "numbered figure", role))
        shown = number if text is None else text.replace("%s", number.split()[-1])
        return f"[{shown}]({url})"
    if role in ("glue:text", "glue"):
        key, _, spec = target.rpartition(":") if ":" in target else (target, "", "")
        value = str(_lookup(targets.glue, key, "glued value", role))
        return _compat.format_glue(value, spec or "s")
    if role == "math":
        return f"${content}$"
    raise UnsupportedMySTError(f"the role {{{role}}} has no CommonMark equivalent here")

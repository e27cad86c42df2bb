"""Tenant Markdown as safe HTML: content modules, tariff benefits (pages and PDFs).

Raw HTML in the Markdown is shown as text, never rendered, and links lead only to web pages or mail
addresses: tenant content is configuration, and configuration must not be able to inject scripts.
"""
import html as _html
import re

import markdown
import markdown.extensions
import markdown.preprocessors
import markdown.treeprocessors
from markupsafe import Markup

SAFE_SCHEMES = ("http", "https", "mailto")  # and relative links, which have none
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):", re.IGNORECASE)
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f]")  # browsers drop these before they read the scheme
_LIST_ITEM = re.compile(r"\s{0,3}([-*+]|\d+[.)])\s")


def safe_url(url):
    """Is `url` relative or http(s)/mailto, as a browser would read it (entities decoded, blanks dropped)?"""
    decoded = None
    while decoded != url:
        decoded, url = url, _html.unescape(url)
    scheme = _SCHEME.match(_IGNORED_IN_URLS.sub("", url))
    return scheme is None or scheme.group(1).lower() in SAFE_SCHEMES


class _ListsAfterText(markdown.preprocessors.Preprocessor):
    """A list right under a line of text ("frei einsetzbar für:\\n- Sehhilfen") is a list, as authors
    mean it and as CommonMark reads it; Python-Markdown would print its "- " as text without a blank line."""

    def run(self, lines):
        result = []
        for line in lines:
            previous = result[-1] if result else ""
            if _LIST_ITEM.match(line) and previous.strip() and not _LIST_ITEM.match(previous) \
                    and not previous.startswith((" ", "\t")):
                result.append("")
            result.append(line)
        return result


class _SafeLinks(markdown.treeprocessors.Treeprocessor):
    """Drops every link target and image source with another scheme (javascript:, data:, ...)."""

    def run(self, root):
        for element in root.iter():
            for attribute in ("href", "src"):
                if attribute in element.attrib and not safe_url(element.get(attribute)):
                    del element.attrib[attribute]


class _UnderTitle(markdown.treeprocessors.Treeprocessor):
    """The page shows the text's title as its heading: a leading level-1 heading (the same title) is
    dropped, and the text's headings sit below the title (# -> h3, ## -> h4, ...)."""

    def run(self, root):
        first = next(iter(root), None)
        if first is not None and first.tag == "h1":
            root.remove(first)
        for element in root.iter():
            if len(element.tag) == 2 and element.tag[0] == "h" and element.tag[1] in "12345":
                element.tag = "h" + str(min(int(element.tag[1]) + 2, 6))


class _SafeExtension(markdown.extensions.Extension):
    def extendMarkdown(self, md):
        md.preprocessors.register(_ListsAfterText(md), "lists_after_text", 25)  # after normalize_whitespace
        md.treeprocessors.register(_UnderTitle(md), "under_title", 0)
        md.treeprocessors.register(_SafeLinks(md), "safe_links", -1)  # last: after links are made and unescaped


def html(source):
    """Markdown text (a tenant's, in one language) as safe HTML markup for a template."""
    source = (source or "").replace("&", "&amp;").replace("<", "&lt;")
    return Markup(markdown.markdown(source, extensions=["tables", "sane_lists", _SafeExtension()],
                                    output_format="html"))

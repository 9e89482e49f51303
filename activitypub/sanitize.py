"""Making HTML from other servers safe to store and show, and turning it into plain text.

Remote bios, field values and post bodies are hostile input (DESIGN.md). We keep the
element set Mastodon keeps (its `Sanitize::Config::MASTODON_STRICT`), so what a
Mastodon user wrote renders the same here and in Mastodon-compatible apps.
"""

import re
from html.parser import HTMLParser

import nh3

# Mastodon's strict set: inline formatting, links, quotes, code and lists. Headings are
# mapped to bold paragraphs first (Mastodon's unsupported-elements transformer does the same).
ALLOWED_TAGS = {
    "p", "br", "a", "span", "strong", "b", "em", "i", "u", "del", "s", "code", "pre",
    "blockquote", "ul", "ol", "li", "ruby", "rt", "rp",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href"},
    "ol": {"start", "reversed"},
    "li": {"value"},
}
# The classes Mastodon emits and reads: mentions, hashtags, the microformats of an
# h-card, and the invisible/ellipsis spans that shorten long links.
ALLOWED_CLASSES = {
    "a": {"mention", "hashtag", "u-url", "h-card", "status-link", "unhandled-link"},
    "span": {"h-card", "invisible", "ellipsis", "p-nickname", "quote-inline"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# A remote link must not pass reputation (nofollow) or a window handle (noopener, noreferrer).
LINK_REL = "nofollow noopener noreferrer"

_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags={"script", "style", "template", "noscript", "iframe", "object"},
    attributes=ALLOWED_ATTRIBUTES,
    allowed_classes=ALLOWED_CLASSES,
    link_rel=LINK_REL,
    url_schemes=URL_SCHEMES,
    # A relative link in a remote document points nowhere useful on our pages.
    url_relative="deny",
    strip_comments=True,
)

_HEADING_OPEN = re.compile(r"<h[1-6](?=[\s/>])[^>]*>", re.IGNORECASE)
_HEADING_CLOSE = re.compile(r"</h[1-6]\s*>", re.IGNORECASE)


def sanitize_html(html: str | None) -> str:
    """Remote HTML reduced to the allowed elements, attributes, classes and URL schemes."""
    if not html:
        return ""
    # The result goes through the cleaner, so a heading this rewrite gets wrong is
    # only mis-nested text, never markup that survives.
    html = _HEADING_CLOSE.sub("</strong></p>", _HEADING_OPEN.sub("<p><strong>", html))
    return _cleaner.clean(html)


# Elements after which plain text starts a new line, or a new paragraph.
_LINE_BREAKS = {"br", "li", "tr"}
_PARAGRAPHS = {"p", "div", "blockquote", "pre", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6"}
_SKIPPED = {"script", "style", "template", "noscript"}


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _SKIPPED:
            self._skipping += 1
        elif tag in _LINE_BREAKS:
            self.parts.append("\n")
        elif tag in _PARAGRAPHS:
            self.parts.append("\n\n")

    def handle_startendtag(self, tag: str, attrs) -> None:
        if tag in _LINE_BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _PARAGRAPHS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(html: str | None) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, paragraphs as blank lines."""
    if not html:
        return ""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    text = "".join(collector.parts)
    text = re.sub(r"[ \t]*\n[ \t]*", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()

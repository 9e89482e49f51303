"""Reading served pages in tests: every tag with its attributes, through the standard library's
HTML parser, so assertions name elements rather than substrings."""

from html.parser import HTMLParser


class Tags(HTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def all(self, tag: str, **attrs) -> list[dict]:
        return [found for name, found in self.tags
                if name == tag and all(found.get(key.rstrip("_")) == value for key, value in attrs.items())]

    def meta(self, key: str) -> str | None:
        for found in self.all("meta"):
            if found.get("property") == key or found.get("name") == key:
                return found.get("content")
        return None

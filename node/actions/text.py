"""Turning what a user typed into the HTML a post carries: escaping, paragraphs and line
breaks, links, mentions of known accounts and hashtags, in the markup Mastodon produces
(so clients style and link them the same way)."""

import re
from dataclasses import dataclass, field
from html import escape

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Account
from storage.repositories import accounts as account_repo

from ..settings import Settings
from ..urls import Urls

URL = r"(?P<url>https?://[^\s<>\"]+)"
# Mastodon's shapes: a user name of word characters (dots and dashes inside a remote one), an
# optional host with an optional port (multi-node test setups run on loopback ports).
MENTION = (r"(?<![\w@/.])@(?P<user>[A-Za-z0-9_]+(?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?)"
           r"(?:@(?P<domain>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::\d+)?))?")
# A hashtag needs one non-digit, so "#1" stays text, as on Mastodon.
HASHTAG = r"(?<![\w/&#])#(?P<tag>\w*[^\W\d]\w*)"
TOKEN = re.compile(f"{URL}|{MENTION}|{HASHTAG}")
TRAILING = ".,;:!?'\""


# Mastodon's counting (StatusLengthValidator): every link counts as this many characters
# whatever its length, and a mention of a remote account counts as `@user` alone.
CHARACTERS_PER_URL = 23


def counted_length(text: str) -> int:
    """The length of a post's text as Mastodon counts it against `max_characters`."""
    total, position = 0, 0
    for match in TOKEN.finditer(text):
        total += match.start() - position
        if match.group("url"):
            url = _trim_url(match.group("url"))
            total += CHARACTERS_PER_URL + (len(match.group("url")) - len(url))
        elif match.group("user"):
            total += 1 + len(match.group("user"))
        else:
            total += len(match.group(0))
        position = match.end()
    return total + len(text) - position


@dataclass
class Formatted:
    html: str
    mentions: list[Account] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


def _trim_url(url: str) -> str:
    """Drop sentence punctuation after a URL, and a closing parenthesis it did not open."""
    while url:
        if url[-1] in TRAILING:
            url = url[:-1]
        elif url[-1] == ")" and url.count(")") > url.count("("):
            url = url[:-1]
        else:
            break
    return url


def link_html(url: str) -> str:
    return f'<a href="{escape(url)}" target="_blank" rel="nofollow noopener noreferrer">{escape(url)}</a>'


def mention_html(account: Account) -> str:
    href = escape(account.url or account.actor_uri)
    return (f'<span class="h-card" translate="no"><a href="{href}" class="u-url mention">'
            f"@<span>{escape(account.username)}</span></a></span>")


def hashtag_html(tag: str, href: str) -> str:
    return f'<a href="{escape(href)}" class="mention hashtag" rel="tag">#<span>{escape(tag)}</span></a>'


def _is_local_domain(domain: str | None, settings: Settings) -> bool:
    return domain is None or domain.lower() in (settings.domain.lower(), settings.host.lower())


async def _resolve(session: AsyncSession, settings: Settings, user: str, domain: str | None) -> Account | None:
    """A mentioned account we know already; mentions never fetch (an unknown one stays text)."""
    if _is_local_domain(domain, settings):
        return await account_repo.get_local_person_by_username(session, user)
    account = await account_repo.get_account_by_username(session, user, domain)
    return account if account is not None and account.gone_at is None else None


async def _resolve_all(session: AsyncSession, settings: Settings, text: str) -> dict[tuple, Account]:
    found: dict[tuple, Account] = {}
    for match in TOKEN.finditer(text):
        if match["user"] is None:
            continue
        key = (match["user"].lower(), (match["domain"] or "").lower() or None)
        if key not in found:
            account = await _resolve(session, settings, match["user"], match["domain"])
            if account is not None:
                found[key] = account
    return found


class _Renderer:
    def __init__(self, urls: Urls, accounts: dict[tuple, Account]) -> None:
        self.urls = urls
        self.accounts = accounts
        self.result = Formatted(html="")

    def token(self, match: re.Match) -> str:
        if match["url"]:
            url = _trim_url(match["url"])
            return link_html(url) + escape(match["url"][len(url):])
        if match["user"]:
            key = (match["user"].lower(), (match["domain"] or "").lower() or None)
            account = self.accounts.get(key)
            if account is None:
                return escape(match[0])
            if all(known.id != account.id for known in self.result.mentions):
                self.result.mentions.append(account)
            return mention_html(account)
        tag = match["tag"]
        if tag.lower() not in self.result.tags:
            self.result.tags.append(tag.lower())
        return hashtag_html(tag, self.urls.tag(tag.lower()))

    def line(self, text: str) -> str:
        out, last = [], 0
        for match in TOKEN.finditer(text):
            out.append(escape(text[last:match.start()]))
            out.append(self.token(match))
            last = match.end()
        out.append(escape(text[last:]))
        return "".join(out)

    def render(self, text: str) -> Formatted:
        paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
        self.result.html = "".join(
            "<p>" + "<br>".join(self.line(line) for line in paragraph.strip("\n").split("\n")) + "</p>"
            for paragraph in paragraphs
        )
        return self.result


def normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


async def format_text(session: AsyncSession, settings: Settings, text: str) -> Formatted:
    """HTML for plain text, with the accounts it mentions and the hashtags it uses (lowercased)."""
    text = normalise(text)
    accounts = await _resolve_all(session, settings, text)
    return _Renderer(Urls(settings), accounts).render(text)


def linkify(text: str) -> str:
    """Escaped text with its URLs linked; for profile field values, which carry no mentions."""
    out, last = [], 0
    for match in re.finditer(URL, text):
        url = _trim_url(match["url"])
        out.append(escape(text[last:match.start()]) + link_html(url))
        last = match.start() + len(url)
    out.append(escape(text[last:]))
    return "".join(out)

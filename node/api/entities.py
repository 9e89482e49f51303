"""Mastodon API entities built from rows: Account, CredentialAccount, Application, Token.

Shapes follow https://docs.joinmastodon.org/entities/ and the rules clients taught us: ids are
strings, timestamps look like `2026-01-02T03:04:05.678Z`, arrays are never null, nullable URLs
are null rather than "", and avatars and headers are always real image URLs.
"""

from datetime import datetime, timezone
from html.parser import HTMLParser

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Account, OAuthApp, OAuthToken
from storage.repositories import statuses as status_repo

from ..urls import Urls

BOT_ACTOR_TYPES = ("Application", "Service")


def format_time(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def format_id(row_id: int | None) -> str | None:
    return None if row_id is None else str(row_id)


async def render_account(session: AsyncSession, urls: Urls, account: Account) -> dict:
    """An Account entity with its counters read from storage."""
    counts = await status_repo.count_account_stats(session, [account.id])
    return account_to_entity(account, urls, counts[account.id])


def account_to_entity(account: Account, urls: Urls, counts: dict) -> dict:
    """`account` is an Account or a row with the same columns (statuses.AUTHOR_COLUMNS)."""
    return {
        "id": format_id(account.id),
        "username": account.username,
        "acct": account.username if account.domain is None else f"{account.username}@{account.domain}",
        "display_name": account.display_name or "",
        "locked": bool(account.locked),
        "bot": bool(account.bot) or account.actor_type in BOT_ACTOR_TYPES,
        "discoverable": bool(account.discoverable),
        "indexable": bool(account.indexable),
        "group": account.actor_type == "Group",
        "created_at": format_time(account.created_at),
        "note": account.note or "",
        "url": account.url or account.actor_uri,
        "uri": account.actor_uri,
        "avatar": account.avatar_uri or urls.default_avatar,
        "avatar_static": account.avatar_uri or urls.default_avatar,
        "header": account.header_uri or urls.default_header,
        "header_static": account.header_uri or urls.default_header,
        "followers_count": counts.get("followers_count", 0),
        "following_count": counts.get("following_count", 0),
        "statuses_count": counts.get("statuses_count", 0),
        "last_status_at": None,
        "hide_collections": None,
        "noindex": not account.indexable,
        "emojis": [],
        "roles": [],
        "fields": [_field(item) for item in account.fields or [] if _is_field(item)],
    }


def _is_field(item) -> bool:
    return isinstance(item, dict) and isinstance(item.get("name"), str) and isinstance(item.get("value"), str)


def _field(item: dict) -> dict:
    return {"name": item["name"], "value": item["value"], "verified_at": item.get("verified_at")}


def credential_account(entity: dict, account: Account, *, admin: bool = False, follow_requests_count: int = 0,
                       quote_policy: str = "public") -> dict:
    """The signed-in user's own account: the entity plus `source`, what the profile editor
    starts from (with the user's default quote policy, Mastodon 4.5's `source.quote_policy`)."""
    return {
        **entity,
        "source": {
            "privacy": "public",
            "sensitive": False,
            "language": "",
            "note": html_to_text(account.note or ""),
            "fields": [
                {"name": field["name"], "value": html_to_text(field["value"]), "verified_at": field["verified_at"]}
                for field in entity["fields"]
            ],
            "follow_requests_count": follow_requests_count,
            "quote_policy": quote_policy,
        },
        # Mastodon's role permissions are a bit field; 1 is "administrator", which admin apps check.
        "role": {"id": "-99", "name": "Admin" if admin else "", "permissions": "1" if admin else "0",
                 "color": "", "highlighted": admin},
    }


def app_to_entity(app: OAuthApp, client_secret: str | None = None) -> dict:
    """An Application; with the client credentials only in the answer to its registration."""
    entity = {
        "id": format_id(app.id),
        "name": app.name,
        "website": app.website,
        "scopes": list(app.scopes),
        # The singular form is the newline-joined list (Mastodon before 4.3 sent only this one).
        "redirect_uri": "\n".join(app.redirect_uris),
        "redirect_uris": list(app.redirect_uris),
    }
    if client_secret is not None:
        entity.update(client_id=app.client_id, client_secret=client_secret, client_secret_expires_at=0)
    return entity


def token_to_entity(row: OAuthToken, token: str) -> dict:
    """RFC 6749 §5.1's answer, with Mastodon's `created_at` (seconds) that clients require."""
    return {
        "access_token": token,
        "token_type": "Bearer",
        "scope": " ".join(row.scopes),
        "created_at": int(row.created_at.timestamp()),
    }


class _TextExtractor(HTMLParser):
    BREAKS = {"br", "p", "div", "li"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.BREAKS and self.parts and tag != "br":
            self.parts.append("\n\n")
        elif tag == "br":
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def html_to_text(html: str) -> str:
    """Plain text of a note for `source.note`, where clients expect what the user typed."""
    if "<" not in html and "&" not in html:
        return html
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts).strip()

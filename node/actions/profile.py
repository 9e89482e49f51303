"""Editing a local account's profile, and the Update{Person} that tells followers' servers.

The update carries the whole actor document, which is what Mastodon and GoToSocial expect:
they replace their copy of the actor rather than merge fields. Nothing here commits.
"""

from sqlalchemy.ext.asyncio import AsyncSession

from activitypub.actor import account_to_actor
from activitypub.delivery.queue import enqueue_delivery, follower_inboxes
from activitypub.outbox import activities
from storage.media import check_relative_path
from storage.models import Account
from storage.repositories import accounts as account_repo
from storage.snowflake import new_id
from storage.types import utcnow

from ..errors import ValidationError
from ..settings import Settings
from ..urls import Urls
from .common import require_local_person
from .quotes import checked_policy
from .text import format_text, linkify, normalise

# Mastodon's limits, which clients enforce too.
MAX_DISPLAY_NAME = 30
MAX_NOTE = 500
MAX_FIELDS = 4
MAX_FIELD_CHARS = 255


def _checked_fields(fields) -> list[dict]:
    """Profile fields as stored: the name as text, the value as HTML with its links, and the
    value as typed (for editing)."""
    items = []
    for field in fields or []:
        pair = (field.get("name"), field.get("value")) if isinstance(field, dict) else tuple(field)
        if len(pair) != 2 or not all(isinstance(part, str | None) for part in pair):
            raise ValidationError("a profile field is a name and a value")
        name, value = ((part or "").strip() for part in pair)
        if not name and not value:
            continue
        if len(name) > MAX_FIELD_CHARS or len(value) > MAX_FIELD_CHARS:
            raise ValidationError(f"profile field names and values have at most {MAX_FIELD_CHARS} characters")
        items.append({"name": name, "value": linkify(value), "source_value": value})
    if len(items) > MAX_FIELDS:
        raise ValidationError(f"a profile has at most {MAX_FIELDS} fields")
    return items


def _image_uri(urls: Urls, path: str) -> str | None:
    """A stored media path as an absolute URL; an empty path goes back to the default image."""
    return urls.media(check_relative_path(path)) if path else None


async def _apply_texts(session: AsyncSession, settings: Settings, account: Account, display_name, note) -> None:
    if display_name is not None:
        display_name = display_name.strip()
        if len(display_name) > MAX_DISPLAY_NAME:
            raise ValidationError(f"the display name has at most {MAX_DISPLAY_NAME} characters")
        account.display_name = display_name
    if note is not None:
        note = normalise(note)
        if len(note) > MAX_NOTE:
            raise ValidationError(f"the bio has at most {MAX_NOTE} characters")
        account.note = (await format_text(session, settings, note)).html


async def update_profile(session: AsyncSession, settings: Settings, account: Account, *,
                         display_name: str | None = None, note: str | None = None, locked: bool | None = None,
                         bot: bool | None = None, discoverable: bool | None = None, fields=None,
                         avatar_path: str | None = None, header_path: str | None = None,
                         default_quote_policy: str | None = None) -> Account:
    """Change what is given (None leaves a value as it is) and queue Update{Person} to followers.
    `default_quote_policy` is who may quote the user's new posts unless a post says otherwise."""
    require_local_person(account)
    if default_quote_policy is not None:
        policy = checked_policy(default_quote_policy)
        user = await account_repo.get_user_by_account_id(session, account.id)
        if user is not None:
            user.default_quote_policy = policy
    # Work on this session's copy, so the change is saved even if the caller loaded it elsewhere.
    account = await account_repo.get_account_by_id(session, account.id)
    urls = Urls(settings)
    await _apply_texts(session, settings, account, display_name, note)
    if fields is not None:
        account.fields = _checked_fields(fields)
    for name, value in (("locked", locked), ("bot", bot), ("discoverable", discoverable)):
        if value is not None:
            setattr(account, name, bool(value))
    if avatar_path is not None:
        account.avatar_uri = _image_uri(urls, avatar_path)
    if header_path is not None:
        account.header_uri = _image_uri(urls, header_path)
    account.updated_at = utcnow()
    await session.flush()
    actor = account_to_actor(account, avatar_url=urls.default_avatar, header_url=urls.default_header)
    update = activities.update(account.actor_uri, actor, f"{account.actor_uri}#updates/{new_id()}")
    await enqueue_delivery(session, update, account, await follower_inboxes(session, account.id))
    return account


# Columns an actor document may not move: they name the account itself.
FIXED_COLUMNS = ("id", "actor_uri", "domain", "username", "created_at")


async def receive_profile(session: AsyncSession, settings: Settings, account: Account, values: dict) -> Account:
    """A remote account's new actor document (Update{Person}), as account column values:
    it replaces the copy held here, as Mastodon replaces rather than merges."""
    if account.domain is None:
        raise ValidationError("a local profile is edited through this node")
    if values.get("actor_uri", account.actor_uri) != account.actor_uri:
        raise ValidationError("an actor may only update itself")
    for key, value in values.items():
        if key not in FIXED_COLUMNS:
            setattr(account, key, value)
    account.updated_at = account.fetched_at = utcnow()
    return account

"""Serializing local accounts as ActivityPub actors (Person, Application)."""

from datetime import datetime, timezone

from .context import ACTOR_CONTEXT


def format_datetime(value: datetime) -> str:
    """ActivityPub timestamps: UTC, second precision, `Z` suffix, as Mastodon emits them."""
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _image(url: str | None, media_type: str = "image/png") -> dict | None:
    return {"type": "Image", "mediaType": media_type, "url": url} if url else None


def account_to_actor(account, *, avatar_url: str, header_url: str) -> dict:
    """The actor document for a local account; `id` is exactly the URL it is served at."""
    actor = {
        "@context": ACTOR_CONTEXT,
        "id": account.actor_uri,
        "type": account.actor_type,
        "preferredUsername": account.username,
        "name": account.display_name or account.username,
        "summary": account.note or "",
        "url": account.url or account.actor_uri,
        "inbox": account.inbox_uri,
        "outbox": account.outbox_uri,
        "followers": account.followers_uri,
        "following": account.following_uri,
        "featured": account.featured_uri,
        "endpoints": {"sharedInbox": account.shared_inbox_uri},
        "publicKey": {
            "id": account.public_key_id,
            "owner": account.actor_uri,
            "publicKeyPem": account.public_key_pem,
        },
        "icon": _image(account.avatar_uri or avatar_url),
        "image": _image(account.header_uri or header_url),
        "published": format_datetime(account.created_at),
        "manuallyApprovesFollowers": bool(account.locked),
        "discoverable": bool(account.discoverable),
        "indexable": bool(account.indexable),
        "attachment": [
            {"type": "PropertyValue", "name": field["name"], "value": field["value"]}
            for field in (account.fields or [])
        ],
        "tag": [],
    }
    if account.actor_type == "Person" and account.bot:
        actor["type"] = "Service"
    if actor["type"] in ("Person", "Service"):
        # Mastodon reads a profile's featured hashtags from this collection (toot:featuredTags).
        actor["featuredTags"] = f"{account.actor_uri}/collections/tags"
    return actor

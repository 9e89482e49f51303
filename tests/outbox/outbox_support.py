"""Helpers for the outbox tests: local users, remote accounts, follows, stored images and a
look at the queued deliveries."""

import io
import json

from PIL import Image
from sqlalchemy import select

from node.accounts import create_local_user
from storage.media import MediaStore, process_image
from storage.models import Account, Delivery, Follow, MediaAttachment


async def local_user(session, settings, username: str, **kw) -> Account:
    _user, account = await create_local_user(session, settings, username=username,
                                             email=f"{username}@example.org", password="correct horse")
    for key, value in kw.items():
        setattr(account, key, value)
    await session.flush()
    return account


async def remote_account(session, username: str, domain: str = "remote.example", *, shared: bool = True) -> Account:
    actor = f"https://{domain}/users/{username}"
    account = Account(
        username=username, domain=domain, actor_uri=actor, url=f"https://{domain}/@{username}",
        inbox_uri=f"{actor}/inbox", shared_inbox_uri=f"https://{domain}/inbox" if shared else None,
        followers_uri=f"{actor}/followers", public_key_id=f"{actor}#main-key",
    )
    session.add(account)
    await session.flush()
    return account


async def add_follow(session, follower: Account, target: Account, state: str = "accepted") -> Follow:
    follow = Follow(account_id=follower.id, target_account_id=target.id, state=state,
                    follow_uri=f"{follower.actor_uri}#follows/{follower.id}-{target.id}")
    session.add(follow)
    await session.flush()
    return follow


def image_bytes(fmt: str = "PNG", size=(40, 30), color=(200, 40, 90)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt)
    return out.getvalue()


async def stored_media(session, settings, account: Account, *, fmt: str = "PNG", description: str = "",
                       focus=(0.0, 0.0), color=(200, 40, 90)) -> MediaAttachment:
    processed = process_image(image_bytes(fmt, color=color), focus=focus)
    stored = MediaStore(settings.media_dir).save(processed)
    media = MediaAttachment(
        account_id=account.id, file_path=stored.original_path, preview_path=stored.preview_path,
        media_type=stored.original_media_type, width=stored.width, height=stored.height,
        blurhash=stored.blurhash, description=description, focus_x=stored.focus[0], focus_y=stored.focus[1],
        sha256=stored.sha256,
    )
    session.add(media)
    await session.flush()
    return media


async def deliveries(session, activity_type: str | None = None) -> list[tuple[str, dict]]:
    """(inbox, activity) for each queued delivery, optionally of one activity type."""
    rows = (await session.execute(select(Delivery).order_by(Delivery.inbox_uri))).scalars()
    found = [(row.inbox_uri, json.loads(row.body)) for row in rows]
    return [item for item in found if activity_type is None or item[1]["type"] == activity_type]

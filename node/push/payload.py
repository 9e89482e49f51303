"""What a push message says: Mastodon's web push payload
(app/serializers/web/notification_serializer.rb), which Mastodon's apps decrypt and show:
`notification_id`, `notification_type`, `title`, `body`, `icon` and `preferred_locale`.

Mastodon also sends the subscription's access token; this node keeps tokens only as digests
(storage/models/oauth.py), so it cannot, and apps use the token they already hold.
"""

import json

from storage.models import Account, Notification, Post

from ..api.entities import html_to_text
from ..urls import Urls

BODY_CHARACTERS = 140  # Mastodon truncates the body to 140 characters

# Mastodon's English titles (config/locales/en.yml, notification_mailer.*.subject).
TITLES = {
    "mention": "You were mentioned by {name}",
    "status": "{name} just posted",
    "reblog": "{name} boosted your post",
    "follow": "{name} followed you",
    "follow_request": "Pending follower: {name}",
    "favourite": "{name} favorited your post",
    "poll": "A poll by {name} has ended",
    "update": "{name} edited a post",
    "quote": "{name} quoted your post",
    "quoted_update": "{name} edited a post you quoted",
}


def _truncate(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= BODY_CHARACTERS else text[:BODY_CHARACTERS - 1] + "…"


def push_payload(urls: Urls, notification: Notification, sender: Account, post: Post | None) -> str:
    name = sender.display_name or sender.username
    if post is not None:
        body = post.spoiler_text or html_to_text(post.content or "")
    else:
        body = html_to_text(sender.note or "")
    return json.dumps({
        "notification_id": notification.id,
        "notification_type": notification.type,
        "preferred_locale": "en",
        "icon": sender.avatar_uri or urls.default_avatar,
        "title": TITLES.get(notification.type, "{name}").format(name=name),
        "body": _truncate(body),
    })

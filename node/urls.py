"""The node's public URLs: every IRI and link is built here, on the public host."""

from urllib.parse import quote

from .settings import Settings


class Urls:
    def __init__(self, settings: Settings) -> None:
        self.base = settings.base_url

    def actor(self, username: str) -> str:
        return f"{self.base}/users/{username}"

    def profile(self, username: str) -> str:
        return f"{self.base}/@{username}"

    def local_actor_uris(self, username: str) -> dict[str, str]:
        """The URIs a new local account is created with (stored on the row)."""
        actor = self.actor(username)
        return {
            "actor_uri": actor,
            "url": self.profile(username),
            "inbox_uri": f"{actor}/inbox",
            "outbox_uri": f"{actor}/outbox",
            "followers_uri": f"{actor}/followers",
            "following_uri": f"{actor}/following",
            "featured_uri": f"{actor}/collections/featured",
            "shared_inbox_uri": self.shared_inbox,
            "public_key_id": f"{actor}#main-key",
        }

    def instance_actor_uris(self) -> dict[str, str]:
        actor = f"{self.base}/actor"
        return {
            "actor_uri": actor,
            "url": f"{self.base}/about",
            "inbox_uri": f"{actor}/inbox",
            "outbox_uri": f"{actor}/outbox",
            "followers_uri": f"{actor}/followers",
            "following_uri": f"{actor}/following",
            "featured_uri": f"{actor}/collections/featured",
            "shared_inbox_uri": self.shared_inbox,
            "public_key_id": f"{actor}#main-key",
        }

    def status(self, username: str, post_id: int) -> str:
        """A local post's ActivityPub id, which is also where it is served."""
        return f"{self.actor(username)}/statuses/{post_id}"

    def status_page(self, username: str, post_id: int) -> str:
        """A local post's HTML page (its `url`)."""
        return f"{self.profile(username)}/{post_id}"

    def tag(self, name: str) -> str:
        return f"{self.base}/tags/{quote(name)}"

    def media(self, path: str) -> str:
        """The absolute URL of a stored media file, from its store-relative path."""
        return f"{self.base}/media/{path}"

    @property
    def shared_inbox(self) -> str:
        return f"{self.base}/inbox"

    @property
    def default_avatar(self) -> str:
        return f"{self.base}/static/avatar.png"

    @property
    def default_header(self) -> str:
        return f"{self.base}/static/header.png"

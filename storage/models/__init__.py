"""SQLAlchemy models; every table the node keeps is declared in a module of this package."""

from .accounts import Account, User
from .base import Base
from .markers import Marker
from .oauth import OAuthApp, OAuthCode, OAuthToken
from .posts import MediaAttachment, Mention, Post, Tombstone
from .queues import Delivery, InboxItem
from .social import Favourite, Follow, HomeFeedEntry, Notification

__all__ = [
    "Account", "Base", "Delivery", "Favourite", "Follow", "HomeFeedEntry", "InboxItem",
    "MediaAttachment", "Mention", "Notification", "Post", "Tombstone", "User",
    "Marker", "OAuthApp", "OAuthCode", "OAuthToken",
]

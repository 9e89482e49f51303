"""SQLAlchemy models; every table the node keeps is declared in a module of this package."""

from .accounts import Account, User
from .base import Base
from .client_api import Bookmark, IdempotencyKey, PostEdit
from .featured import Endorsement, PinnedPost, ScheduledStatus
from .conversations import Conversation
from .filters import Filter, FilterKeyword, FilterStatus
from .generations import GenerationJob
from .lists import List, ListAccount
from .markers import Marker
from .moderation import AccountDomainBlock, Block, DomainBlock, Mute, Report
from .notification_policy import NotificationPermission, NotificationPolicy
from .oauth import OAuthApp, OAuthCode, OAuthToken
from .polls import Poll, PollVote
from .posts import MediaAttachment, Mention, Post, Quote, Tombstone
from .push import NodeKey, PushDelivery, PushSubscription
from .queues import Delivery, InboxItem
from .social import Favourite, Follow, HomeFeedEntry, Notification
from .tags import FeaturedTag, Tag, TagFollow
from .web import WebSession

__all__ = [
    "Account", "Base", "Bookmark", "Delivery", "Favourite", "Follow", "GenerationJob", "HomeFeedEntry", "IdempotencyKey", "InboxItem",
    "Conversation", "FeaturedTag", "Filter", "Tag", "TagFollow", "FilterKeyword", "FilterStatus", "List", "ListAccount",
    "MediaAttachment", "Mention", "Notification", "Post", "PostEdit", "Quote", "Tombstone", "User",
    "Marker", "NotificationPermission", "NotificationPolicy", "OAuthApp", "OAuthCode", "OAuthToken",
    "AccountDomainBlock", "Block", "DomainBlock", "Mute", "Report",
    "Endorsement", "NodeKey", "PinnedPost", "Poll", "PollVote", "PushDelivery", "PushSubscription", "ScheduledStatus",
    "WebSession",
]

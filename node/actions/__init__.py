"""The social actions local users take (post, edit, delete, like, boost, follow, edit the
profile), shared by the Mastodon API, the web pages and the tests.

Each action takes an AsyncSession, writes its rows, builds the activity and queues its
deliveries in the caller's transaction, and never commits: the caller commits once, so an
action and its deliveries land together. Nothing is sent over the network from here.
Bad input raises node.errors.ValidationError; a missing target raises storage.errors.NotFound.
"""

from .follows import authorize_follow_request, follow, reject_follow_request, unfollow
from .posts import claim_media, create_post, delete_post, post_note, update_post
from .profile import update_profile
from .reactions import boost, favourite, unboost, unfavourite

__all__ = [
    "authorize_follow_request", "boost", "claim_media", "create_post", "delete_post", "favourite", "follow", "post_note",
    "reject_follow_request", "unboost", "unfavourite", "unfollow", "update_post", "update_profile",
]

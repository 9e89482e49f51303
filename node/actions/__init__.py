"""The social actions: the one place where a social effect is written, for local users
(through the Mastodon API, the web pages and the tests) and for remote accounts (through the
inbox handlers in node/federation/handlers) alike.

Each action takes an AsyncSession and the acting account, local or remote, checks the rule
once (who may see, follow, like, boost, edit or delete what), writes its rows, notifies
through `notify`, and, when the actor is local, builds the activity and queues its
deliveries in the caller's transaction. It never commits: the caller commits once, so an
action and its deliveries land together. Nothing is sent over the network from here.
Bad input raises node.errors.ValidationError; a missing or hidden target raises
storage.errors.NotFound.
"""

from .blocks import block, unblock
from .bookmarks import bookmark, unbookmark
from .mutes import mute, unmute
from .deletes import delete_post, delete_remote_account, receive_delete
from .edits import announce_quote_authorized, receive_edit, set_quote_policy, update_post
from .filters import add_filter_status, add_keyword, create_filter, update_filter, update_keyword
from .follows import (accept_follow, authorize_follow_request, follow, reject_follow, reject_follow_request,
                      unfollow)
from .lists import add_to_list, create_list, remove_from_list, update_list
from .polls import close_poll, receive_vote, store_remote_poll, vote
from .posts import claim_media, create_post, post_note
from .profile import receive_profile, update_profile
from .quotes import answer_quote_request, authorization_revoked, check_may_quote, quote_answered, revoke_quote
from .reactions import boost, favourite, unboost, unfavourite
from .remote_posts import receive_post, receive_posts
from .tags import feature_tag, follow_tag, unfollow_tag

__all__ = [
    "feature_tag", "follow_tag", "unfollow_tag",
    "add_filter_status", "add_keyword", "create_filter", "update_filter", "update_keyword",
    "add_to_list", "create_list", "remove_from_list", "update_list",
    "accept_follow", "announce_quote_authorized", "answer_quote_request", "authorization_revoked", "check_may_quote", "quote_answered",
    "revoke_quote", "set_quote_policy", "authorize_follow_request", "bookmark", "boost", "claim_media", "create_post", "delete_post",
    "delete_remote_account", "favourite", "follow", "post_note", "receive_delete", "receive_edit", "receive_post", "receive_posts",
    "receive_profile", "reject_follow", "reject_follow_request", "unbookmark", "unboost", "unfavourite", "unfollow",
    "update_post", "update_profile", "block", "unblock", "mute", "unmute",
    "update_post", "update_profile", "close_poll", "receive_vote", "store_remote_poll", "vote",
]

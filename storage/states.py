"""The named states and kinds that rows hold, each defined once.

They are `StrEnum`s: a member is the string stored in its column, so a row read back from
the database compares equal to the member, and a member can be written where text is kept.
"""

from enum import StrEnum


class FollowState(StrEnum):
    """A follow is `requested` until the target (or its server) accepts it; a rejected or
    withdrawn follow is deleted, not kept in a third state."""

    REQUESTED = "requested"
    ACCEPTED = "accepted"


class QueueState(StrEnum):
    """A row of a durable queue (received inbox items, deliveries): `queued` until an attempt
    succeeds (`done`) or the retry cap or a permanent error ends it (`failed`)."""

    QUEUED = "queued"
    DONE = "done"
    FAILED = "failed"


InboxState = QueueState
DeliveryState = QueueState


class GenerationState(StrEnum):
    """A generation job: queued -> running -> done, or failed with the reason kept; a running
    job whose lease ran out is claimed again."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


# The actor types of a local user's account: a person, or a bot (`Service`). The node's
# instance actor is an `Application`: it signs fetches, and nobody follows it or signs in as it.
USER_ACTOR_TYPES = ("Person", "Service")


class Visibility(StrEnum):
    """Who may see a post, in Mastodon's words (followers-only is `private`)."""

    PUBLIC = "public"
    UNLISTED = "unlisted"
    PRIVATE = "private"
    DIRECT = "direct"


# Shown to anyone, signed in or not, and the only ones that may be boosted.
PUBLIC_VISIBILITIES = (Visibility.PUBLIC, Visibility.UNLISTED)


class QuotePolicy(StrEnum):
    """Who may quote (remix) a post without asking, in Mastodon 4.5's words: everyone, the
    author's followers, or nobody but the author. Followers-only and direct posts are
    never quotable by others (Mastodon forces them to `nobody`)."""

    PUBLIC = "public"
    FOLLOWERS = "followers"
    NOBODY = "nobody"


class QuoteState(StrEnum):
    """A quote of one post by another (FEP-044f), as the Mastodon API names its states:

        pending --(Accept, or allowed by a local policy)--> accepted --(revoke)--> revoked
           +--(Reject)--> rejected            accepted --(the quoted post deleted)--> deleted

    `unauthorized` is not stored: it is what a viewer who may not see the quoted post is
    shown."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    REVOKED = "revoked"
    DELETED = "deleted"
    UNAUTHORIZED = "unauthorized"


class NotificationType(StrEnum):
    """The `type` of a notification, as the Mastodon API names it."""

    MENTION = "mention"
    FOLLOW = "follow"
    FOLLOW_REQUEST = "follow_request"
    FAVOURITE = "favourite"
    REBLOG = "reblog"
    QUOTE = "quote"
    QUOTED_UPDATE = "quoted_update"
    POLL = "poll"  # a poll the recipient made or voted in has ended


class RepliesPolicy(StrEnum):
    """Which replies a list timeline shows, as the Mastodon API names them: replies to any
    account the owner follows, to members of the list, or none (replies to the owner always)."""

    FOLLOWED = "followed"
    LIST = "list"
    NONE = "none"


class FilterAction(StrEnum):
    """What a filter does to a post it matches, as the Mastodon API names it: show it behind a
    warning, leave it out, or (Mastodon 4.4) hide only its media."""

    WARN = "warn"
    HIDE = "hide"
    BLUR = "blur"


# Where a filter applies, as Mastodon names the places.
FILTER_CONTEXTS = ("home", "notifications", "public", "thread", "account")


class DomainBlockSeverity(StrEnum):
    """What an admin's domain block does, in Mastodon's words: `silence` hides the server's
    accounts from public timelines and from anyone who does not follow them; `suspend` cuts it
    off (its inbox requests are refused, nothing is delivered to it, its accounts and media are
    purged); `noop` only rejects media or reports."""

    NOOP = "noop"
    SILENCE = "silence"
    SUSPEND = "suspend"

"""The quote parts of a Status entity as Mastodon 4.5 renders them (api_versions.mastodon 7):
`quote` (a Quote: `{state, quoted_status}`, or inside a quoted status a ShallowQuote:
`{state, quoted_status_id}`), `quotes_count` and `quote_approval` (who may quote the post
without asking, and what that means for the viewer).

`QuoteLinks` loads, for a page of posts, the quote rows, the quoted posts the viewer may see
and which authors the viewer follows, in a fixed number of queries. The quoted posts it
returns are rendered by the status page alongside the others.
"""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Account, Follow, Post, Quote
from storage.repositories import posts as post_repo
from storage.repositories import quotes as quote_repo
from storage.states import PUBLIC_VISIBILITIES, FollowState, QuotePolicy, QuoteState

from ..actions.quotes import allowed_by_policy
from ..actions.visibility import visible_posts
from .entities import format_id

# Quoted posts are shown for these states; the others show the state alone.
SHOWN_STATES = (QuoteState.ACCEPTED,)


class QuoteLinks:
    """What the quote parts of one page need."""

    def __init__(self, viewer: Account | None) -> None:
        self.viewer = viewer
        self.quotes: dict[int, Quote] = {}
        self.quoted: dict[int, Post] = {}   # quoted posts the viewer may see, by id
        self.followed: set[int] = set()     # authors the viewer follows (for `followers` policies)

    async def load(self, session: AsyncSession, bodies: list[Post]) -> list[Post]:
        """Load the quote rows of `bodies`; returns the quoted posts to render too."""
        self.quotes = await quote_repo.get_quotes_by_post_ids(session, [p.id for p in bodies if p.quote_of_uri])
        wanted = [q.quoted_post_id for q in self.quotes.values() if q.state in SHOWN_STATES and q.quoted_post_id]
        found = await post_repo.get_posts_by_ids(session, wanted)
        self.quoted = {post.id: post for post in await visible_posts(session, self.viewer, list(found.values()))}
        # The quoted posts' own quotes are shown shallow, by state and id: their rows too.
        self.quotes.update(await quote_repo.get_quotes_by_post_ids(
            session, [post.id for post in self.quoted.values() if post.quote_of_uri and post.id not in self.quotes]))
        await self._load_follows(session, [*bodies, *self.quoted.values()])
        return list(self.quoted.values())

    async def _load_follows(self, session: AsyncSession, posts: list[Post]) -> None:
        authors = {post.account_id for post in posts if post.quote_policy == QuotePolicy.FOLLOWERS}
        if self.viewer is None or not authors:
            return
        self.followed = set((await session.execute(
            select(Follow.target_account_id).where(Follow.account_id == self.viewer.id,
                                                   Follow.state == FollowState.ACCEPTED,
                                                   Follow.target_account_id.in_(sorted(authors)))
        )).scalars())

    def quote(self, post: Post, render_quoted) -> dict | None:
        """The Quote of a quoting post; `render_quoted(post)` gives the quoted status."""
        if not post.quote_of_uri:
            return None
        quote = self.quotes.get(post.id)
        state = QuoteState(quote.state) if quote is not None else QuoteState.PENDING
        quoted = self.quoted.get(quote.quoted_post_id) if quote is not None and quote.quoted_post_id else None
        if state in SHOWN_STATES and quoted is None:
            state = QuoteState.UNAUTHORIZED
        return {"state": state, "quoted_status": render_quoted(quoted) if quoted is not None else None}

    def shallow_quote(self, post: Post) -> dict | None:
        """The Quote of a post shown inside another's quote: the quoted id only."""
        if not post.quote_of_uri:
            return None
        quote = self.quotes.get(post.id)
        state = QuoteState(quote.state) if quote is not None else QuoteState.PENDING
        shown = quote is not None and state in SHOWN_STATES
        return {"state": state, "quoted_status_id": format_id(quote.quoted_post_id) if shown else None}

    def approval(self, post: Post) -> dict:
        """`quote_approval`: the automatic audiences, and what the viewer may do."""
        quotable = post.reblog_of_id is None and post.visibility in PUBLIC_VISIBILITIES
        policy = QuotePolicy(post.quote_policy) if quotable else QuotePolicy.NOBODY
        automatic = {QuotePolicy.PUBLIC: ["public"], QuotePolicy.FOLLOWERS: ["followers"]}.get(policy, [])
        return {"automatic": automatic, "manual": [], "current_user": self._current_user(post, policy)}

    def _current_user(self, post: Post, policy: QuotePolicy) -> str:
        if self.viewer is None:
            return "denied"
        allowed = allowed_by_policy(post, self.viewer.id, post.account_id in self.followed)
        return "automatic" if allowed else "denied"

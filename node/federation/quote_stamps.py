"""QuoteAuthorizations this node granted (FEP-044f), served at their ids:
`/users/{name}/quote_authorizations/{id}`. Another server fetches one to check that a quote
of a post of ours was consented to; a revoked, rejected or unknown one answers 404, as on
Mastodon, so a revocation is seen by whoever checks again."""

from aiohttp import web

from activitypub.outbox import activities
from storage.errors import NotFound
from storage.models import Post, Quote
from storage.repositories import accounts as account_repo
from storage.states import QuoteState

from .. import context
from ..actions.common import parse_key
from ..routing import add_routes
from .negotiation import activity_response


def setup(app: web.Application) -> None:
    add_routes(app, [("GET", r"/users/{username}/quote_authorizations/{quote_id:\d+}", quote_authorization)])


async def quote_authorization(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        author = await account_repo.get_local_person_by_username(session, request.match_info["username"])
        key = parse_key(request.match_info["quote_id"])
        quote = await session.get(Quote, key) if key is not None else None
        if author is None or quote is None or quote.state != QuoteState.ACCEPTED or quote.quoted_account_id != author.id:
            raise NotFound("no such quote authorization")
        quoting, quoted = await session.get(Post, quote.post_id), await session.get(Post, quote.quoted_post_id)
        # Served at its id only (the stamp names this URL), and only while both posts exist.
        if quoting is None or quoted is None or not (quote.authorization_uri or "").endswith(request.path):
            raise NotFound("no such quote authorization")
        document = activities.quote_authorization(quote.authorization_uri, author.actor_uri, quoting.object_uri,
                                                  quoted.object_uri)
    return activity_response(document)

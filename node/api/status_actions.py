"""Acting on a status in the client API: favourite, boost, bookmark and their undos, and
who favourited or boosted a post (https://docs.joinmastodon.org/methods/statuses/).

Each goes through its action in node.actions (favourites and boosts federate as Like /
Announce / Undo; bookmarks stay private). Each answer is the Status as the caller now sees
it; a boost answers the boost's own status, which wraps the original under `reblog`.
"""

from aiohttp import web
from sqlalchemy import select

from storage.models import Account, Favourite, Post

from .. import actions, context
from ..actions.common import original_of
from ..routing import add_routes
from .auth import optional_scopes, require_scopes
from .pagination import page_params, paged_response
from .params import path_id
from .status_entity import render_accounts, render_status
from .visibility import get_visible_post

ID = r"{id:\d+}"
MAX_ACCOUNTS = 80


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("POST", f"/api/v1/statuses/{ID}/favourite", on_post(actions.favourite, "write:favourites", answer="post")),
        ("POST", f"/api/v1/statuses/{ID}/unfavourite", on_post(actions.unfavourite, "write:favourites")),
        ("POST", f"/api/v1/statuses/{ID}/reblog", on_post(actions.boost, "write:statuses")),
        ("POST", f"/api/v1/statuses/{ID}/unreblog", on_post(actions.unboost, "write:statuses")),
        ("POST", f"/api/v1/statuses/{ID}/bookmark", on_post(actions.bookmark, "write:bookmarks")),
        ("POST", f"/api/v1/statuses/{ID}/unbookmark", on_post(actions.unbookmark, "write:bookmarks")),
        ("GET", f"/api/v1/statuses/{ID}/favourited_by", favourited_by),
        ("GET", f"/api/v1/statuses/{ID}/reblogged_by", reblogged_by),
    ])


def on_post(action, scope: str, *, answer: str = "result"):
    """A handler running the action `action(session, settings, account, post)` on a post the
    caller can see, answering the post as the caller now sees it.

    answer="result": the action returns the post to answer (boost: the boost; undos: the
    original); answer="post": the answer is the original post as it is after the action.
    """
    async def handler(request: web.Request) -> web.Response:
        async with request.app[context.SESSIONMAKER]() as session:
            auth = await require_scopes(request, scope, session=session)
            post = await get_visible_post(session, auth.account, path_id(request, what="post"))
            result = await action(session, request.app[context.SETTINGS], auth.account, post)
            await session.commit()
            shown = result if answer == "result" else await original_of(session, post)
            await session.refresh(shown)  # counters were changed in SQL by the action
            entity = await render_status(session, request.app[context.URLS], auth.account, shown)
        return web.json_response(entity)

    handler.__name__ = f"status_{action.__name__.strip('_')}"
    return handler


async def _accounts_page(request: web.Request, query, key) -> web.Response:
    """A page of accounts who reacted, ordered by the reaction row's id (`key`), with `Link`."""
    page = page_params(request, default=40, maximum=MAX_ACCOUNTS)
    urls = request.app[context.URLS]
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await optional_scopes(request, "read:accounts", session=session)
        post = await get_visible_post(session, auth.account if auth else None, path_id(request, what="post"))
        original = await original_of(session, post)
        rows = page.newest_first((await session.execute(page.apply(query(original.id), key))).all())
        entities = await render_accounts(session, urls, [account for _key, account in rows])
    return paged_response(request, urls, entities, [row_key for row_key, _account in rows])


async def favourited_by(request: web.Request) -> web.Response:
    return await _accounts_page(request, lambda post_id: select(Favourite.id, Account)
                                .join(Account, Account.id == Favourite.account_id)
                                .where(Favourite.post_id == post_id), Favourite.id)


async def reblogged_by(request: web.Request) -> web.Response:
    return await _accounts_page(request, lambda post_id: select(Post.id, Account)
                                .join(Account, Account.id == Post.account_id)
                                .where(Post.reblog_of_id == post_id), Post.id)

"""Reactions to a status in the client API: favourite, boost, bookmark and their undos, and
who favourited or boosted a post (https://docs.joinmastodon.org/methods/statuses/).

Favourites and boosts go through node.actions (they federate as Like / Announce / Undo);
bookmarks are private rows. Each answer is the Status as the caller now sees it; a boost
answers the boost's own status, which wraps the original under `reblog`.
"""

from aiohttp import web
from sqlalchemy import select

from storage.models import Account, Favourite, Post
from storage.repositories import statuses as status_repo

from .. import actions, context
from ..actions.common import original_of
from ..routing import add_routes
from .auth import optional_scopes, require_scopes
from .pagination import page_params, paged_response
from .status_entity import render_accounts, render_status
from .visibility import get_visible_post

ID = r"{id:\d+}"
MAX_ACCOUNTS = 80


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("POST", f"/api/v1/statuses/{ID}/favourite", reaction(actions.favourite, "write:favourites", answer="post")),
        ("POST", f"/api/v1/statuses/{ID}/unfavourite", reaction(actions.unfavourite, "write:favourites")),
        ("POST", f"/api/v1/statuses/{ID}/reblog", reaction(actions.boost, "write:statuses")),
        ("POST", f"/api/v1/statuses/{ID}/unreblog", reaction(actions.unboost, "write:statuses")),
        ("POST", f"/api/v1/statuses/{ID}/bookmark", reaction(_bookmark, "write:bookmarks", answer="post")),
        ("POST", f"/api/v1/statuses/{ID}/unbookmark", reaction(_unbookmark, "write:bookmarks", answer="post")),
        ("GET", f"/api/v1/statuses/{ID}/favourited_by", favourited_by),
        ("GET", f"/api/v1/statuses/{ID}/reblogged_by", reblogged_by),
    ])


async def _bookmark(session, settings, account: Account, post: Post) -> None:
    await status_repo.put_bookmark(session, account.id, (await original_of(session, post)).id)


async def _unbookmark(session, settings, account: Account, post: Post) -> None:
    await status_repo.delete_bookmark(session, account.id, (await original_of(session, post)).id)


def reaction(action, scope: str, *, answer: str = "result"):
    """A handler running `action(session, settings, account, post)` on a post the caller can see.

    answer="result": the action returns the post to answer (boost: the boost; undos: the
    original); answer="post": the answer is the original post as it is after the action.
    """
    async def handler(request: web.Request) -> web.Response:
        async with request.app[context.SESSIONMAKER]() as session:
            auth = await require_scopes(request, scope, session=session)
            post = await get_visible_post(session, auth.account, request.match_info["id"])
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
        post = await get_visible_post(session, auth.account if auth else None, request.match_info["id"])
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

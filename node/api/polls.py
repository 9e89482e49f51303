"""Polls (https://docs.joinmastodon.org/methods/polls/): read one, and vote in it. A poll
is seen by whoever may see its post; voting goes through node/actions/polls.py, which also
federates the vote."""

from aiohttp import web

from storage.errors import NotFound
from storage.repositories import polls as poll_repo

from .. import actions, context
from ..routing import add_routes
from .auth import optional_scopes, require_scopes
from .body import read_params
from .params import path_id
from .poll_entity import poll_to_entity
from .visibility import get_visible_post

ID = r"{id:\d+}"
MAX_CHOICES = 64


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("GET", f"/api/v1/polls/{ID}", get_poll),
        ("POST", f"/api/v1/polls/{ID}/votes", vote),
    ])


async def _visible_poll(request: web.Request, session, viewer):
    poll = await poll_repo.get_poll(session, path_id(request, what="poll"))
    if poll is None:
        raise NotFound("Record not found")
    post = await get_visible_post(session, viewer, poll.post_id)
    return poll, post


async def get_poll(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await optional_scopes(request, "read:statuses", session=session)
        viewer = auth.account if auth else None
        poll, _post = await _visible_poll(request, session, viewer)
        own = (await poll_repo.get_own_choices(session, viewer.id, [poll.id])).get(poll.id, []) if viewer else []
        return web.json_response(poll_to_entity(poll, viewer, own))


async def vote(request: web.Request) -> web.Response:
    """`choices[]=0&choices[]=2` (option numbers); answers the poll with the vote counted."""
    params = await read_params(request)
    choices = params.id_list("choices", max_items=MAX_CHOICES)
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:statuses", session=session)
        poll, post = await _visible_poll(request, session, auth.account)
        poll = await actions.vote(session, request.app[context.SETTINGS], auth.account, poll, post, choices)
        await session.commit()
        own = (await poll_repo.get_own_choices(session, auth.account.id, [poll.id])).get(poll.id, [])
        return web.json_response(poll_to_entity(poll, auth.account, own))

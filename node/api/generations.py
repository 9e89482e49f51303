"""Image generation in the client API (Muralist's own methods, beside Mastodon's).

    POST /api/v1/generations          prompt, style, size "WxH", seed, remix_of (a status id) -> 202 job
    GET  /api/v1/generations/:id      one of the caller's jobs; poll until `state` is done or failed
    GET  /api/v1/generations          the caller's history, newest first, paged with `Link`
    GET  /api/v1/generations/styles   the styles every generator understands, and how this node's draws them
    GET  /api/v1/generations/generator what this node's generator offers: name, model, seeds, remixes,
                                      sizes, styles

A job is drawn by a worker (node/generations.py); once done, `media_attachment` is an unattached
image of the caller that `POST /api/v1/statuses` takes in `media_ids`, as with an upload.
"""

from aiohttp import web

from generation import list_styles
from generation.base import MAX_SEED, MAX_SIDE, MIN_SIDE
from storage.errors import NotFound
from storage.models import GenerationJob, MediaAttachment
from storage.repositories import generations as job_repo
from storage.repositories import posts as post_repo
from storage.states import GenerationState

from .. import context
from ..actions.generate import request_generation
from ..routing import add_routes
from ..urls import Urls
from ..workers import WORKERS
from .auth import optional_scopes, require_scopes
from .body import Params, read_params
from .entities import format_id, format_time
from .media_entity import media_to_entity
from .pagination import page_params, paged_response
from .params import path_id

WRITE_SCOPES = ("write:media",)
READ_SCOPES = ("read:statuses", "write:media")


def setup(app: web.Application) -> None:
    # The styles route comes first: `styles` must not be read as a job id.
    add_routes(app, [
        ("GET", "/api/v1/generations/styles", get_styles),
        ("GET", "/api/v1/generations/generator", get_generator_info),
        ("POST", "/api/v1/generations", create_generation),
        ("GET", "/api/v1/generations", list_generations),
        ("GET", r"/api/v1/generations/{id:\d+}", show_generation),
    ])


def job_to_entity(urls: Urls, job: GenerationJob, media: MediaAttachment | None) -> dict:
    record = (media.generation or {}) if media is not None else {}
    seed = record.get("seed", job.seed)
    return {
        "id": format_id(job.id),
        "state": job.state,
        "prompt": job.prompt,
        "style": record.get("style", job.style),
        "size": job.size,
        # Seeds reach 2**63, past what a JavaScript number holds exactly: sent as strings, like ids.
        "seed": None if seed is None else str(seed),
        "generator": record.get("generator"),
        "model": record.get("model"),
        "remix_of": format_id(job.remix_of_id),
        # The remixed post's IRI, which names it on every server.
        "remix_of_uri": record.get("source"),
        "media_attachment": media_to_entity(urls, media) if media is not None else None,
        # A queued job keeps the reason of a failed attempt it will retry; only a failed job shows it.
        "error": job.error if job.state == GenerationState.FAILED else None,
        "created_at": format_time(job.created_at),
        "finished_at": format_time(job.finished_at),
    }


async def _entities(session, urls: Urls, jobs: list[GenerationJob]) -> list[dict]:
    media_ids = [job.media_attachment_id for job in jobs if job.media_attachment_id is not None]
    media = {item.id: item for item in await post_repo.get_media_by_ids(session, media_ids)}
    return [job_to_entity(urls, job, media.get(job.media_attachment_id)) for job in jobs]


def generation_fields(params: Params) -> dict:
    """prompt, style and size as text ("512x768"), the seed as a number or digits, remix_of an id."""
    # An id that names no post is "not found", as for any other lookup of a post.
    remix_of = params.id("remix_of", not_found="post")
    return {
        "prompt": params.string("prompt"), "style": params.string("style"), "size": params.string("size"),
        "seed": params.integer("seed", minimum=0, maximum=MAX_SEED),
        "remix_of": remix_of if remix_of is not None else params.id("remix_of_id", not_found="post"),
    }


async def create_generation(request: web.Request) -> web.Response:
    auth = await require_scopes(request, *WRITE_SCOPES)
    fields = generation_fields(await read_params(request, include_query=False))
    async with request.app[context.SESSIONMAKER]() as session:
        job = await request_generation(session, request.app[context.SETTINGS], auth.account, **fields)
        await session.commit()
    return web.json_response(job_to_entity(request.app[context.URLS], job, None), status=202)


async def show_generation(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, *READ_SCOPES, session=session)
        job = await job_repo.get_generation_job_by_id(session, path_id(request, what="generation"))
        if job is None or job.account_id != auth.account_id:
            raise NotFound(f"generation {request.match_info['id']} not found")
        entities = await _entities(session, request.app[context.URLS], [job])
    return web.json_response(entities[0])


async def list_generations(request: web.Request) -> web.Response:
    page = page_params(request)
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, *READ_SCOPES, session=session)
        jobs = await job_repo.list_generation_jobs(session, auth.account_id, max_id=page.max_id,
                                                   since_id=page.since_id, min_id=page.min_id, limit=page.limit)
        entities = await _entities(session, request.app[context.URLS], jobs)
    return paged_response(request, request.app[context.URLS], entities, [job.id for job in jobs])


def _styles(generator: str) -> list[dict]:
    # The procedural generator paints each style itself; every other one reads the style as words
    # added to the prompt, which is what `rendering` tells a client.
    rendering = "painted" if generator == "procedural" else "prompt"
    return [{"name": style.name, "description": style.description, "generator": generator, "rendering": rendering}
            for style in list_styles()]


async def get_styles(request: web.Request) -> web.Response:
    await optional_scopes(request)
    return web.json_response(_styles(request.app[context.SETTINGS].generator))


async def get_generator_info(request: web.Request) -> web.Response:
    await optional_scopes(request)
    described = request.app[WORKERS].generations.describe()
    sizes = {"min_side": MIN_SIDE, "max_side": MAX_SIDE, "default": "1024x1024"}
    return web.json_response({**described, "sizes": sizes, "styles": _styles(described["name"])})

"""The create page: a prompt, a style and a size become a generation job (the same queue and
action as `POST /api/v1/generations`), whose page shows its progress, then the image with a
form for its alt text and caption that posts it. A remix starts from a post page
(`/create?remix_of=ID`); a post whose author does not allow remixes says so here and the
action refuses it too."""

from aiohttp import web

from generation import InvalidGenerationRequest, list_styles
from storage.errors import NotFound
from storage.models import MediaAttachment
from storage.repositories import generations as job_repo
from storage.repositories import posts as post_repo
from storage.states import GenerationState

from .. import actions, context
from ..actions.common import parse_key
from ..actions.generate import request_generation
from ..actions.media import update_media
from ..actions.quotes import check_may_quote
from ..errors import RateLimited, ValidationError
from ..routing import add_routes
from ..workers import WORKERS
from .cards import cards_for, image_of, post_href
from .rendering import page
from .viewer import acting_account, field, read_form, see_other, signed_in

SIZES = (("1024x1024", "Square"), ("1024x1536", "Portrait"), ("1536x1024", "Landscape"), ("512x512", "Small square"))
VISIBILITIES = (("public", "Public: in the gallery and on your profile"), ("unlisted", "Unlisted: on your profile only"),
                ("private", "Followers only"))
REFUSALS = (ValidationError, InvalidGenerationRequest, NotFound, RateLimited)
MAX_TEXT = 10_000


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("GET", "/create", signed_in(create_form)),
        ("POST", "/create", signed_in(create)),
        ("GET", r"/create/jobs/{id:\d+}", signed_in(job_page)),
        ("GET", r"/create/jobs/{id:\d+}/state", signed_in(job_state)),
        ("POST", r"/create/jobs/{id:\d+}/post", signed_in(post_job)),
    ])


async def _remix_source(request: web.Request, remix_of: str | None):
    """The card of the post to remix and the reason it may not be remixed (None: it may)."""
    if not remix_of:
        return None, None
    key = parse_key(remix_of)
    async with request.app[context.SESSIONMAKER]() as session:
        viewer = await acting_account(session, request)
        post = await post_repo.get_post_by_id(session, key) if key is not None else None
        if post is None:
            raise NotFound(f"post {remix_of} not found")
        try:
            await check_may_quote(session, viewer, post)
            refusal = None
        except ValidationError as exc:
            refusal = str(exc)
        cards = await cards_for(session, request.app[context.URLS], [post])
    return (cards[0] if cards else None), refusal


async def create_form(request: web.Request, *, error: str | None = None, values: dict | None = None,
                      status: int = 200) -> web.Response:
    values = values or {}
    remix_of = values.get("remix_of", request.query.get("remix_of", ""))
    source, refusal = await _remix_source(request, remix_of)
    return await page(request, "create.html", {
        # What this node's generator offers (the API's /api/v1/generations/generator says the same).
        "generator": request.app[WORKERS].generations.describe(),
        "styles": list_styles(), "sizes": SIZES, "values": values, "error": error or refusal,
        "source": source, "refused": refusal is not None, "remix_of": remix_of,
    }, status=403 if refusal else status)


async def create(request: web.Request) -> web.Response:
    form = await read_form(request)
    values = {name: field(form, name) for name in ("prompt", "style", "size", "remix_of")}
    try:
        async with request.app[context.SESSIONMAKER]() as session:
            viewer = await acting_account(session, request)
            job = await request_generation(session, request.app[context.SETTINGS], viewer, prompt=values["prompt"],
                                           style=values["style"] or None, size=values["size"] or None,
                                           remix_of=values["remix_of"] or None)
            await session.commit()
    except REFUSALS as exc:
        return await create_form(request, error=str(exc), values=values, status=422)
    return see_other(f"/create/jobs/{job.id}")


async def _own_job(request: web.Request, session):
    viewer = await acting_account(session, request)
    job = await job_repo.get_generation_job_by_id(session, parse_key(request.match_info["id"]) or 0)
    if job is None or job.account_id != viewer.id:
        raise NotFound("no such image request")
    return viewer, job


async def job_state(request: web.Request) -> web.Response:
    """What the progress script polls: the job's state (and why it failed)."""
    async with request.app[context.SESSIONMAKER]() as session:
        _viewer, job = await _own_job(request, session)
    error = job.error if job.state == GenerationState.FAILED else None
    return web.json_response({"state": job.state, "error": error}, headers={"Cache-Control": "no-store"})


async def job_page(request: web.Request, *, error: str | None = None, status: int = 200) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        _viewer, job = await _own_job(request, session)
        media = await session.get(MediaAttachment, job.media_attachment_id) if job.media_attachment_id else None
    image = image_of(request.app[context.URLS], media) if media is not None else None
    if image is not None and not image.alt:
        image.alt = f"Generated from the prompt: {job.prompt}"  # until its own alt text is written below
    return await page(request, "job.html", {
        "job": job, "picture": image, "posted": media is not None and media.post_id is not None,
        "error": error, "visibilities": VISIBILITIES, "default_alt": job.prompt,
        "pending": job.state in (GenerationState.QUEUED, GenerationState.RUNNING),
    }, status=status, headers={"Cache-Control": "no-store"})


async def post_job(request: web.Request) -> web.Response:
    form = await read_form(request)
    settings = request.app[context.SETTINGS]
    try:
        async with request.app[context.SESSIONMAKER]() as session:
            viewer, job = await _own_job(request, session)
            if job.state != GenerationState.DONE or job.media_attachment_id is None:
                raise ValidationError("the image is not ready yet")
            await update_media(session, viewer, job.media_attachment_id, description=field(form, "alt", 1500))
            post = await actions.create_post(session, settings, viewer, text=field(form, "text"),
                                             media_ids=[job.media_attachment_id],
                                             visibility=field(form, "visibility", 16) or "public")
            await session.commit()
            href = post_href(post, viewer)
    except (ValidationError, NotFound) as exc:
        return await job_page(request, error=str(exc), status=422)
    return see_other(href)

"""Asking for a generated image: checking the request, the per-user rate limit and the post to
remix, then queueing a GenerationJob that a worker draws (node/generations.py).

Bad input changes nothing: an empty prompt, an unknown style or a bad size is refused before
any row is written (InvalidGenerationRequest, answered 422), and so is a request over the rate
limit (RateLimited, answered 429 with Retry-After).
"""

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from generation import GenerationRequest, InvalidGenerationRequest, parse_size, validate_request
from generation import policy
from generation.base import MAX_SEED
from generation.styles import style_named_in
from storage.errors import NotFound
from storage.models import Account, GenerationJob, Post
from storage.repositories import generations as job_repo
from storage.repositories import posts as post_repo
from storage.states import GenerationState
from storage.types import utcnow

from ..errors import RateLimited
from ..settings import Settings
from .common import get_post, original_of, parse_key, require_local_person
from .quotes import check_may_quote

WINDOW_NAMES = {1: "second", 60: "minute", 3600: "hour", 86400: "day"}


def _checked_seed(seed) -> int | None:
    if seed is None or seed == "":
        return None
    text = str(seed).strip()
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_SEED:
        raise InvalidGenerationRequest(f"seed must be a whole number from 0 to {MAX_SEED}")
    return int(text)


def checked_request(prompt, style=None, size=None, seed=None) -> GenerationRequest:
    """The validated request (style made canonical), or InvalidGenerationRequest saying what is wrong."""
    if prompt is not None and not isinstance(prompt, str):
        raise InvalidGenerationRequest("the prompt must be text")
    if style is not None and not isinstance(style, str):
        raise InvalidGenerationRequest("the style must be a name, e.g. watercolor")
    dimensions = parse_size(size) if size not in (None, "") else (1024, 1024)
    return validate_request(GenerationRequest(prompt=prompt or "", style=style or None, size=dimensions,
                                              seed=_checked_seed(seed)))


async def check_policy(settings: Settings, prompt: str) -> None:
    """The node's generation policy, before anything is written: refused words, then the
    moderation endpoint when MURALIST_GENERATION_MODERATION is on."""
    policy.check_words(prompt, policy.refused_words(settings.generation_refused_words))
    if settings.generation_moderation:
        await policy.check_moderation(prompt, api_key=settings.openai_api_key, base_url=settings.openai_base_url,
                                      model=settings.moderation_model)


async def check_rate(session: AsyncSession, settings: Settings, account: Account) -> None:
    """RateLimited when the account already asked for its allowance within the window."""
    limit = settings.generation_rate_limit
    if limit is None:
        return
    allowance, window = limit
    now = utcnow()
    recent = await job_repo.get_recent_job_times(session, account.id, now - timedelta(seconds=window), allowance)
    if len(recent) < allowance:
        return
    # The oldest of the newest `allowance` jobs must leave the window before another fits.
    wait = (recent[-1] + timedelta(seconds=window) - now).total_seconds()
    per = WINDOW_NAMES.get(window, f"{window} seconds")
    raise RateLimited(f"you can generate {allowance} images per {per}; try again in {int(wait) + 1} seconds",
                      retry_after=int(wait) + 1)


async def _remix_source(session: AsyncSession, account: Account, remix_of) -> Post | None:
    """The post to remix: one the account may see and whose author lets it be remixed (its
    quote policy: posting the remix quotes it), with an image to start from. Checked before
    any image is generated, so a refused remix costs nothing."""
    if remix_of in (None, ""):
        return None
    key = parse_key(remix_of)
    if key is None:
        raise NotFound(f"post {remix_of} not found")
    post = await original_of(session, await get_post(session, key))
    await check_may_quote(session, account, post)
    media = (await post_repo.list_media(session, [post.id])).get(post.id, [])
    if not any(item.file_path or item.remote_url for item in media):
        raise InvalidGenerationRequest(f"post {remix_of} has no image to remix")
    return post


async def request_generation(session: AsyncSession, settings: Settings, account: Account, *, prompt,
                             style=None, size=None, seed=None, remix_of=None) -> GenerationJob:
    """Queue a job for `account`; the caller commits and wakes the workers."""
    require_local_person(account)
    request = checked_request(prompt, style, size, seed)
    await check_policy(settings, request.prompt)
    source = await _remix_source(session, account, remix_of)
    await check_rate(session, settings, account)
    job = GenerationJob(
        account_id=account.id, state=GenerationState.QUEUED, prompt=request.prompt,
        # The style a prompt names in its own words ("a watercolor of ...") is the one drawn.
        style=request.style or style_named_in(request.prompt), width=request.size[0], height=request.size[1],
        seed=request.seed, remix_of_id=source.id if source is not None else None, created_at=utcnow(),
    )
    return await job_repo.put_generation_job(session, job)

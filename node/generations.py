"""The generation worker: claims queued jobs, draws them with the configured backend
(`MURALIST_GENERATOR`), stores the image with its provenance and settles each job.

Up to `MURALIST_GENERATION_CONCURRENCY` jobs run at once. Each claimed job holds a lease, so a
crash or a restart loses none: the lease runs out and another round draws it again. Outcomes:
done with a MediaAttachment of the owner (alt text the prompt, `generation` the record a post
copies); failed with the backend's own words when it refused the prompt or the request can
never work; queued again with backoff when the backend is unavailable, until the attempt cap.
"""

import asyncio
import copy
import logging
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker

from activitypub.errors import FetchError, GoneOrMissing
from activitypub.fetch import Fetcher
from generation import (BackendUnavailable, DEFAULT_STYLE, GenerationError, GenerationRequest, GenerationResult,
                        Generator, PromptRefused)
from generation.base import MAX_SOURCE_BYTES
from storage.errors import MediaError, NotFound
from storage.media import MediaStore, Provenance
from storage.models import GenerationJob, Post
from storage.repositories import generations as job_repo
from storage.repositories import posts as post_repo
from storage.types import utcnow

from .actions.media import media_row, store_image
from .actions.posts import MAX_DESCRIPTION
from .generator_config import build_generator, describe_generator
from .settings import Settings

log = logging.getLogger(__name__)

# A running job's lease is renewed every HEARTBEAT_SECONDS while its worker lives (an openai
# attempt may wait 120 s, three times), so a job whose worker crashed is drawn again within
# about a minute rather than after the slowest attempt could have finished.
LEASE_SECONDS = 60.0
HEARTBEAT_SECONDS = 20.0
MAX_ATTEMPTS = 6
FIRST_RETRY_SECONDS = 30.0
MAX_RETRY_SECONDS = 3600.0
# What a job's owner reads when the attempt failed on a bug of ours rather than the backend's word.
UNEXPECTED_FAILURE = ("the server ran into an unexpected problem while making the image "
                      "(its operator's log has the details)")


class Retry(Exception):
    """This attempt failed for a reason that may pass (backend down, source unreachable)."""


def backoff(attempts: int, now: datetime) -> datetime | None:
    """When to try again after `attempts` failed attempts; None once the cap is reached."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return now + timedelta(seconds=min(MAX_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2 ** (attempts - 1)))


def generation_record(job: GenerationJob, result: GenerationResult, source: Post | None) -> dict:
    """What the image and any post made from it say about how it was made."""
    style = job.style or (DEFAULT_STYLE if result.generator == "procedural" else None)
    return {
        "prompt": job.prompt, "style": style, "generator": result.generator, "model": result.model,
        "seed": result.seed, "size": job.size,
        "remix_of": str(source.id) if source is not None else None,
        # On the wire the remixed post is named by its IRI (activitypub/outbox/note.py `source`).
        "source": source.object_uri if source is not None else None,
    }


class GenerationRunner:
    def __init__(self, settings: Settings, sessionmaker: async_sessionmaker, fetcher: Fetcher | None = None) -> None:
        self.settings = settings
        self.sessionmaker = sessionmaker
        self.fetcher = fetcher
        # Kept between rounds: a diffusers pipeline takes seconds to load and holds the GPU's
        # memory; it releases that itself when idle. Closed by aclose() when the worker stops.
        self._held: Generator | None = None

    def _generator(self) -> Generator:
        """The configured generator, built once; GenerationError when it is misconfigured."""
        if self._held is None:
            self._held = build_generator(self.settings)
        return self._held

    def describe(self) -> dict:
        """What the configured generator offers (node/generator_config.py describe_generator);
        a misconfigured one says so in `error` instead of failing the request that asked."""
        try:
            return describe_generator(self._generator())
        except GenerationError as exc:
            return {"name": self.settings.generator, "model": None, "seeds": False, "remix": False,
                    "error": str(exc)}

    async def start(self) -> None:
        """Build the generator and let it load what it needs now (a diffusers pipeline), so a
        broken model is an error when the worker starts rather than at the first job."""
        prepare = getattr(self._generator(), "prepare", None)
        if prepare is not None:
            await prepare()

    async def aclose(self) -> None:
        if self._held is not None:
            generator, self._held = self._held, None
            await generator.aclose()

    def _claim_limit(self) -> int:
        # A batching generator draws jobs of one model and size together: claim a batch at once.
        batch = getattr(self._held, "batch_size", 1) if self._held is not None else 1
        return max(self.settings.generation_concurrency, batch)

    async def run_due(self) -> int:
        """One round: claim up to the concurrency, run them together; returns how many ran."""
        async with self.sessionmaker() as session:
            jobs = await job_repo.claim_generation_jobs(session, limit=self._claim_limit(),
                                                        lease_seconds=LEASE_SECONDS)
        if not jobs:
            return 0
        try:
            generator = self._generator()
        except GenerationError as exc:  # misconfigured: keep the jobs until someone fixes it
            await asyncio.gather(*(self._retry(job, str(exc)) for job in jobs))
            return len(jobs)
        # One claim, one lease token for all its jobs.
        heartbeat = asyncio.create_task(self._hold_leases([job.id for job in jobs], jobs[0].lease_token))
        try:
            await asyncio.gather(*(self._run(generator, job) for job in jobs))
        finally:
            heartbeat.cancel()
            await asyncio.gather(heartbeat, return_exceptions=True)
        return len(jobs)

    async def _hold_leases(self, job_ids: list[int], token: str) -> None:
        """Renew the round's leases until it ends (the caller cancels this)."""
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            try:
                async with self.sessionmaker() as session:
                    until = utcnow() + timedelta(seconds=LEASE_SECONDS)
                    await job_repo.extend_job_leases(session, job_ids, token, until)
            except Exception:  # noqa: BLE001 - a missed renewal costs at most a second attempt
                log.exception("could not renew generation leases")

    async def _run(self, generator, job: GenerationJob) -> None:
        try:
            source, source_image = await self._source(job)
            request = GenerationRequest(prompt=job.prompt, style=job.style, size=(job.width, job.height),
                                        seed=job.seed, source_image=source_image)
            result = await generator.generate(request)
            record = generation_record(job, result, source)
            provenance = Provenance(prompt=job.prompt, generator=result.generator, model=result.model,
                                    seed=result.seed)
            stored = await store_image(self.settings, result.image, provenance=provenance)
            await self._finish(job, stored, record)
        except PromptRefused as exc:
            await self._fail(job, exc.reason)
        except (BackendUnavailable, Retry) as exc:
            await self._retry(job, str(exc))
        except (GenerationError, MediaError, NotFound) as exc:
            await self._fail(job, str(exc))
        except Exception as exc:  # noqa: BLE001 - a bug fails one attempt, never the worker
            # The operator gets the exception and its traceback; the user sees the job's error,
            # which says what happened in words and never shows our internals.
            log.exception("generation job %s failed: %r", job.id, exc)
            await self._retry(job, UNEXPECTED_FAILURE)

    async def _source(self, job: GenerationJob) -> tuple[Post | None, bytes | None]:
        """The remixed post and the bytes of its first image."""
        if job.remix_of_id is None:
            return None, None
        async with self.sessionmaker() as session:
            post = await post_repo.get_post_by_id(session, job.remix_of_id)
            media = (await post_repo.list_media(session, [job.remix_of_id])).get(job.remix_of_id, [])
        media = [item for item in media if item.file_path or item.remote_url]
        if post is None or not media:
            raise NotFound("the post to remix, or its image, is gone")
        if media[0].file_path:
            store = MediaStore(self.settings.media_dir)
            return post, await asyncio.to_thread(store.read_bytes, media[0].file_path)
        return post, await self._download(media[0].remote_url)

    async def _download(self, url: str) -> bytes:
        if self.fetcher is None:
            raise Retry("remote images cannot be fetched by this worker")
        # The federation fetcher's guard and signature, with room for an image instead of JSON.
        fetcher = copy.copy(self.fetcher)
        fetcher.max_bytes, fetcher.timeout = MAX_SOURCE_BYTES, 60.0
        try:
            _url, _type, body = await fetcher.fetch(url, "image/*")
        except GoneOrMissing as exc:
            raise NotFound(f"the image to remix is gone: {exc}") from None
        except FetchError as exc:
            raise Retry(f"the image to remix could not be fetched: {exc}") from None
        return body

    async def _finish(self, job: GenerationJob, stored, record: dict) -> None:
        media = media_row(job.account_id, stored, description=job.prompt[:MAX_DESCRIPTION], generation=record)
        async with self.sessionmaker() as session:
            session.add(media)
            await session.flush()
            if await job_repo.update_job_done(session, job.id, job.lease_token, media.id):
                await session.commit()
            else:  # the lease ran out and another worker owns the job now: leave it to that one
                await session.rollback()

    async def _fail(self, job: GenerationJob, error: str) -> None:
        async with self.sessionmaker() as session:
            await job_repo.update_job_failed(session, job.id, job.lease_token, error)
            await session.commit()

    async def _retry(self, job: GenerationJob, error: str) -> None:
        retry_at = backoff(job.attempts, utcnow())
        async with self.sessionmaker() as session:
            if retry_at is None:
                await job_repo.update_job_failed(session, job.id, job.lease_token,
                                                 f"gave up after {job.attempts} attempts: {error}")
            else:
                await job_repo.update_job_retry(session, job.id, job.lease_token, error, retry_at)
            await session.commit()
        log.info("generation job %s: %s", job.id, error)

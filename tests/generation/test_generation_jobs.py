"""The generation worker's queue: leases, restarts, concurrency and the retry cap, driven
directly through GenerationRunner on a migrated database (no HTTP)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from generation import GenerationRequest
from generation.procedural import ProceduralGenerator
from node.actions.media import store_image
from node.generations import MAX_ATTEMPTS, GenerationRunner
from storage.db import create_engine, create_sessionmaker
from storage.models import GenerationJob, MediaAttachment
from storage.repositories import generations as job_repo
from storage.types import utcnow
from tests.conftest import create_user


@pytest.fixture
async def runner_env(client, app, settings):
    """The app of tests/conftest.py started (workers off), a user, and a runner on its database."""
    account = await create_user(app, "ada")
    engine = create_engine(settings.database_url)
    sessionmaker = create_sessionmaker(engine)
    yield GenerationRunner(settings.with_changes(generation_concurrency=2), sessionmaker), sessionmaker, account
    await engine.dispose()


@pytest.fixture
def settings(database_url, tmp_path):
    from node.settings import Settings

    return Settings(domain="node.test", database_url=database_url, media_dir=str(tmp_path / "media"),
                    run_workers=False)


async def add_job(sessionmaker, account, **fields) -> int:
    fields = {"prompt": "a small red boat", "width": 64, "height": 64, **fields}
    async with sessionmaker() as session:
        job = await job_repo.put_generation_job(session, GenerationJob(account_id=account.id, **fields))
        await session.commit()
        return job.id


async def get_job(sessionmaker, job_id: int) -> GenerationJob:
    async with sessionmaker() as session:
        return await session.get(GenerationJob, job_id)


async def test_a_job_left_running_by_a_dead_worker_is_drawn_again(runner_env):
    runner, sessionmaker, account = runner_env
    past = utcnow() - timedelta(minutes=1)
    abandoned = await add_job(sessionmaker, account, state="running", locked_until=past, lease_token="dead" * 8,
                              attempts=1)
    held = await add_job(sessionmaker, account, state="running", locked_until=utcnow() + timedelta(minutes=5),
                         lease_token="live" * 8, attempts=1)
    assert await runner.run_due() == 1
    job = await get_job(sessionmaker, abandoned)
    assert job.state == "done" and job.lease_token is None and job.attempts == 2
    async with sessionmaker() as session:
        media = await session.get(MediaAttachment, job.media_attachment_id)
    assert media.account_id == account.id and media.post_id is None and media.description == "a small red boat"
    assert media.generation["generator"] == "procedural" and media.generation["size"] == "64x64"
    # A job whose lease is still held belongs to its worker and is left alone.
    assert (await get_job(sessionmaker, held)).state == "running"
    assert await runner.run_due() == 0


async def test_a_worker_that_lost_its_lease_does_not_settle_the_job(runner_env):
    runner, sessionmaker, account = runner_env
    job_id = await add_job(sessionmaker, account)
    async with sessionmaker() as session:
        [job] = await job_repo.claim_generation_jobs(session, limit=5, lease_seconds=60)
    async with sessionmaker() as session:  # the lease expired and another worker took the job
        row = await session.get(GenerationJob, job_id)
        row.lease_token = "other" * 6
        await session.commit()
    image = ProceduralGenerator(in_thread=False).render(GenerationRequest("a boat", size=(64, 64))).image
    await runner._finish(job, await store_image(runner.settings, image), {"prompt": "a boat"})
    await runner._fail(job, "too late")
    async with sessionmaker() as session:
        orphans = await session.execute(select(MediaAttachment).where(MediaAttachment.account_id == account.id))
        assert orphans.scalars().all() == []
    assert (await get_job(sessionmaker, job_id)).state == "running"


async def test_one_round_runs_at_most_the_configured_concurrency(runner_env):
    runner, sessionmaker, account = runner_env
    ids = [await add_job(sessionmaker, account, prompt=f"boat {n}") for n in range(3)]
    assert await runner.run_due() == 2
    states = [(await get_job(sessionmaker, job_id)).state for job_id in ids]
    assert states == ["done", "done", "queued"]
    assert await runner.run_due() == 1
    assert await runner.run_due() == 0


async def test_a_job_that_keeps_failing_stops_at_the_cap(runner_env, monkeypatch):
    runner, sessionmaker, account = runner_env
    job_id = await add_job(sessionmaker, account, attempts=MAX_ATTEMPTS - 1)

    class Down:
        async def generate(self, request):
            from generation import BackendUnavailable

            raise BackendUnavailable("the image service is unavailable (HTTP 503)")

        async def aclose(self):
            pass

    monkeypatch.setattr(runner, "_generator", lambda: Down())
    assert await runner.run_due() == 1
    job = await get_job(sessionmaker, job_id)
    assert job.state == "failed" and job.error.startswith(f"gave up after {MAX_ATTEMPTS} attempts")


async def test_a_slow_job_keeps_its_lease_while_its_worker_lives(runner_env, monkeypatch):
    """Leases are short and renewed while the job runs: another worker leaves a slow job alone
    however long it takes, and one whose worker stopped renewing is drawn again soon."""
    import asyncio

    import node.generations as generations

    runner, sessionmaker, account = runner_env
    monkeypatch.setattr(generations, "LEASE_SECONDS", 0.6)
    monkeypatch.setattr(generations, "HEARTBEAT_SECONDS", 0.1)
    job_id = await add_job(sessionmaker, account)
    started, release = asyncio.Event(), asyncio.Event()

    class Slow:
        async def generate(self, request):
            started.set()
            await release.wait()
            return await ProceduralGenerator(in_thread=False).generate(request)

        async def aclose(self):
            pass

    monkeypatch.setattr(runner, "_generator", lambda: Slow())
    other = GenerationRunner(runner.settings, sessionmaker)
    first = asyncio.create_task(runner.run_due())
    await started.wait()
    await asyncio.sleep(1.5)  # well past one lease: only the renewals keep it
    assert await other.run_due() == 0
    release.set()
    assert await first == 1
    job = await get_job(sessionmaker, job_id)
    assert job.state == "done" and job.attempts == 1

    # A worker that dies mid-job renews nothing: its lease runs out and the job is drawn again.
    dead = await add_job(sessionmaker, account, prompt="a boat left behind")
    async with sessionmaker() as session:
        await job_repo.claim_generation_jobs(session, limit=5, lease_seconds=generations.LEASE_SECONDS)
    assert await other.run_due() == 0
    await asyncio.sleep(0.8)
    assert await other.run_due() == 1
    job = await get_job(sessionmaker, dead)
    assert job.state == "done" and job.attempts == 2

"""What a job's owner reads when a generation attempt fails on a bug of ours: words, never an
exception's repr; the operator's log gets the exception and its traceback at ERROR."""

import logging

from node.generations import MAX_ATTEMPTS
from tests.generation.test_generation_jobs import add_job, get_job, runner_env, settings  # noqa: F401 - fixtures


class Broken:
    """A generator with a bug: the kind of exception no backend is meant to raise."""

    async def generate(self, request):
        raise KeyError("secret_internal_key")

    async def aclose(self):
        pass


async def test_an_unexpected_failure_reads_as_words_and_is_logged_for_the_operator(runner_env, monkeypatch, caplog):
    runner, sessionmaker, account = runner_env
    job_id = await add_job(sessionmaker, account, attempts=MAX_ATTEMPTS - 1)
    monkeypatch.setattr(runner, "_generator", lambda: Broken())
    with caplog.at_level(logging.ERROR, logger="node.generations"):
        assert await runner.run_due() == 1
    job = await get_job(sessionmaker, job_id)
    assert job.state == "failed"
    assert job.error == (f"gave up after {MAX_ATTEMPTS} attempts: the server ran into an unexpected problem "
                         "while making the image (its operator's log has the details)")
    assert "KeyError" not in job.error and "secret_internal_key" not in job.error
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert f"generation job {job_id} failed: KeyError('secret_internal_key')" in record.getMessage()
    assert record.exc_info and record.exc_info[0] is KeyError


async def test_an_unexpected_failure_is_retried_with_the_same_words(runner_env, monkeypatch):
    runner, sessionmaker, account = runner_env
    job_id = await add_job(sessionmaker, account)
    monkeypatch.setattr(runner, "_generator", lambda: Broken())
    assert await runner.run_due() == 1
    job = await get_job(sessionmaker, job_id)
    assert job.state == "queued" and "KeyError" not in job.error and "unexpected problem" in job.error

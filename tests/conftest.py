"""Shared fixtures: a fresh database per test (SQLite, or PostgreSQL when
MURALIST_TEST_DATABASE_URL is set), migrated, and a node app on it."""

import asyncio
import os
import shutil
import tempfile
import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from node.app import create_app
from node.settings import Settings
from storage.db import create_engine
from storage.migrate import upgrade

PG_URL = os.environ.get("MURALIST_TEST_DATABASE_URL", "")


def run_sync(coro_factory):
    """Run a coroutine to completion on a private loop in a thread, from sync fixtures.

    Keeps pytest-asyncio's own event loop untouched.
    """
    outcome: dict = {}

    def target():
        try:
            outcome["value"] = asyncio.run(coro_factory())
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller
            outcome["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


async def _admin(sql: str) -> None:
    import asyncpg

    url = make_url(PG_URL)
    connection = await asyncpg.connect(
        host=url.host or "127.0.0.1", port=url.port or 5432, user=url.username or "postgres",
        password=url.password, database=url.database or "postgres", timeout=10,
    )
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def pytest_sessionstart(session):
    if not PG_URL:
        return
    try:
        run_sync(lambda: _admin("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means the suite cannot run on PostgreSQL
        pytest.exit(
            f"PostgreSQL at {make_url(PG_URL).render_as_string(hide_password=True)} is not reachable "
            f"({exc}); start it or unset MURALIST_TEST_DATABASE_URL",
            returncode=1,
        )


def pytest_report_header(config):
    return f"database: {'PostgreSQL ' + PG_URL if PG_URL else 'SQLite'}"


def new_database_url(tmp_path) -> tuple[str, callable]:
    """A URL for an empty database, and a function that removes it."""
    if not PG_URL:
        path = tmp_path / f"node-{uuid.uuid4().hex[:8]}.db"
        return f"sqlite+aiosqlite:///{path}", lambda: None
    name = f"muralist_t_{uuid.uuid4().hex[:12]}"
    run_sync(lambda: _admin(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    return url, lambda: run_sync(lambda: _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def migrate_sync(url: str) -> None:
    async def _go():
        engine = create_engine(url)
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    run_sync(_go)


@pytest.fixture
def empty_database_url(tmp_path):
    url, drop = new_database_url(tmp_path)
    yield url
    drop()


class _MigratedTemplate:
    """One database migrated to head per test process, copied for each test that wants a
    migrated database: running every migration per test cost seconds on PostgreSQL. SQLite
    copies the file; PostgreSQL makes the database with `CREATE DATABASE ... TEMPLATE`."""

    def __init__(self) -> None:
        self.source: str | None = None
        self.folder: Path | None = None

    def _make(self) -> str:
        if not PG_URL:
            self.folder = Path(tempfile.mkdtemp(prefix="muralist-template-"))
            path = self.folder / "template.db"
            migrate_sync(f"sqlite+aiosqlite:///{path}")
            return str(path)
        name = f"muralist_tmpl_{uuid.uuid4().hex[:12]}"
        run_sync(lambda: _admin(f'CREATE DATABASE "{name}"'))
        migrate_sync(make_url(PG_URL).set(database=name).render_as_string(hide_password=False))
        return name

    def copy(self, tmp_path) -> tuple[str, callable]:
        if self.source is None:
            self.source = self._make()
        if not PG_URL:
            path = tmp_path / f"node-{uuid.uuid4().hex[:8]}.db"
            shutil.copyfile(self.source, path)
            return f"sqlite+aiosqlite:///{path}", lambda: None
        name = f"muralist_t_{uuid.uuid4().hex[:12]}"
        run_sync(lambda: _admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.source}"'))
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        return url, lambda: run_sync(lambda: _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def remove(self) -> None:
        if self.source is not None and PG_URL:
            run_sync(lambda: _admin(f'DROP DATABASE IF EXISTS "{self.source}" WITH (FORCE)'))
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


_TEMPLATE = _MigratedTemplate()


def pytest_sessionfinish(session, exitstatus):
    _TEMPLATE.remove()


@pytest.fixture
def database_url(tmp_path):
    url, drop = _TEMPLATE.copy(tmp_path)
    yield url
    drop()


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    return Settings(
        domain="node.test",
        scheme="https",
        database_url=database_url,
        media_dir=str(tmp_path / "media"),
    )


@pytest.fixture
def app(settings):
    return create_app(settings)


@pytest.fixture
async def client(aiohttp_client, app):
    return await aiohttp_client(app)


async def create_user(app, username: str, *, email: str | None = None, password: str = "correct horse", **kw):
    """Create a local user on a running test app and return its account."""
    from node import context
    from node.accounts import create_local_user

    async with app[context.SESSIONMAKER]() as session:
        _user, account = await create_local_user(
            session, app[context.SETTINGS], username=username,
            email=email or f"{username.lower()}@example.org", password=password, **kw,
        )
        await session.commit()
    return account


@pytest.fixture
async def nodes(tmp_path):
    """Complete nodes on loopback ports (see tests/nodes.py); closed after the test."""
    from tests.nodes import Nodes

    group = Nodes(tmp_path)
    yield group
    await group.close()

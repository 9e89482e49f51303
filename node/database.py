"""Opening the node's database from the CLI: create SQLite's folder, migrate, explain failures."""

import os
from contextlib import asynccontextmanager

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine
from storage.migrate import upgrade

from .errors import NodeError


class DatabaseUnavailable(NodeError):
    """The configured database cannot be reached or opened."""


def describe_url(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a malformed URL is shown as given
        return url


def ensure_sqlite_folder(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        folder = os.path.dirname(parsed.database)
        if folder:
            os.makedirs(folder, exist_ok=True)


@asynccontextmanager
async def open_database(url: str, *, migrate: bool = True):
    """An engine on `url`, migrated to head; connection failures become DatabaseUnavailable."""
    ensure_sqlite_folder(url)
    engine = create_engine(url)
    try:
        try:
            if migrate:
                await upgrade(engine)
            else:
                async with engine.connect():
                    pass
        except (OperationalError, InterfaceError, DBAPIError, OSError) as exc:
            reason = getattr(exc, "orig", None) or exc
            raise DatabaseUnavailable(f"cannot open database {describe_url(url)}: {reason}") from exc
        yield engine
    finally:
        await engine.dispose()


async def migrate_database(url: str) -> AsyncEngine:
    async with open_database(url) as engine:
        return engine

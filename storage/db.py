"""Engines and sessions: one async engine per node, SQLite tuned for concurrent readers."""

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from . import sqlite_driver
from .errors import StorageError


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """An AsyncEngine for a SQLAlchemy URL; SQLite runs in WAL mode with synchronous=NORMAL.

    WAL lets readers proceed while a writer commits and roughly doubles commits per second
    compared with the default rollback journal (see DESIGN.md, "Where the time goes").
    """
    try:
        parsed = make_url(url)
    except Exception as exc:  # noqa: BLE001 - SQLAlchemy raises several types for a bad URL
        raise StorageError(f"invalid database URL {url!r}: {exc}") from exc
    if parsed.get_backend_name() == "sqlite":
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30},
                                     **_sqlite_module(parsed))
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _sqlite_module(parsed) -> dict:
    """For aiosqlite, the one-hop cursor (storage.sqlite_driver); another driver keeps its own."""
    module = sqlite_driver.dbapi() if parsed.get_driver_name() == "aiosqlite" else None
    return {} if module is None else {"module": module}


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)

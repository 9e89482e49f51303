"""Opening the node's database from the CLI: create SQLite's folder, migrate, say which database
was opened and what migrating did, and turn every failure into one DatabaseUnavailable."""

import os
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine
from storage.migrate import UnknownRevision, current_revision, upgrade

from .errors import NodeError


class DatabaseUnavailable(NodeError):
    """The configured database cannot be reached, opened or migrated."""


@dataclass(frozen=True)
class DatabaseReport:
    """Which database a command opened and what opening it changed."""

    name: str  # as messages show it: a SQLite path (made absolute too), or the URL without password
    relative: bool  # a SQLite path that depends on the working folder
    created: bool  # the SQLite file did not exist before
    before: str | None  # migration revision before (None: an empty database)
    after: str | None

    @property
    def changed(self) -> bool:
        return self.created or self.before != self.after

    def summary(self) -> str:
        if self.created:
            return f"created the database {self.name} and applied migrations up to {self.after}"
        if self.before is None and self.after is not None:
            return f"applied migrations up to {self.after} to the empty database {self.name}"
        if self.before != self.after:
            return f"migrated the database {self.name} from {self.before} to {self.after}"
        return f"using the database {self.name}, already migrated up to {self.after}"


@dataclass(frozen=True)
class OpenedDatabase:
    engine: AsyncEngine
    report: DatabaseReport


def describe_url(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a malformed URL is shown as given
        return url


def sqlite_path(url: str) -> str | None:
    """The file a SQLite URL names; None for another database or an in-memory one."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return parsed.database


def database_name(url: str) -> str:
    """How messages name the database: a relative SQLite path also absolute, since it depends on
    the folder the command ran in (the usual reason for "where did my users go")."""
    path = sqlite_path(url)
    if path is None:
        return describe_url(url)
    return path if os.path.isabs(path) else f"{path} ({os.path.abspath(path)})"


def _ensure_sqlite_folder(path: str | None, name: str) -> None:
    if path and os.path.isdir(path):
        raise DatabaseUnavailable(f"MURALIST_DATABASE_URL: {name} is a folder, not a database file; "
                                  f"name a file in it instead")
    folder = os.path.dirname(path) if path else ""
    if folder:
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError as exc:
            reason = "a file of that name is in the way" if os.path.isfile(folder) else exc.strerror or exc
            raise DatabaseUnavailable(f"MURALIST_DATABASE_URL: cannot create the folder {folder} for the "
                                      f"database {name}: {reason}") from None


def _reason(exc: Exception) -> str:
    """The driver's own words on one line (asyncpg and others may span several)."""
    return " ".join(str(getattr(exc, "orig", None) or exc).split())


async def _connect(engine: AsyncEngine, path: str | None, name: str) -> None:
    """Connect once, so that a wrong URL, a stopped server or an unwritable file is told apart
    from a migration that fails on a database that did open."""
    try:
        async with engine.connect():
            pass
    except (DBAPIError, OSError) as exc:
        hint = ("check that its folder exists and this user can write there" if path is not None else
                "check that the server is running and the URL's host, user, password and database are right")
        raise DatabaseUnavailable(f"MURALIST_DATABASE_URL: cannot open database {name}: {_reason(exc)}; "
                                  f"{hint}") from exc


async def _migrate(engine: AsyncEngine, name: str) -> tuple[str | None, str | None]:
    try:
        return await upgrade(engine)
    except UnknownRevision as exc:
        raise DatabaseUnavailable(f"cannot use the database {name}: {exc}") from None
    except (DBAPIError, OSError) as exc:
        raise DatabaseUnavailable(f"migrating the database {name} failed: {_reason(exc)}") from exc


@asynccontextmanager
async def open_database(url: str, *, migrate: bool = True):
    """An OpenedDatabase on `url`, migrated to head; failures become DatabaseUnavailable."""
    path, name = sqlite_path(url), database_name(url)
    created = path is not None and not os.path.exists(path)
    _ensure_sqlite_folder(path, name)
    engine = create_engine(url)
    try:
        await _connect(engine, path, name)
        if migrate:
            before, after = await _migrate(engine, name)
        else:
            before = after = await current_revision(engine)
        report = DatabaseReport(name=name, relative=path is not None and not os.path.isabs(path),
                                created=created, before=before, after=after)
        yield OpenedDatabase(engine, report)
    finally:
        await engine.dispose()

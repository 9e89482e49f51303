"""Applying the Alembic migrations from code, for `muralist migrate`, `serve` and the tests."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.ext.asyncio import AsyncEngine

from .errors import StorageError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class UnknownRevision(StorageError):
    """The database was migrated by a newer Muralist: this code does not know its revision."""


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> tuple[str | None, str | None]:
    """Bring the database to `revision` in one transaction (PostgreSQL DDL is transactional).

    Returns the revisions before and after, so callers can say what changed (None: empty database).
    """
    config = alembic_config()

    def _run(sync_connection) -> tuple[str | None, str | None]:
        before = MigrationContext.configure(sync_connection).get_current_revision()
        _check_known(config, before)
        config.attributes["connection"] = sync_connection
        command.upgrade(config, revision)
        return before, MigrationContext.configure(sync_connection).get_current_revision()

    async with engine.begin() as connection:
        return await connection.run_sync(_run)


def _check_known(config: Config, current: str | None) -> None:
    # Alembic's own complaint ("Can't locate revision") says neither which side is newer nor what to do.
    if current is None:
        return
    script = ScriptDirectory.from_config(config)
    try:
        script.get_revision(current)
    except CommandError:
        raise UnknownRevision(
            f"it is at migration {current}, which this Muralist does not know (it knows up to "
            f"{script.get_current_head()}); run the newer Muralist that migrated it"
        ) from None


async def current_revision(engine: AsyncEngine) -> str | None:
    def _read(sync_connection) -> str | None:
        return MigrationContext.configure(sync_connection).get_current_revision()

    async with engine.connect() as connection:
        return await connection.run_sync(_read)


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()

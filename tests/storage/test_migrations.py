"""Migrations from an empty database, on SQLite and PostgreSQL alike."""

from sqlalchemy import inspect

from storage.db import create_engine
from storage.migrate import current_revision, head_revision, upgrade


async def test_upgrade_from_empty_database_reaches_head(empty_database_url):
    engine = create_engine(empty_database_url)
    try:
        assert await current_revision(engine) is None
        await upgrade(engine)
        assert await current_revision(engine) == head_revision()
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
        assert {"accounts", "users", "alembic_version"} <= tables
        # Applying again is a no-op, not an error.
        await upgrade(engine)
        assert await current_revision(engine) == head_revision()
    finally:
        await engine.dispose()


async def test_downgrade_to_base_and_back(empty_database_url):
    engine = create_engine(empty_database_url)
    try:
        await upgrade(engine)
        from alembic import command
        from storage.migrate import alembic_config

        config = alembic_config()

        def _down(sync_connection):
            config.attributes["connection"] = sync_connection
            command.downgrade(config, "base")

        async with engine.begin() as connection:
            await connection.run_sync(_down)
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
        assert "accounts" not in tables and "users" not in tables
        await upgrade(engine)
        assert await current_revision(engine) == head_revision()
    finally:
        await engine.dispose()


async def test_migrations_match_the_models(database_url):
    """A model change without a migration (or the reverse) fails here, not in production."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from storage.models import Base

    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            diff = await connection.run_sync(
                lambda c: compare_metadata(MigrationContext.configure(c, opts={"compare_type": False}), Base.metadata)
            )
    finally:
        await engine.dispose()
    # Expression indexes (lower(username)) are not reflected the same way on every backend.
    diff = [d for d in diff if not (isinstance(d, tuple) and "uq_accounts_username_domain" in str(d))]
    assert diff == []

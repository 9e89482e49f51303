"""The one-hop SQLite cursor (storage/sqlite_driver.py) behind every SQLite engine: it must
answer what SQLAlchemy asks of a DBAPI cursor (rows, description, row counts, RETURNING,
executemany, errors) exactly as the stock adapter does."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from storage.db import create_engine
from storage.sqlite_driver import OneHopCursor


@pytest.fixture
async def engine(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL)"))
    yield engine
    await engine.dispose()


async def test_sqlite_engines_use_the_one_hop_cursor(engine):
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        assert isinstance(raw.dbapi_connection.cursor(), OneHopCursor)


async def test_rows_counts_returning_and_executemany(engine):
    async with engine.begin() as connection:
        inserted = await connection.execute(
            text("INSERT INTO items (name) VALUES (:name) RETURNING id, name"), {"name": "ramp"})
        assert [tuple(row) for row in inserted] == [(1, "ramp")]
        many = await connection.execute(text("INSERT INTO items (name) VALUES (:name)"),
                                        [{"name": f"n{i}"} for i in range(5)])
        assert many.rowcount == 5
        changed = await connection.execute(text("UPDATE items SET name = name || '!' WHERE id > 3"))
        assert changed.rowcount == 3
    async with engine.connect() as connection:
        result = await connection.execute(text("SELECT id, name FROM items ORDER BY id"))
        assert list(result.keys()) == ["id", "name"]
        rows = result.all()
        assert len(rows) == 6 and rows[0] == (1, "ramp") and rows[-1] == (6, "n4!")
        assert (await connection.execute(text("SELECT name FROM items WHERE id = 99"))).first() is None


async def test_errors_are_sqlalchemy_errors_and_roll_back(engine):
    async with engine.begin() as connection:
        await connection.execute(text("INSERT INTO items (name) VALUES ('taken')"))
    with pytest.raises(IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO items (name) VALUES ('fresh')"))
            await connection.execute(text("INSERT INTO items (name) VALUES ('taken')"))
    with pytest.raises(OperationalError):
        async with engine.connect() as connection:
            await connection.execute(text("SELECT * FROM no_such_table"))
    async with engine.connect() as connection:
        names = (await connection.execute(text("SELECT name FROM items"))).scalars().all()
    assert names == ["taken"]  # the failed transaction left nothing behind

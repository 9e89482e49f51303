"""The one-hop SQLite cursor (storage/sqlite_driver.py) behind every SQLite engine: it must
answer what SQLAlchemy asks of a DBAPI cursor (rows, description, row counts, RETURNING,
executemany, errors) exactly as the stock adapter does; and on a SQLAlchemy it cannot extend
it must say which versions it needs, never fail with an ImportError."""

import importlib.util

import aiosqlite
import pytest
import sqlalchemy
import sqlalchemy.util.concurrency
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from storage import sqlite_driver
from storage.db import create_engine
from storage.errors import StorageError
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


def test_another_sqlalchemy_line_is_refused_with_the_versions_needed(monkeypatch, tmp_path):
    monkeypatch.setattr(sqlalchemy, "__version__", "2.2.0")
    with pytest.raises(StorageError) as refused:  # the CLI prints a StorageError as one line
        create_engine(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")
    assert isinstance(refused.value, sqlite_driver.IncompatibleSQLAlchemy)
    message = str(refused.value)
    assert "SQLAlchemy>=2.1,<2.2" in message and "found SQLAlchemy 2.2.0" in message
    assert "requirements.lock" in message


def test_missing_sqlalchemy_internals_are_no_import_error(monkeypatch):
    """An older SQLAlchemy (2.0 has no util.concurrency.await_) still imports the module;
    making a SQLite engine then names the versions needed and what is missing."""
    monkeypatch.delattr(sqlalchemy.util.concurrency, "await_")
    monkeypatch.setattr(sqlalchemy, "__version__", "2.0.58")
    spec = importlib.util.spec_from_file_location("storage._sqlite_driver_probe", sqlite_driver.__file__)
    probe = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(probe)  # no ImportError here
    with pytest.raises(StorageError, match=r"needs SQLAlchemy>=2\.1,<2\.2, found SQLAlchemy 2\.0\.58 "
                                           r"\(cannot import name 'await_'"):
        probe.dbapi()


def test_a_2_1_release_whose_adapter_lost_what_the_cursor_uses_is_refused(monkeypatch):
    monkeypatch.setattr(sqlite_driver, "AsyncAdapt_aiosqlite_cursor", type("Reshaped", (), {}))
    with pytest.raises(sqlite_driver.IncompatibleSQLAlchemy, match="adapter lacks _soft_closed_memoized"):
        sqlite_driver.dbapi()

def test_an_aiosqlite_without_the_thread_hand_off_falls_back_to_the_stock_adapter(monkeypatch):
    monkeypatch.delattr(aiosqlite.Connection, "_execute")
    assert sqlite_driver.dbapi() is None

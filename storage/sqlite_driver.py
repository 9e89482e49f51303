"""SQLite through aiosqlite with one thread hop per statement.

aiosqlite runs each sqlite3 call on the connection's own thread, and SQLAlchemy's adapter
makes four such calls per statement (open a cursor, execute, fetch the rows, close the
cursor). Every hop is a queue hand-off and an event-loop wake-up, about 0.1 ms of the loop's
time, while the statement itself usually takes microseconds: a page of 20 statuses spent most
of its time handing work between threads (bench/timeline.py). The cursor here does the four
steps in one function on the connection's thread and keeps the description, row count, last
row id and rows it answered.

It is handed to SQLAlchemy's own aiosqlite dialect as its DBAPI module (`create_engine(...,
module=...)`), so URLs stay `sqlite+aiosqlite://` and everything else about the dialect
(pool, isolation, errors, server-side cursors) is unchanged.
"""

import collections
import re
import sqlite3
from typing import Any

import aiosqlite
import sqlalchemy

from .errors import StorageError

# The classes below extend SQLAlchemy's private aiosqlite adapter as the 2.1 line shapes it
# (pyproject.toml pins the same range; requirements.lock holds the versions CI tested).
SQLALCHEMY_NEEDED = ">=2.1,<2.2"
_SQLALCHEMY_LINE = (2, 1)

try:
    from sqlalchemy.dialects.sqlite.aiosqlite import (
        AsyncAdapt_aiosqlite_connection,
        AsyncAdapt_aiosqlite_cursor,
        AsyncAdapt_aiosqlite_dbapi,
    )
    from sqlalchemy.util import EMPTY_DICT
    from sqlalchemy.util.concurrency import await_
except ImportError as error:  # another SQLAlchemy line: dbapi() names the one needed
    _IMPORT_PROBLEM: str | None = str(error)
    AsyncAdapt_aiosqlite_connection = AsyncAdapt_aiosqlite_cursor = AsyncAdapt_aiosqlite_dbapi = object
    EMPTY_DICT, await_ = {}, None
else:
    _IMPORT_PROBLEM = None


class IncompatibleSQLAlchemy(StorageError):
    """The installed SQLAlchemy is not one whose aiosqlite adapter the one-hop cursor extends."""


def _run_statement(connection: aiosqlite.Connection, operation: str, parameters, many: bool) -> tuple:
    """On the connection's thread: the whole statement, answered as plain values."""
    cursor = connection._conn.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else None
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose execute is one call on aiosqlite's thread."""

    __slots__ = ("_description", "_rowcount", "_lastrowid", "_arraysize")

    def __init__(self, adapt_connection) -> None:  # noqa: D107 - no cursor opened until a statement runs
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description = None
        self._rowcount = -1
        self._lastrowid = None
        self._arraysize = 1

    @property
    def description(self):
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self):
        return self._lastrowid

    @property
    def arraysize(self) -> int:
        return self._arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._arraysize = value

    async def _async_soft_close(self) -> None:
        """Nothing to close: the sqlite3 cursor was closed on its thread."""

    def close(self) -> None:
        self._rows.clear()

    def execute(self, operation: Any, parameters=None) -> Any:
        return self._call(operation, parameters, many=False)

    def executemany(self, operation: Any, seq_of_parameters) -> Any:
        return self._call(operation, seq_of_parameters, many=True)

    def _call(self, operation, parameters, *, many: bool) -> Any:
        try:
            return await_(self._run(operation, parameters, many=many))
        except Exception as error:  # noqa: BLE001 - translated as SQLAlchemy's adapter does
            self._adapt_connection._handle_exception(error)

    async def _run(self, operation, parameters, *, many: bool) -> None:
        async with self._adapt_connection._execute_mutex:
            description, rows, rowcount, lastrowid = await self._connection._execute(
                _run_statement, self._connection, operation, parameters, many)
        self._description, self._rowcount, self._lastrowid = description, rowcount, lastrowid
        self._rows = collections.deque(rows) if rows else collections.deque()


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = OneHopCursor


class OneHopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """aiosqlite as SQLAlchemy adapts it, with connections that use OneHopCursor."""

    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        adapted = super().connect(*arg, **kw)
        return OneHopConnection(self, adapted._connection)


def sqlalchemy_problem() -> str | None:
    """Why this SQLAlchemy cannot carry the one-hop cursor, or None when it can."""
    found = sqlalchemy.__version__
    line = tuple(int(part) for part in re.findall(r"\d+", found)[:2])
    if line == _SQLALCHEMY_LINE and _IMPORT_PROBLEM is None:
        missing = [name for cls, names in (
            (AsyncAdapt_aiosqlite_connection, ("_cursor_cls", "_handle_exception", "_execute_mutex")),
            (AsyncAdapt_aiosqlite_cursor, ("_soft_closed_memoized", "_adapt_connection", "_rows")),
        ) for name in names if not hasattr(cls, name)]
        if not missing:
            return None
        detail = f"its aiosqlite adapter lacks {', '.join(missing)}"
    else:
        detail = _IMPORT_PROBLEM or "another release line"
    return (f"the SQLite driver (storage/sqlite_driver.py) needs SQLAlchemy{SQLALCHEMY_NEEDED}, "
            f"found SQLAlchemy {found} ({detail}); install the tested versions with "
            f"`pip install --require-hashes -r requirements.lock`, as `make run` and `make test` do")


def dbapi() -> OneHopDBAPI | None:
    """The one-hop DBAPI; None (SQLAlchemy's own adapter is used) if this aiosqlite lacks the
    thread hand-off it relies on, `Connection._execute` and `_conn`, as every release since
    0.17 has them. Raises IncompatibleSQLAlchemy, naming the versions needed, for a SQLAlchemy
    outside SQLALCHEMY_NEEDED."""
    problem = sqlalchemy_problem()
    if problem is not None:
        raise IncompatibleSQLAlchemy(problem)
    if not callable(getattr(aiosqlite.Connection, "_execute", None)) \
            or not hasattr(aiosqlite.Connection, "_conn"):
        return None
    return OneHopDBAPI(aiosqlite, sqlite3)
